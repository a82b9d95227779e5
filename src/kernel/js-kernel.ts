// The JavaScript engine (`--engine js`): the kernel's state machine, number parser and exact sums
// written in TypeScript over the same windows, so that the two engines can be compared fairly and
// must agree byte for byte (see assembly/index.ts for the grammar's reading; this file follows it).
//
// What differs from the kernel is representation only:
// - the window is a plain Uint8Array owned by this engine;
// - a mantissa of up to 15 digits is an exact double; digits 16..19 go to a second double;
// - an exact 128-bit decimal bucket becomes a few double "limbs" in base 10^6, each kept below 2^52
//   by an explicit carry, so every addition is exact without BigInt on the hot path.
// The fast path reads whole records that end inside the window and parses simple numbers as it
// goes (one pass per byte); everything else goes through the byte-at-a-time machine.
//
import * as L from '../../assembly/layout.js';
import type { RawColumn, RawScan } from '../types.js';
import type { Engine, KernelConfig } from './types.js';

const LF = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const UPPER_E = 69;
const LOWER_E = 101;

// ---- machine states (as in the kernel) ----------------------------------------------------------
const S_RECORD_START = 0;
const S_RECORD_CR = 1;
const S_FIELD_START = 2;
const S_UNQUOTED = 3;
const S_UNQUOTED_CR = 4;
const S_QUOTED = 5;
const S_QUOTED_QUOTE = 6;
const S_AFTER_QUOTED = 7;
const S_AFTER_QUOTED_CR = 8;

const RECORD_DATA = 0;
const RECORD_HEADER = 1;
const RECORD_DISCARD = 2;

// ---- number parser states (as in the kernel) ----------------------------------------------------
const N_LEAD = 0;
const N_SIGN = 1;
const N_INT = 2;
const N_DOT_FIRST = 3;
const N_FRAC = 4;
const N_EXP = 5;
const N_EXP_SIGN = 6;
const N_EXP_DIGITS = 7;
const N_TRAIL = 8;
const N_INVALID = 9;

const MAX_MANTISSA_DIGITS = 19;
/** digits a double holds exactly (10^15 < 2^53); the 16th to 19th go to `numTail` */
const HEAD_DIGITS = 15;
const EXPONENT_CAP = 100000000;
const MAX_EXACT_EXPONENT = 17; // m x 10^k with k <= 17 can be below 10^18

// 10^0 .. 10^22: all exact doubles (Clinger's fast path needs them exact)
const POW10 = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
];
const BILLION = 1e9;
/** 2^53 as hi * 10^9 + lo, for a 19-digit mantissa held as (hi, lo) */
const TWO_POW_53_HI = 9007199;
const TWO_POW_53_LO = 254740992;

// ---- exact buckets ------------------------------------------------------------------------------
// A bucket is LIMBS doubles; limb i counts units of 10^(6i). Additions are integers below 2^50
// (a mantissa of <= 15 digits) or 3 x 10^12 (a limb product), and a limb reaching 2^52 carries
// into the next, so no sum ever exceeds 2^53: every limb stays an exact integer.
const LIMB = 1e6;
const CARRY_AT = 2 ** 52;
const SUM_LIMBS = 4; //    m < 10^18: three limbs, one more for carries
const SQUARE_LIMBS = 7; // m^2 < 10^36: six limbs, one more for carries
const SQUARE_EXPONENTS = 2 * (MAX_EXACT_EXPONENT - L.SUM_EXP_MIN) + 1; // 2k for k in [-35, 17]
const SQUARE_EXP_MIN = 2 * L.SUM_EXP_MIN;
const SQUARE_IN_ONE_LIMB_BELOW = 2 ** 26; // m < 2^26: m^2 < 2^52 is added as it is

// ---- one slot's accumulators, in a Float64Array ---------------------------------------------------
const A_COUNT = 0;
const A_INVALID = 1;
const A_OUTSIDE = 2;
const A_MIN = 3;
const A_MAX = 4;
const A_FSUM = 5;
const A_FSUM_COMP = 6;
const A_FSQ = 7;
const A_FSQ_COMP = 8;
const A_INVALID_LINE = 9; //   1-based relative line of the first invalid field, 0 = none
const A_INVALID_LENGTH = 10; // bytes of it kept (<= INVALID_CAPTURE)
const A_SHIFT = 11; //          the first double outside the exact domain: fdev and fsq sum deviations from it
const A_FDEV = 12;
const A_FDEV_COMP = 13;
const A_SUMS = 14;
const A_SQUARES = A_SUMS + L.SUM_BUCKETS * SUM_LIMBS;
const SLOT_STRIDE = A_SQUARES + SQUARE_EXPONENTS * SQUARE_LIMBS;
/** all-fields mode starts with this many slots and grows as wider records appear */
const INITIAL_ALL_FIELDS_SLOTS = 64;

// ---- fast path: 32-bit SWAR over the window ---------------------------------------------------------
const ONES = 0x01010101;
const LOW7 = 0x7f7f7f7f;
/** An Int32Array's byte order is the platform's: the fast path reads words as little-endian. */
const LITTLE_ENDIAN = new Uint8Array(Int32Array.of(1).buffer)[0] === 1;
/** the fast path reads whole words: up to 3 bytes past the window's last LF */
const WINDOW_SLACK = 4;

const latin1 = new TextDecoder('latin1');

/**
 * The fast path's number parser stops at the byte after a field, which must not look like part of
 * a number: dialects whose delimiter is a digit, sign or '.' leave everything to the byte machine.
 */
function delimiterCanBeInNumber(delimiter: number): boolean {
  return (delimiter >= ZERO && delimiter <= ZERO + 9) || delimiter === PLUS || delimiter === MINUS || delimiter === DOT;
}

