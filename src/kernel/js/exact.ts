// Accumulation into a slot (as assembly/exact.ts is the kernel's): a field's verdict from the number
// parser (endField), numbers added exactly to decimal buckets of the sum and of the squares or,
// outside the exact domain, to Neumaier sums of doubles; min and max of the doubles. Also where the
// slots live: a Float64Array of SLOT_STRIDE doubles per slot, and SlotValues for results().
//
// An exact 128-bit decimal bucket of the kernel becomes a few double "limbs" in base 10^6, each
// kept below 2^52 by an explicit carry, so every addition is exact without BigInt on the hot path.

import * as L from '../../../assembly/layout.js';
import * as M from '../../../assembly/machine-states.js';
import type { SlotValues } from '../raw-columns.js';
import * as S from './state.js';
import type { JsState } from './state.js';
import { DistinctBuilder, QuantileBuilder, emptyDistinct, emptyQuantiles } from '../profile.js';

// What this module uses of others, as module-local consts (see src/kernel/js/bytes.ts).
const { N_EXP_DIGITS, N_FRAC, N_INT, N_LEAD, N_TRAIL } = M;
const { HEAD_DIGITS } = S;

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
const A_MIN_LENGTH = 14; // bytes of the shortest non-empty field (Infinity: none)
const A_MAX_LENGTH = 15;
const A_FORMS = 16; //      FORM_* bits of its numbers
const A_SUMS = 17;
const A_SQUARES = A_SUMS + L.SUM_BUCKETS * SUM_LIMBS;
/** doubles per slot in JsState.acc: slot s starts at s * SLOT_STRIDE */
export const SLOT_STRIDE = A_SQUARES + SQUARE_EXPONENTS * SQUARE_LIMBS;
/** all-fields mode starts with this many slots and grows as wider records appear */
export const INITIAL_ALL_FIELDS_SLOTS = 64;

const latin1 = new TextDecoder('latin1');

/** Limb `index` reached 2^52: carry upwards, limb by limb, no further than `last`. */
const carryLimbs = (acc: Float64Array, index: number, last: number): void => {
  for (let i = index; i < last; i++) {
    const value = acc[i];
    if (value < CARRY_AT && value > -CARRY_AT) return;
    const rest = value % LIMB; // exact, sign of value
    acc[i] = rest;
    acc[i + 1] = acc[i + 1] + (value - rest) / LIMB;
  }
};

const addLimb = (acc: Float64Array, index: number, last: number, amount: number): void => {
  const value = acc[index] + amount;
  acc[index] = value;
  if (value >= CARRY_AT || value <= -CARRY_AT) carryLimbs(acc, index, last);
};

/** Add (a x 10^12 + b x 10^6 + c)^2 to the square bucket at `index`. */
const addSquareLimbs = (acc: Float64Array, index: number, a: number, b: number, c: number): void => {
  const last = index + SQUARE_LIMBS - 1;
  addLimb(acc, index, last, c * c);
  addLimb(acc, index + 1, last, 2 * b * c);
  addLimb(acc, index + 2, last, b * b + 2 * a * c);
  addLimb(acc, index + 3, last, 2 * a * b);
  addLimb(acc, index + 4, last, a * a);
};

/** Buckets of `limbs` limbs, bucket b in units of 10^b: their total. */
const sumBuckets = (acc: Float64Array, offset: number, buckets: number, limbs: number): bigint => {
  let total = 0n;
  for (let b = 0; b < buckets; b++) {
    for (let i = 0; i < limbs; i++) {
      const limb = acc[offset + b * limbs + i];
      if (limb !== 0) total += BigInt(limb) * 10n ** BigInt(b + 6 * i);
    }
  }
  return total;
};

/** Room for `capacity` slots, all cleared (min Infinity, max -Infinity). */
export const allocateSlots = (st: JsState, capacity: number): void => {
  if (st.acc.length < capacity * SLOT_STRIDE) {
    st.acc = new Float64Array(capacity * SLOT_STRIDE);
    st.invalidBytes = new Uint8Array(capacity * L.INVALID_CAPTURE);
  } else {
    st.acc.fill(0, 0, capacity * SLOT_STRIDE);
    st.invalidBytes.fill(0, 0, capacity * L.INVALID_CAPTURE);
  }
  for (let s = 0; s < capacity; s++) initSlot(st, s);
  st.capacity = capacity;
};

/** Slot `slot` cleared, as allocateSlots() leaves it (sum and stats by key: after each record). */
export const clearSlot = (st: JsState, slot: number): void => {
  st.acc.fill(0, slot * SLOT_STRIDE, (slot + 1) * SLOT_STRIDE);
  initSlot(st, slot);
};

const initSlot = (st: JsState, slot: number): void => {
  st.acc[slot * SLOT_STRIDE + A_MIN] = Infinity;
  st.acc[slot * SLOT_STRIDE + A_MAX] = -Infinity;
  st.acc[slot * SLOT_STRIDE + A_MIN_LENGTH] = Infinity;
};

