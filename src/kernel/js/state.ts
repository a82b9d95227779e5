// The JavaScript engine's state, and its one owner (as assembly/state.ts is the kernel's): the
// configuration, the counters results() reports, everything carried from one window to the next
// (the byte machine's and the number parser's state) and the accumulators. The engine's modules are
// functions of a JsState; only reset() (and resetNumber(), at each selected field) sets it all.
//
// What differs from the kernel is representation only:
// - the window is a plain Uint8Array owned by this engine;
// - a mantissa of up to 15 digits is an exact double; digits 16..19 go to a second double;
// - an exact 128-bit decimal bucket becomes a few double "limbs" (src/kernel/js/exact.ts).

import * as L from '../../../assembly/layout.js';
import * as M from '../../../assembly/machine-states.js';
import { NO_SLOTS, type SlotMap } from '../raw-columns.js';
import type { JsGroups } from './groups.js';
import { Murmur128 } from './hash.js';
import type { DistinctBuilder, QuantileBuilder } from '../profile.js';

// What this module uses of others, as module-local consts (see src/kernel/js/bytes.ts).
const { N_LEAD, RECORD_DATA, RECORD_DISCARD, RECORD_HEADER, S_RECORD_START, S_UNQUOTED } = M;

/** digits a double holds exactly (10^15 < 2^53); the 16th to 19th go to `numTail` */
export const HEAD_DIGITS = 15;

export class JsState {
  /** the window */
  bytes = new Uint8Array(0);
  /** the same buffer as 32-bit words, for the fast path */
  words = new Int32Array(0);

  // ---- configuration ----
  delimiter = 44;
  quote = 34;
  squares = false;
  header = false;
  midFile = false;
  /** which field goes to which slot (src/kernel/raw-columns.ts) */
  slots: SlotMap = NO_SLOTS;
  mappedFields = 0;
  /** field index -> slot, or -1 (only the first `mappedFields` entries are read) */
  columnMap: Int32Array = new Int32Array(0);
  startOffset = 0;
  stopOffset = -1;
  fastPathAllowed = true;
  /** with --by: the groups (src/kernel/js/groups.ts) */
  groups: JsGroups | null = null;
  /** with groups: the absolute offset of the current window's end */
  windowEndAt = 0;

  // ---- results ----
  records = 0;
  lines = 0;
  short = 0;
  long = 0;
  maxFields = 0;
  expectedFields = 0;
  configuredExpectedFields = 0;
  headerFields = 0;
  firstRecord = -1;
  linesBeforeFirst = 0;
  stopPosition = -1;
  status: number = L.STATUS_OK;

  // ---- machine state carried across windows ----
  state = S_RECORD_START;
  recordMode = RECORD_DATA;
  fieldIndex = 0;
  slot = -1;
  position = 0; // absolute offset of the window's first byte
  quoteLine = 0;
  quoteByte = 0;
  captured = 0;
  stopped = false;
  readonly capture = new Uint8Array(L.INVALID_CAPTURE);

  // ---- number parser state ----
  numState = N_LEAD;
  numNegative = false;
  numMantissa = 0; // the first HEAD_DIGITS significant digits
  numTail = 0; //     significant digits 16..19
  numDigits = 0;
  numScale = 0;
  numDropped = 0;
  numDroppedNonzero = false;
  numDroppedBeyondKept = false;
  numExponent = 0;
  numExponentNegative = false;
  /** FORM_* bits met in the current number so far */
  numForm = 0;
  readonly droppedDigits = new Uint8Array(L.MAX_KEPT_DIGITS);
  readonly oneByte = new Uint8Array(1);

  // ---- accumulators (src/kernel/js/exact.ts) ----
  acc = new Float64Array(0);
  invalidBytes = new Uint8Array(0);
  capacity = 0; // slots allocated in acc

  // ---- the column profile (stats --distinct, --quantiles) ----
  distinctOn = false;
  quantilesOn = false;
  /** the current value's hash, fed as its bytes come (assembly/profile.ts) */
  readonly hasher = new Murmur128();
  /** by slot, created at its first value */
  distinct: (DistinctBuilder | undefined)[] = [];
  quantiles: (QuantileBuilder | undefined)[] = [];
}

/** A new scan (after configure): clear the counters, start the machine as the configuration says. */
export const reset = (st: JsState): void => {
  st.records = 0;
  st.lines = 0;
  st.short = 0;
  st.long = 0;
  st.maxFields = 0;
  st.expectedFields = st.configuredExpectedFields;
  st.headerFields = 0;
  st.firstRecord = -1;
  st.linesBeforeFirst = 0;
  st.stopPosition = -1;
  st.status = L.STATUS_OK;
  st.position = st.startOffset;
  // 0 and -1 mean no stop, as for the kernel's CONFIG_STOP_OFFSET (assembly/state.ts)
  if (st.stopOffset <= 0) st.stopOffset = -1;
  st.fieldIndex = 0;
  st.slot = -1;
  st.captured = 0;
  st.stopped = false;
  st.distinct = [];
  st.quantiles = [];
  st.quoteLine = 0;
  st.quoteByte = 0;
  resetNumber(st);
  if (st.midFile) {
    // The byte before the start is taken to be inside an unquoted field: the partial record is
    // discarded, and the host checks the guess against the previous range.
    st.state = S_UNQUOTED;
    st.recordMode = RECORD_DISCARD;
  } else {
    st.state = S_RECORD_START;
    st.recordMode = st.header ? RECORD_HEADER : RECORD_DATA;
    beginRecordAt(st, st.position);
  }
};

/** The number parser at the start of a selected field. */
export const resetNumber = (st: JsState): void => {
  st.numState = N_LEAD;
  st.numNegative = false;
  st.numMantissa = 0;
  st.numTail = 0;
  st.numDigits = 0;
  st.numScale = 0;
  st.numDropped = 0;
  st.numDroppedNonzero = false;
  st.numDroppedBeyondKept = false;
  st.numExponent = 0;
  st.numExponentNegative = false;
  st.numForm = 0;
};

/** Counting begins with the first data record: where it starts, and the lines before it. */
export const beginRecordAt = (st: JsState, at: number): void => {
  if (st.recordMode === RECORD_DATA && st.firstRecord < 0) {
    st.firstRecord = at;
    st.linesBeforeFirst = st.lines;
  }
};

/** The record counters, from the locals the fast path kept them in. */
export const storeRecordCounters = (st: JsState, lines: number, records: number, maxFields: number, expected: number, short: number, long: number): void => {
  st.lines = lines;
  st.records = records;
  st.maxFields = maxFields;
  st.expectedFields = expected;
  st.short = short;
  st.long = long;
};

