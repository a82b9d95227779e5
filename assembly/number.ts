// Numbers (parse stage): a selected field's bytes become m x 10^k, or invalid.
// - fastField(): a whole field that lies in the window, parsed in place 8 bytes at a time (SWAR
//   digit runs; a field of <= 8 bytes from one word) and accumulated; what it does not model goes to
// - numFeed(): the number grammar as a byte state machine (the N_* states), fed a field's bytes in
//   any number of pieces (a field split across windows, quoted data, CRs); endField() takes its verdict.

import {
  NUMBER_TEXT_OFFSET, MAX_KEPT_DIGITS, COLUMN_MAP_OFFSET, SLOTS_OFFSET, SLOT_SIZE, INVALID_CAPTURE, FORM_DECIMAL, FORM_FLOAT,
  FLAG_DISTINCT,
} from './layout';
import {
  N_LEAD, N_SIGN, N_INT, N_DOT_FIRST, N_FRAC, N_EXP, N_EXP_SIGN, N_EXP_DIGITS, N_TRAIL, N_INVALID,
  MAX_MANTISSA_DIGITS, EXPONENT_CAP,
} from './machine-states';
import {
  CAPTURE, slot, captured, numState, numNegative, numMantissa, numDigits, numScale, numDropped,
  numDroppedNonzero, numDroppedBeyondKept, numExponent, numExponentNegative, numForm, lazyLineField, resetNumber,
} from './state';
import { LOW7 } from './bytes';
import { POW10_U64 } from './buckets';
import { accumulate, accumulateSimple, endField, noteField } from './exact';
import { profileFlags, hashByte, hashRun } from './profile';

// ================================================================================================
// fast: a whole field in the window, 8 bytes at a time (SWAR)
// ================================================================================================
/**
 * Nonzero bits in each byte of `w` that is not an ASCII digit: a byte is a digit when its high
 * nibble is 3 and stays 3 after adding 6. A carry out of a byte >= 0xFA only disturbs bytes after
 * a non-digit, so the lowest marked byte is always the first non-digit.
 */
@inline function digitMismatch(w: u64): u64 {
  return ((w & 0xf0f0f0f0f0f0f0f0) ^ 0x3030303030303030) | (((w + 0x0606060606060606) & 0xf0f0f0f0f0f0f0f0) ^ 0x3030303030303030);
}

/** How many of the 8 bytes of `w` (in memory order) are ASCII digits before the first other byte. */
@inline function leadingDigits(w: u64): i32 {
  return <i32>(ctz(digitMismatch(w)) >> 3); // ctz(0) = 64: all 8 are digits
}

/** The value of the first `count` (1..8) digit bytes of `w`. */
@inline function eightDigits(w: u64, count: i32): u64 {
  // drop the bytes after the digits (a borrow only runs towards them), leaving leading zeros
  let x = (w - 0x3030303030303030) << (<u64>(8 - count) << 3);
  x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ff;
  x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffff;
  return (x * 10000 + (x >> 32)) & 0xffffffff;
}