/** All-fields mode met field `slot`: make room for it (the slots before it keep their values). */
export const growSlots = (st: JsState, slot: number): void => {
  const capacity = Math.min(L.MAX_SLOTS, Math.max(slot + 1, st.capacity * 2));
  const acc = new Float64Array(capacity * SLOT_STRIDE);
  acc.set(st.acc.subarray(0, st.capacity * SLOT_STRIDE));
  const invalidBytes = new Uint8Array(capacity * L.INVALID_CAPTURE);
  invalidBytes.set(st.invalidBytes.subarray(0, st.capacity * L.INVALID_CAPTURE));
  st.acc = acc;
  st.invalidBytes = invalidBytes;
  for (let s = st.capacity; s < capacity; s++) initSlot(st, s);
  st.capacity = capacity;
};

/** The current field ended; `line` is the physical line it started on. */
export const endField = (st: JsState, line: number): void => {
  const slot = st.slot;
  if (slot < 0) return;
  const state = st.numState;
  if (state === N_LEAD) return; // empty
  const base = slot * SLOT_STRIDE;
  if (state === N_INT || state === N_FRAC || state === N_EXP_DIGITS || state === N_TRAIL) {
    const exponent = st.numScale + (st.numExponentNegative ? -st.numExponent : st.numExponent);
    noteField(st, base, st.captured, st.numForm);
    if (st.numDigits <= HEAD_DIGITS) addNumber(st, base, st.numMantissa, exponent, st.numNegative);
    else addLongNumber(st, base, exponent);
    return;
  }
  noteField(st, base, st.captured, 0);
  const acc = st.acc;
  acc[base + A_INVALID]++;
  if (acc[base + A_INVALID_LINE] === 0) {
    acc[base + A_INVALID_LINE] = line;
    const kept = st.captured < L.INVALID_CAPTURE ? st.captured : L.INVALID_CAPTURE;
    acc[base + A_INVALID_LENGTH] = kept;
    const target = slot * L.INVALID_CAPTURE;
    for (let i = 0; i < kept; i++) st.invalidBytes[target + i] = st.capture[i];
  }
};

/** A field that is not empty (a number or invalid), of `length` bytes, its number's FORM_* bits (assembly/exact.ts noteField). */
export const noteField = (st: JsState, base: number, length: number, form: number): void => {
  if (st.distinctOn) {
    const hasher = st.hasher;
    hasher.finish();
    const slot = base / SLOT_STRIDE;
    (st.distinct[slot] ??= new DistinctBuilder()).add(hasher.h1, hasher.h2, hasher.h3, hasher.h4);
  }
  const acc = st.acc;
  if (length < acc[base + A_MIN_LENGTH]) acc[base + A_MIN_LENGTH] = length;
  if (length > acc[base + A_MAX_LENGTH]) acc[base + A_MAX_LENGTH] = length;
  acc[base + A_FORMS] = acc[base + A_FORMS] | form;
};

/**
 * Add mantissa x 10^exponent to the slot at `base`; mantissa is an integer below 10^15. Kept
 * small so that V8 inlines it into the fast path: the rare cases are calls.
 */
export const addNumber = (st: JsState, base: number, mantissa: number, exponent: number, negative: boolean): void => {
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
  const acc = st.acc;
  acc[base + A_COUNT]++;
  if (mantissa !== 0) {
    if (exponent >= -18 && exponent <= 0) {
      // 1 <= mantissa < 10^15: surely in the exact domain [1e-18, 1e18)
      const sum = base + A_SUMS + (exponent - L.SUM_EXP_MIN) * SUM_LIMBS;
      const total = acc[sum] + (negative ? -mantissa : mantissa);
      acc[sum] = total;
      if (total >= CARRY_AT || total <= -CARRY_AT) carryLimbs(acc, sum, sum + SUM_LIMBS - 1);
      if (st.squares) addSquare(st, base, mantissa, exponent);
    } else {
      addExactOrOutside(st, base, mantissa, exponent, negative, value);
    }
  }
  addDouble(st, base, value);
};

/** The exact domain check of a mantissa below 10^15 whose exponent is not in [-18, 0]. */
const addExactOrOutside = (st: JsState, base: number, mantissa: number, exponent: number, negative: boolean, value: number): void => {
  const acc = st.acc;
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
    addOutside(st, base, value);
    return;
  }
  const sum = base + A_SUMS + (k - L.SUM_EXP_MIN) * SUM_LIMBS;
  addLimb(acc, sum, sum + SUM_LIMBS - 1, negative ? -m : m);
  if (st.squares) addSquare(st, base, m, k);
};

/** Add (m x 10^k)^2 exactly, for an in-domain m < 10^15. */
const addSquare = (st: JsState, base: number, m: number, k: number): void => {
  const acc = st.acc;
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
};

/**
 * Add the parser's number of 16 to 19 significant digits (plus any dropped ones) x 10^exponent.
 * The mantissa is too wide for a double: it is held as hi x 10^9 + lo.
 */
