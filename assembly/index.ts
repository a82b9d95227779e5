// The csvscan kernel: a byte-level CSV state machine (SPEC.md grammar) that keeps its state across
// windows, classifies the fields of the selected columns and accumulates exact decimal sums.
//
// Protocol (see docs/kernel-abi.md and assembly/layout.ts):
//   host writes CONFIG and COLUMN_MAP -> reset()
//   repeat: host copies up to N bytes to WINDOW_OFFSET -> scan(N) returns STATUS_OK or STATUS_STOPPED
//   at end of input -> finish() returns STATUS_OK or STATUS_UNTERMINATED_QUOTE
//   host reads RESULTS and SLOTS.
//
// The kernel owns no buffers: everything it carries from one window to the next is the handful of
// globals below plus, for a field that spans windows, at most 64 captured bytes and the number
// parser's state. Nothing is allocated.

import {
  CONFIG_OFFSET, CONFIG_DELIMITER, CONFIG_QUOTE, CONFIG_FLAGS, CONFIG_SLOT_COUNT, CONFIG_MAPPED_FIELDS,
  CONFIG_START_OFFSET, CONFIG_STOP_OFFSET, CONFIG_EXPECTED_FIELDS, FLAG_HEADER, FLAG_SQUARES, FLAG_MID_FILE,
  RESULTS_OFFSET, RESULT_RECORDS, RESULT_LINES, RESULT_SHORT, RESULT_LONG, RESULT_MAX_FIELDS,
  RESULT_EXPECTED_FIELDS, RESULT_STATUS, RESULT_QUOTE_LINE, RESULT_QUOTE_BYTE, RESULT_FIRST_RECORD,
  RESULT_STOP_POSITION, RESULT_BYTES, RESULT_HEADER_FIELDS, RESULT_LINES_AT_FIRST,
  STATUS_OK, STATUS_UNTERMINATED_QUOTE, STATUS_STOPPED,
  NUMBER_TEXT_OFFSET, MAX_KEPT_DIGITS, KERNEL_SCRATCH_OFFSET, KERNEL_SCRATCH_SIZE, COLUMN_MAP_OFFSET, SLOTS_OFFSET, SLOT_SIZE,
  SLOT_COUNT, SLOT_INVALID, SLOT_SHIFT, SLOT_FDEV, SLOT_OUTSIDE, SLOT_MIN, SLOT_MAX, SLOT_FSUM, SLOT_FSQ,
  SLOT_FSQ_COMP, SLOT_INVALID_LINE, SLOT_INVALID_LENGTH, SLOT_INVALID_SEEN, SLOT_INVALID_BYTES,
  INVALID_CAPTURE, SLOT_SUMS, SUM_EXP_MIN, SLOT_SQUARES, SQ_EXP_MIN, WINDOW_OFFSET, LAYOUT_VERSION,
} from './layout';
import {
  S_RECORD_START, S_RECORD_CR, S_FIELD_START, S_UNQUOTED, S_UNQUOTED_CR, S_QUOTED, S_QUOTED_QUOTE,
  S_AFTER_QUOTED, S_AFTER_QUOTED_CR, RECORD_DATA, RECORD_HEADER, RECORD_DISCARD, N_LEAD, N_SIGN,
  N_INT, N_DOT_FIRST, N_FRAC, N_EXP, N_EXP_SIGN, N_EXP_DIGITS, N_TRAIL, N_INVALID,
  MAX_MANTISSA_DIGITS, EXPONENT_CAP,
} from './machine-states';
import {
  CLASS_TABLE, CAPTURE, delimiter, quote, flags, mappedFields, slotCount, stopOffset, state,
  recordMode, fieldIndex, slot, position, lines, quoteLine, quoteByte, captured, stopped, numState,
  numNegative, numMantissa, numDigits, numScale, numDropped, numDroppedNonzero,
  numDroppedBeyondKept, numExponent, numExponentNegative, quoteSearchEnd, blockResume,
  uniformRetryAt, lazyLineBase, lazyLineFrom, lazyLineField, reset, resetNumber, beginRecordAt,
  storeCounters, storeRecordCounters,
} from './state';
import {
  LF, CR, LOW7, ONES, isEmptyLine, withoutCr, countLineFeeds,
} from './bytes';
import {
  POW10_U64, endField, accumulate, accumulateSimple,
} from './exact';
import {
  fastField, captureByte, feedSegment, numFeedByte,
} from './number';

export { reset } from './state';

let quotedLines: i64 = 0; //     LF bytes inside the quoted field quotedFieldEnd() found
let quotedDoubled: bool = false; // and whether it held a doubled quote

export function layoutVersion(): i32 {
  return LAYOUT_VERSION;
}

