// Accumulation into a slot (parse stage, last step): a field's verdict from the number parser
// (endField), and a number m x 10^k added exactly to 128-bit decimal buckets of the sum and of the
// squares, or, outside the exact domain, to Neumaier sums of doubles; min and max of the doubles,
// rounded as Number() would (Clinger's fast path, else the host's parseNumberText).

import {
  FLAG_SQUARES, FLAG_DISTINCT, FLAG_QUANTILES, NUMBER_TEXT_OFFSET, MAX_KEPT_DIGITS, SLOTS_OFFSET, SLOT_SIZE,
  SLOT_COUNT, SLOT_INVALID, SLOT_MIN, SLOT_MAX, SLOT_MIN_LENGTH, SLOT_MAX_LENGTH, SLOT_FORMS, SLOT_INVALID_LINE, SLOT_INVALID_LENGTH, SLOT_INVALID_SEEN, SLOT_INVALID_BYTES,
  INVALID_CAPTURE, SLOT_SUMS, SUM_EXP_MIN, SLOT_SQUARES, SQ_EXP_MIN,
} from './layout';
import { N_LEAD, N_INT, N_FRAC, N_EXP_DIGITS, N_TRAIL } from './machine-states';
import {
  CAPTURE, flags, slot, captured, numState, numNegative, numMantissa, numScale, numDropped, numDroppedNonzero,
  numDroppedBeyondKept, numExponent, numExponentNegative, numForm, lazyLineBase, lazyLineFrom, lazyLineField,
} from './state';
import { countLineFeeds } from './bytes';
import { POW10_U64, POW10_F64, addI128, addU128, addExactBuckets, addOutside } from './buckets';
import {
  PENDING_OFFSET, PENDING_SLOTS, PENDING_ENTRY, PENDING_FLUSH, PENDING_SQUARES, PENDING_SQUARES_HIGH, PENDING_SQUARE_LIMIT, PENDING_MIN, PENDING_MAX,
  flushPending, flushPendingOf,
} from './pending';
import { stashing, stashNumber, stashInvalid, stashShape } from './group-columns';
import { profileFlags, profileValue, profileNumber } from './profile';

// The host turns the rare number the kernel cannot round exactly itself (more than 19 significant
// digits, or beyond the exact power-of-ten range) into a double with JavaScript's Number().
@external('env', 'parseNumberText')
declare function parseNumberText(ptr: usize, length: i32): f64;

// ---- tables --------------------------------------------------------------------------------------
// 10^-j, each the double nearest to it: an estimate of m / 10^j by one multiplication
const POW10_RECIPROCAL_F64: StaticArray<f64> = [
  1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14,
  1e-15, 1e-16, 1e-17, 1e-18,
];
const TEN_POW_18: u64 = 1000000000000000000;
const TWO_POW_53: u64 = 9007199254740992;

/**
 * The current field ended; `line` is the physical line it started on. Its first `captured` bytes
 * (at most INVALID_CAPTURE) are at `value`: the CAPTURE buffer the byte machine fills, or the
 * field itself in the window when it was never split.
 */
export function endField(line: i64, value: usize = CAPTURE): void {
  const s = slot;
  if (s < 0) return;
  const base = SLOTS_OFFSET + <usize>s * SLOT_SIZE;
  const ns = numState;
  if (ns == N_LEAD) return; // empty: the host derives empty = records - count - invalid
  if (ns == N_INT || ns == N_FRAC || ns == N_EXP_DIGITS || ns == N_TRAIL) {
    const exponent: i64 = numExponentNegative ? -<i64>numExponent : <i64>numExponent;
    noteField(base, <i64>captured, numForm, value);
    accumulate(base, numMantissa, numScale + exponent, numNegative);
    return;
  }
  noteField(base, <i64>captured, 0, value);
  if (stashing) {
    stashInvalid(base, line, captured, value);
    return;
  }
  store<i64>(base + SLOT_INVALID, load<i64>(base + SLOT_INVALID) + 1);
  if (load<i64>(base + SLOT_INVALID_LINE) == 0) {
    store<i64>(base + SLOT_INVALID_LINE, line >= 0 ? line : lazyLineBase + countLineFeeds(lazyLineFrom, lazyLineField));
    const kept = captured < INVALID_CAPTURE ? captured : INVALID_CAPTURE;
    store<i32>(base + SLOT_INVALID_LENGTH, kept);
    store<i32>(base + SLOT_INVALID_SEEN, captured);
    memory.copy(base + SLOT_INVALID_BYTES, value, <usize>kept);
  }
}

/**
 * A field that is not empty (a number, or invalid) of `length` bytes after unquoting, and its
 * number's FORM_* bits: the column's shortest and longest, and the forms of its numbers (its type).
 * Its bytes are at `value` (in the window), or were hashed as the byte machine captured them
 * (`value` is CAPTURE).
 */
