// The fast path (as assembly/fast-records.ts and records.ts are the kernel's): whole records that
// end inside the window, four bytes at a time. A 32-bit word's bytes equal to the delimiter, LF or
// quote are found with carry-free SWAR arithmetic, and only those bytes are looked at one by one;
// the selected fields they delimit are parsed as they are met (fastField()). A quoted field is left
// to the byte machine (src/kernel/js/machine.ts) with the rest of its record.

import * as M from '../../../assembly/machine-states.js';
import * as B from './bytes.js';
import * as N from './number.js';
import * as S from './state.js';
import type { JsState } from './state.js';

// What this module uses of others, as module-local consts (see src/kernel/js/bytes.ts).
const { S_FIELD_START } = M;
const { CR, DOT, LF, LOW7, MINUS, ONES, PLUS, ZERO } = B;
const { fastField } = N;
const { storeRecordCounters } = S;

/** An Int32Array's byte order is the platform's: the fast path reads words as little-endian. */
const LITTLE_ENDIAN = new Uint8Array(Int32Array.of(1).buffer)[0] === 1;
/** the fast path reads whole words: up to 3 bytes past the window's last LF */
export const WINDOW_SLACK = 4;

/**
 * The fast path's number parser stops at the byte after a field, which must not look like part of
 * a number: dialects whose delimiter is a digit, sign or '.' leave everything to the byte machine.
 */
const delimiterCanBeInNumber = (delimiter: number): boolean => {
  return (delimiter >= ZERO && delimiter <= ZERO + 9) || delimiter === PLUS || delimiter === MINUS || delimiter === DOT;
};

/** Whether the fast path may run with this delimiter on this platform. */
export const fastPathAllowed = (delimiter: number): boolean => {
  return LITTLE_ENDIAN && !delimiterCanBeInNumber(delimiter);
};

/** Records that start before the returned limit end inside the window, and before the stop. */
export const fastPathLimit = (st: JsState, end: number): number => {
  if (!st.fastPathAllowed || end === 0) return 0;
  let safeEnd = st.bytes.lastIndexOf(LF, end - 1) + 1;
  if (st.stopOffset >= 0) {
    const stopDistance = st.stopOffset - st.position;
    if (stopDistance < 0) return 0;
    if (stopDistance < safeEnd) safeEnd = stopDistance;
  }
  return safeEnd;
};

/**
 * Scan records from `start` (a record start) while they start before `limit`. Returns the next
 * record start, or, with state set to S_FIELD_START, the position of a quoted field, which the
 * byte machine handles. Every LF met here is outside quotes, so each one ends a record.
 *
 * Four bytes at a time: a 32-bit word's bytes equal to the delimiter, LF or quote are found
 * with carry-free SWAR arithmetic, and only those bytes are looked at one by one.
 */
export const fastRecords = (st: JsState, start: number, limit: number): number => {
  const bytes = st.bytes;
  const words = st.words;
  const delimiter = st.delimiter;
  const mapped = st.mappedFields;
  const columnMap = st.columnMap;
  const delimiterWord = Math.imul(delimiter, ONES);
  const lfWord = Math.imul(LF, ONES);
  const quoteWord = Math.imul(st.quote, ONES);
  let lines = st.lines;
  let records = st.records;
  let maxFields = st.maxFields;
  let expected = st.expectedFields;
  let short = st.short;
  let long = st.long;
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
        if (field < mapped && columnMap[field] >= 0) fastField(st, columnMap[field], fieldStart, at, lines + 1);
        field++;
        fieldStart = at + 1;
      } else if (byte === LF) {
        if (field === 0 && (at === fieldStart || (at === fieldStart + 1 && bytes[fieldStart] === CR))) {
          lines++; // an empty line is not a record
        } else {
          const fieldEnd = at > fieldStart && bytes[at - 1] === CR ? at - 1 : at;
          if (field < mapped && columnMap[field] >= 0) fastField(st, columnMap[field], fieldStart, fieldEnd, lines + 1);
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
          storeRecordCounters(st, lines, records, maxFields, expected, short, long);
          return fieldStart;
        }
      } else if (at === fieldStart) {
        // a quoted field: the byte machine takes the rest of the record
        storeRecordCounters(st, lines, records, maxFields, expected, short, long);
        st.fieldIndex = field;
        st.state = S_FIELD_START;
        return at;
      }
    }
    wordIndex++;
  }
};

