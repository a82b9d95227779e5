// The kernel's state, and its one owner: the configuration reset() reads from CONFIG, everything
// the kernel carries from one window to the next (the byte machine's state, the number parser's),
// and what one stage hands to another within a window. Every other module reads and writes these
// globals; only reset() (and resetNumber(), at each selected field) sets them all.
//
// The kernel owns no buffers: everything it carries from one window to the next is the handful of
// globals below plus, for a field that spans windows, at most 64 captured bytes and the number
// parser's state. Nothing is allocated.

import {
  CONFIG_OFFSET, CONFIG_DELIMITER, CONFIG_QUOTE, CONFIG_FLAGS, CONFIG_SLOT_COUNT, CONFIG_MAPPED_FIELDS,
  CONFIG_START_OFFSET, CONFIG_STOP_OFFSET, CONFIG_EXPECTED_FIELDS, FLAG_HEADER, FLAG_MID_FILE,
  RESULTS_OFFSET, RESULT_RECORDS, RESULT_LINES, RESULT_SHORT, RESULT_LONG, RESULT_MAX_FIELDS,
  RESULT_EXPECTED_FIELDS, RESULT_FIRST_RECORD, RESULT_STOP_POSITION, RESULT_BYTES, RESULT_LINES_AT_FIRST,
  SLOTS_OFFSET, SLOT_SIZE, SLOT_MIN, SLOT_MAX, SLOT_MIN_LENGTH,
} from './layout';
import { S_RECORD_START, S_UNQUOTED, RECORD_DATA, RECORD_HEADER, RECORD_DISCARD, N_LEAD } from './machine-states';
import { LF, CR } from './bytes';
import { resetGroups, storeGroupResults } from './groups';
import { resetProfile } from './profile';
import { resetPending, flushAllPending } from './pending';

// ---- private scratch (inside the CONFIG region, after the host's fields) -------------------------
export const CLASS_TABLE: usize = CONFIG_OFFSET + 1024; // 256 bytes: 1 for bytes that end an unquoted field
export const CAPTURE: usize = CONFIG_OFFSET + 1536; //     64 bytes: current field's value for first_invalid
// CONFIG_OFFSET + 2048: MAX_KEYS x u32, the current record's key field lengths (assembly/groups.ts)
// CONFIG_OFFSET + 2304: 16 bytes, a value's unfinished hash block; + 2368: 32 x u32, free heap blocks (profile.ts)

// ---- configuration ------------------------------------------------------------------------------
export let delimiter: u32 = 44;
export let quote: u32 = 34;
export let flags: i32 = 0;
export let mappedFields: i32 = 0;
export let slotCount: i32 = 0;
export let stopOffset: i64 = -1;

// ---- machine state carried across windows --------------------------------------------------------
export let state: i32 = S_RECORD_START;
export let recordMode: i32 = RECORD_DATA;
export let fieldIndex: i32 = 0;
export let slot: i32 = -1; //          slot of the current field, -1 when it is not accumulated
export let position: i64 = 0; //       absolute offset of WINDOW_OFFSET's byte in the current window
export let lines: i64 = 0;
export let quoteLine: i64 = 0; //      line and offset where the current quoted field opened
export let quoteByte: i64 = 0;
export let captured: i32 = 0; //       bytes of the current field's value seen so far (CAPTURE holds <= 64)
export let stopped: bool = false;

// ---- number parser state (the current selected field) -------------------------------------------
export let numState: i32 = N_LEAD;
export let numNegative: bool = false;
export let numMantissa: u64 = 0;
export let numDigits: i32 = 0; //      significant digits in numMantissa
export let numScale: i64 = 0; //       decimal exponent of numMantissa's last digit, before the 'e' part
export let numDropped: i32 = 0; //     significant digits past the 19th (kept in NUMBER_TEXT for rounding)
export let numDroppedNonzero: bool = false;
export let numDroppedBeyondKept: bool = false; // a nonzero digit past the kept ones
export let numExponent: i32 = 0;
export let numExponentNegative: bool = false;
export let numForm: i32 = 0; //      FORM_* bits met so far

// ---- handed between the stages within a window (set before they are read in each window) --------
export let quoteSearchEnd: usize = 0; // this window's last LF: fast quoted fields must close before it
/** Where a block function gave up: fastRecords() takes the records up to here. */
export let blockResume: usize = 0;
/**
 * Where uniformRecords() may be tried (again) in this window: after it finds a run it cannot take,
 * not before the next window, since what stopped it (a quoted column, ragged records) tends to
 * recur, and fieldRecords() hands back a record start often (at each doubled quote, for one).
 */