// ================================================================================================
// scan: one window of `length` bytes at WINDOW_OFFSET
// ================================================================================================
export function scan(length: i32): i32 {
  if (stopped) return STATUS_STOPPED;
  const windowStart: usize = WINDOW_OFFSET;
  const end: usize = windowStart + <usize>length;
  let p: usize = windowStart;
  // Where the current selected unquoted field's bytes in this window begin (its earlier bytes, if
  // any, were fed to the number parser and the capture at the previous window's end).
  let segment: usize = windowStart;
  const delim = delimiter;
  const quoteByteValue = quote;
  const fastLimit = fastPathLimit(windowStart, end);
  uniformRetryAt = windowStart;

  while (p < end) {
    switch (state) {
      case S_RECORD_START: {
        if (p < fastLimit && recordMode == RECORD_DATA) {
          if (ASC_FEATURE_SIMD) {
            if (mappedFields != 0 && p >= uniformRetryAt) p = uniformRecords(p, fastLimit);
            if (p < fastLimit) {
              p = mappedFields == 0 ? countRecords(p, fastLimit, quoteSearchEnd) : fieldRecords(p, fastLimit, quoteSearchEnd);
            }
            if (state == S_RECORD_START && p < fastLimit) p = fastRecords(p, blockResume < fastLimit ? blockResume : fastLimit);
          } else {
            p = fastRecords(p, fastLimit);
          }
          if (state != S_RECORD_START) continue; // a quoted field: the byte machine takes it
          if (atBoundary(p)) return stopAt(p);
          continue;
        }
        const c = <u32>load<u8>(p);
        if (c == LF) {
          // an empty line is not a record
          lines++;
          p++;
          if (atBoundary(p)) return stopAt(p);
          continue;
        }
        if (c == CR) {
          state = S_RECORD_CR;
          p++;
          continue;
        }
        fieldIndex = 0;
        state = S_FIELD_START;
        continue;
      }
      case S_RECORD_CR: {
        const c = <u32>load<u8>(p);
        if (c == LF) {
          lines++;
          p++;
          state = S_RECORD_START;
          if (atBoundary(p)) return stopAt(p);
          continue;
        }
        // the CR is the first byte of field 0's data
        fieldIndex = 0;
        beginField();
        if (slot >= 0) {
          numFeedByte(CR);
          captureByte(CR);
        }
        state = S_UNQUOTED;
        segment = p;
        continue;
      }
      case S_FIELD_START: {
        beginField();
        const c = <u32>load<u8>(p);
        if (c == quoteByteValue) {
          quoteLine = lines + 1;
          quoteByte = position + <i64>(p - windowStart);
          state = S_QUOTED;
          p++;
          continue;
        }
        state = S_UNQUOTED;
        segment = p;
        continue;
      }
      case S_UNQUOTED: {
        // Run to the byte that ends the field: delimiter, LF or CR.
        let c: u32 = 0;
        while (p < end) {
          c = <u32>load<u8>(p);
          if (load<u8>(CLASS_TABLE + c)) break;
          p++;
        }
        if (p == end) break;
        if (slot >= 0 && p > segment) feedSegment(segment, p);
        if (c == delim) {
          endField(lines + 1);
          fieldIndex++;
          state = S_FIELD_START;
          p++;
          continue;
        }
        if (c == LF) {
          endField(lines + 1);
          lines++;
          p++;
          endRecord(p, windowStart);
          if (atBoundary(p)) return stopAt(p);
          continue;
        }
        // CR: the field ends here if LF follows
        state = S_UNQUOTED_CR;
        p++;
        continue;
      }
      case S_UNQUOTED_CR:
      case S_AFTER_QUOTED_CR: {
        const c = <u32>load<u8>(p);
        if (c == LF) {
          endField(state == S_UNQUOTED_CR ? lines + 1 : quoteLine);
          lines++;
          p++;
          endRecord(p, windowStart);
          if (atBoundary(p)) return stopAt(p);
          continue;
        }
        // a lone CR is data
        if (slot >= 0) {
          numFeedByte(CR);
          captureByte(CR);
        }
        if (state == S_UNQUOTED_CR) {
          state = S_UNQUOTED;
          segment = p;
        } else {
          state = S_AFTER_QUOTED;
        }
        continue;
      }
      case S_QUOTED: {
        if (slot < 0) {
          // not accumulated: only the closing quote and the line count matter
          while (p < end) {
            const c = <u32>load<u8>(p);
            if (c == quoteByteValue) break;
            if (c == LF) lines++;
            p++;
          }
          if (p == end) break;
          state = S_QUOTED_QUOTE;
          p++;
          continue;
        }
        const c = <u32>load<u8>(p);
        p++;
        if (c == quoteByteValue) {
          state = S_QUOTED_QUOTE;
          continue;
        }
        if (c == LF) lines++;
        numFeedByte(c);
        captureByte(c);
        continue;
      }
      case S_QUOTED_QUOTE: {
        const c = <u32>load<u8>(p);
        if (c == quoteByteValue) {
          // a doubled quote is one quote byte of data
          if (slot >= 0) {
            numFeedByte(c);
            captureByte(c);
          }
          state = S_QUOTED;
          p++;
          continue;
        }
        state = S_AFTER_QUOTED;
        continue;
      }
      case S_AFTER_QUOTED: {
        const c = <u32>load<u8>(p);
        p++;
        if (c == delim) {
          endField(quoteLine);
          fieldIndex++;
          state = S_FIELD_START;
          continue;
        }
        if (c == LF) {
          endField(quoteLine);
          lines++;
          endRecord(p, windowStart);
          if (atBoundary(p)) return stopAt(p);
          continue;
        }
        if (c == CR) {
          state = S_AFTER_QUOTED_CR;
          continue;
        }
        if (slot >= 0) {
          numFeedByte(c);
          captureByte(c);
        }
        continue;
      }
    }
  }
  // Window exhausted inside a field: hand its bytes so far to the parser and the capture.
  if (state == S_UNQUOTED && slot >= 0 && end > segment) feedSegment(segment, end);
  position += <i64>length;
  storeCounters();
  return STATUS_OK;
}

