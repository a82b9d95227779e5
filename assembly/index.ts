// The csvscan kernel: a byte-level CSV state machine (docs/spec.md grammar) that keeps its state across
// windows, classifies the fields of the selected columns and accumulates exact decimal sums. This
// file holds only its exports, the ABI of docs/kernel-abi.md; the modules, by responsibility:
//
//   layout.ts          the ABI: memory layout and constants (shared with the host)
//   machine-states.ts  the byte machine's and the number parser's states (shared with the JS engine)
//   state.ts           the configuration and every global carried across windows; reset()
//   bytes.ts           LF/CR, SWAR constants, empty lines, CRLF ends, LF counts
//   machine.ts         the byte machine: scan() and finish(), record and field ends
//   records.ts         whole records from a record start: the one entry into the fast stages
//   blocks.ts          stage 1 (simd): LF/delimiter/quote masks of 64-byte blocks, quote state
//   block-records.ts   stage 2 (simd): records and fields from those masks, record by record
//   uniform.ts         runs of uniform records (simd): the masks' field ends indexed, then column by column
//   fast-records.ts    the fast path over SWAR (or 32-byte) words: the scalar build's, the simd fallback
//   number.ts          numbers: fields parsed in place (SWAR) and the byte-by-byte number grammar
//   exact.ts           a field's verdict into its slot: exact i128 buckets (via 64-bit pending sums), doubles, min/max, invalid
//   pending.ts         those 64-bit pending sums and extremes of the common number, flushed to the slot
//
// Protocol (see docs/kernel-abi.md and assembly/layout.ts):
//   host writes CONFIG and COLUMN_MAP -> reset()
//   repeat: host copies up to N bytes to WINDOW_OFFSET -> scan(N) returns STATUS_OK or STATUS_STOPPED
//   at end of input -> finish() returns STATUS_OK or STATUS_UNTERMINATED_QUOTE
//   host reads RESULTS and SLOTS.
// With groups, STATUS_GROUPS_FULL: the host raises CONFIG_GROUP_LIMIT, or reads the groups out and
// calls clearGroups(), then calls scan() (or finish()) again.

import { LAYOUT_VERSION } from './layout';

export { reset } from './state';
export { scan, finish } from './machine';
export { clearGroups } from './groups';

export function layoutVersion(): i32 {
  return LAYOUT_VERSION;
}