export let uniformRetryAt: usize = 0;
// A field's line when uniformRecords() passed -1: lazyLineBase + the LFs from lazyLineFrom to it.
export let lazyLineBase: i64 = 0;
export let lazyLineFrom: usize = 0;
export let lazyLineField: usize = 0;

// ================================================================================================
// reset: read CONFIG, clear results and accumulators
// ================================================================================================
export function reset(): void {
  delimiter = load<u8>(CONFIG_OFFSET + CONFIG_DELIMITER);
  quote = load<u8>(CONFIG_OFFSET + CONFIG_QUOTE);
  flags = load<i32>(CONFIG_OFFSET + CONFIG_FLAGS);
  slotCount = load<i32>(CONFIG_OFFSET + CONFIG_SLOT_COUNT);
  mappedFields = load<i32>(CONFIG_OFFSET + CONFIG_MAPPED_FIELDS);
  position = load<i64>(CONFIG_OFFSET + CONFIG_START_OFFSET);
  // 0 (what a zeroed CONFIG holds) means no stop, as -1 does: no range of a file ends at byte 0
  const stop = load<i64>(CONFIG_OFFSET + CONFIG_STOP_OFFSET);
  stopOffset = stop > 0 ? stop : -1;

  memory.fill(CLASS_TABLE, 0, 256);
  store<u8>(CLASS_TABLE + delimiter, 1);
  store<u8>(CLASS_TABLE + LF, 1);
  store<u8>(CLASS_TABLE + CR, 1);

  memory.fill(RESULTS_OFFSET, 0, 4096);
  store<i64>(RESULTS_OFFSET + RESULT_FIRST_RECORD, -1);
  store<i64>(RESULTS_OFFSET + RESULT_STOP_POSITION, -1);
  // a range after the first cannot see the header or first record: the host tells it their width
  store<i64>(RESULTS_OFFSET + RESULT_EXPECTED_FIELDS, load<i64>(CONFIG_OFFSET + CONFIG_EXPECTED_FIELDS));
  for (let s = 0; s < slotCount; s++) {
    const base = SLOTS_OFFSET + <usize>s * SLOT_SIZE;
    memory.fill(base, 0, SLOT_SIZE);
    store<f64>(base + SLOT_MIN, Infinity);
    store<f64>(base + SLOT_MAX, -Infinity);
    store<i64>(base + SLOT_MIN_LENGTH, I64.MAX_VALUE);
  }
  resetPending(slotCount);

  lines = 0;
  fieldIndex = 0;
  slot = -1;
  captured = 0;
  stopped = false;
  resetNumber();
  resetGroups();
  resetProfile();
  if (flags & FLAG_MID_FILE) {
    // Speculation: the byte before the start is inside an unquoted field. The partial record is
    // discarded; whether the guess was right is checked by the host against the previous range.
    state = S_UNQUOTED;
    recordMode = RECORD_DISCARD;
  } else {
    state = S_RECORD_START;
    recordMode = flags & FLAG_HEADER ? RECORD_HEADER : RECORD_DATA;
    beginRecordAt(position);
  }
}

@inline export function resetNumber(): void {
  numState = N_LEAD;
  numNegative = false;
  numMantissa = 0;
  numDigits = 0;
  numScale = 0;
  numDropped = 0;
  numDroppedNonzero = false;
  numDroppedBeyondKept = false;
  numExponent = 0;
  numExponentNegative = false;
  numForm = 0;
}

/** Counting begins with the first data record: where it starts, and the lines before it. */
export function beginRecordAt(at: i64): void {
  if (recordMode == RECORD_DATA && load<i64>(RESULTS_OFFSET + RESULT_FIRST_RECORD) < 0) {
    store<i64>(RESULTS_OFFSET + RESULT_FIRST_RECORD, at);
    store<i64>(RESULTS_OFFSET + RESULT_LINES_AT_FIRST, lines);
  }
}

/** The line and byte counters of RESULTS, as of now, and the slots complete: before every return. */
export function storeCounters(): void {
  flushAllPending(slotCount);
  store<i64>(RESULTS_OFFSET + RESULT_LINES, lines);
  store<i64>(RESULTS_OFFSET + RESULT_BYTES, position - load<i64>(CONFIG_OFFSET + CONFIG_START_OFFSET));
  storeGroupResults();
}

/** The record counters of RESULTS, from the locals a fast stage kept them in. */
@inline export function storeRecordCounters(records: i64, widest: i64, expected: i64, shortRecords: i64, longRecords: i64): void {
  const results = RESULTS_OFFSET;
  store<i64>(results + RESULT_RECORDS, records);
  store<i64>(results + RESULT_MAX_FIELDS, widest);
  store<i64>(results + RESULT_EXPECTED_FIELDS, expected);
  store<i64>(results + RESULT_SHORT, shortRecords);
  store<i64>(results + RESULT_LONG, longRecords);
}