/** Field `field` is the unquoted bytes [from, to) on line `line`: classify and accumulate it. */
@inline export function fastField(field: i32, from: usize, to: usize, line: i64): void {
  const s = <i32>load<i16>(COLUMN_MAP_OFFSET + (<usize>field << 1));
  if (s < 0 || from == to) return;
  // common case: [sign] digits [. digits], at most 19 digits in all, read 8 digits at a time
  let p = from;
  const first = <u32>load<u8>(p);
  const negative = first == 45;
  p += <usize>(<i32>negative | <i32>(first == 43)); // (no branch: signs follow no pattern)
  let m: u64 = 0;
  let digits: i32 = 0;
  let scale: i64 = 0;
  let form: i32 = 0;
  const length = <i32>(to - p);
  if (length <= 8) {
    const w = load<u64>(p);
    // The whole field is in one word. Most often it is exactly digits, at most one '.', digits:
    // find the dot and check the digits in parallel, from the field's known length, instead of
    // measuring the two digit runs one after the other (a chain the next steps would wait on).
    if (length > 0) {
      const inField = ~(<u64>0) >> (<u64>(8 - length) << 3);
      const dotDiff = w ^ 0x2e2e2e2e2e2e2e2e;
      const dots = ~(((dotDiff & LOW7) + LOW7) | dotDiff | LOW7) & inField; // 0x80 at each '.'
      if ((dots & (dots - 1)) == 0) {
        let joined = w;
        let count = length;
        let fraction: i32 = 0;
        if (dots != 0) {
          // drop the dot: the bytes after it move down one
          const dot = <i32>(ctz(dots) >> 3);
          const before = (<u64>1 << (<u64>dot << 3)) - 1;
          joined = (w & before) | ((w >> 8) & ~before);
          count = length - 1;
          fraction = length - 1 - dot;
        }
        if (count > 0 && (digitMismatch(joined) & (~(<u64>0) >> (<u64>(8 - count) << 3))) == 0) {
          const base = SLOTS_OFFSET + <usize>s * SLOT_SIZE;
          noteField(base, <i64>(to - from), dots != 0 ? FORM_DECIMAL : 0, from);
          accumulateSimple(s, base, eightDigits(joined, count), -<i64>fraction, negative);
          return;
        }
      }
    }
    // digits, '.', digits followed by an exponent, or something else: join the two runs
    const integer = leadingDigits(w);
    if (integer < length && <u32>load<u8>(p + <usize>integer) == 46) {
      const afterDot = w >> (<u64>(integer + 1) << 3);
      const fraction = leadingDigits(afterDot); // stops at the byte after the field: never a digit
      if (integer + fraction > 0) {
        const integerBytes = integer == 0 ? <u64>0 : w & (~(<u64>0) >> (<u64>(8 - integer) << 3));
        const joined = integerBytes | (afterDot << (<u64>integer << 3));
        digits = integer + fraction;
        m = eightDigits(joined, digits);
        scale = -<i64>fraction;
        form = FORM_DECIMAL;
        p += <usize>(integer + 1 + fraction);
      }
    } else if (integer > 0) {
      m = eightDigits(w, integer);
      digits = integer;
      p += <usize>integer;
    }
  } else {
    while (true) {
      const w = load<u64>(p);
      const run = leadingDigits(w);
      if (run == 0) break;
      m = m * unchecked(POW10_U64[run]) + eightDigits(w, run);
      digits += run;
      p += <usize>run;
      if (run < 8) break;
    }
    if (p < to && load<u8>(p) == 46) {
      p++;
      form = FORM_DECIMAL;
      while (true) {
        const w = load<u64>(p);
        const run = leadingDigits(w);
        if (run == 0) break;
        m = m * unchecked(POW10_U64[run]) + eightDigits(w, run);
        digits += run;
        scale -= <i64>run;
        p += <usize>run;
        if (run < 8) break;
      }
    }
  }
  if (p < to && digits > 0 && (<u32>load<u8>(p) | 0x20) == 101) {
    // an exponent of at most 4 digits: 'e' or 'E', a sign, digits to the field's end
    let e = p + 1;
    const sign = <u32>load<u8>(e);
    e += <usize>(<i32>(sign == 45) | <i32>(sign == 43)); // (no branch: the sign follows no pattern)
    const w = load<u64>(e);
    const run = leadingDigits(w);
    if (run > 0 && run <= 4 && e + <usize>run == to) {
      const exponent = <i64>eightDigits(w, run);
      scale += sign == 45 ? -exponent : exponent;
      p = to;
      form |= FORM_FLOAT;
      // m x 10^k with k > 0 is (m x 10^k) x 10^0, the same exact value: while that stays below
      // 10^15 it takes accumulateSimple() like any integer (a select, not a branch: the sign of
      // the exponent follows no pattern in a column of them)
      const up = scale > 0 && <i64>digits + scale <= 15 ? <i32>scale : 0;
      m *= unchecked(POW10_U64[up]);
      scale -= <i64>up;
    }
  }
  if (p == to && digits > 0 && digits <= MAX_MANTISSA_DIGITS) {
    const base = SLOTS_OFFSET + <usize>s * SLOT_SIZE;
    noteField(base, <i64>(to - from), form, from);
    if (digits <= 15 && scale >= -18 && scale <= 0) {
      accumulateSimple(s, base, m, scale, negative);
    } else {
      numDropped = 0;
      accumulate(base, m, scale, negative);
    }
    return;
  }
  // anything else (spaces, exponent, long digit strings, invalid text): the general parser
  slot = s;
  resetNumber();
  numFeed(from, to);
  captured = <i32>(to - from);
  lazyLineField = from; // (line -1: uniformRecords() leaves it to endField() to count)
  endField(line, from); // its bytes are copied only if it is the column's first invalid value
}

// ================================================================================================
// the capture of a field's first bytes (for first_invalid)
// ================================================================================================
@inline export function captureByte(c: u32): void {
  if (captured < INVALID_CAPTURE) store<u8>(CAPTURE + <usize>captured, <u8>c);
  captured++;
  if (profileFlags & FLAG_DISTINCT) hashByte(c);
}

/** Bytes [from, to) of an unquoted selected field: parse and capture them. */
export function feedSegment(from: usize, to: usize): void {
  const length = <i32>(to - from);
  if (captured < INVALID_CAPTURE) {
    const room = INVALID_CAPTURE - captured;
    memory.copy(CAPTURE + <usize>captured, from, <usize>(length < room ? length : room));
  }
  captured += length;
  if (profileFlags & FLAG_DISTINCT) hashRun(from, <usize>length);
  numFeed(from, to);
}

