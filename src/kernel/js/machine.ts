// The byte machine (as assembly/machine.ts is the kernel's): the CSV grammar of docs/spec.md one byte at
// a time (the S_* states of assembly/machine-states.ts), its state carried across windows in a
// JsState. At each record start it hands the window to the fast path (src/kernel/js/fast-records.ts)
// first, and takes every byte the fast path does not: a record or field that spans windows, a
// quoted field, a header, the partial record a mid-file scan starts in, the window's tail.

import * as L from '../../../assembly/layout.js';
import * as M from '../../../assembly/machine-states.js';
import * as B from './bytes.js';
import * as E from './exact.js';
import * as F from './fast-records.js';
import * as N from './number.js';
import * as S from './state.js';
import type { JsState } from './state.js';

// What this module uses of others, as module-local consts (see src/kernel/js/bytes.ts).
const {
  RECORD_DATA, RECORD_DISCARD, RECORD_HEADER, S_AFTER_QUOTED, S_AFTER_QUOTED_CR, S_FIELD_START, S_QUOTED, S_QUOTED_QUOTE, S_RECORD_CR,
  S_RECORD_START, S_UNQUOTED, S_UNQUOTED_CR,
} = M;
const { CR, LF } = B;
const { endField, growSlots } = E;
const { fastPathLimit, fastRecords } = F;
const { feedByte, feedSegment } = N;
const { beginRecordAt, resetNumber } = S;

// ================================================================================================
// scan: one window
// ================================================================================================
export const scan = (st: JsState, length: number): number => {
  if (st.stopped) return L.STATUS_STOPPED;
  // (assembly/machine.ts scan(): a scan inside a record that reached its stop holds no record)
  if (st.recordMode === RECORD_DISCARD && st.stopOffset >= 0 && st.position >= st.stopOffset) {
    st.stopped = true;
    st.status = L.STATUS_STOPPED;
    return L.STATUS_STOPPED;
  }
  const bytes = st.bytes;
  const end = length;
  const delimiter = st.delimiter;
  const quote = st.quote;
  const groups = st.groups;
  // Groups: the byte machine takes every record (it visits the key fields); room for the window first.
  if (groups) {
    st.windowEndAt = st.position + end;
    groups.roomForWindow(end);
  }
  const fastLimit = groups ? 0 : fastPathLimit(st, end);
  let p = 0;
  // where the current selected unquoted field's bytes in this window begin
  let segment = 0;

  while (p < end) {
    switch (st.state) {
      case S_RECORD_START: {
        if (p < fastLimit && st.recordMode === RECORD_DATA) {
          p = fastRecords(st, p, fastLimit);
          if (st.state !== S_RECORD_START) continue; // a quoted field: the byte machine takes it
          if (atBoundary(st, p)) return stopAt(st, p);
          continue;
        }
        const c = bytes[p];
        if (c === LF) {
          // an empty line is not a record
          st.lines++;
          p++;
          if (atBoundary(st, p)) return stopAt(st, p);
          continue;
        }
        if (c === CR) {
          st.state = S_RECORD_CR;
          p++;
          continue;
        }
        st.fieldIndex = 0;
        st.state = S_FIELD_START;
        continue;
      }
      case S_RECORD_CR: {
        if (bytes[p] === LF) {
          st.lines++;
          p++;
          st.state = S_RECORD_START;
          if (atBoundary(st, p)) return stopAt(st, p);
          continue;
        }
        // the CR is the first byte of field 0's data
        st.fieldIndex = 0;
        beginField(st);
        if (st.slot >= 0) feedByte(st, CR);
        if (groups?.inKey) groups.byte(CR);
        st.state = S_UNQUOTED;
        segment = p;
        continue;
      }
      case S_FIELD_START: {
        beginField(st);
        if (bytes[p] === quote) {
          st.quoteLine = st.lines + 1;
          st.quoteByte = st.position + p;
          st.state = S_QUOTED;
          p++;
          continue;
        }
        st.state = S_UNQUOTED;
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
        if (st.slot >= 0 && p > segment) feedSegment(st, segment, p);
        if (groups?.inKey && p > segment) groups.bytes(bytes, segment, p);
        if (c === delimiter) {
          closeField(st, st.lines + 1);
          st.fieldIndex++;
          st.state = S_FIELD_START;
          p++;
          continue;
        }
        if (c === LF) {
          closeField(st, st.lines + 1);
          st.lines++;
          p++;
          endRecord(st, st.position + p);
          if (atBoundary(st, p)) return stopAt(st, p);
          continue;
        }
        // CR: the field ends here if LF follows
        st.state = S_UNQUOTED_CR;
        p++;
        continue;
      }
      case S_UNQUOTED_CR:
      case S_AFTER_QUOTED_CR: {
        if (bytes[p] === LF) {
          closeField(st, st.state === S_UNQUOTED_CR ? st.lines + 1 : st.quoteLine);
          st.lines++;
          p++;
          endRecord(st, st.position + p);
          if (atBoundary(st, p)) return stopAt(st, p);
          continue;
        }
        // a lone CR is data
        if (st.slot >= 0) feedByte(st, CR);
        if (groups?.inKey) groups.byte(CR);
        if (st.state === S_UNQUOTED_CR) {
          st.state = S_UNQUOTED;
          segment = p;
        } else {
          st.state = S_AFTER_QUOTED;
        }
        continue;
      }
      case S_QUOTED: {
        if (st.slot < 0 && !groups?.inKey) {
          // not accumulated: only the closing quote and the line count matter
          let lines = st.lines;
          let c = 0;
          while (p < end) {
            c = bytes[p];
            if (c === quote) break;
            if (c === LF) lines++;
            p++;
          }
          st.lines = lines;
          if (p === end) break;
          st.state = S_QUOTED_QUOTE;
          p++;
          continue;
        }
        const c = bytes[p];
        p++;
        if (c === quote) {
          st.state = S_QUOTED_QUOTE;
          continue;
        }
        if (c === LF) st.lines++;
        if (st.slot >= 0) feedByte(st, c);
        if (groups?.inKey) groups.byte(c);
        continue;
      }
      case S_QUOTED_QUOTE: {
        const c = bytes[p];
        if (c === quote) {
          // a doubled quote is one quote byte of data
          if (st.slot >= 0) feedByte(st, c);
          if (groups?.inKey) groups.byte(c);
          st.state = S_QUOTED;
          p++;
          continue;
        }
        st.state = S_AFTER_QUOTED;
        continue;
      }
      case S_AFTER_QUOTED: {
        const c = bytes[p];
        p++;
        if (c === delimiter) {
          closeField(st, st.quoteLine);
          st.fieldIndex++;
          st.state = S_FIELD_START;
          continue;
        }
        if (c === LF) {
          closeField(st, st.quoteLine);
          st.lines++;
          endRecord(st, st.position + p);
          if (atBoundary(st, p)) return stopAt(st, p);
          continue;
        }
        if (c === CR) {
          st.state = S_AFTER_QUOTED_CR;
          continue;
        }
        if (st.slot >= 0) feedByte(st, c);
        if (groups?.inKey) groups.byte(c);
        continue;
      }
    }
  }
  // window exhausted inside a field: hand its bytes so far to the parser and the capture
  if (st.state === S_UNQUOTED && st.slot >= 0 && end > segment) feedSegment(st, segment, end);
  if (st.state === S_UNQUOTED && groups?.inKey && end > segment) groups.bytes(bytes, segment, end);
  st.position += length;
  return L.STATUS_OK;
};

