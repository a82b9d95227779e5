// The column profile's sketches as the host holds them (types: src/types.ts DistinctSketch,
// QuantileSketch), shared by the JavaScript engine, which builds them as the kernel does
// (assembly/profile.ts), and by every merge (threads, ranges, `merge`): exact sets of 128-bit value
// hashes united while they hold at most DISTINCT_EXACT_LIMIT, HyperLogLog registers max-merged,
// bucket counts added. Whatever the split of a file, the merged sketch is the whole file's.

import {
  DISTINCT_EXACT_LIMIT, DISTINCT_INITIAL_CAPACITY, HLL_PRECISION, HLL_REGISTERS, QUANTILE_INITIAL_KEYS, QUANTILE_KEYS,
} from '../../assembly/layout.js';
import type { BucketCounts, DistinctSketch, QuantileSketch } from '../types.js';

/** An open-addressing set of 128-bit hashes (4 words; the 4th has its top bit set, so never 0). */
export class HashSet128 {
  private table = new Uint32Array(DISTINCT_INITIAL_CAPACITY * 4);
  private mask = DISTINCT_INITIAL_CAPACITY - 1;
  size = 0;

  /** Adds a hash; false if it was there. */
  add(w1: number, w2: number, w3: number, w4: number): boolean {
    const table = this.table;
    let index = w1 & this.mask;
    while (true) {
      const at = index * 4;
      const high = table[at + 3]!;
      if (high === 0) break;
      if (high === w4 && table[at] === w1 && table[at + 1] === w2 && table[at + 2] === w3) return false;
      index = (index + 1) & this.mask;
    }
    const at = index * 4;
    table[at] = w1;
    table[at + 1] = w2;
    table[at + 2] = w3;
    table[at + 3] = w4;
    this.size++;
    if (this.size * 4 > (this.mask + 1) * 3) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.mask = old.length / 2 - 1;
    this.size = 0;
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 3] !== 0) this.add(old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!);
    }
  }

  /** The hashes, 4 words each, in table order. */
  hashes(): Uint32Array {
    const out = new Uint32Array(this.size * 4);
    let n = 0;
    const table = this.table;
    for (let at = 0; at < table.length; at += 4) {
      if (table[at + 3] === 0) continue;
      out.set(table.subarray(at, at + 4), n);
      n += 4;
    }
    return out;
  }
}

/** A value's hash words h2 and h3 into HyperLogLog registers (assembly/layout.ts: the register and its rank). */
export function addToRegisters(registers: Uint8Array, h2: number, h3: number): void {
  const register = h2 >>> (32 - HLL_PRECISION);
  const rank = Math.clz32(h3) + 1;
  if (rank > registers[register]!) registers[register] = rank;
}

/** Counts of no number. */
export const noBuckets = (): BucketCounts => ({ first: 0, counts: new Float64Array(0) });

/** A column's distinct values as the JavaScript engine gathers them. */
export class DistinctBuilder {
  private set: HashSet128 | null = new HashSet128();
  private registers: Uint8Array | null = null;

  /** A value's hash (h4 as computed: the set's 4th word is h4 | 2^31). */
  add(h1: number, h2: number, h3: number, h4: number): void {
    addToRegisters((this.registers ??= new Uint8Array(HLL_REGISTERS)), h2, h3);
    if (this.set && this.set.add(h1 >>> 0, h2 >>> 0, h3 >>> 0, (h4 | 0x80000000) >>> 0) && this.set.size > DISTINCT_EXACT_LIMIT) {
      this.set = null;
    }
  }

  sketch(): DistinctSketch {
    return { hashes: this.set ? this.set.hashes() : null, registers: this.registers ? this.registers.slice() : null };
  }
}

