// The column profile's figures from its merged sketches (docs/spec.md "Output"): the distinct count,
// exact from the set of value hashes or estimated from the HyperLogLog registers, and the quartiles
// from the bucket counts. Pure functions of the sketches, so every split of a file gives the same.

import { HLL_REGISTERS } from '../../assembly/layout.js';
import type { DistinctSketch, QuantileSketch } from '../types.js';

/** Distinct values: the set's size, else the registers' estimate (rounded to a whole number). */
export function distinctCount(sketch: DistinctSketch): { distinct: number; exact: boolean } {
  if (sketch.hashes) return { distinct: sketch.hashes.length / 4, exact: true };
  return { distinct: Math.round(hllEstimate(sketch.registers ?? new Uint8Array(HLL_REGISTERS))), exact: false };
}

/**
 * HyperLogLog's estimate (Flajolet et al. 2007) with the small-range correction (linear counting
 * while registers are empty and the raw estimate is under 2.5 m). It is used only past the exact
 * limit, 100000 values, where m = 16384 registers give a standard error of 1.04 / sqrt(m) = 0.81%.
 */
function hllEstimate(registers: Uint8Array): number {
  const m = registers.length;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < m; i++) {
    const rank = registers[i]!;
    sum += 2 ** -rank;
    if (rank === 0) zeros++;
  }
  const alpha = 0.7213 / (1 + 1.079 / m);
  const raw = (alpha * m * m) / sum;
  return raw <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : raw;
}

/** The 25th, 50th and 75th percentiles (nearest rank, ceil(p * count)) of `count` numbers. */
export function quartiles(sketch: QuantileSketch, count: number, min: number, max: number): [number, number, number] | null {
  if (count === 0) return null;
  return [0.25, 0.5, 0.75].map((p) => quantile(sketch, Math.max(1, Math.ceil(p * count)), min, max)) as [number, number, number];
}

/**
 * The number of rank `rank` (1-based, in value order), within its bucket: the negative buckets
 * from the largest magnitude down, the zeros, the positive buckets up. Every number of a bucket is
 * within 0.4% of every other, so the one reported (the shortest decimal of the bucket, clamped to
 * [min, max]) is within 0.4% of the exact one.
 */
function quantile(sketch: QuantileSketch, rank: number, min: number, max: number): number {
  let remaining = rank;
  const negative = sketch.negative;
  for (let i = negative.counts.length - 1; i >= 0; i--) {
    remaining -= negative.counts[i]!;
    if (remaining <= 0) {
      const [low, high] = bucketBounds(negative.first + i);
      return representative(Math.max(-high, min), Math.min(-low, max));
    }
  }
  remaining -= sketch.zeros;
  if (remaining <= 0) return 0;
  const positive = sketch.positive;
  for (let i = 0; i < positive.counts.length; i++) {
    remaining -= positive.counts[i]!;
    if (remaining <= 0) {
      const [low, high] = bucketBounds(positive.first + i);
      return representative(Math.max(low, min), Math.min(high, max));
    }
  }
  return max; // counts short of `count` (not from a valid sketch)
}

/**
 * The magnitudes bucket `key` holds: [low, high) for a finite bucket, the bound of the next one
 * excluded by taking the double before it (assembly/layout.ts "The column profile").
 */
function bucketBounds(key: number): [number, number] {
  const exponent = (key >> 8) - 51 - 1023;
  const step = key & 255;
  if (exponent > 1023) return [Infinity, Infinity];
  const low = scaleByPowerOfTwo(256 + step, exponent - 8);
  const next = scaleByPowerOfTwo(257 + step, exponent - 8);
  return [low, next === Infinity ? Number.MAX_VALUE : doubleBefore(next)];
}

/** m x 2^e in two steps, so that neither underflows to zero on the way to a subnormal result. */
function scaleByPowerOfTwo(m: number, e: number): number {
  return e < -1000 ? m * 2 ** (e + 100) * 2 ** -100 : m * 2 ** e;
}

const scratch = new Float64Array(1);
const scratchBits = new BigUint64Array(scratch.buffer);

/** The largest double below the positive double x. */
function doubleBefore(x: number): number {
  scratch[0] = x;
  scratchBits[0]! -= 1n;
  return scratch[0]!;
}

/** The shortest decimal in [low, high], nearest the middle among the shortest. */
function representative(low: number, high: number): number {
  if (low >= high) return low;
  if (!Number.isFinite(low) || !Number.isFinite(high)) return Number.isFinite(low) ? high : low;
  const middle = low + (high - low) / 2;
  for (let digits = 1; digits <= 17; digits++) {
    const candidate = Number(middle.toPrecision(digits));
    if (candidate >= low && candidate <= high) return candidate;
  }
  return middle;
}