@inline export function noteField(base: usize, length: i64, form: i32, value: usize): void {
  if (stashing) {
    stashShape(base, length, form);
    return;
  }
  if (profileFlags & FLAG_DISTINCT) profileValue(base, value == CAPTURE ? 0 : value, length);
  if (length < load<i64>(base + SLOT_MIN_LENGTH)) store<i64>(base + SLOT_MIN_LENGTH, length);
  if (length > load<i64>(base + SLOT_MAX_LENGTH)) store<i64>(base + SLOT_MAX_LENGTH, length);
  // (most numbers add no form a column has not shown already: no store)
  const forms = load<i32>(base + SLOT_FORMS);
  if ((forms | form) != forms) store<i32>(base + SLOT_FORMS, forms | form);
}

/** Add the number m x 10^k (plus the dropped digits, if numDropped > 0) to the slot at `base`. */
export function accumulate(base: usize, mantissa: u64, exponent: i64, negative: bool): void {
  let m = mantissa;
  let k = exponent;
  let value: f64;

  // ---- the double, as Number() would give it ----
  if (numDropped == 0 && m <= TWO_POW_53 && k >= -22 && k <= 22) {
    // Clinger's fast path: both operands exact, one correctly rounded operation
    // (m <= 2^53 converts exactly as signed: one instruction, where unsigned needs a sequence)
    const exactMantissa = <f64><i64>m;
    value = k < 0 ? exactMantissa / unchecked(POW10_F64[<i32>-k]) : exactMantissa * unchecked(POW10_F64[<i32>k]);
  } else if (m == 0) {
    value = 0;
  } else {
    value = slowDouble(m, k);
  }
  if (negative) value = -value;

  // ---- exact decimal domain: <= 18 significant digits, |value| 0 or in [1e-18, 1e18) ----
  let exact = true;
  if (m != 0) {
    if (numDropped > 0 && numDroppedNonzero) {
      exact = false;
    } else {
      // trailing zeros (typed, or dropped zero digits) do not count as significant
      while ((m >= TEN_POW_18 || k < <i64>SUM_EXP_MIN) && m % 10 == 0) {
        m /= 10;
        k++;
      }
      if (m >= TEN_POW_18 || k < <i64>SUM_EXP_MIN || k > 17) {
        exact = false;
      } else if (k > 0 && m >= unchecked(POW10_U64[18 - <i32>k])) {
        exact = false; // >= 1e18
      } else if (k < -18 && m < unchecked(POW10_U64[<i32>(-18 - k)])) {
        exact = false; // < 1e-18
      }
    }
  }
  if (stashing) {
    stashNumber(base, exact, m, k, negative, value);
    return;
  }
  const count = load<i64>(base + SLOT_COUNT) + 1;
  store<i64>(base + SLOT_COUNT, count);
  if ((count & (PENDING_FLUSH - 1)) == 0) flushPendingOf(base); // (see accumulateSimple)
  if (exact) {
    if (m != 0) addExactBuckets(base, m, k, negative, (flags & FLAG_SQUARES) != 0);
  } else {
    addOutside(base, value);
  }

  if (value < load<f64>(base + SLOT_MIN)) store<f64>(base + SLOT_MIN, value);
  if (value > load<f64>(base + SLOT_MAX)) store<f64>(base + SLOT_MAX, value);
  if (profileFlags & FLAG_QUANTILES) profileNumber(base, value);
}

/** m^2 x 10^(2k) into the SQUARE buckets, m < 10^15 (see addExactBuckets). */
function addSquaresSimple(base: usize, m: u64, k: i64): void {
  const sq = base + SLOT_SQUARES + (<usize>(2 * k - SQ_EXP_MIN) << 4);
  if (m < 1000000000) {
    addI128(sq, <i64>(m * m));
    return;
  }
  // m = high x 10^9 + low without a 64-bit division: estimate in doubles (m < 2^53), correct
  let high = <u64>(<f64><i64>m * 1e-9);
  let low = <i64>m - <i64>high * 1000000000;
  if (low < 0) {
    high--;
    low += 1000000000;
  } else if (low >= 1000000000) {
    high++;
    low -= 1000000000;
  }
  addI128(sq, low * low);
  addI128(sq + (9 << 4), <i64>(2 * high) * low);
  addI128(sq + (18 << 4), <i64>(high * high));
}

/**
 * accumulate() for the common number: m < 10^15 and k in [-18, 0], so m x 10^k is surely in the
 * exact domain (or zero) and Clinger's fast path rounds it: no checks, no division by 10^9.
 */
