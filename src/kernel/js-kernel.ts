// The JavaScript engine (`--engine js`): the kernel's state machine, number parser and exact sums
// written in TypeScript over the same windows, so that the two engines can be compared fairly and
// must agree byte for byte. Its modules in src/kernel/js/ mirror the kernel's in assembly/ (see
// assembly/index.ts) and follow them: state.ts (a JsState: configuration, counters, carried state,
// accumulators), machine.ts (the byte machine), fast-records.ts (whole records, four bytes at a
// time), number.ts (fields parsed in place, the number grammar) and exact.ts (exact sums in
// limbs, doubles, min/max); the state constants are the kernel's own (assembly/machine-states.ts).
// This class is only the Engine interface over them.
//
// The fast path reads whole records that end inside the window and parses simple numbers as it
// goes (one pass per byte); everything else goes through the byte-at-a-time machine.

import type { RawScan } from '../types.js';
import { STATUS_UNTERMINATED_QUOTE } from '../../assembly/layout.js';
import { allocateSlots, clearSlot, INITIAL_ALL_FIELDS_SLOTS, invalidValue, slotValues } from './js/exact.js';
import { fastPathAllowed, WINDOW_SLACK } from './js/fast-records.js';
import { finish, scan } from './js/machine.js';
import { JsGroups, type RecordFields } from './js/groups.js';
import { JsState, reset } from './js/state.js';
import { kernelKeys } from './groups.js';
import { rawColumn, rawColumns, slotMap } from './raw-columns.js';
import type { Engine, KernelConfig } from './types.js';

export class JsKernel implements Engine {
  private readonly st = new JsState();

  window(size: number): Uint8Array {
    const st = this.st;
    if (st.bytes.length < size + WINDOW_SLACK) {
      st.words = new Int32Array(Math.ceil((size + WINDOW_SLACK) / 4));
      st.bytes = new Uint8Array(st.words.buffer);
    }
    return st.bytes.subarray(0, size);
  }

  configure(config: KernelConfig): void {
    const st = this.st;
    const { dialect, mode } = config;
    st.delimiter = dialect.delimiter & 0xff;
    st.quote = dialect.quote & 0xff;
    st.midFile = config.midFile;
    st.header = dialect.header && !config.midFile;
    // sum reports the same column object as stats (stddev included), so both accumulate squares
    st.squares = mode !== 'count';
    st.startOffset = config.startOffset;
    st.stopOffset = config.stopOffset;
    st.configuredExpectedFields = config.expectedFields ?? 0;
    st.fastPathAllowed = fastPathAllowed(st.delimiter);
    st.distinctOn = config.profile?.distinct ?? false;
    st.quantilesOn = config.profile?.quantiles ?? false;

    const slots = slotMap(config);
    st.slots = slots;
    st.mappedFields = slots.mappedFields;
    st.columnMap = slots.fieldSlots;
    allocateSlots(st, slots.allFields ? INITIAL_ALL_FIELDS_SLOTS : slots.slotCount);
    // sum and stats by key: the slots hold one record's fields, merged into its group at its end
    const recordFields: RecordFields | null =
      config.groups && slots.slotCount > 0
        ? {
            slots: slots.slotCount,
            read: (slot) => rawColumn(1, slotValues(st, slot), () => invalidValue(st, slot)),
            clear: (slot) => clearSlot(st, slot),
          }
        : null;
    st.groups = config.groups ? new JsGroups(kernelKeys(config.groups.by), config.groups.memory, config.groups.spill ?? null, recordFields) : null;
    reset(st);
  }

  scan(length: number): number {
    return scan(this.st, length);
  }

  finish(): number {
    return finish(this.st);
  }

  results(): RawScan {
    const st = this.st;
    const records = st.records;
    return {
      records,
      lines: st.lines,
      bytes: st.position - st.startOffset,
      short: st.short,
      long: st.long,
      maxFields: st.maxFields,
      expectedFields: st.expectedFields,
      headerFields: st.headerFields,
      firstRecord: st.firstRecord,
      linesBeforeFirst: st.linesBeforeFirst,
      stopPosition: st.stopPosition,
      unterminatedQuote: st.status === STATUS_UNTERMINATED_QUOTE ? { line: st.quoteLine, byte: st.quoteByte } : null,
      // grouped, the slots hold a record's fields: the columns are the groups'
      columns: st.groups ? [] : rawColumns(st.slots, st.maxFields, (slot) => rawColumn(records, slotValues(st, slot), () => invalidValue(st, slot))),
      ...(st.groups ? { groups: st.groups.finalResults() } : {}),
    };
  }

  /** The group table goes (its results were handed over); the window stays, as the kernel's does. */
  release(): void {
    this.st.groups = null;
  }
}