/** Limb `index` reached 2^52: carry upwards, limb by limb, no further than `last`. */
function carryLimbs(acc: Float64Array, index: number, last: number): void {
  for (let i = index; i < last; i++) {
    const value = acc[i];
    if (value < CARRY_AT && value > -CARRY_AT) return;
    const rest = value % LIMB; // exact, sign of value
    acc[i] = rest;
    acc[i + 1] = acc[i + 1] + (value - rest) / LIMB;
  }
}

function addLimb(acc: Float64Array, index: number, last: number, amount: number): void {
  const value = acc[index] + amount;
  acc[index] = value;
  if (value >= CARRY_AT || value <= -CARRY_AT) carryLimbs(acc, index, last);
}

/** Add (a x 10^12 + b x 10^6 + c)^2 to the square bucket at `index`. */
function addSquareLimbs(acc: Float64Array, index: number, a: number, b: number, c: number): void {
  const last = index + SQUARE_LIMBS - 1;
  addLimb(acc, index, last, c * c);
  addLimb(acc, index + 1, last, 2 * b * c);
  addLimb(acc, index + 2, last, b * b + 2 * a * c);
  addLimb(acc, index + 3, last, 2 * a * b);
  addLimb(acc, index + 4, last, a * a);
}

/** Buckets of `limbs` limbs, bucket b in units of 10^b: their total. */
function sumBuckets(acc: Float64Array, offset: number, buckets: number, limbs: number): bigint {
  let total = 0n;
  for (let b = 0; b < buckets; b++) {
    for (let i = 0; i < limbs; i++) {
      const limb = acc[offset + b * limbs + i];
      if (limb !== 0) total += BigInt(limb) * 10n ** BigInt(b + 6 * i);
    }
  }
  return total;
}

export class JsKernel implements Engine {
  private bytes = new Uint8Array(0);
  /** the same buffer as 32-bit words, for the fast path */
  private words = new Int32Array(0);

  // ---- configuration ----
  private delimiter = 44;
  private quote = 34;
  private squares = false;
  private header = false;
  private midFile = false;
  private allFields = false;
  private slotCount = 0;
  private mappedFields = 0;
  /** field index -> slot, or -1 (only the first `mappedFields` entries are read) */
  private columnMap = new Int32Array(0);
  private startOffset = 0;
  private stopOffset = -1;
  private fastPathAllowed = true;

  // ---- results ----
  private records = 0;
  private lines = 0;
  private short = 0;
  private long = 0;
  private maxFields = 0;
  private expectedFields = 0;
  private configuredExpectedFields = 0;
  private headerFields = 0;
  private firstRecord = -1;
  private linesBeforeFirst = 0;
  private stopPosition = -1;
  private status: number = L.STATUS_OK;

  // ---- machine state carried across windows ----
  private state = S_RECORD_START;
  private recordMode = RECORD_DATA;
  private fieldIndex = 0;
  private slot = -1;
  private position = 0; // absolute offset of the window's first byte
  private quoteLine = 0;
  private quoteByte = 0;
  private captured = 0;
  private stopped = false;
  private readonly capture = new Uint8Array(L.INVALID_CAPTURE);

  // ---- number parser state ----
  private numState = N_LEAD;
  private numNegative = false;
  private numMantissa = 0; // the first HEAD_DIGITS significant digits
  private numTail = 0; //     significant digits 16..19
  private numDigits = 0;
  private numScale = 0;
  private numDropped = 0;
  private numDroppedNonzero = false;
  private numDroppedBeyondKept = false;
  private numExponent = 0;
  private numExponentNegative = false;
  private readonly droppedDigits = new Uint8Array(L.MAX_KEPT_DIGITS);
  private readonly oneByte = new Uint8Array(1);

  // ---- accumulators ----
  private acc = new Float64Array(0);
  private invalidBytes = new Uint8Array(0);
  private capacity = 0; // slots allocated in acc

  window(size: number): Uint8Array {
    if (this.bytes.length < size + WINDOW_SLACK) {
      this.words = new Int32Array(Math.ceil((size + WINDOW_SLACK) / 4));
      this.bytes = new Uint8Array(this.words.buffer);
    }
    return this.bytes.subarray(0, size);
  }

  configure(config: KernelConfig): void {
    const { dialect, mode } = config;
    this.delimiter = dialect.delimiter & 0xff;
    this.quote = dialect.quote & 0xff;
    this.midFile = config.midFile;
    this.header = dialect.header && !config.midFile;
    // sum reports the same column object as stats (stddev included), so both accumulate squares
    this.squares = mode !== 'count';
    this.startOffset = config.startOffset;
    this.stopOffset = config.stopOffset;
    this.configuredExpectedFields = config.expectedFields ?? 0;
    this.fastPathAllowed = LITTLE_ENDIAN && !delimiterCanBeInNumber(this.delimiter);

    this.allFields = config.allFields && mode !== 'count';
    let mapped = 0;
    let capacity = 0;
    if (mode === 'count') {
      this.slotCount = 0;
      this.columnMap = new Int32Array(0);
    } else if (this.allFields) {
      this.slotCount = L.MAX_SLOTS;
      mapped = L.MAX_SLOTS;
      this.columnMap = Int32Array.from({ length: mapped }, (_, field) => field);
      capacity = INITIAL_ALL_FIELDS_SLOTS;
    } else {
      this.slotCount = config.slotFields.length;
      for (const field of config.slotFields) mapped = Math.max(mapped, field + 1);
      this.columnMap = new Int32Array(mapped).fill(-1);
      config.slotFields.forEach((field, slot) => {
        this.columnMap[field] = slot;
      });
      capacity = this.slotCount;
    }
    this.mappedFields = mapped;
    this.allocateSlots(capacity);
    this.reset();
  }

  private allocateSlots(capacity: number): void {
    if (this.acc.length < capacity * SLOT_STRIDE) {
      this.acc = new Float64Array(capacity * SLOT_STRIDE);
      this.invalidBytes = new Uint8Array(capacity * L.INVALID_CAPTURE);
    } else {
      this.acc.fill(0, 0, capacity * SLOT_STRIDE);
      this.invalidBytes.fill(0, 0, capacity * L.INVALID_CAPTURE);
    }
    for (let s = 0; s < capacity; s++) this.initSlot(s);
    this.capacity = capacity;
  }

