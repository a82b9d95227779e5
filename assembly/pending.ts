// Pending sums (a stage of assembly/exact.ts's accumulation, apart so that state.ts can flush and
// reset them without importing exact.ts): the common number's exact sums in 64 bits, flushed to the
// slot's 128-bit buckets.

import { KERNEL_SCRATCH_OFFSET, SLOTS_OFFSET, SLOT_SIZE, SLOT_SUMS, SUM_EXP_MIN, SLOT_SQUARES, SQ_EXP_MIN, SLOT_MIN, SLOT_MAX } from './layout';
import { POW10_F64, addI128, addU128 } from './buckets';

// Per slot (the first PENDING_SLOTS), in the kernel scratch after the uniform runs' part: for each
// k in [-18, 0], the sum of the signed mantissas of 10^k (i64), of their squares below 2^50 (u64,
// units of 10^2k), and the least and greatest signed mantissa (so min and max need no double per
// number: each k's extremes are rounded once, when flushed). They go to the slot's buckets and
// extremes when its count reaches a multiple of PENDING_FLUSH (at most PENDING_FLUSH values of
// |m| < 10^15 are pending: neither sum overflows) and before scan() or finish() returns (so the
// slots hold every number whenever the host reads them).
export const PENDING_OFFSET: usize = KERNEL_SCRATCH_OFFSET + 40960;
export const PENDING_SLOTS: i32 = 20;
export const PENDING_EXPONENTS: usize = 19; // k = -18 .. 0
export const PENDING_SQUARES: usize = PENDING_EXPONENTS << 3;
export const PENDING_MIN: usize = PENDING_EXPONENTS << 4; //      i64: the least signed mantissa (I64.MAX_VALUE: none)
export const PENDING_MAX: usize = PENDING_EXPONENTS * 24; //      i64: the greatest (I64.MIN_VALUE: none)
export const PENDING_ENTRY: usize = PENDING_EXPONENTS << 5; // 608 bytes: 20 of them end before COLUMN_MAP
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
    if (squares != 0) {
      addU128(base + SLOT_SQUARES + (<usize>(2 * k - SQ_EXP_MIN) << 4), squares);
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