@inline export function accumulateSimple(s: i32, base: usize, m: u64, k: i64, negative: bool): void {
  if (stashing) {
    const magnitude = <f64><i64>m / unchecked(POW10_F64[<i32>-k]);
    stashNumber(base, true, m, k, negative, negative ? -magnitude : magnitude);
    return;
  }
  const count = load<i64>(base + SLOT_COUNT) + 1;
  store<i64>(base + SLOT_COUNT, count);
  const squares = (flags & FLAG_SQUARES) != 0;
  if (profileFlags & FLAG_QUANTILES) {
    const magnitude = <f64><i64>m / unchecked(POW10_F64[<i32>-k]);
    profileNumber(base, negative ? -magnitude : magnitude);
  }
  if (s < PENDING_SLOTS) {
    const c = PENDING_OFFSET + <usize>s * PENDING_ENTRY;
    // (zero keeps to the doubles' path: -0 and 0 are different extremes)
    if (m != 0) {
      const at = c + (<usize>(k + 18) << 3);
      const signedM = negative ? -<i64>m : <i64>m;
      store<i64>(at, load<i64>(at) + signedM);
      if (squares) {
        if (m < PENDING_SQUARE_LIMIT) {
          store<u64>(at + PENDING_SQUARES, load<u64>(at + PENDING_SQUARES) + m * m);
        } else {
          // m^2 = h^2 2^50 + h l 2^26 + l^2 (m = h 2^25 + l): see pending.ts
          const h = m >> 25;
          const l = m & (PENDING_SQUARE_LIMIT - 1);
          const hl = h * l;
          store<u64>(at + PENDING_SQUARES_HIGH, load<u64>(at + PENDING_SQUARES_HIGH) + h * h + (hl >> 24));
          store<u64>(at + PENDING_SQUARES, load<u64>(at + PENDING_SQUARES) + ((hl & 0xffffff) << 26) + l * l);
        }
      }
      if (signedM < load<i64>(at + PENDING_MIN)) store<i64>(at + PENDING_MIN, signedM);
      if (signedM > load<i64>(at + PENDING_MAX)) store<i64>(at + PENDING_MAX, signedM);
    } else {
      extremes(base, m, k, negative);
    }
    // every PENDING_FLUSH numbers of the slot (accumulate() checks its own): never more pending
    if ((count & (PENDING_FLUSH - 1)) == 0) flushPending(base, c);
    return;
  }
  if (m != 0) {
    addI128(base + SLOT_SUMS + (<usize>(k - SUM_EXP_MIN) << 4), negative ? -<i64>m : <i64>m);
    if (squares) addSquaresSimple(base, m, k);
  }
  extremes(base, m, k, negative);
}

/** min and max of the slot at `base` with m x 10^k (k in [-18, 0]), without the pending extremes. */
@inline function extremes(base: usize, m: u64, k: i64, negative: bool): void {
  // min and max need the correctly rounded double (a division) only for a number that may be a new
  // extreme: m x 10^-j by multiplication is within 2^-51 of it, so it screens out the others
  const estimate = <f64><i64>m * unchecked(POW10_RECIPROCAL_F64[<i32>-k]);
  const slack = estimate * 8.881784197001252e-16; // 2^-50
  const signed = negative ? -estimate : estimate;
  const min = load<f64>(base + SLOT_MIN);
  const max = load<f64>(base + SLOT_MAX);
  if (signed - slack <= min || signed + slack >= max) {
    const magnitude = <f64><i64>m / unchecked(POW10_F64[<i32>-k]);
    const value = negative ? -magnitude : magnitude;
    if (value < min) store<f64>(base + SLOT_MIN, value);
    if (value > max) store<f64>(base + SLOT_MAX, value);
  }
}

/** Render mantissa, kept digits and exponent as text and let the host round it. */
function slowDouble(m: u64, k: i64): f64 {
  // NUMBER_TEXT: [0..20] mantissa digits right-aligned, [21..] the kept dropped digits
  const text = NUMBER_TEXT_OFFSET;
  let digitStart: usize = 21;
  let rest = m;
  do {
    digitStart--;
    store<u8>(text + digitStart, <u8>(48 + <u32>(rest % 10)));
    rest /= 10;
  } while (rest != 0);
  const kept = numDropped < MAX_KEPT_DIGITS ? numDropped : MAX_KEPT_DIGITS;
  let p: usize = text + 21 + <usize>kept;
  let exponent = k - <i64>kept;
  if (numDropped > MAX_KEPT_DIGITS && numDroppedBeyondKept) {
    // digits past the kept ones only matter as "something nonzero follows"
    // (the flag is read only with dropped digits: the fast path does not clear it)
    store<u8>(p++, 49);
    exponent--;
  }
  store<u8>(p++, 101); // 'e'
  if (exponent < 0) {
    store<u8>(p++, 45);
    exponent = -exponent;
  }
  let digits: usize = 0;
  let e = exponent;
  do {
    digits++;
    e /= 10;
  } while (e != 0);
  let q = p + digits;
  e = exponent;
  do {
    q--;
    store<u8>(q, <u8>(48 + <u32>(e % 10)));
    e /= 10;
  } while (e != 0);
  p += digits;
  return parseNumberText(text + digitStart, <i32>(p - (text + digitStart)));
}