  private initSlot(slot: number): void {
    this.acc[slot * SLOT_STRIDE + A_MIN] = Infinity;
    this.acc[slot * SLOT_STRIDE + A_MAX] = -Infinity;
  }

  /** All-fields mode met field `slot`: make room for it (the slots before it keep their values). */
  private growSlots(slot: number): void {
    const capacity = Math.min(L.MAX_SLOTS, Math.max(slot + 1, this.capacity * 2));
    const acc = new Float64Array(capacity * SLOT_STRIDE);
    acc.set(this.acc.subarray(0, this.capacity * SLOT_STRIDE));
    const invalidBytes = new Uint8Array(capacity * L.INVALID_CAPTURE);
    invalidBytes.set(this.invalidBytes.subarray(0, this.capacity * L.INVALID_CAPTURE));
    this.acc = acc;
    this.invalidBytes = invalidBytes;
    for (let s = this.capacity; s < capacity; s++) this.initSlot(s);
    this.capacity = capacity;
  }

  private reset(): void {
    this.records = 0;
    this.lines = 0;
    this.short = 0;
    this.long = 0;
    this.maxFields = 0;
    this.expectedFields = this.configuredExpectedFields;
    this.headerFields = 0;
    this.firstRecord = -1;
    this.linesBeforeFirst = 0;
    this.stopPosition = -1;
    this.status = L.STATUS_OK;
    this.position = this.startOffset;
    this.fieldIndex = 0;
    this.slot = -1;
    this.captured = 0;
    this.stopped = false;
    this.quoteLine = 0;
    this.quoteByte = 0;
    this.resetNumber();
    if (this.midFile) {
      // The byte before the start is taken to be inside an unquoted field: the partial record is
      // discarded, and the host checks the guess against the previous range.
      this.state = S_UNQUOTED;
      this.recordMode = RECORD_DISCARD;
    } else {
      this.state = S_RECORD_START;
      this.recordMode = this.header ? RECORD_HEADER : RECORD_DATA;
      this.beginRecordAt(this.position);
    }
  }

  private resetNumber(): void {
    this.numState = N_LEAD;
    this.numNegative = false;
    this.numMantissa = 0;
    this.numTail = 0;
    this.numDigits = 0;
    this.numScale = 0;
    this.numDropped = 0;
    this.numDroppedNonzero = false;
    this.numDroppedBeyondKept = false;
    this.numExponent = 0;
    this.numExponentNegative = false;
  }

  // ==============================================================================================
  // scan: one window
  // ==============================================================================================
  scan(length: number): number {
    if (this.stopped) return L.STATUS_STOPPED;
    const bytes = this.bytes;
    const end = length;
    const delimiter = this.delimiter;
    const quote = this.quote;
    const fastLimit = this.fastPathLimit(end);
    let p = 0;
    // where the current selected unquoted field's bytes in this window begin
    let segment = 0;

    while (p < end) {
      switch (this.state) {
        case S_RECORD_START: {
          if (p < fastLimit && this.recordMode === RECORD_DATA) {
            p = this.fastRecords(p, fastLimit);
            if (this.state !== S_RECORD_START) continue; // a quoted field: the byte machine takes it
            if (this.atBoundary(p)) return this.stopAt(p);
            continue;
          }
          const c = bytes[p];
          if (c === LF) {
            // an empty line is not a record
            this.lines++;
            p++;
            if (this.atBoundary(p)) return this.stopAt(p);
            continue;
          }
          if (c === CR) {
            this.state = S_RECORD_CR;
            p++;
            continue;
          }
          this.fieldIndex = 0;
          this.state = S_FIELD_START;
          continue;
        }
        case S_RECORD_CR: {
          if (bytes[p] === LF) {
            this.lines++;
            p++;
            this.state = S_RECORD_START;
            if (this.atBoundary(p)) return this.stopAt(p);
            continue;
          }
          // the CR is the first byte of field 0's data
          this.fieldIndex = 0;
          this.beginField();
          if (this.slot >= 0) this.feedByte(CR);
          this.state = S_UNQUOTED;
          segment = p;
          continue;
        }
        case S_FIELD_START: {
          this.beginField();
          if (bytes[p] === quote) {
            this.quoteLine = this.lines + 1;
            this.quoteByte = this.position + p;
            this.state = S_QUOTED;
            p++;
            continue;
          }
          this.state = S_UNQUOTED;
          segment = p;
          continue;
        }
        case S_UNQUOTED: {
          // run to the byte that ends the field: delimiter, LF or CR
          let c = 0;
          while (p < end) {
            c = bytes[p];
            if (c === delimiter || c === LF || c === CR) break;
            p++;
          }
          if (p === end) break;
          if (this.slot >= 0 && p > segment) this.feedSegment(segment, p);
          if (c === delimiter) {
            this.endField(this.lines + 1);
            this.fieldIndex++;
            this.state = S_FIELD_START;
            p++;
            continue;
          }
          if (c === LF) {
            this.endField(this.lines + 1);
            this.lines++;
            p++;
            this.endRecord(this.position + p);
            if (this.atBoundary(p)) return this.stopAt(p);
            continue;
          }
          // CR: the field ends here if LF follows
          this.state = S_UNQUOTED_CR;
          p++;
          continue;
        }
        case S_UNQUOTED_CR:
        case S_AFTER_QUOTED_CR: {
          if (bytes[p] === LF) {
            this.endField(this.state === S_UNQUOTED_CR ? this.lines + 1 : this.quoteLine);
            this.lines++;
            p++;
            this.endRecord(this.position + p);
            if (this.atBoundary(p)) return this.stopAt(p);
            continue;
          }
          // a lone CR is data
          if (this.slot >= 0) this.feedByte(CR);
          if (this.state === S_UNQUOTED_CR) {
            this.state = S_UNQUOTED;
            segment = p;
          } else {
            this.state = S_AFTER_QUOTED;
          }
          continue;
        }
        case S_QUOTED: {
          if (this.slot < 0) {
            // not accumulated: only the closing quote and the line count matter
            let lines = this.lines;
            let c = 0;
            while (p < end) {
              c = bytes[p];
              if (c === quote) break;
              if (c === LF) lines++;
              p++;
            }
            this.lines = lines;
            if (p === end) break;
            this.state = S_QUOTED_QUOTE;
            p++;
            continue;
          }
          const c = bytes[p];
          p++;
          if (c === quote) {
            this.state = S_QUOTED_QUOTE;
            continue;
          }
          if (c === LF) this.lines++;
          this.feedByte(c);
          continue;
        }
        case S_QUOTED_QUOTE: {
          const c = bytes[p];
          if (c === quote) {
            // a doubled quote is one quote byte of data
            if (this.slot >= 0) this.feedByte(c);
            this.state = S_QUOTED;
            p++;
            continue;
          }
          this.state = S_AFTER_QUOTED;
          continue;
        }
        case S_AFTER_QUOTED: {
          const c = bytes[p];
          p++;
          if (c === delimiter) {
            this.endField(this.quoteLine);
            this.fieldIndex++;
            this.state = S_FIELD_START;
            continue;
          }
          if (c === LF) {
            this.endField(this.quoteLine);
            this.lines++;
            this.endRecord(this.position + p);
            if (this.atBoundary(p)) return this.stopAt(p);
            continue;
          }
          if (c === CR) {
            this.state = S_AFTER_QUOTED_CR;
            continue;
          }
          if (this.slot >= 0) this.feedByte(c);
          continue;
        }
      }
    }
    // window exhausted inside a field: hand its bytes so far to the parser and the capture
    if (this.state === S_UNQUOTED && this.slot >= 0 && end > segment) this.feedSegment(segment, end);
    this.position += length;
    return L.STATUS_OK;
  }

