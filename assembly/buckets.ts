// The accumulators a slot and a widened group column share (assembly/exact.ts, group-columns.ts):
// a number m x 10^k added exactly to 128-bit decimal buckets of the sum and of the squares, or,
// outside the exact domain, its double added to Neumaier sums. Offsets are a slot's (layout.ts).

import {
  SLOT_SUMS, SUM_EXP_MIN, SLOT_SQUARES, SQ_EXP_MIN, SLOT_OUTSIDE, SLOT_SHIFT, SLOT_FSUM, SLOT_FDEV, SLOT_FSQ,
} from './layout';

export const POW10_F64: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
  1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

export const POW10_U64: StaticArray<u64> = [
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000,
  100000000000, 1000000000000, 10000000000000, 100000000000000, 1000000000000000,
  10000000000000000, 100000000000000000, 1000000000000000000, 10000000000000000000,
];

@inline export function addI128(ptr: usize, v: i64): void {
  const low = load<u64>(ptr);
  const sum = low + <u64>v;
  store<u64>(ptr, sum);
  store<i64>(ptr + 8, load<i64>(ptr + 8) + (v >> 63) + <i64>(sum < low));
}

/** an unsigned 64-bit amount into a 128-bit bucket */
@inline export function addU128(ptr: usize, v: u64): void {
  const sum = load<u64>(ptr) + v;
  store<u64>(ptr, sum);
  store<i64>(ptr + 8, load<i64>(ptr + 8) + <i64>(sum < v));
}

@inline export function neumaierAdd(ptr: usize, x: f64): void {
  const sum = load<f64>(ptr);
  const t = sum + x;
  let comp = load<f64>(ptr + 8);
  if (Math.abs(sum) >= Math.abs(x)) comp += (sum - t) + x;
  else comp += (x - t) + sum;
  store<f64>(ptr, t);
  store<f64>(ptr + 8, comp);
}

/**
 * m x 10^k (m < 10^18, k in [SUM_EXP_MIN, 17]) into the SUM bucket k and, with `squares`, m^2 into
 * SQUARE buckets: m = hi x 10^9 + lo, so hi^2, 2 hi lo and lo^2 each fit 62 bits (no 128-bit multiply).
 */
@inline export function addExactBuckets(base: usize, m: u64, k: i64, negative: bool, squares: bool): void {
  addI128(base + SLOT_SUMS + (<usize>(k - SUM_EXP_MIN) << 4), negative ? -<i64>m : <i64>m);
  if (squares) {
    const sq = base + SLOT_SQUARES + (<usize>(2 * k - SQ_EXP_MIN) << 4);
    if (m < 1000000000) {
      addI128(sq, <i64>(m * m));
    } else {
      const high = m / 1000000000;
      const low = m - high * 1000000000;
      addI128(sq, <i64>(low * low));
      addI128(sq + (9 << 4), <i64>(2 * high * low));
      addI128(sq + (18 << 4), <i64>(high * high));
    }
  }
}

/**
 * A number outside the exact domain: Neumaier sums of the doubles, and for the variance Neumaier
 * sums of the deviations from the first such number and of their squares (no cancellation of huge
 * squares); the host adds them to the exact sums of the others.
 */
export function addOutside(base: usize, value: f64): void {
  const outsideBefore = load<i64>(base + SLOT_OUTSIDE);
  store<i64>(base + SLOT_OUTSIDE, outsideBefore + 1);
  if (outsideBefore == 0) store<f64>(base + SLOT_SHIFT, value);
  neumaierAdd(base + SLOT_FSUM, value);
  const deviation = value - load<f64>(base + SLOT_SHIFT);
  neumaierAdd(base + SLOT_FDEV, deviation);
  neumaierAdd(base + SLOT_FSQ, deviation * deviation);
}
