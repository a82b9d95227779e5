// The byte machine: the CSV grammar of docs/spec.md one byte at a time (the S_* states of
// assembly/machine-states.ts), with its state carried across windows in assembly/state.ts. It
// takes every byte the fast stages do not: a record or field that spans windows, a quoted field they
// cannot parse in place, a header, the partial record a mid-file scan starts in, the window's tail.
// At each record start it hands the window to wholeRecords() (assembly/records.ts) first.
//
// Protocol (see docs/kernel-abi.md and assembly/layout.ts):
//   host writes CONFIG and COLUMN_MAP -> reset()
//   repeat: host copies up to N bytes to WINDOW_OFFSET -> scan(N) returns STATUS_OK or STATUS_STOPPED
//   at end of input -> finish() returns STATUS_OK or STATUS_UNTERMINATED_QUOTE
//   host reads RESULTS and SLOTS.

import {
  RESULTS_OFFSET, RESULT_RECORDS, RESULT_SHORT, RESULT_LONG, RESULT_MAX_FIELDS, RESULT_EXPECTED_FIELDS,
  RESULT_STATUS, RESULT_QUOTE_LINE, RESULT_QUOTE_BYTE, RESULT_STOP_POSITION, RESULT_HEADER_FIELDS,
  STATUS_OK, STATUS_UNTERMINATED_QUOTE, STATUS_STOPPED, STATUS_GROUPS_FULL, COLUMN_MAP_OFFSET, WINDOW_OFFSET, FLAG_DISTINCT,
} from './layout';
import {
  S_RECORD_START, S_RECORD_CR, S_FIELD_START, S_UNQUOTED, S_UNQUOTED_CR, S_QUOTED, S_QUOTED_QUOTE,
  S_AFTER_QUOTED, S_AFTER_QUOTED_CR, RECORD_DATA, RECORD_HEADER, RECORD_DISCARD,
} from './machine-states';
import {
  CLASS_TABLE, delimiter, quote, mappedFields, stopOffset, state, recordMode, fieldIndex, slot, position,
  lines, quoteLine, quoteByte, captured, stopped, uniformRetryAt, resetNumber, beginRecordAt, storeCounters,
} from './state';
import { LF, CR } from './bytes';
import { endField } from './exact';
import { profileFlags, hashReset } from './profile';
import { captureByte, feedSegment, numFeedByte } from './number';
import { fastPathLimit, wholeRecords } from './records';
import {
  keyCount, inKey, pendingKey, resumeAt, beginKeyField, keyBytes, keyByte, endKeyField, endKeyRecord,
  resumeKey, roomForWindow,
} from './groups';