  // ==============================================================================================
  // finish: end of input
  // ==============================================================================================
  finish(): number {
    if (!this.stopped) {
      switch (this.state) {
        case S_QUOTED:
          this.status = L.STATUS_UNTERMINATED_QUOTE;
          return L.STATUS_UNTERMINATED_QUOTE;
        case S_RECORD_CR:
          // a final lone CR is a record of one field holding CR
          this.fieldIndex = 0;
          this.beginField();
          if (this.slot >= 0) this.feedByte(CR);
          this.endField(this.lines + 1);
          this.endRecord(-1);
          break;
        case S_UNQUOTED_CR:
        case S_AFTER_QUOTED_CR:
          if (this.slot >= 0) this.feedByte(CR);
          this.endField(this.state === S_UNQUOTED_CR ? this.lines + 1 : this.quoteLine);
          this.endRecord(-1);
          break;
        case S_FIELD_START:
          this.beginField();
          this.endField(this.lines + 1);
          this.endRecord(-1);
          break;
        case S_UNQUOTED:
          this.endField(this.lines + 1);
          this.endRecord(-1);
          break;
        case S_QUOTED_QUOTE:
        case S_AFTER_QUOTED:
          this.endField(this.quoteLine);
          this.endRecord(-1);
          break;
        default:
          break;
      }
      this.state = S_RECORD_START;
    }
    return L.STATUS_OK;
  }

  // ==============================================================================================
  // fast path: whole unquoted records, numbers parsed as they are read
  // ==============================================================================================

  /** Records that start before the returned limit end inside the window, and before the stop. */
  private fastPathLimit(end: number): number {
    if (!this.fastPathAllowed || end === 0) return 0;
    let safeEnd = this.bytes.lastIndexOf(LF, end - 1) + 1;
    if (this.stopOffset >= 0) {
      const stopDistance = this.stopOffset - this.position;
      if (stopDistance < 0) return 0;
      if (stopDistance < safeEnd) safeEnd = stopDistance;
    }
    return safeEnd;
  }

  /**
   * Scan records from `start` (a record start) while they start before `limit`. Returns the next
   * record start, or, with state set to S_FIELD_START, the position of a quoted field, which the
   * byte machine handles. Every LF met here is outside quotes, so each one ends a record.
   *
   * Four bytes at a time: a 32-bit word's bytes equal to the delimiter, LF or quote are found
   * with carry-free SWAR arithmetic, and only those bytes are looked at one by one.
   */
  private fastRecords(start: number, limit: number): number {
    const bytes = this.bytes;
    const words = this.words;
    const delimiter = this.delimiter;
    const mapped = this.mappedFields;
    const columnMap = this.columnMap;
    const delimiterWord = Math.imul(delimiter, ONES);
    const lfWord = Math.imul(LF, ONES);
    const quoteWord = Math.imul(this.quote, ONES);
    let lines = this.lines;
    let records = this.records;
    let maxFields = this.maxFields;
    let expected = this.expectedFields;
    let short = this.short;
    let long = this.long;
    let fieldStart = start;
    let field = 0;
    let wordIndex = start >> 2;
    // bytes of the first word before `start` are not ours
    let skipBelow = (start & 3) << 3;

    for (;;) {
      const w = words[wordIndex];
      const a = w ^ delimiterWord;
      const b = w ^ lfWord;
      const c = w ^ quoteWord;
      // high bit of each byte equal to delimiter, LF or quote (exact: no carry between bytes)
      let mask = ~((((a & LOW7) + LOW7) | a) & (((b & LOW7) + LOW7) | b) & (((c & LOW7) + LOW7) | c) | LOW7);
      if (skipBelow !== 0) {
        mask &= -1 << skipBelow;
        skipBelow = 0;
      }
      while (mask !== 0) {
        const at = (wordIndex << 2) + ((31 - Math.clz32(mask & -mask)) >> 3);
        mask &= mask - 1;
        const byte = bytes[at];
        if (byte === delimiter) {
          if (field < mapped && columnMap[field] >= 0) this.fastField(columnMap[field], fieldStart, at, lines + 1);
          field++;
          fieldStart = at + 1;
        } else if (byte === LF) {
          if (field === 0 && (at === fieldStart || (at === fieldStart + 1 && bytes[fieldStart] === CR))) {
            lines++; // an empty line is not a record
          } else {
            const fieldEnd = at > fieldStart && bytes[at - 1] === CR ? at - 1 : at;
            if (field < mapped && columnMap[field] >= 0) this.fastField(columnMap[field], fieldStart, fieldEnd, lines + 1);
            lines++;
            const fields = field + 1;
            records++;
            if (fields > maxFields) maxFields = fields;
            if (expected === 0) expected = fields;
            else if (fields < expected) short++;
            else if (fields > expected) long++;
          }
          field = 0;
          fieldStart = at + 1;
          if (fieldStart >= limit) {
            this.storeRecordCounters(lines, records, maxFields, expected, short, long);
            return fieldStart;
          }
        } else if (at === fieldStart) {
          // a quoted field: the byte machine takes the rest of the record
          this.storeRecordCounters(lines, records, maxFields, expected, short, long);
          this.fieldIndex = field;
          this.state = S_FIELD_START;
          return at;
        }
      }
      wordIndex++;
    }
  }