// ================================================================================================
// finish: end of input
// ================================================================================================
export function finish(): i32 {
  if (!stopped) {
    switch (state) {
      case S_QUOTED: {
        store<i32>(RESULTS_OFFSET + RESULT_STATUS, STATUS_UNTERMINATED_QUOTE);
        store<i64>(RESULTS_OFFSET + RESULT_QUOTE_LINE, quoteLine);
        store<i64>(RESULTS_OFFSET + RESULT_QUOTE_BYTE, quoteByte);
        storeCounters();
        return STATUS_UNTERMINATED_QUOTE;
      }
      case S_RECORD_CR: {
        // a final lone CR is a record of one field holding CR
        fieldIndex = 0;
        beginField();
        if (slot >= 0) {
          numFeedByte(CR);
          captureByte(CR);
        }
        endField(lines + 1);
        endRecord(0, 0);
        break;
      }
      case S_UNQUOTED_CR:
      case S_AFTER_QUOTED_CR: {
        if (slot >= 0) {
          numFeedByte(CR);
          captureByte(CR);
        }
        endField(state == S_UNQUOTED_CR ? lines + 1 : quoteLine);
        endRecord(0, 0);
        break;
      }
      case S_FIELD_START: {
        beginField();
        endField(lines + 1);
        endRecord(0, 0);
        break;
      }
      case S_UNQUOTED: {
        endField(lines + 1);
        endRecord(0, 0);
        break;
      }
      case S_QUOTED_QUOTE:
      case S_AFTER_QUOTED: {
        endField(quoteLine);
        endRecord(0, 0);
        break;
      }
      default:
        break;
    }
    state = S_RECORD_START;
  }
  storeCounters();
  return STATUS_OK;
}

/**
 * The fast path runs over whole records: up to the byte after the window's last LF (so every field
 * it meets ends inside the window), and no further than the stop offset.
 */
function fastPathLimit(windowStart: usize, end: usize): usize {
  let safeEnd = end;
  while (safeEnd > windowStart && load<u8>(safeEnd - 1) != <u8>LF) safeEnd--;
  // A quoted field is taken by the fast path only if it closes before that last LF, so the LF is
  // surely outside quotes and still ends a record the fast path will reach.
  quoteSearchEnd = safeEnd > windowStart ? safeEnd - 1 : windowStart;
  if (stopOffset >= 0) {
    const stopDistance = stopOffset - position;
    if (stopDistance < 0) return windowStart;
    if (stopDistance < <i64>(safeEnd - windowStart)) safeEnd = windowStart + <usize>stopDistance;
  }
  return safeEnd;
}

/**
 * Scan records from `start` (a record start) while they start before `limit`. Returns the next
 * record start, or, with state set to S_FIELD_START, the position of a quoted field, which the
 * byte machine handles. Every LF met here is outside quotes, so each one ends a record.
 */
function fastRecords(start: usize, limit: usize): usize {
  const delim = delimiter;
  const delimWord = ONES * <u64>delim;
  const lfWord = ONES * <u64>LF;
  const quoteWord = ONES * <u64>quote;
  const mapped = mappedFields;
  let localLines = lines;
  let fieldStart = start;
  let field: i32 = 0;
  let fieldQuoted = false; // the current field was a quoted field already taken (and parsed) here
  const results = RESULTS_OFFSET;
  let records = load<i64>(results + RESULT_RECORDS);
  let widest = load<i64>(results + RESULT_MAX_FIELDS);
  let expected = load<i64>(results + RESULT_EXPECTED_FIELDS);
  let shortRecords = load<i64>(results + RESULT_SHORT);
  let longRecords = load<i64>(results + RESULT_LONG);
  let word = start;
  while (true) {
    let mask: u64;
    let lineFeeds: u64;
    let quotes: u64;
    let next: usize;
    if (ASC_FEATURE_SIMD) {
      // 32 bytes per step: one bit per byte equal to delimiter, LF or quote
      const delimVector = i8x16.splat(<i8>delim);
      const lfVector = i8x16.splat(<i8>LF);
      const quoteVector = i8x16.splat(<i8>quote);
      const first = v128.load(word);
      const second = v128.load(word, 16);
      const firstLf = i8x16.eq(first, lfVector);
      const secondLf = i8x16.eq(second, lfVector);
      const firstQuote = i8x16.eq(first, quoteVector);
      const secondQuote = i8x16.eq(second, quoteVector);
      const firstHits = v128.or(v128.or(i8x16.eq(first, delimVector), firstLf), firstQuote);
      const secondHits = v128.or(v128.or(i8x16.eq(second, delimVector), secondLf), secondQuote);
      mask = <u64>i8x16.bitmask(firstHits) | (<u64>i8x16.bitmask(secondHits) << 16);
      lineFeeds = <u64>i8x16.bitmask(firstLf) | (<u64>i8x16.bitmask(secondLf) << 16);
      quotes = <u64>i8x16.bitmask(firstQuote) | (<u64>i8x16.bitmask(secondQuote) << 16);
      next = word + 32;
    } else {
      const w = load<u64>(word);
      const a = w ^ delimWord;
      const b = w ^ lfWord;
      const c = w ^ quoteWord;
      // high bit of each byte equal to delimiter, LF or quote (exact: no borrow between bytes)
      lineFeeds = ~(((b & LOW7) + LOW7) | b | LOW7);
      quotes = ~(((c & LOW7) + LOW7) | c | LOW7);
      mask = ~(((a & LOW7) + LOW7) | a | LOW7) | lineFeeds | quotes;
      next = word + 8;
    }
    while (mask != 0) {
      if (field >= mapped) {
        // No selected field is left in this record: hop over its delimiters to its LF, counting
        // them, unless a quote comes first (it may open a quoted field).
        const pendingLf = mask & lineFeeds;
        const before = pendingLf != 0 ? (pendingLf & (~pendingLf + 1)) - 1 : ~(<u64>0);
        if ((mask & quotes & before) == 0) {
          const delimiters = mask & before;
          if (delimiters != 0) {
            field += <i32>popcnt(delimiters);
            const last = <usize>(63 - clz(delimiters));
            fieldStart = word + (ASC_FEATURE_SIMD ? last : last >> 3) + 1;
            fieldQuoted = false;
            mask &= ~before;
            if (mask == 0) break;
          }
        }
      }
      const at = word + <usize>(ASC_FEATURE_SIMD ? ctz(mask) : ctz(mask) >> 3);
      mask &= mask - 1;
      const byte = <u32>load<u8>(at);
      if (byte == delim) {
        if (field < mapped && !fieldQuoted) fastField(field, fieldStart, at, localLines + 1);
        field++;
        fieldStart = at + 1;
        fieldQuoted = false;
      } else if (byte == LF) {
        if (field == 0 && !fieldQuoted && isEmptyLine(fieldStart, at)) {
          localLines++; // an empty line is not a record
        } else {
          const fieldEnd = withoutCr(fieldStart, at);
          if (field < mapped && !fieldQuoted) fastField(field, fieldStart, fieldEnd, localLines + 1);
          localLines++;
          // a data record ended: count it and compare its width (counters live in locals here)
          const fields = <i64>field + 1;
          records++;
          if (fields > widest) widest = fields;
          if (expected == 0) expected = fields;
          else if (fields < expected) shortRecords++;
          else if (fields > expected) longRecords++;
        }
        field = 0;
        fieldStart = at + 1;
        fieldQuoted = false;
        if (fieldStart >= limit) {
          lines = localLines;
          storeRecordCounters(records, widest, expected, shortRecords, longRecords);
          return fieldStart;
        }
      } else if (at == fieldStart && !fieldQuoted) {
        // a quoted field: find its closing quote; the byte machine takes what is not plain
        const close = quotedFieldEnd(at + 1, quoteSearchEnd);
        let plain = close != 0;
        const selected = plain && field < mapped && load<i16>(COLUMN_MAP_OFFSET + (<usize>field << 1)) >= 0;
        if (selected) {
          // parse it here only if its bytes are exactly its value: no doubled quote, nothing
          // between the closing quote and the field's end
          const after = <u32>load<u8>(close + 1);
          plain = !quotedDoubled && (after == delim || after == LF || (after == CR && load<u8>(close + 2) == <u8>LF));
          if (plain) fastField(field, at + 1, close, localLines + 1);
        }
        if (!plain) {
          lines = localLines;
          storeRecordCounters(records, widest, expected, shortRecords, longRecords);
          fieldIndex = field;
          state = S_FIELD_START;
          return at;
        }
        localLines += quotedLines;
        fieldStart = close + 1;
        fieldQuoted = true;
        next = close + 1; // resume after the closing quote
        mask = 0;
      }
    }
    word = next;
  }
  return 0;
}