// ================================================================================================
// finish: end of input
// ================================================================================================
export const finish = (st: JsState): number => {
  if (!st.stopped) {
    switch (st.state) {
      case S_QUOTED:
        st.status = L.STATUS_UNTERMINATED_QUOTE;
        return L.STATUS_UNTERMINATED_QUOTE;
      case S_RECORD_CR:
        // a final lone CR is a record of one field holding CR
        st.fieldIndex = 0;
        beginField(st);
        if (st.slot >= 0) feedByte(st, CR);
        if (st.groups?.inKey) st.groups.byte(CR);
        closeField(st, st.lines + 1);
        endRecord(st, -1);
        break;
      case S_UNQUOTED_CR:
      case S_AFTER_QUOTED_CR:
        if (st.slot >= 0) feedByte(st, CR);
        if (st.groups?.inKey) st.groups.byte(CR);
        closeField(st, st.state === S_UNQUOTED_CR ? st.lines + 1 : st.quoteLine);
        endRecord(st, -1);
        break;
      case S_FIELD_START:
        beginField(st);
        closeField(st, st.lines + 1);
        endRecord(st, -1);
        break;
      case S_UNQUOTED:
        closeField(st, st.lines + 1);
        endRecord(st, -1);
        break;
      case S_QUOTED_QUOTE:
      case S_AFTER_QUOTED:
        closeField(st, st.quoteLine);
        endRecord(st, -1);
        break;
      default:
        break;
    }
    st.state = S_RECORD_START;
  }
  return L.STATUS_OK;
};

// ================================================================================================
// records and fields
// ================================================================================================
const atBoundary = (st: JsState, p: number): boolean => {
  return st.stopOffset >= 0 && st.position + p >= st.stopOffset;
};

const stopAt = (st: JsState, p: number): number => {
  st.stopped = true;
  const at = st.position + p;
  st.stopPosition = at;
  st.position = at;
  st.status = L.STATUS_STOPPED;
  return L.STATUS_STOPPED;
};

const closeField = (st: JsState, line: number): void => {
  endField(st, line);
  if (st.groups) {
    if (st.slot >= 0) st.groups.touch(st.slot);
    if (st.groups.inKey) st.groups.endField();
  }
};

const beginField = (st: JsState): void => {
  const field = st.fieldIndex;
  const slot = st.recordMode === RECORD_DATA && field < st.mappedFields ? st.columnMap[field] : -1;
  st.slot = slot;
  if (slot >= 0) {
    if (slot >= st.capacity) growSlots(st, slot);
    resetNumber(st);
    st.captured = 0;
    if (st.distinctOn) st.hasher.reset();
  }
  st.groups?.beginField(st.recordMode === RECORD_DATA ? field : -2);
};

/** The record ended; the next one starts at absolute offset `next` (-1: end of input). */
const endRecord = (st: JsState, next: number): void => {
  const fields = st.fieldIndex + 1;
  if (st.recordMode === RECORD_DATA) {
    st.groups?.endRecord(next < 0 ? 0 : st.windowEndAt - next);
    if (fields > st.maxFields) st.maxFields = fields;
    st.records++;
    const expected = st.expectedFields;
    if (expected === 0) st.expectedFields = fields;
    else if (fields < expected) st.short++;
    else if (fields > expected) st.long++;
  } else if (st.recordMode === RECORD_HEADER) {
    st.headerFields = fields;
    st.expectedFields = fields;
    st.recordMode = RECORD_DATA;
  } else {
    st.recordMode = RECORD_DATA; // the discarded partial record is behind us
  }
  st.fieldIndex = 0;
  st.slot = -1;
  st.state = S_RECORD_START;
  if (next >= 0) beginRecordAt(st, next);
};