  private storeRecordCounters(lines: number, records: number, maxFields: number, expected: number, short: number, long: number): void {
    this.lines = lines;
    this.records = records;
    this.maxFields = maxFields;
    this.expectedFields = expected;
    this.short = short;
    this.long = long;
  }

  /** A selected field is the unquoted bytes [from, to) on line `line`: classify and accumulate it. */
  private fastField(slot: number, from: number, to: number, line: number): void {
    if (from === to) return;
    if (slot >= this.capacity) this.growSlots(slot);
    // common case: [sign] digits [. digits], at most HEAD_DIGITS digits. The byte at `to` (a
    // delimiter, LF or CR; never a digit or '.' in dialects the fast path runs) ends the runs.
    const bytes = this.bytes;
    let p = from;
    let c = bytes[p];
    const negative = c === MINUS;
    if (negative || c === PLUS) c = bytes[++p];
    let mantissa = 0;
    let digits = 0;
    let digit = c - ZERO;
    while (digit >= 0 && digit <= 9) {
      mantissa = mantissa * 10 + digit;
      digits++;
      digit = bytes[++p] - ZERO;
    }
    let scale = 0;
    if (digit === DOT - ZERO && p < to) {
      const fractionStart = ++p;
      digit = bytes[p] - ZERO;
      while (digit >= 0 && digit <= 9) {
        mantissa = mantissa * 10 + digit;
        digit = bytes[++p] - ZERO;
      }
      digits += p - fractionStart;
      scale = fractionStart - p;
    }
    if (p === to && digits > 0 && digits <= HEAD_DIGITS) {
      this.addNumber(slot * SLOT_STRIDE, mantissa, scale, negative);
      return;
    }
    // anything else (spaces, exponent, long digit strings, invalid text): the general parser
    this.parseField(slot, from, to, line);
  }

  /** The fast path's field [from, to) is not a simple number: parse it as the byte machine would. */
  private parseField(slot: number, from: number, to: number, line: number): void {
    this.slot = slot;
    this.resetNumber();
    this.numFeed(this.bytes, from, to);
    const length = to - from;
    const kept = length < L.INVALID_CAPTURE ? length : L.INVALID_CAPTURE;
    const bytes = this.bytes;
    const capture = this.capture;
    for (let i = 0; i < kept; i++) capture[i] = bytes[from + i];
    this.captured = length;
    this.endField(line);
    this.slot = -1;
  }

  // ==============================================================================================
  // records and fields
  // ==============================================================================================
  private atBoundary(p: number): boolean {
    return this.stopOffset >= 0 && this.position + p >= this.stopOffset;
  }

  private stopAt(p: number): number {
    this.stopped = true;
    const at = this.position + p;
    this.stopPosition = at;
    this.position = at;
    this.status = L.STATUS_STOPPED;
    return L.STATUS_STOPPED;
  }

  private beginRecordAt(at: number): void {
    if (this.recordMode === RECORD_DATA && this.firstRecord < 0) {
      this.firstRecord = at;
      this.linesBeforeFirst = this.lines;
    }
  }

  private beginField(): void {
    const field = this.fieldIndex;
    const slot = this.recordMode === RECORD_DATA && field < this.mappedFields ? this.columnMap[field] : -1;
    this.slot = slot;
    if (slot >= 0) {
      if (slot >= this.capacity) this.growSlots(slot);
      this.resetNumber();
      this.captured = 0;
    }
  }

  /** The record ended; the next one starts at absolute offset `next` (-1: end of input). */
  private endRecord(next: number): void {
    const fields = this.fieldIndex + 1;
    if (this.recordMode === RECORD_DATA) {
      if (fields > this.maxFields) this.maxFields = fields;
      this.records++;
      const expected = this.expectedFields;
      if (expected === 0) this.expectedFields = fields;
      else if (fields < expected) this.short++;
      else if (fields > expected) this.long++;
    } else if (this.recordMode === RECORD_HEADER) {
      this.headerFields = fields;
      this.expectedFields = fields;
      this.recordMode = RECORD_DATA;
    } else {
      this.recordMode = RECORD_DATA; // the discarded partial record is behind us
    }
    this.fieldIndex = 0;
    this.slot = -1;
    this.state = S_RECORD_START;
    if (next >= 0) this.beginRecordAt(next);
  }