// ================================================================================================
// SIMD block path (the simd build only; the scalar build keeps fastRecords() as the reference)
// ================================================================================================
// Whole 64-byte blocks become three 64-bit masks: LF, delimiter and quote bytes, bit i for byte i.
// The quote state is the prefix XOR of the quote mask, carried from block to block. That is exact
// when every quote that opens a quoted field is at a field start or doubles the closing quote just
// before it; bytes appended after a closing quote hold no structure unless they hold a quote, which
// then opens nothing (SPEC: an ordinary byte) and fails the check. A block that fails it, and the
// window's tail past its last LF, are left to fastRecords() and the byte machine.

// masks of the block just classified by classifyBlock()
let blockLineFeeds: u64 = 0;
let blockDelimiters: u64 = 0;
let blockQuotes: u64 = 0;

/** Bit i set when an odd number of bits 0..i of `quotes` are set: inside quotes after byte i. */
@inline function prefixXor(quotes: u64): u64 {
  let x = quotes;
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// Quote state of the block functions, carried from one block to the next (resetQuoteState() at a
// record start): all ones when the next block starts inside quotes; bit 0 set when the byte before
// it ended a field (or none came before), or was a closing quote.
let inQuotes: u64 = 0;
let fieldStartCarry: u64 = 1;
let closeCarry: u64 = 0;

@inline function resetQuoteState(): void {
  inQuotes = 0;
  fieldStartCarry = 1;
  closeCarry = 0;
}

/**
 * The inside-quotes mask of a block (bit i: byte i is inside a quoted field, or is its opening
 * quote), from its quote mask and its field-end mask (delimiters | LFs, inside quotes or not), and
 * the carried state, which it advances. When a quote opens somewhere other than at a field start or
 * right after a closing quote, the grammar there is not the prefix XOR's: it sets quotesModelled to
 * false (the caller stops before this block) and leaves the state as it was.
 */
let quotesModelled = true;
@inline function insideQuotes(quotes: u64, ends: u64): u64 {
  if (quotes == 0) {
    closeCarry = 0;
    fieldStartCarry = ends >> 63;
    return inQuotes;
  }
  const inside = prefixXor(quotes) ^ inQuotes;
  const closes = quotes & ~inside;
  // an opening quote must start a field, or double the closing quote just before it
  if ((quotes & inside & ~((ends << 1) | fieldStartCarry | (closes << 1) | closeCarry)) != 0) {
    quotesModelled = false;
    return inside;
  }
  inQuotes = <u64>(<i64>inside >> 63);
  closeCarry = closes >> 63;
  fieldStartCarry = ends >> 63;
  return inside;
}

@inline function classifyBlock(block: usize, delim: u32, quoteValue: u32): void {
  if (!ASC_FEATURE_SIMD) return;
  const delimVector = i8x16.splat(<i8>delim);
  const lfVector = i8x16.splat(<i8>LF);
  const quoteVector = i8x16.splat(<i8>quoteValue);
  const a = v128.load(block);
  const b = v128.load(block, 16);
  const c = v128.load(block, 32);
  const d = v128.load(block, 48);
  blockLineFeeds = <u64>i8x16.bitmask(i8x16.eq(a, lfVector)) | (<u64>i8x16.bitmask(i8x16.eq(b, lfVector)) << 16) |
    (<u64>i8x16.bitmask(i8x16.eq(c, lfVector)) << 32) | (<u64>i8x16.bitmask(i8x16.eq(d, lfVector)) << 48);
  blockDelimiters = <u64>i8x16.bitmask(i8x16.eq(a, delimVector)) | (<u64>i8x16.bitmask(i8x16.eq(b, delimVector)) << 16) |
    (<u64>i8x16.bitmask(i8x16.eq(c, delimVector)) << 32) | (<u64>i8x16.bitmask(i8x16.eq(d, delimVector)) << 48);
  const qa = i8x16.eq(a, quoteVector);
  const qb = i8x16.eq(b, quoteVector);
  const qc = i8x16.eq(c, quoteVector);
  const qd = i8x16.eq(d, quoteVector);
  blockQuotes = v128.any_true(v128.or(v128.or(qa, qb), v128.or(qc, qd)))
    ? <u64>i8x16.bitmask(qa) | (<u64>i8x16.bitmask(qb) << 16) | (<u64>i8x16.bitmask(qc) << 32) | (<u64>i8x16.bitmask(qd) << 48)
    : 0;
}

/** Clear the mask bits of bytes past `lastLineFeed` (slack after the window, or bytes left to the byte machine). */
@inline function clipBlock(block: usize, lastLineFeed: usize): void {
  const span = lastLineFeed + 1 - block;
  if (span < 64) {
    const valid = (<u64>1 << <u64>span) - 1;
    blockLineFeeds &= valid;
    blockDelimiters &= valid;
    blockQuotes &= valid;
  }
}

/**
 * count's block path (no column selected): records and their widths from bit arithmetic on the
 * masks. Returns the first record start at or after `limit`, or, where it gave up, the start of
 * the record in progress (blockResume set past the block).
 */
function countRecords(start: usize, limit: usize, lastLineFeed: usize): usize {
  const delim = delimiter;
  const quoteValue = quote;
  const results = RESULTS_OFFSET;
  let records = load<i64>(results + RESULT_RECORDS);
  let widest = load<i64>(results + RESULT_MAX_FIELDS);
  let expected = load<i64>(results + RESULT_EXPECTED_FIELDS);
  let shortRecords = load<i64>(results + RESULT_SHORT);
  let longRecords = load<i64>(results + RESULT_LONG);
  let linesBeforeBlock = lines;
  let linesAtRecordStart = lines;
  let recordStart = start;
  let delimitersSoFar: i64 = 0; // of the record being read, in blocks before the current one
  resetQuoteState();
  quotesModelled = true;
  let block = start;
  while (block < lastLineFeed) {
    classifyBlock(block, delim, quoteValue);
    clipBlock(block, lastLineFeed);
    const lineFeeds = blockLineFeeds;
    let delimiters = blockDelimiters;
    const inside = insideQuotes(blockQuotes, delimiters | lineFeeds);
    if (!quotesModelled) break;
    let recordEnds = lineFeeds & ~inside;
    delimiters &= ~inside;
    while (recordEnds != 0) {
      const low = recordEnds & (~recordEnds + 1);
      const below = low - 1;
      const at = block + <usize>ctz(low);
      const fieldsBefore = delimitersSoFar + <i64>popcnt(delimiters & below);
      delimiters &= ~below;
      linesAtRecordStart = linesBeforeBlock + <i64>popcnt(lineFeeds & (below | low));
      if (fieldsBefore != 0 || !isEmptyLine(recordStart, at)) {
        // a data record ended (an empty line is not one)
        const fields = fieldsBefore + 1;
        records++;
        if (fields > widest) widest = fields;
        if (expected == 0) expected = fields;
        else if (fields < expected) shortRecords++;
        else if (fields > expected) longRecords++;
      }
      delimitersSoFar = 0;
      recordStart = at + 1;
      if (recordStart >= limit) {
        lines = linesAtRecordStart;
        storeRecordCounters(records, widest, expected, shortRecords, longRecords);
        return recordStart;
      }
      recordEnds ^= low;
    }
    delimitersSoFar += <i64>popcnt(delimiters);
    linesBeforeBlock += <i64>popcnt(lineFeeds);
    block += 64;
  }
  blockResume = block + 64;
  lines = linesAtRecordStart;
  storeRecordCounters(records, widest, expected, shortRecords, longRecords);
  return recordStart;
}

/**
 * sum's and stats' block path: the field ends come from the masks; the selected fields of a record
 * are parsed in place (a quoted one when it is plain: its quotes are its first and last bytes);
 * after the last selected field the record is crossed by counting its delimiters. Returns the first
 * record start at or after `limit`; or, giving up at a record start, that start (blockResume set
 * past the block); or, giving up inside a record, the field's start with state = S_FIELD_START for
 * the byte machine.
 */
function fieldRecords(start: usize, limit: usize, lastLineFeed: usize): usize {
  const delim = delimiter;
  const quoteValue = quote;
  const mapped = mappedFields;
  const results = RESULTS_OFFSET;
  let records = load<i64>(results + RESULT_RECORDS);
  let widest = load<i64>(results + RESULT_MAX_FIELDS);
  let expected = load<i64>(results + RESULT_EXPECTED_FIELDS);
  let shortRecords = load<i64>(results + RESULT_SHORT);
  let longRecords = load<i64>(results + RESULT_LONG);
  let linesBeforeBlock = lines;
  let fieldLine = lines + 1; //    physical line the current field starts on
  let fieldStart = start;
  let field: i32 = 0;
  let quotesSoFar: i32 = 0; //     quote bytes of the current field in blocks before this one
  resetQuoteState();
  quotesModelled = true;
  let block = start;
  while (block < lastLineFeed) {
    classifyBlock(block, delim, quoteValue);
    clipBlock(block, lastLineFeed);
    const lineFeeds = blockLineFeeds;
    let quotes = blockQuotes;
    let ends = blockDelimiters | lineFeeds;
    const inside = insideQuotes(quotes, ends);
    if (!quotesModelled) break;
    ends &= ~inside;
    while (ends != 0) {
      if (field >= mapped) {
        // No selected field left in this record: cross its delimiters up to its LF, keeping field,
        // fieldStart and fieldLine those of the last field crossed (the byte machine may resume there).
        const pendingLf = ends & lineFeeds;
        const before = pendingLf != 0 ? (pendingLf & (~pendingLf + 1)) - 1 : ~(<u64>0);
        const crossed = ends & before;
        field += <i32>popcnt(crossed);
        if (pendingLf == 0) {
          if (crossed != 0) {
            const last = <u64>(63 - clz(crossed));
            fieldStart = block + <usize>last + 1;
            fieldLine = linesBeforeBlock + <i64>popcnt(lineFeeds & ((<u64>2 << last) - 1)) + 1;
          }
          break;
        }
        ends &= ~before; // the LF is next: it sets fieldStart and fieldLine
      }
      const low = ends & (~ends + 1);
      const below = low - 1;
      ends ^= low;
      const at = block + <usize>ctz(low);
      const isLineFeed = (lineFeeds & low) != 0;
      let fieldQuotes = quotesSoFar;
      if (quotes != 0) {
        fieldQuotes += <i32>popcnt(quotes & below);
        quotes &= ~below;
      }
      quotesSoFar = 0;
      if (field < mapped) {
        const s = <i32>load<i16>(COLUMN_MAP_OFFSET + (<usize>field << 1));
        if (s >= 0) {
          const to = isLineFeed ? withoutCr(fieldStart, at) : at;
          if (fieldQuotes == 0) {
            fastField(field, fieldStart, to, fieldLine);
          } else if (fieldQuotes == 2 && to - fieldStart >= 2 && <u32>load<u8>(to - 1) == quoteValue) {
            fastField(field, fieldStart + 1, to - 1, fieldLine); // its first byte is the opening quote
          } else {
            // doubled quotes or bytes after the closing quote: the byte machine unquotes it
            lines = fieldLine - 1;
            storeRecordCounters(records, widest, expected, shortRecords, longRecords);
            fieldIndex = field;
            state = S_FIELD_START;
            return fieldStart;
          }
        }
      }
      const startOfField = fieldStart;
      fieldLine = linesBeforeBlock + <i64>popcnt(lineFeeds & (below | low)) + 1;
      fieldStart = at + 1;
      if (!isLineFeed) {
        field++;
        continue;
      }
      if (field != 0 || !isEmptyLine(startOfField, at)) {
        // a data record ended (an empty line is not one)
        const fields = <i64>field + 1;
        records++;
        if (fields > widest) widest = fields;
        if (expected == 0) expected = fields;
        else if (fields < expected) shortRecords++;
        else if (fields > expected) longRecords++;
      }
      field = 0;
      if (fieldStart >= limit) {
        lines = fieldLine - 1;
        storeRecordCounters(records, widest, expected, shortRecords, longRecords);
        return fieldStart;
      }
    }
    if (quotes != 0) quotesSoFar += <i32>popcnt(quotes);
    linesBeforeBlock += <i64>popcnt(lineFeeds);
    block += 64;
  }
  lines = fieldLine - 1;
  storeRecordCounters(records, widest, expected, shortRecords, longRecords);
  if (field == 0) {
    blockResume = block + 64;
    return fieldStart;
  }
  fieldIndex = field;
  state = S_FIELD_START;
  return fieldStart;
}

// ================================================================================================
// uniform runs (simd build, sum and stats): two passes
// ================================================================================================
// Most files are runs of records that all have the header's width. For those, pass 1 writes the
// offset of every field end (delimiter or LF outside quotes, quote state as in fieldRecords()) of
// 8 KiB of blocks to the scratch region, and pass 2 parses each selected column down the records,
// one column at a time: the column's slot and the branches of its number format stay the same from
// record to record, where the record-by-record path switches column at every field. A run is
// uniform when its i-th LF is its (i x width + width - 1)-th field end for every i (so no record is
// shorter or longer, and no line is empty), and none of its selected fields is quoted; anything
// else is left, from the record where it starts, to fieldRecords().

const RUN_BLOCKS: usize = 128; //             8 KiB of input per run
const UNIFORM_MAX_WIDTH: i64 = 1024; //         a record's ends carried from one run to the next
// entries of the scratch: a run's ends (at most one per byte), a carried partial record, and the
// up to 12 entries the unrolled stores write past the count
const SCRATCH_ENTRIES_NEEDED: usize = RUN_BLOCKS * 64 + <usize>UNIFORM_MAX_WIDTH + 12;

/**
 * Accumulate the uniform records from `start` (a record start) that end before `limit`. Returns
 * the record start where it stopped: at or past `limit`, or where a run is not uniform (or holds a
 * quote), or where the window's records end.
 */
function uniformRecords(start: usize, limit: usize): usize {
  const width = load<i64>(RESULTS_OFFSET + RESULT_EXPECTED_FIELDS);
  // (one column: an empty line would pass for a record of one empty field; those take fieldRecords)
  if (width < 2 || width > UNIFORM_MAX_WIDTH || <i64>mappedFields > width) return start;
  if (KERNEL_SCRATCH_SIZE < <i32>(SCRATCH_ENTRIES_NEEDED << 2)) return start;
  const w = <usize>width;
  const delim = delimiter;
  const quoteValue = quote;
  const scratch: usize = KERNEL_SCRATCH_OFFSET;
  let recordStart = start;
  let entries: usize = 0; //      field ends in the scratch: a carried partial record, then this run's
  resetQuoteState();
  quotesModelled = true;
  let block = start;
  while (block < limit) {
    // ---- pass 1: field ends (outside quotes) of up to RUN_BLOCKS blocks, as offsets from `start` ----
    let runEnd = block + RUN_BLOCKS * 64;
    if (runEnd > limit) runEnd = limit;
    let lineFeedCount: usize = 0;
    let runQuotes: u64 = 0; //     any quote in the run
    let quotedLineFeeds: u64 = 0; // any LF inside quotes in the run
    while (block < runEnd) {
      classifyBlock(block, delim, quoteValue);
      clipBlock(block, runEnd - 1);
      const lineFeeds = blockLineFeeds;
      const quotes = blockQuotes;
      let ends = blockDelimiters | lineFeeds;
      const inside = insideQuotes(quotes, ends);
      if (!quotesModelled) return notUniform(recordStart);
      runQuotes |= quotes;
      quotedLineFeeds |= lineFeeds & inside;
      ends &= ~inside;
      lineFeedCount += <usize>popcnt(lineFeeds & ~inside);
      const base = <u32>(block - start);
      let out = scratch + (entries << 2);
      entries += <usize>popcnt(ends);
      // Twelve stores whatever the count (past it they are overwritten later): a loop whose trip
      // count follows the block's field count would mispredict its exit at most blocks. Blocks
      // with more ends continue four at a time.
      ends = storeFourEnds(out, base, ends);
      ends = storeFourEnds(out + 16, base, ends);
      ends = storeFourEnds(out + 32, base, ends);
      out += 48;
      while (ends != 0) {
        ends = storeFourEnds(out, base, ends);
        out += 16;
      }
      block += 64;
    }
    // ---- uniform? the i-th LF is entry i x w + w - 1, for every LF of the run ----
    const records = lineFeedCount;
    if (records * w > entries) return notUniform(recordStart); // some record is short
    for (let r: usize = 0; r < records; r++) {
      const at = start + <usize>load<u32>(scratch + ((r * w + w - 1) << 2));
      if (load<u8>(at) != <u8>LF) return notUniform(recordStart);
    }
    if (records == 0) {
      if (entries > <usize>UNIFORM_MAX_WIDTH) return notUniform(recordStart);
      continue;
    }
    const runStart = recordStart;
    // a selected field that is quoted is unquoted by the byte machine: the whole run goes there
    if (runQuotes != 0) {
      for (let field: i32 = 0; field < mappedFields; field++) {
        if (load<i16>(COLUMN_MAP_OFFSET + (<usize>field << 1)) < 0) continue;
        for (let r: usize = 0; r < records; r++) {
          const from = runFieldStart(start, runStart, scratch + ((r * w) << 2), r, <usize>field);
          if (<u32>load<u8>(from) == quoteValue) return notUniform(recordStart);
        }
      }
    }
    // ---- pass 2: each selected column down the records ----
    // Without LFs inside quotes, record r is on line lines + 1 + r; with them, a field's line is
    // counted only if it is needed (a first invalid value), from the run's first record.
    const lineBase = lines + 1;
    const linesKnown = quotedLineFeeds == 0;
    lazyLineBase = lineBase;
    lazyLineFrom = runStart;
    for (let field: i32 = 0; field < mappedFields; field++) {
      if (load<i16>(COLUMN_MAP_OFFSET + (<usize>field << 1)) < 0) continue;
      const f = <usize>field;
      const last = f == w - 1;
      for (let r: usize = 0; r < records; r++) {
        const row = scratch + ((r * w) << 2);
        const from = runFieldStart(start, runStart, row, r, f);
        const end = start + <usize>load<u32>(row + (f << 2));
        const to = last ? withoutCr(from, end) : end;
        fastField(field, from, to, linesKnown ? lineBase + <i64>r : -1);
      }
    }
    const used = records * w;
    recordStart = start + <usize>load<u32>(scratch + ((used - 1) << 2)) + 1;
    lines += linesKnown ? <i64>records : countLineFeeds(runStart, recordStart);
    const results = RESULTS_OFFSET;
    store<i64>(results + RESULT_RECORDS, load<i64>(results + RESULT_RECORDS) + <i64>records);
    if (width > load<i64>(results + RESULT_MAX_FIELDS)) store<i64>(results + RESULT_MAX_FIELDS, width);
    // carry the ends of the record in progress to the scratch's start
    const carried = entries - used;
    if (carried > <usize>UNIFORM_MAX_WIDTH) return notUniform(recordStart);
    memory.copy(scratch, scratch + (used << 2), carried << 2);
    entries = carried;
    if (recordStart >= limit) return recordStart;
  }
  return recordStart;
}

/**
 * Stores base + the offsets of the lowest four set bits of `ends` at out (base + 64 for a bit
 * that is not there: ctz(0) = 64) and returns `ends` without them.
 */
@inline function storeFourEnds(out: usize, base: u32, ends: u64): u64 {
  let rest = ends;
  store<u32>(out, base + <u32>ctz(rest));
  rest &= rest - 1;
  store<u32>(out, base + <u32>ctz(rest), 4);
  rest &= rest - 1;
  store<u32>(out, base + <u32>ctz(rest), 8);
  rest &= rest - 1;
  store<u32>(out, base + <u32>ctz(rest), 12);
  return rest & (rest - 1);
}

@inline function notUniform(recordStart: usize): usize {
  uniformRetryAt = <usize>-1;
  return recordStart;
}

/**
 * Where field `f` of record `r` of a uniform run starts: after the previous field end in the
 * scratch (`row` is record r's first entry), or at the run's start for the run's first field.
 */
@inline function runFieldStart(start: usize, runStart: usize, row: usize, r: usize, f: usize): usize {
  if (f != 0) return start + <usize>load<u32>(row + ((f - 1) << 2)) + 1;
  return r == 0 ? runStart : start + <usize>load<u32>(row - 4) + 1;
}

/**
 * The closing quote of a quoted field whose data starts at `from`, if it lies before `searchEnd`
 * (else 0). Sets quotedLines (LF bytes inside) and quotedDoubled. A doubled quote is data.
 */
function quotedFieldEnd(from: usize, searchEnd: usize): usize {
  const quoteValue = quote;
  let lfs: i64 = 0;
  let doubled = false;
  let p = from;
  while (p < searchEnd) {
    let quotes: u64;
    let newlines: u64;
    let step: usize;
    if (ASC_FEATURE_SIMD) {
      const quoteVector = i8x16.splat(<i8>quoteValue);
      const lfVector = i8x16.splat(<i8>LF);
      const first = v128.load(p);
      const second = v128.load(p, 16);
      quotes = <u64>i8x16.bitmask(i8x16.eq(first, quoteVector)) | (<u64>i8x16.bitmask(i8x16.eq(second, quoteVector)) << 16);
      newlines = <u64>i8x16.bitmask(i8x16.eq(first, lfVector)) | (<u64>i8x16.bitmask(i8x16.eq(second, lfVector)) << 16);
      step = 32;
    } else {
      const w = load<u64>(p);
      const a = w ^ (ONES * <u64>quoteValue);
      const b = w ^ (ONES * <u64>LF);
      quotes = ~((((a & LOW7) + LOW7) | a) | LOW7);
      newlines = ~((((b & LOW7) + LOW7) | b) | LOW7);
      step = 8;
    }
    if (quotes != 0) {
      const bit = ctz(quotes);
      const at = p + <usize>(ASC_FEATURE_SIMD ? bit : bit >> 3);
      if (at >= searchEnd) return 0;
      lfs += <i64>popcnt(newlines & ((<u64>1 << bit) - 1));
      if (<u32>load<u8>(at + 1) == quoteValue) {
        doubled = true;
        p = at + 2;
        continue;
      }
      quotedLines = lfs;
      quotedDoubled = doubled;
      return at;
    }
    lfs += <i64>popcnt(newlines);
    p += step;
  }
  return 0;
}

// ================================================================================================
// records and fields
// ================================================================================================
@inline function atBoundary(p: usize): bool {
  return stopOffset >= 0 && position + <i64>(p - WINDOW_OFFSET) >= stopOffset;
}

function stopAt(p: usize): i32 {
  stopped = true;
  const at = position + <i64>(p - WINDOW_OFFSET);
  store<i64>(RESULTS_OFFSET + RESULT_STOP_POSITION, at);
  position = at;
  storeCounters();
  store<i32>(RESULTS_OFFSET + RESULT_STATUS, STATUS_STOPPED);
  return STATUS_STOPPED;
}

@inline function beginField(): void {
  slot = recordMode == RECORD_DATA && fieldIndex < mappedFields
    ? <i32>load<i16>(COLUMN_MAP_OFFSET + (<usize>fieldIndex << 1))
    : -1;
  if (slot >= 0) {
    resetNumber();
    captured = 0;
  }
}

/** The record ended just before `p` (p = 0: at end of input). */
function endRecord(p: usize, windowStart: usize): void {
  const fields = <i64>fieldIndex + 1;
  const results = RESULTS_OFFSET;
  if (recordMode == RECORD_DATA && fields > load<i64>(results + RESULT_MAX_FIELDS)) {
    store<i64>(results + RESULT_MAX_FIELDS, fields);
  }
  if (recordMode == RECORD_DATA) {
    store<i64>(results + RESULT_RECORDS, load<i64>(results + RESULT_RECORDS) + 1);
    const expected = load<i64>(results + RESULT_EXPECTED_FIELDS);
    if (expected == 0) {
      store<i64>(results + RESULT_EXPECTED_FIELDS, fields);
    } else if (fields < expected) {
      store<i64>(results + RESULT_SHORT, load<i64>(results + RESULT_SHORT) + 1);
    } else if (fields > expected) {
      store<i64>(results + RESULT_LONG, load<i64>(results + RESULT_LONG) + 1);
    }
  } else if (recordMode == RECORD_HEADER) {
    store<i64>(results + RESULT_HEADER_FIELDS, fields);
    store<i64>(results + RESULT_EXPECTED_FIELDS, fields);
    recordMode = RECORD_DATA;
  } else {
    recordMode = RECORD_DATA; // the discarded partial record is behind us
  }
  fieldIndex = 0;
  slot = -1;
  state = S_RECORD_START;
  if (p != 0) beginRecordAt(position + <i64>(p - windowStart));
}

