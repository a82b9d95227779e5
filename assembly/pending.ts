// Pending sums (a stage of assembly/exact.ts's accumulation, apart so that state.ts can flush and
// reset them without importing exact.ts): the common number's exact sums in 64 bits, flushed to the
// slot's 128-bit buckets.

import { KERNEL_SCRATCH_OFFSET, SLOTS_OFFSET, SLOT_SIZE, SLOT_SUMS, SUM_EXP_MIN, SLOT_SQUARES, SQ_EXP_MIN, SLOT_MIN, SLOT_MAX } from './layout';
import { POW10_F64, addI128, addU128 } from './buckets';

// Per slot (the first PENDING_SLOTS), in the kernel scratch after the uniform runs' part: for each
// k in [-18, 0], the sum of the signed mantissas of 10^k (i64), of their squares as H x 2^50 + L
// (two u64, units of 10^2k: a square below 2^50 adds to L only; a larger one, m = h x 2^25 + l,
// adds h^2 + (h l >> 24) to H and ((h l mod 2^24) << 26) + l^2 to L, each below 2^51), and the
// least and greatest signed mantissa (so min and max need no double per number: each k's extremes
// are rounded once, when flushed). They go to the slot's buckets and extremes when its count
// reaches a multiple of PENDING_FLUSH (at most PENDING_FLUSH values of |m| < 10^15 are pending:
// no sum overflows) and before scan() or finish() returns (so the slots hold every number whenever
// the host reads them).
export const PENDING_OFFSET: usize = KERNEL_SCRATCH_OFFSET + 36928; // after the uniform runs' 36912 bytes
export const PENDING_SLOTS: i32 = 20;
export const PENDING_EXPONENTS: usize = 19; // k = -18 .. 0
export const PENDING_SQUARES: usize = PENDING_EXPONENTS << 3; //  u64: L
export const PENDING_MIN: usize = PENDING_EXPONENTS << 4; //      i64: the least signed mantissa (I64.MAX_VALUE: none)
export const PENDING_MAX: usize = PENDING_EXPONENTS * 24; //      i64: the greatest (I64.MIN_VALUE: none)
export const PENDING_SQUARES_HIGH: usize = PENDING_EXPONENTS << 5; // u64: H
export const PENDING_ENTRY: usize = PENDING_EXPONENTS * 40; // 760 bytes: 20 of them end before COLUMN_MAP
export const PENDING_FLUSH: i64 = 8192;
export const PENDING_SQUARE_LIMIT: u64 = 33554432; // 2^25: squares below 2^50

/** reset(): the pending sums of the slots in use, empty. */
export function resetPending(slots: i32): void {
  const n = slots < PENDING_SLOTS ? slots : PENDING_SLOTS;
  memory.fill(PENDING_OFFSET, 0, <usize>n * PENDING_ENTRY);
  for (let s = 0; s < n; s++) {
    const c = PENDING_OFFSET + <usize>s * PENDING_ENTRY;
    for (let i: usize = 0; i < PENDING_EXPONENTS; i++) {
      store<i64>(c + PENDING_MIN + (i << 3), I64.MAX_VALUE);
      store<i64>(c + PENDING_MAX + (i << 3), I64.MIN_VALUE);
    }
  }
}

/** Slot `base`'s pending sums at `c` into its buckets; they are left empty. */
export function flushPending(base: usize, c: usize): void {
  for (let i: usize = 0; i < PENDING_EXPONENTS; i++) {
    const k = <i64>i - 18;
    const at = c + (i << 3);
    const sum = load<i64>(at);
    if (sum != 0) {
      addI128(base + SLOT_SUMS + (<usize>(k - SUM_EXP_MIN) << 4), sum);
      store<i64>(at, 0);
    }
    const squares = load<u64>(at + PENDING_SQUARES);
    const high = load<u64>(at + PENDING_SQUARES_HIGH);
    const bucket = base + SLOT_SQUARES + (<usize>(2 * k - SQ_EXP_MIN) << 4);
    if (high != 0) {
      flushSquares(bucket, high, squares);
      store<u64>(at + PENDING_SQUARES_HIGH, 0);
      store<u64>(at + PENDING_SQUARES, 0);
    } else if (squares != 0) {
      addU128(bucket, squares);
      store<u64>(at + PENDING_SQUARES, 0);
    }
    // extremes: the exact least and greatest of 10^k, rounded (|m| < 2^53: one correct division)
    const least = load<i64>(at + PENDING_MIN);
    if (least != I64.MAX_VALUE) {
      const value = <f64>least / unchecked(POW10_F64[<i32>-k]);
      if (value < load<f64>(base + SLOT_MIN)) store<f64>(base + SLOT_MIN, value);
      store<i64>(at + PENDING_MIN, I64.MAX_VALUE);
    }
    const greatest = load<i64>(at + PENDING_MAX);
    if (greatest != I64.MIN_VALUE) {
      const value = <f64>greatest / unchecked(POW10_F64[<i32>-k]);
      if (value > load<f64>(base + SLOT_MAX)) store<f64>(base + SLOT_MAX, value);
      store<i64>(at + PENDING_MAX, I64.MIN_VALUE);
    }
  }
}

/**
 * high x 2^50 + low (below 2^114) into the square buckets from `bucket` (units of 10^2k) as
 * a + b x 10^9 + c x 10^18 to buckets 2k, 2k + 9 and 2k + 18, the places addSquaresSimple() uses:
 * no bucket gets more than 2^64 at a time, so none can overflow.
 */
function flushSquares(bucket: usize, high: u64, low: u64): void {
  const lo = (high << 50) + low;
  const hi = (high >> 14) + <u64>(lo < low);
  // two long divisions by 10^9, 32 bits at a time (each step's dividend is below 10^9 x 2^32;
  // hi < 2^50, so the first step takes all of hi)
  const d: u64 = 1000000000;
  const q2 = hi / d;
  let x = ((hi - q2 * d) << 32) | (lo >> 32);
  const q1 = x / d;
  x = ((x - q1 * d) << 32) | (lo & 0xffffffff);
  const q0 = x / d;
  const a = x - q0 * d;
  // the quotient q2 q1 q0 (q2 < 2^21) by 10^9 again
  x = (q2 << 32) | q1;
  const p1 = x / d;
  x = ((x - p1 * d) << 32) | q0;
  const p0 = x / d;
  const b = x - p0 * d;
  const c = (p1 << 32) | p0; // below 2^55
  addU128(bucket, a);
  addU128(bucket + (9 << 4), b);
  addU128(bucket + (18 << 4), c);
}

/** flushPending() of the slot at `base`, if it is one of the first PENDING_SLOTS. */
export function flushPendingOf(base: usize): void {
  const s = <i32>((base - SLOTS_OFFSET) / SLOT_SIZE);
  if (s < PENDING_SLOTS) flushPending(base, PENDING_OFFSET + <usize>s * PENDING_ENTRY);
}

/** Every slot's pending sums into its buckets: before scan() or finish() returns. */
export function flushAllPending(slots: i32): void {
  const n = slots < PENDING_SLOTS ? slots : PENDING_SLOTS;
  for (let s = 0; s < n; s++) flushPending(SLOTS_OFFSET + <usize>s * SLOT_SIZE, PENDING_OFFSET + <usize>s * PENDING_ENTRY);
}