  /** The current field ended; `line` is the physical line it started on. */
  private endField(line: number): void {
    const slot = this.slot;
    if (slot < 0) return;
    const state = this.numState;
    if (state === N_LEAD) return; // empty
    const base = slot * SLOT_STRIDE;
    if (state === N_INT || state === N_FRAC || state === N_EXP_DIGITS || state === N_TRAIL) {
      const exponent = this.numScale + (this.numExponentNegative ? -this.numExponent : this.numExponent);
      if (this.numDigits <= HEAD_DIGITS) this.addNumber(base, this.numMantissa, exponent, this.numNegative);
      else this.addLongNumber(base, exponent);
      return;
    }
    const acc = this.acc;
    acc[base + A_INVALID]++;
    if (acc[base + A_INVALID_LINE] === 0) {
      acc[base + A_INVALID_LINE] = line;
      const kept = this.captured < L.INVALID_CAPTURE ? this.captured : L.INVALID_CAPTURE;
      acc[base + A_INVALID_LENGTH] = kept;
      const target = slot * L.INVALID_CAPTURE;
      for (let i = 0; i < kept; i++) this.invalidBytes[target + i] = this.capture[i];
    }
  }

  /** One byte of a selected field (from a quoted field, or a CR): parse and capture it. */
  private feedByte(c: number): void {
    this.oneByte[0] = c;
    this.numFeed(this.oneByte, 0, 1);
    if (this.captured < L.INVALID_CAPTURE) this.capture[this.captured] = c;
    this.captured++;
  }

  /** Bytes [from, to) of an unquoted selected field: parse and capture them. */
  private feedSegment(from: number, to: number): void {
    const bytes = this.bytes;
    const length = to - from;
    const captured = this.captured;
    if (captured < L.INVALID_CAPTURE) {
      const room = L.INVALID_CAPTURE - captured;
      const copy = length < room ? length : room;
      for (let i = 0; i < copy; i++) this.capture[captured + i] = bytes[from + i];
    }
    this.captured = captured + length;
    this.numFeed(bytes, from, to);
  }

  // ==============================================================================================
  // numbers: ^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$ after trimming spaces and tabs
  // ==============================================================================================
  private numFeed(bytes: Uint8Array, from: number, to: number): void {
    let s = this.numState;
    if (s === N_INVALID) return;
    let mantissa = this.numMantissa;
    let tail = this.numTail;
    let digits = this.numDigits;
    let scale = this.numScale;
    let p = from;
    while (p < to) {
      const c = bytes[p];
      const d = c - ZERO;
      const isDigit = d >= 0 && d <= 9;
      switch (s) {
        case N_LEAD: {
          if (c === SPACE || c === TAB) {
            p++;
            continue;
          }
          if (c === PLUS || c === MINUS) {
            this.numNegative = c === MINUS;
            s = N_SIGN;
            p++;
            continue;
          }
          if (isDigit) {
            s = N_INT;
            continue;
          }
          if (c === DOT) {
            s = N_DOT_FIRST;
            p++;
            continue;
          }
          s = N_INVALID;
          break;
        }
        case N_SIGN: {
          if (isDigit) {
            s = N_INT;
            continue;
          }
          if (c === DOT) {
            s = N_DOT_FIRST;
            p++;
            continue;
          }
          s = N_INVALID;
          break;
        }
        case N_INT: {
          // a run of integer digits (the state resumes on any byte, so check the first one too)
          let digit = d;
          while (digit >= 0 && digit <= 9) {
            if (digits === 0 && digit === 0) {
              // a leading zero adds nothing
            } else if (digits < MAX_MANTISSA_DIGITS) {
              if (digits < HEAD_DIGITS) mantissa = mantissa * 10 + digit;
              else tail = tail * 10 + digit;
              digits++;
            } else {
              this.dropDigit(digit);
              scale++;
            }
            p++;
            if (p === to) break;
            digit = bytes[p] - ZERO;
          }
          if (p === to) break;
          const next = bytes[p];
          if (next === DOT) {
            s = N_FRAC;
            p++;
            continue;
          }
          if (next === LOWER_E || next === UPPER_E) {
            s = N_EXP;
            p++;
            continue;
          }
          if (next === SPACE || next === TAB) {
            s = N_TRAIL;
            p++;
            continue;
          }
          s = N_INVALID;
          break;
        }
        case N_DOT_FIRST:
        case N_FRAC: {
          if (isDigit) {
            if (digits === 0 && d === 0) {
              scale--;
            } else if (digits < MAX_MANTISSA_DIGITS) {
              if (digits < HEAD_DIGITS) mantissa = mantissa * 10 + d;
              else tail = tail * 10 + d;
              digits++;
              scale--;
            } else {
              this.dropDigit(d);
            }
            s = N_FRAC;
            p++;
            continue;
          }
          if (s === N_FRAC) {
            if (c === LOWER_E || c === UPPER_E) {
              s = N_EXP;
              p++;
              continue;
            }
            if (c === SPACE || c === TAB) {
              s = N_TRAIL;
              p++;
              continue;
            }
          }
          s = N_INVALID;
          break;
        }
        case N_EXP: {
          if (c === PLUS || c === MINUS) {
            this.numExponentNegative = c === MINUS;
            s = N_EXP_SIGN;
            p++;
            continue;
          }
          if (isDigit) {
            s = N_EXP_DIGITS;
            continue;
          }
          s = N_INVALID;
          break;
        }
        case N_EXP_SIGN: {
          if (isDigit) {
            s = N_EXP_DIGITS;
            continue;
          }
          s = N_INVALID;
          break;
        }
        case N_EXP_DIGITS: {
          if (isDigit) {
            // saturate: any larger exponent rounds to 0 or Infinity anyway
            if (this.numExponent < EXPONENT_CAP) this.numExponent = this.numExponent * 10 + d;
            p++;
            continue;
          }
          if (c === SPACE || c === TAB) {
            s = N_TRAIL;
            p++;
            continue;
          }
          s = N_INVALID;
          break;
        }
        case N_TRAIL: {
          if (c === SPACE || c === TAB) {
            p++;
            continue;
          }
          s = N_INVALID;
          break;
        }
        default:
          break;
      }
      if (s === N_INVALID) break;
    }
    this.numState = s;
    this.numMantissa = mantissa;
    this.numTail = tail;
    this.numDigits = digits;
    this.numScale = scale;
  }