// ================================================================================================
// scan: one window of `length` bytes at WINDOW_OFFSET
// ================================================================================================
export function scan(length: i32): i32 {
  if (stopped) return STATUS_STOPPED;
  // A scan that starts inside a record and reached its stop offset before a record boundary holds
  // no record (the one before runs past it): the boundary past the stop is no longer looked for,
  // which a range in a long record (a sparse file's zeros) would otherwise scan to its end.
  if (recordMode == RECORD_DISCARD && stopOffset >= 0 && position >= stopOffset) return stopDiscarding();
  const windowStart: usize = WINDOW_OFFSET;
  const end: usize = windowStart + <usize>length;
  let p: usize = windowStart;
  if (keyCount > 0) {
    // Groups: room for the window first, or the pending key of the record that filled the region,
    // then on from that record's end.
    if (pendingKey) {
      if (!resumeKey(resumeAt, end)) return suspend(resumeAt);
      p = resumeAt;
      if (atBoundary(p)) return stopAt(p);
    } else if (!roomForWindow(end, p)) {
      return suspend(p);
    }
  }
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
          p = wholeRecords(p, fastLimit);
          if (pendingKey) return suspend(p); // a new group that did not fit
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
        if (inKey) keyByte(CR);
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
        if (inKey && p > segment) keyBytes(segment, p);
        if (c == delim) {
          closeField(lines + 1);
          fieldIndex++;
          state = S_FIELD_START;
          p++;
          continue;
        }
        if (c == LF) {
          closeField(lines + 1);
          lines++;
          p++;
          endRecord(p, windowStart);
          if (pendingKey) return suspend(p);
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
          closeField(state == S_UNQUOTED_CR ? lines + 1 : quoteLine);
          lines++;
          p++;
          endRecord(p, windowStart);
          if (pendingKey) return suspend(p);
          if (atBoundary(p)) return stopAt(p);
          continue;
        }
        // a lone CR is data
        if (slot >= 0) {
          numFeedByte(CR);
          captureByte(CR);
        }
        if (inKey) keyByte(CR);
        if (state == S_UNQUOTED_CR) {
          state = S_UNQUOTED;
          segment = p;
        } else {
          state = S_AFTER_QUOTED;
        }
        continue;
      }
      case S_QUOTED: {
        if (slot < 0 && !inKey) {
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
        if (slot >= 0) {
          numFeedByte(c);
          captureByte(c);
        }
        if (inKey) keyByte(c);
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
          if (inKey) keyByte(c);
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
          closeField(quoteLine);
          fieldIndex++;
          state = S_FIELD_START;
          continue;
        }
        if (c == LF) {
          closeField(quoteLine);
          lines++;
          endRecord(p, windowStart);
          if (pendingKey) return suspend(p);
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
        if (inKey) keyByte(c);
        continue;
      }
    }
  }
  // Window exhausted inside a field: hand its bytes so far to the parser and the capture.
  if (state == S_UNQUOTED && slot >= 0 && end > segment) feedSegment(segment, end);
  if (state == S_UNQUOTED && inKey && end > segment) keyBytes(segment, end);
  position += <i64>length;
  storeCounters();
  return STATUS_OK;
}

// ================================================================================================
// finish: end of input
// ================================================================================================
export function finish(): i32 {
  if (pendingKey) {
    if (!resumeKey(0, 0)) return suspend(0);
  } else if (!stopped) {
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
        if (inKey) keyByte(CR);
        closeField(lines + 1);
        endRecord(0, 0);
        break;
      }
      case S_UNQUOTED_CR:
      case S_AFTER_QUOTED_CR: {
        if (slot >= 0) {
          numFeedByte(CR);
          captureByte(CR);
        }
        if (inKey) keyByte(CR);
        closeField(state == S_UNQUOTED_CR ? lines + 1 : quoteLine);
        endRecord(0, 0);
        break;
      }
      case S_FIELD_START: {
        beginField();
        closeField(lines + 1);
        endRecord(0, 0);
        break;
      }
      case S_UNQUOTED: {
        closeField(lines + 1);
        endRecord(0, 0);
        break;
      }
      case S_QUOTED_QUOTE:
      case S_AFTER_QUOTED: {
        closeField(quoteLine);
        endRecord(0, 0);
        break;
      }
      default:
        break;
    }
    state = S_RECORD_START;
    if (pendingKey) return suspend(0);
  }
  storeCounters();
  return STATUS_OK;
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

function stopDiscarding(): i32 {
  stopped = true;
  storeCounters();
  store<i32>(RESULTS_OFFSET + RESULT_STATUS, STATUS_STOPPED);
  return STATUS_STOPPED;
}

function suspend(p: usize): i32 {
  resumeAt = p;
  storeCounters();
  return STATUS_GROUPS_FULL;
}

@inline function beginField(): void {
  slot = recordMode == RECORD_DATA && fieldIndex < mappedFields
    ? <i32>load<i16>(COLUMN_MAP_OFFSET + (<usize>fieldIndex << 1))
    : -1;
  if (slot >= 0) {
    resetNumber();
    captured = 0;
    if (profileFlags & FLAG_DISTINCT) hashReset();
  }
  beginKeyField(recordMode == RECORD_DATA ? fieldIndex : -2);
}

@inline function closeField(line: i64): void {
  endField(line);
  if (inKey) endKeyField();
}

/** The record ended just before `p` (p = 0: at end of input). */
function endRecord(p: usize, windowStart: usize): void {
  const wasData = recordMode == RECORD_DATA;
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
  if (keyCount > 0 && recordMode == RECORD_DATA && wasData) endKeyRecord(p);
  if (p != 0) beginRecordAt(position + <i64>(p - windowStart));
}
