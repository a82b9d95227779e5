// The fast path: whole records, 8 bytes at a time (SWAR), or 32 in the simd build. The scalar
// build's only path past the byte machine (the reference the SIMD stages are checked against), and
// the simd build's fallback where they stop. Each step finds the delimiter, LF and quote bytes of a
// word as a mask (stage 1, word by word) and parses the selected fields they delimit in place
// (stage 2, assembly/number.ts); a quoted field is closed in place by quotedFieldEnd().

import {
  RESULTS_OFFSET, RESULT_RECORDS, RESULT_SHORT, RESULT_LONG, RESULT_MAX_FIELDS, RESULT_EXPECTED_FIELDS,
  COLUMN_MAP_OFFSET,
} from './layout';
import { S_FIELD_START } from './machine-states';
import {
  delimiter, quote, mappedFields, state, fieldIndex, lines, quoteSearchEnd, storeRecordCounters,
} from './state';
import { LF, CR, LOW7, ONES, isEmptyLine, withoutCr } from './bytes';
import { fastField } from './number';
import { keyCount, keyFieldLimit, nextKeyField, fastKeyField, endKeyRecord } from './groups';

let quotedLines: i64 = 0; //     LF bytes inside the quoted field quotedFieldEnd() found
let quotedDoubled: bool = false; // and whether it held a doubled quote

/**
 * Scan records from `start` (a record start) while they start before `limit`. Returns the next
 * record start, or, with state set to S_FIELD_START, the position of a quoted field, which the
 * byte machine handles. Every LF met here is outside quotes, so each one ends a record.
 */
export function fastRecords(start: usize, limit: usize): usize {
  const delim = delimiter;
  const delimWord = ONES * <u64>delim;
  const lfWord = ONES * <u64>LF;
  const quoteWord = ONES * <u64>quote;
  // Groups (--by): the key fields are visited too (the rest of a record is hopped over)
  const keyed = keyCount > 0;
  const valueFields = mappedFields;
  const mapped = keyed && keyFieldLimit > valueFields ? keyFieldLimit : valueFields;
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
        if (field < mapped && !fieldQuoted) {
          if (keyed && field == nextKeyField) fastKeyField(fieldStart, at);
          if (field < valueFields) fastField(field, fieldStart, at, localLines + 1);
        }
        field++;
        fieldStart = at + 1;
        fieldQuoted = false;
      } else if (byte == LF) {
        if (field == 0 && !fieldQuoted && isEmptyLine(fieldStart, at)) {
          localLines++; // an empty line is not a record
        } else {
          const fieldEnd = withoutCr(fieldStart, at);
          if (field < mapped && !fieldQuoted) {
            if (keyed && field == nextKeyField) fastKeyField(fieldStart, fieldEnd);
            if (field < valueFields) fastField(field, fieldStart, fieldEnd, localLines + 1);
          }
          localLines++;
          // a data record ended: count it and compare its width (counters live in locals here)
          const fields = <i64>field + 1;
          records++;
          if (fields > widest) widest = fields;
          if (expected == 0) expected = fields;
          else if (fields < expected) shortRecords++;
          else if (fields > expected) longRecords++;
          if (keyed && !endKeyRecord(at + 1)) {
            // a new group that does not fit: the host makes room, the scan goes on after this LF
            lines = localLines;
            storeRecordCounters(records, widest, expected, shortRecords, longRecords);
            return at + 1;
          }
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
        const isKey = keyed && field == nextKeyField;
        const isValue = field < valueFields && load<i16>(COLUMN_MAP_OFFSET + (<usize>field << 1)) >= 0;
        if (plain && (isKey || isValue)) {
          // parse it (or take it as a key) here only if its bytes are exactly its value: no doubled
          // quote, nothing between the closing quote and the field's end
          const after = <u32>load<u8>(close + 1);
          plain = !quotedDoubled && (after == delim || after == LF || (after == CR && load<u8>(close + 2) == <u8>LF));
          if (plain) {
            if (isKey) fastKeyField(at + 1, close);
            if (isValue) fastField(field, at + 1, close, localLines + 1);
          }
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