  /** A significant digit past the 19th: kept as text (up to MAX_KEPT_DIGITS) for exact rounding. */
  private dropDigit(d: number): void {
    if (this.numDropped < L.MAX_KEPT_DIGITS) this.droppedDigits[this.numDropped] = ZERO + d;
    else if (d !== 0) this.numDroppedBeyondKept = true;
    if (d !== 0) this.numDroppedNonzero = true;
    this.numDropped++;
  }

  /**
   * Add mantissa x 10^exponent to the slot at `base`; mantissa is an integer below 10^15. Kept
   * small so that V8 inlines it into the fast path: the rare cases are calls.
   */
  private addNumber(base: number, mantissa: number, exponent: number, negative: boolean): void {
    // the double, as Number() would give it: Clinger's fast path (both operands exact, one
    // correctly rounded operation), else Number() itself
    let value =
      exponent >= -22 && exponent <= 22
        ? exponent < 0
          ? mantissa / POW10[-exponent]
          : mantissa * POW10[exponent]
        : mantissa === 0
          ? 0
          : Number(`${mantissa}e${exponent}`);
    if (negative) value = -value;
    const acc = this.acc;
    acc[base + A_COUNT]++;
    if (mantissa !== 0) {
      if (exponent >= -18 && exponent <= 0) {
        // 1 <= mantissa < 10^15: surely in the exact domain [1e-18, 1e18)
        const sum = base + A_SUMS + (exponent - L.SUM_EXP_MIN) * SUM_LIMBS;
        const total = acc[sum] + (negative ? -mantissa : mantissa);
        acc[sum] = total;
        if (total >= CARRY_AT || total <= -CARRY_AT) carryLimbs(acc, sum, sum + SUM_LIMBS - 1);
        if (this.squares) this.addSquare(base, mantissa, exponent);
      } else {
        this.addExactOrOutside(base, mantissa, exponent, negative, value);
      }
    }
    this.addDouble(base, value);
  }

  /** The exact domain check of a mantissa below 10^15 whose exponent is not in [-18, 0]. */
  private addExactOrOutside(base: number, mantissa: number, exponent: number, negative: boolean, value: number): void {
    const acc = this.acc;
    let m = mantissa;
    let k = exponent;
    // trailing zeros do not count as significant
    while (k < L.SUM_EXP_MIN && m % 10 === 0) {
      m /= 10;
      k++;
    }
    if (
      k < L.SUM_EXP_MIN ||
      k > MAX_EXACT_EXPONENT ||
      (k > 0 && m >= POW10[18 - k]) || //  >= 1e18
      (k < -18 && m < POW10[-18 - k]) //   < 1e-18
    ) {
      this.addOutside(base, value);
      return;
    }
    const sum = base + A_SUMS + (k - L.SUM_EXP_MIN) * SUM_LIMBS;
    addLimb(acc, sum, sum + SUM_LIMBS - 1, negative ? -m : m);
    if (this.squares) this.addSquare(base, m, k);
  }

  /** Add (m x 10^k)^2 exactly, for an in-domain m < 10^15. */
  private addSquare(base: number, m: number, k: number): void {
    const acc = this.acc;
    const square = base + A_SQUARES + (2 * k - SQUARE_EXP_MIN) * SQUARE_LIMBS;
    if (m < SQUARE_IN_ONE_LIMB_BELOW) {
      const total = acc[square] + m * m;
      acc[square] = total;
      if (total >= CARRY_AT) carryLimbs(acc, square, square + SQUARE_LIMBS - 1);
      return;
    }
    const c = m % LIMB;
    const rest = (m - c) / LIMB;
    const b = rest % LIMB;
    addSquareLimbs(acc, square, (rest - b) / LIMB, b, c);
  }

  /**
   * Add the parser's number of 16 to 19 significant digits (plus any dropped ones) x 10^exponent.
   * The mantissa is too wide for a double: it is held as hi x 10^9 + lo.
   */
  private addLongNumber(base: number, exponent: number): void {
    const tailDigits = this.numDigits - HEAD_DIGITS;
    const tailScale = POW10[tailDigits];
    const headLow = this.numMantissa % BILLION;
    const headHigh = (this.numMantissa - headLow) / BILLION;
    const low = headLow * tailScale + this.numTail; // < 10^13: exact
    let lo = low % BILLION;
    let hi = headHigh * tailScale + (low - lo) / BILLION;
    let k = exponent;
    const negative = this.numNegative;

    let value: number;
    if (
      this.numDropped === 0 &&
      (hi < TWO_POW_53_HI || (hi === TWO_POW_53_HI && lo <= TWO_POW_53_LO)) &&
      k >= -22 &&
      k <= 22
    ) {
      const m = hi * BILLION + lo; // <= 2^53: exact
      value = k < 0 ? m / POW10[-k] : m * POW10[k];
    } else {
      value = this.slowDouble(hi, lo, k);
    }
    if (negative) value = -value;

    const acc = this.acc;
    acc[base + A_COUNT]++;
    let exact = true;
    if (this.numDropped > 0 && this.numDroppedNonzero) {
      exact = false;
    } else {
      // trailing zeros (typed, or dropped zero digits) do not count as significant
      while ((hi >= BILLION || k < L.SUM_EXP_MIN) && lo % 10 === 0) {
        const r = hi % 10;
        hi = (hi - r) / 10;
        lo = r * 1e8 + lo / 10;
        k++;
      }
      if (hi >= BILLION || k < L.SUM_EXP_MIN || k > MAX_EXACT_EXPONENT) exact = false;
      else if (k > 0 && atLeastPow10(hi, lo, 18 - k)) exact = false; // >= 1e18
      else if (k < -18 && !atLeastPow10(hi, lo, -18 - k)) exact = false; // < 1e-18
    }
    if (exact) {
      // m = hi x 10^9 + lo < 10^18 as limbs a x 10^12 + b x 10^6 + c
      const c = lo % LIMB;
      const middle = hi * 1000 + (lo - c) / LIMB;
      const b = middle % LIMB;
      const a = (middle - b) / LIMB;
      const sum = base + A_SUMS + (k - L.SUM_EXP_MIN) * SUM_LIMBS;
      const last = sum + SUM_LIMBS - 1;
      addLimb(acc, sum, last, negative ? -c : c);
      addLimb(acc, sum + 1, last, negative ? -b : b);
      addLimb(acc, sum + 2, last, negative ? -a : a);
      if (this.squares) addSquareLimbs(acc, base + A_SQUARES + (2 * k - SQUARE_EXP_MIN) * SQUARE_LIMBS, a, b, c);
    } else {
      this.addOutside(base, value);
    }
    this.addDouble(base, value);
  }