/** Two parts' distinct values as one: the union of the sets while it is within the limit, registers max. */
export function mergeDistinct(a: DistinctSketch, b: DistinctSketch): DistinctSketch {
  let registers: Uint8Array | null = a.registers ?? b.registers;
  if (a.registers && b.registers) {
    registers = a.registers.slice();
    for (let i = 0; i < registers.length; i++) if (b.registers[i]! > registers[i]!) registers[i] = b.registers[i]!;
  } else if (registers) {
    registers = registers.slice();
  }
  let hashes: Uint32Array | null = null;
  if (a.hashes && b.hashes) {
    const set = new HashSet128();
    for (const part of [a.hashes, b.hashes]) {
      for (let at = 0; at < part.length && set.size <= DISTINCT_EXACT_LIMIT; at += 4) set.add(part[at]!, part[at + 1]!, part[at + 2]!, part[at + 3]!);
    }
    hashes = set.size > DISTINCT_EXACT_LIMIT ? null : set.hashes();
  }
  return { hashes, registers };
}

/** The bucket key of a nonzero number (assembly/layout.ts "The column profile"). */
const keyScratch = new Float64Array(1);
const keyWords = new Uint32Array(keyScratch.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

function bucketKey(value: number): number {
  let magnitude = Math.abs(value);
  let lower = 0;
  if (magnitude < 2.2250738585072014e-308) {
    magnitude *= 18446744073709551616;
    lower = 64 << 8;
  }
  keyScratch[0] = magnitude;
  return (keyWords[HIGH_WORD]! >>> 12) + (51 << 8) - lower;
}

/** Counts by key, grown as keys come (the JavaScript engine's buckets of one sign). */
class BucketBuilder {
  first = 0;
  counts: Float64Array | null = null;

  add(key: number): void {
    let counts = this.counts;
    if (!counts || key < this.first || key >= this.first + counts.length) counts = this.grow(key);
    counts[key - this.first]!++;
  }

  private grow(key: number): Float64Array {
    const old = this.counts;
    let low = key;
    let high = key + 1;
    let length = QUANTILE_INITIAL_KEYS;
    if (old) {
      low = Math.min(low, this.first);
      high = Math.max(high, this.first + old.length);
      length = old.length * 2;
      while (length < high - low) length *= 2;
    }
    const first = Math.max(0, Math.min(old ? (key < this.first ? high - length : low) : key - length / 2, QUANTILE_KEYS - length));
    const counts = new Float64Array(length);
    if (old) counts.set(old, this.first - first);
    this.first = first;
    this.counts = counts;
    return counts;
  }

  result(): BucketCounts {
    return trimBuckets(this.first, this.counts ?? new Float64Array(0));
  }
}

/** A column's numbers by bucket as the JavaScript engine counts them. */
export class QuantileBuilder {
  private zeros = 0;
  private readonly negative = new BucketBuilder();
  private readonly positive = new BucketBuilder();

  add(value: number): void {
    if (value === 0) this.zeros++;
    else (value < 0 ? this.negative : this.positive).add(bucketKey(value));
  }

  sketch(): QuantileSketch {
    return { zeros: this.zeros, negative: this.negative.result(), positive: this.positive.result() };
  }
}

/** Counts without the zero counts at either end (the one form results take, whatever the engine). */
export function trimBuckets(first: number, counts: Float64Array): BucketCounts {
  let start = 0;
  let end = counts.length;
  while (start < end && counts[start] === 0) start++;
  while (end > start && counts[end - 1] === 0) end--;
  return start === end ? noBuckets() : { first: first + start, counts: counts.slice(start, end) };
}

function mergeBuckets(a: BucketCounts, b: BucketCounts): BucketCounts {
  if (a.counts.length === 0) return b;
  if (b.counts.length === 0) return a;
  const first = Math.min(a.first, b.first);
  const end = Math.max(a.first + a.counts.length, b.first + b.counts.length);
  const counts = new Float64Array(end - first);
  for (const part of [a, b]) {
    for (let i = 0; i < part.counts.length; i++) counts[part.first - first + i]! += part.counts[i]!;
  }
  return { first, counts };
}

export function mergeQuantiles(a: QuantileSketch, b: QuantileSketch): QuantileSketch {
  return { zeros: a.zeros + b.zeros, negative: mergeBuckets(a.negative, b.negative), positive: mergeBuckets(a.positive, b.positive) };
}

/** The empty sketches of a column with no value yet. */
export const emptyDistinct = (): DistinctSketch => ({ hashes: new Uint32Array(0), registers: null });
export const emptyQuantiles = (): QuantileSketch => ({
  zeros: 0,
  negative: noBuckets(),
  positive: noBuckets(),
});