// ================================================================================================
// the number grammar, byte by byte: ^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$ after trimming spaces and tabs
// ================================================================================================
@inline export function numFeedByte(c: u32): void {
  store<u8>(NUMBER_TEXT_OFFSET + 4000, <u8>c);
  numFeed(NUMBER_TEXT_OFFSET + 4000, NUMBER_TEXT_OFFSET + 4001);
}

function numFeed(from: usize, to: usize): void {
  let s = numState;
  if (s == N_INVALID) return;
  let m = numMantissa;
  let digits = numDigits;
  let scale = numScale;
  let p = from;
  while (p < to) {
    const c = <u32>load<u8>(p);
    const d = c - 48;
    switch (s) {
      case N_LEAD: {
        if (c == 32 || c == 9) { p++; continue; }
        if (c == 43 || c == 45) { numNegative = c == 45; s = N_SIGN; p++; continue; }
        if (d < 10) { s = N_INT; continue; }
        if (c == 46) { s = N_DOT_FIRST; numForm |= FORM_DECIMAL; p++; continue; }
        s = N_INVALID;
        break;
      }
      case N_SIGN: {
        if (d < 10) { s = N_INT; continue; }
        if (c == 46) { s = N_DOT_FIRST; numForm |= FORM_DECIMAL; p++; continue; }
        s = N_INVALID;
        break;
      }
      case N_INT: {
        // a run of integer digits (the state resumes on any byte, so check the first one too)
        let digit = d;
        while (digit < 10) {
          if (m == 0 && digit == 0) {
            // a leading zero adds nothing
          } else if (digits < MAX_MANTISSA_DIGITS) {
            m = m * 10 + <u64>digit;
            digits++;
          } else {
            dropDigit(digit);
            scale++;
          }
          p++;
          if (p == to) break;
          digit = <u32>load<u8>(p) - 48;
        }
        if (p == to) break;
        const next = <u32>load<u8>(p);
        if (next == 46) { s = N_FRAC; numForm |= FORM_DECIMAL; p++; continue; }
        if (next == 101 || next == 69) { s = N_EXP; numForm |= FORM_FLOAT; p++; continue; }
        if (next == 32 || next == 9) { s = N_TRAIL; p++; continue; }
        s = N_INVALID;
        break;
      }
      case N_DOT_FIRST:
      case N_FRAC: {
        if (d < 10) {
          if (m == 0 && d == 0) {
            scale--;
          } else if (digits < MAX_MANTISSA_DIGITS) {
            m = m * 10 + <u64>d;
            digits++;
            scale--;
          } else {
            dropDigit(d);
          }
          s = N_FRAC;
          p++;
          continue;
        }
        if (s == N_FRAC) {
          if (c == 101 || c == 69) { s = N_EXP; numForm |= FORM_FLOAT; p++; continue; }
          if (c == 32 || c == 9) { s = N_TRAIL; p++; continue; }
        }
        s = N_INVALID;
        break;
      }
      case N_EXP: {
        if (c == 43 || c == 45) { numExponentNegative = c == 45; s = N_EXP_SIGN; p++; continue; }
        if (d < 10) { s = N_EXP_DIGITS; continue; }
        s = N_INVALID;
        break;
      }
      case N_EXP_SIGN: {
        if (d < 10) { s = N_EXP_DIGITS; continue; }
        s = N_INVALID;
        break;
      }
      case N_EXP_DIGITS: {
        if (d < 10) {
          if (numExponent < EXPONENT_CAP) numExponent = numExponent * 10 + <i32>d;
          p++;
          continue;
        }
        if (c == 32 || c == 9) { s = N_TRAIL; p++; continue; }
        s = N_INVALID;
        break;
      }
      case N_TRAIL: {
        if (c == 32 || c == 9) { p++; continue; }
        s = N_INVALID;
        break;
      }
      default:
        break;
    }
    if (s == N_INVALID) break;
  }
  numState = s;
  numMantissa = m;
  numDigits = digits;
  numScale = scale;
}

/** A significant digit past the 19th: kept as text (up to MAX_KEPT_DIGITS) for exact rounding. */
function dropDigit(d: u32): void {
  if (numDropped < MAX_KEPT_DIGITS) {
    store<u8>(NUMBER_TEXT_OFFSET + 21 + <usize>numDropped, <u8>(d + 48));
  } else if (d != 0) {
    numDroppedBeyondKept = true;
  }
  if (d != 0) numDroppedNonzero = true;
  numDropped++;
}