const addLongNumber = (st: JsState, base: number, exponent: number): void => {
  const tailDigits = st.numDigits - HEAD_DIGITS;
  const tailScale = POW10[tailDigits];
  const headLow = st.numMantissa % BILLION;
  const headHigh = (st.numMantissa - headLow) / BILLION;
  const low = headLow * tailScale + st.numTail; // < 10^13: exact
  let lo = low % BILLION;
  let hi = headHigh * tailScale + (low - lo) / BILLION;
  let k = exponent;
  const negative = st.numNegative;

  let value: number;
  if (
    st.numDropped === 0 &&
    (hi < TWO_POW_53_HI || (hi === TWO_POW_53_HI && lo <= TWO_POW_53_LO)) &&
    k >= -22 &&
    k <= 22
  ) {
    const m = hi * BILLION + lo; // <= 2^53: exact
    value = k < 0 ? m / POW10[-k] : m * POW10[k];
  } else {
    value = slowDouble(st, hi, lo, k);
  }
  if (negative) value = -value;

  const acc = st.acc;
  acc[base + A_COUNT]++;
  let exact = true;
  if (st.numDropped > 0 && st.numDroppedNonzero) {
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
    if (st.squares) addSquareLimbs(acc, base + A_SQUARES + (2 * k - SQUARE_EXP_MIN) * SQUARE_LIMBS, a, b, c);
  } else {
    addOutside(st, base, value);
  }
  addDouble(st, base, value);
};

/**
 * A number outside the exact domain, as the kernel keeps it: Neumaier sums of its value, of its
 * deviation from the slot's first such number and of that deviation squared.
 */
const addOutside = (st: JsState, base: number, value: number): void => {
  const acc = st.acc;
  const outsideBefore = acc[base + A_OUTSIDE]++;
  if (outsideBefore === 0) acc[base + A_SHIFT] = value;
  neumaierAdd(acc, base + A_FSUM, value);
  const deviation = value - acc[base + A_SHIFT];
  neumaierAdd(acc, base + A_FDEV, deviation);
  neumaierAdd(acc, base + A_FSQ, deviation * deviation);
};

/** min and max, and the number's quantile bucket. Called after counting. */
const addDouble = (st: JsState, base: number, value: number): void => {
  if (st.quantilesOn) (st.quantiles[base / SLOT_STRIDE] ??= new QuantileBuilder()).add(value);
  const acc = st.acc;
  if (value < acc[base + A_MIN]) acc[base + A_MIN] = value;
  if (value > acc[base + A_MAX]) acc[base + A_MAX] = value;
};

/**
 * The rare number rounded by Number() (correctly rounded): the mantissa hi x 10^9 + lo, the kept
 * dropped digits, a 1 standing for nonzero digits past them, and the exponent.
 */
const slowDouble = (st: JsState, hi: number, lo: number, exponent: number): number => {
  const kept = st.numDropped < L.MAX_KEPT_DIGITS ? st.numDropped : L.MAX_KEPT_DIGITS;
  let text = hi > 0 ? `${hi}${String(lo).padStart(9, '0')}` : `${lo}`;
  let e = exponent - kept;
  if (kept > 0) text += latin1.decode(st.droppedDigits.subarray(0, kept));
  if (st.numDroppedBeyondKept) {
    text += '1';
    e--;
  }
  return Number(`${text}e${e}`);
};

/** hi x 10^9 + lo >= 10^power, for power in [1, 17] and lo < 10^9. */
const atLeastPow10 = (hi: number, lo: number, power: number): boolean => {
  return power >= 9 ? hi >= POW10[power - 9] : hi > 0 || lo >= POW10[power];
};

const neumaierAdd = (acc: Float64Array, index: number, x: number): void => {
  const sum = acc[index];
  const t = sum + x;
  if (Math.abs(sum) >= Math.abs(x)) acc[index + 1] = acc[index + 1] + (sum - t + x);
  else acc[index + 1] = acc[index + 1] + (x - t + sum);
  acc[index] = t;
};

/** Slot `slot`'s accumulators, for rawColumn() (src/kernel/raw-columns.ts). */
export const slotValues = (st: JsState, slot: number): SlotValues => {
  if (slot >= st.capacity) growSlots(st, slot); // a slot no field reached: all zero
  const acc = st.acc;
  const base = slot * SLOT_STRIDE;
  return {
    count: acc[base + A_COUNT],
    invalid: acc[base + A_INVALID],
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
    invalidLine: acc[base + A_INVALID_LINE],
    minLength: acc[base + A_MIN_LENGTH],
    maxLength: acc[base + A_MAX_LENGTH],
    forms: acc[base + A_FORMS],
    ...(st.distinctOn ? { distinct: st.distinct[slot]?.sketch() ?? emptyDistinct() } : {}),
    ...(st.quantilesOn ? { quantiles: st.quantiles[slot]?.sketch() ?? emptyQuantiles() } : {}),
  };
};

/** The captured bytes of slot `slot`'s first invalid field. */
export const invalidValue = (st: JsState, slot: number): Uint8Array => {
  const capture = slot * L.INVALID_CAPTURE;
  return st.invalidBytes.slice(capture, capture + st.acc[slot * SLOT_STRIDE + A_INVALID_LENGTH]);
};