  /**
   * A number outside the exact domain, as the kernel keeps it: Neumaier sums of its deviation from
   * the slot's first such number and of that deviation squared.
   */
  private addOutside(base: number, value: number): void {
    const acc = this.acc;
    const outsideBefore = acc[base + A_OUTSIDE]++;
    if (outsideBefore === 0) acc[base + A_SHIFT] = value;
    neumaierAdd(acc, base + A_FSUM, value);
    const deviation = value - acc[base + A_SHIFT];
    neumaierAdd(acc, base + A_FDEV, deviation);
    neumaierAdd(acc, base + A_FSQ, deviation * deviation);
  }

  /** min and max. Called after counting. */
  private addDouble(base: number, value: number): void {
    const acc = this.acc;
    if (value < acc[base + A_MIN]) acc[base + A_MIN] = value;
    if (value > acc[base + A_MAX]) acc[base + A_MAX] = value;
  }

  /**
   * The rare number rounded by Number() (correctly rounded): the mantissa hi x 10^9 + lo, the kept
   * dropped digits, a 1 standing for nonzero digits past them, and the exponent.
   */
  private slowDouble(hi: number, lo: number, exponent: number): number {
    const kept = this.numDropped < L.MAX_KEPT_DIGITS ? this.numDropped : L.MAX_KEPT_DIGITS;
    let text = hi > 0 ? `${hi}${String(lo).padStart(9, '0')}` : `${lo}`;
    let e = exponent - kept;
    if (kept > 0) text += latin1.decode(this.droppedDigits.subarray(0, kept));
    if (this.numDroppedBeyondKept) {
      text += '1';
      e--;
    }
    return Number(`${text}e${e}`);
  }

  // ==============================================================================================
  // results
  // ==============================================================================================
  results(): RawScan {
    const slots = this.allFields ? Math.min(this.slotCount, this.maxFields) : this.slotCount;
    const columns: RawColumn[] = [];
    for (let s = 0; s < slots; s++) columns.push(this.readSlot(s));
    return {
      records: this.records,
      lines: this.lines,
      bytes: this.position - this.startOffset,
      short: this.short,
      long: this.long,
      maxFields: this.maxFields,
      expectedFields: this.expectedFields,
      headerFields: this.headerFields,
      firstRecord: this.firstRecord,
      linesBeforeFirst: this.linesBeforeFirst,
      stopPosition: this.stopPosition,
      unterminatedQuote:
        this.status === L.STATUS_UNTERMINATED_QUOTE ? { line: this.quoteLine, byte: this.quoteByte } : null,
      columns,
    };
  }

  private readSlot(slot: number): RawColumn {
    if (slot >= this.capacity) this.growSlots(slot); // a slot no field reached: all zero
    const acc = this.acc;
    const base = slot * SLOT_STRIDE;
    const count = acc[base + A_COUNT];
    const invalid = acc[base + A_INVALID];
    const invalidLine = acc[base + A_INVALID_LINE];
    const capture = slot * L.INVALID_CAPTURE;
    return {
      count,
      // every record gives each selected column a number, an invalid field or an empty one
      empty: this.records - count - invalid,
      invalid,
      outside: acc[base + A_OUTSIDE],
      exactSum: sumBuckets(acc, base + A_SUMS, L.SUM_BUCKETS, SUM_LIMBS),
      exactSquares: sumBuckets(acc, base + A_SQUARES, SQUARE_EXPONENTS, SQUARE_LIMBS),
      fsum: acc[base + A_FSUM],
      fsumComp: acc[base + A_FSUM_COMP],
      shift: acc[base + A_SHIFT],
      fdev: acc[base + A_FDEV],
      fdevComp: acc[base + A_FDEV_COMP],
      fsq: acc[base + A_FSQ],
      fsqComp: acc[base + A_FSQ_COMP],
      min: acc[base + A_MIN],
      max: acc[base + A_MAX],
      firstInvalid:
        invalidLine > 0
          ? { line: invalidLine, value: this.invalidBytes.slice(capture, capture + acc[base + A_INVALID_LENGTH]) }
          : null,
    };
  }
}

/** hi x 10^9 + lo >= 10^power, for power in [1, 17] and lo < 10^9. */
function atLeastPow10(hi: number, lo: number, power: number): boolean {
  return power >= 9 ? hi >= POW10[power - 9] : hi > 0 || lo >= POW10[power];
}

function neumaierAdd(acc: Float64Array, index: number, x: number): void {
  const sum = acc[index];
  const t = sum + x;
  if (Math.abs(sum) >= Math.abs(x)) acc[index + 1] = acc[index + 1] + (sum - t + x);
  else acc[index + 1] = acc[index + 1] + (x - t + sum);
  acc[index] = t;
}
