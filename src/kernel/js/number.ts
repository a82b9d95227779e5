// Numbers (as assembly/number.ts is the kernel's): a selected field's bytes become m x 10^k, or
// invalid.
// - fastField(): a whole field that lies in the window, parsed in place (digits and one '.', at most
//   15 digits) and accumulated; anything else goes to
// - numFeed(): the number grammar as a byte state machine (the N_* states of
//   assembly/machine-states.ts), fed a field's bytes in any number of pieces; endField() takes its
//   verdict.

import * as L from '../../../assembly/layout.js';
import * as M from '../../../assembly/machine-states.js';
import * as B from './bytes.js';
import * as E from './exact.js';
import * as S from './state.js';
import type { JsState } from './state.js';

// What this module uses of others, as module-local consts (see src/kernel/js/bytes.ts).
const {
  EXPONENT_CAP, MAX_MANTISSA_DIGITS, N_DOT_FIRST, N_EXP, N_EXP_DIGITS, N_EXP_SIGN, N_FRAC, N_INT, N_INVALID, N_LEAD,
  N_SIGN, N_TRAIL,
} = M;
const { DOT, LOWER_E, MINUS, PLUS, SPACE, TAB, UPPER_E, ZERO } = B;
const { SLOT_STRIDE, addNumber, endField, growSlots, noteField } = E;
const { HEAD_DIGITS, resetNumber } = S;

// ================================================================================================
// fast: a whole field in the window
// ================================================================================================
/** A selected field is the unquoted bytes [from, to) on line `line`: classify and accumulate it. */
export const fastField = (st: JsState, slot: number, from: number, to: number, line: number): void => {
  if (from === to) return;
  if (slot >= st.capacity) growSlots(st, slot);
  // common case: [sign] digits [. digits], at most HEAD_DIGITS digits. The byte at `to` (a
  // delimiter, LF or CR; never a digit or '.' in dialects the fast path runs) ends the runs.
  const bytes = st.bytes;
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
  const dot = digit === DOT - ZERO && p < to;
  if (dot) {
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
    if (st.distinctOn) hashWhole(st, from, to);
    noteField(st, slot * SLOT_STRIDE, to - from, dot ? L.FORM_DECIMAL : 0);
    addNumber(st, slot * SLOT_STRIDE, mantissa, scale, negative);
    return;
  }
  // anything else (spaces, exponent, long digit strings, invalid text): the general parser
  parseField(st, slot, from, to, line);
};

/** The fast path's field [from, to) is not a simple number: parse it as the byte machine would. */
const parseField = (st: JsState, slot: number, from: number, to: number, line: number): void => {
  st.slot = slot;
  resetNumber(st);
  numFeed(st, st.bytes, from, to);
  const length = to - from;
  const kept = length < L.INVALID_CAPTURE ? length : L.INVALID_CAPTURE;
  const bytes = st.bytes;
  const capture = st.capture;
  for (let i = 0; i < kept; i++) capture[i] = bytes[from + i];
  st.captured = length;
  if (st.distinctOn) hashWhole(st, from, to);
  endField(st, line);
  st.slot = -1;
};

// ================================================================================================
// the capture of a field's first bytes (for first_invalid), and the number grammar byte by byte:
// ^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$ after trimming spaces and tabs
// ================================================================================================
/** One byte of a selected field (from a quoted field, or a CR): parse and capture it. */
export const feedByte = (st: JsState, c: number): void => {
  st.oneByte[0] = c;
  numFeed(st, st.oneByte, 0, 1);
  if (st.captured < L.INVALID_CAPTURE) st.capture[st.captured] = c;
  st.captured++;
  if (st.distinctOn) st.hasher.byte(c);
};

/** A field that lies whole in the window: its hash from its bytes alone. */
const hashWhole = (st: JsState, from: number, to: number): void => {
  st.hasher.reset();
  st.hasher.run(st.bytes, from, to);
};

/** Bytes [from, to) of an unquoted selected field: parse and capture them. */
export const feedSegment = (st: JsState, from: number, to: number): void => {
  const bytes = st.bytes;
  const length = to - from;
  const captured = st.captured;
  if (captured < L.INVALID_CAPTURE) {
    const room = L.INVALID_CAPTURE - captured;
    const copy = length < room ? length : room;
    for (let i = 0; i < copy; i++) st.capture[captured + i] = bytes[from + i];
  }
  st.captured = captured + length;
  if (st.distinctOn) st.hasher.run(bytes, from, to);
  numFeed(st, bytes, from, to);
};

const numFeed = (st: JsState, bytes: Uint8Array, from: number, to: number): void => {
  let s = st.numState;
  if (s === N_INVALID) return;
  let mantissa = st.numMantissa;
  let tail = st.numTail;
  let digits = st.numDigits;
  let scale = st.numScale;
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
          st.numNegative = c === MINUS;
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
          st.numForm |= L.FORM_DECIMAL;
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
          st.numForm |= L.FORM_DECIMAL;
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
            dropDigit(st, digit);
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
          st.numForm |= L.FORM_DECIMAL;
          p++;
          continue;
        }
        if (next === LOWER_E || next === UPPER_E) {
          s = N_EXP;
            st.numForm |= L.FORM_FLOAT;
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
            dropDigit(st, d);
          }
          s = N_FRAC;
          p++;
          continue;
        }
        if (s === N_FRAC) {
          if (c === LOWER_E || c === UPPER_E) {
            s = N_EXP;
            st.numForm |= L.FORM_FLOAT;
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
          st.numExponentNegative = c === MINUS;
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
          if (st.numExponent < EXPONENT_CAP) st.numExponent = st.numExponent * 10 + d;
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
  st.numState = s;
  st.numMantissa = mantissa;
  st.numTail = tail;
  st.numDigits = digits;
  st.numScale = scale;
};

/** A significant digit past the 19th: kept as text (up to MAX_KEPT_DIGITS) for exact rounding. */
const dropDigit = (st: JsState, d: number): void => {
  if (st.numDropped < L.MAX_KEPT_DIGITS) st.droppedDigits[st.numDropped] = ZERO + d;
  else if (d !== 0) st.numDroppedBeyondKept = true;
  if (d !== 0) st.numDroppedNonzero = true;
  st.numDropped++;
};

