// The column profile (stats --distinct, --quantiles): each non-empty value of a slot is hashed
// (MurmurHash3_x86_128 of its bytes after unquoting) into an exact set, while that holds at most
// DISTINCT_EXACT_LIMIT hashes, and into HyperLogLog registers; each number's double is counted in
// its log-linear bucket (256 per power of two: any value in a bucket is within 0.4% of any other).
// Layout and formulas: assembly/layout.ts ("The column profile").
//
// The tables live in a heap of power-of-two blocks after the window, which this module grows
// (memory.grow): the host takes its views again after a call that grew memory. A value split
// across windows is hashed incrementally as the byte machine captures it (hashByte, hashRun);
// a field that lies whole in the window is hashed in one go (hashValue). Both run the same code.
//
// This module imports only layout.ts: state.ts calls resetProfile().

import {
  CONFIG_OFFSET, CONFIG_FLAGS, CONFIG_PROFILE_BASE, FLAG_DISTINCT, FLAG_QUANTILES, RESULTS_OFFSET, RESULT_PROFILE_FAILED,
  SLOT_DISTINCT_TABLE, SLOT_DISTINCT_CAPACITY, SLOT_DISTINCT_COUNT, SLOT_DISTINCT_OVER, SLOT_HLL,
  SLOT_NEGATIVE_BUCKETS, SLOT_POSITIVE_BUCKETS, BUCKETS_FIRST, BUCKETS_LENGTH, SLOT_ZEROS,
  DISTINCT_EXACT_LIMIT, DISTINCT_ENTRY_SIZE, DISTINCT_INITIAL_CAPACITY, DISTINCT_MAX_CAPACITY,
  HLL_PRECISION, HLL_REGISTERS, QUANTILE_KEYS, QUANTILE_INITIAL_KEYS, PROFILE_BLOCK_MIN, PAGE_SIZE,
} from './layout';

// ---- private scratch (inside the CONFIG region: see state.ts) ------------------------------------
const HASH_TAIL: usize = CONFIG_OFFSET + 2304; //  16 bytes: the bytes of a value's unfinished block
const FREE_LISTS: usize = CONFIG_OFFSET + 2368; // 32 x u32: free blocks by log2 of their size

/** FLAG_DISTINCT | FLAG_QUANTILES bits of the configuration */
export let profileFlags: i32 = 0;
let heapTop: usize = 0;

// ================================================================================================
// the heap
// ================================================================================================
export function resetProfile(): void {
  profileFlags = load<i32>(CONFIG_OFFSET + CONFIG_FLAGS) & (FLAG_DISTINCT | FLAG_QUANTILES);
  heapTop = <usize>load<u32>(CONFIG_OFFSET + CONFIG_PROFILE_BASE);
  memory.fill(FREE_LISTS, 0, 32 * 4);
}

/** A zeroed block of `size` bytes (a power of two >= PROFILE_BLOCK_MIN); 0 when memory cannot grow. */
function allocate(size: usize): usize {
  const list = FREE_LISTS + (<usize>ctz(size) << 2);
  let block = <usize>load<u32>(list);
  if (block != 0) {
    store<u32>(list, load<u32>(block));
  } else {
    block = heapTop;
    const top = <u64>heapTop + <u64>size;
    const have = <u64>memory.size() * PAGE_SIZE;
    if (top > have) {
      const pages = <i32>((top - have + PAGE_SIZE - 1) / PAGE_SIZE);
      if (top > 0xffff0000 || memory.grow(pages) < 0) {
        // the profile cannot be complete: the host refuses the scan; nothing more is profiled
        store<i32>(RESULTS_OFFSET + RESULT_PROFILE_FAILED, 1);
        profileFlags = 0;
        return 0;
      }
    }
    heapTop = <usize>top;
  }
  memory.fill(block, 0, size);
  return block;
}

function release(block: usize, size: usize): void {
  const list = FREE_LISTS + (<usize>ctz(size) << 2);
  store<u32>(block, load<u32>(list));
  store<u32>(list, <u32>block);
}

// ================================================================================================
// MurmurHash3_x86_128 (seed 0), fed in pieces
// ================================================================================================
const C1: u32 = 0x239b961b;
const C2: u32 = 0xab0e9789;
const C3: u32 = 0x38b34ae5;
const C4: u32 = 0xa1e38b93;

let h1: u32 = 0;
let h2: u32 = 0;
let h3: u32 = 0;
let h4: u32 = 0;
let tailLength: i32 = 0; // bytes in HASH_TAIL
let hashedLength: u32 = 0;

@inline export function hashReset(): void {
  h1 = 0;
  h2 = 0;
  h3 = 0;
  h4 = 0;
  tailLength = 0;
  hashedLength = 0;
}

@inline function mixBlock(b1: u32, b2: u32, b3: u32, b4: u32): void {
  let k1 = b1 * C1;
  k1 = rotl<u32>(k1, 15) * C2;
  h1 ^= k1;
  h1 = (rotl<u32>(h1, 19) + h2) * 5 + 0x561ccd1b;
  let k2 = b2 * C2;
  k2 = rotl<u32>(k2, 16) * C3;
  h2 ^= k2;
  h2 = (rotl<u32>(h2, 17) + h3) * 5 + 0x0bcaa747;
  let k3 = b3 * C3;
  k3 = rotl<u32>(k3, 17) * C4;
  h3 ^= k3;
  h3 = (rotl<u32>(h3, 15) + h4) * 5 + 0x96cd1c35;
  let k4 = b4 * C4;
  k4 = rotl<u32>(k4, 18) * C1;
  h4 ^= k4;
  h4 = (rotl<u32>(h4, 13) + h1) * 5 + 0x32ac3b17;
}

/** One more byte of the current value. */
@inline export function hashByte(c: u32): void {
  store<u8>(HASH_TAIL + <usize>tailLength, <u8>c);
  hashedLength++;
  if (++tailLength == 16) {
    mixBlock(load<u32>(HASH_TAIL), load<u32>(HASH_TAIL, 4), load<u32>(HASH_TAIL, 8), load<u32>(HASH_TAIL, 12));
    tailLength = 0;
  }
}

/** `length` more bytes of the current value, at `from`. */
export function hashRun(from: usize, length: usize): void {
  let p = from;
  const end = from + length;
  while (tailLength != 0 && p < end) hashByte(<u32>load<u8>(p++));
  const blocks = p;
  while (end - p >= 16) {
    mixBlock(load<u32>(p), load<u32>(p, 4), load<u32>(p, 8), load<u32>(p, 12));
    p += 16;
  }
  hashedLength += <u32>(p - blocks);
  while (p < end) hashByte(<u32>load<u8>(p++));
}

@inline function fmix(x: u32): u32 {
  let h = x;
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

/** The value fed since hashReset() is complete: h1..h4 become its hash. */
function hashFinish(): void {
  // the unfinished block, zero-padded: a word past the tail mixes nothing
  const n = tailLength;
  const keep = n < 8 ? (<u64>1 << (<u64>n << 3)) - 1 : ~(<u64>0);
  const keepHigh = n <= 8 ? 0 : n < 16 ? (<u64>1 << (<u64>(n - 8) << 3)) - 1 : ~(<u64>0);
  finishWith(n, load<u64>(HASH_TAIL) & keep, load<u64>(HASH_TAIL, 8) & keepHigh, hashedLength);
}

/**
 * A value that lies whole in memory, `length` bytes at `from` (in the window: the last block's
 * loads may read up to 15 bytes past it, into the window's slack), hashed in one go.
 */
function hashWhole(from: usize, length: usize): void {
  h1 = 0;
  h2 = 0;
  h3 = 0;
  h4 = 0;
  let p = from;
  const end = from + length;
  while (end - p >= 16) {
    mixBlock(load<u32>(p), load<u32>(p, 4), load<u32>(p, 8), load<u32>(p, 12));
    p += 16;
  }
  const n = <i32>(end - p);
  const keep = n < 8 ? (<u64>1 << (<u64>n << 3)) - 1 : ~(<u64>0);
  const keepHigh = n <= 8 ? 0 : (<u64>1 << (<u64>(n - 8) << 3)) - 1;
  finishWith(n, load<u64>(p) & keep, n > 8 ? load<u64>(p, 8) & keepHigh : 0, <u32>length);
}

/** The tail's n bytes (0 to 15) as two zero-padded words, and the value's length: the final mix. */
@inline function finishWith(n: i32, low: u64, high: u64, length: u32): void {
  // in locals: the globals are written once
  let a = h1;
  let b = h2;
  let c = h3;
  let d = h4;
  if (n > 12) d ^= rotl<u32>(<u32>(high >> 32) * C4, 18) * C1;
  if (n > 8) c ^= rotl<u32>(<u32>high * C3, 17) * C4;
  if (n > 4) b ^= rotl<u32>(<u32>(low >> 32) * C2, 16) * C3;
  if (n > 0) a ^= rotl<u32>(<u32>low * C1, 15) * C2;
  a ^= length;
  b ^= length;
  c ^= length;
  d ^= length;
  a += b + c + d;
  b += a;
  c += a;
  d += a;
  a = fmix(a);
  b = fmix(b);
  c = fmix(c);
  d = fmix(d);
  a += b + c + d;
  h1 = a;
  h2 = b + a;
  h3 = c + a;
  h4 = d + a;
}

// ================================================================================================
// distinct values: an exact set of hashes, HyperLogLog registers
// ================================================================================================

/**
 * A non-empty value of the slot at `base`: its `length` bytes at `value`, or (value 0) the bytes
 * fed with hashByte/hashRun since hashReset().
 */
export function profileValue(base: usize, value: usize, length: i64): void {
  if (value != 0) hashWhole(value, <usize>length);
  else hashFinish();
  let registers = <usize>load<u32>(base + SLOT_HLL);
  if (registers == 0) {
    registers = allocate(HLL_REGISTERS);
    if (registers == 0) return;
    store<u32>(base + SLOT_HLL, <u32>registers);
  }
  const register = registers + <usize>(h2 >>> (32 - HLL_PRECISION));
  const rank = <u8>(clz<u32>(h3) + 1);
  if (rank > load<u8>(register)) store<u8>(register, rank);
  if (load<i32>(base + SLOT_DISTINCT_OVER) != 0) return;
  addHash(base, (<u64>h2 << 32) | <u64>h1, (<u64>(h4 | 0x80000000) << 32) | <u64>h3);
}

function addHash(base: usize, low: u64, high: u64): void {
  let table = <usize>load<u32>(base + SLOT_DISTINCT_TABLE);
  let capacity = <usize>load<u32>(base + SLOT_DISTINCT_CAPACITY);
  if (table == 0) {
    capacity = DISTINCT_INITIAL_CAPACITY;
    table = allocate(capacity * DISTINCT_ENTRY_SIZE);
    if (table == 0) return;
    store<u32>(base + SLOT_DISTINCT_TABLE, <u32>table);
    store<u32>(base + SLOT_DISTINCT_CAPACITY, <u32>capacity);
  }
  const mask = capacity - 1;
  let index = <usize>(<u32>low) & mask;
  while (true) {
    const entry = table + index * DISTINCT_ENTRY_SIZE;
    const entryHigh = load<u64>(entry, 8);
    if (entryHigh == 0) break;
    if (entryHigh == high && load<u64>(entry) == low) return; // seen
    index = (index + 1) & mask;
  }
  const count = load<u32>(base + SLOT_DISTINCT_COUNT) + 1;
  if (count > <u32>DISTINCT_EXACT_LIMIT) {
    // more distinct values than the exact limit: from now on the registers alone
    release(table, capacity * DISTINCT_ENTRY_SIZE);
    store<u32>(base + SLOT_DISTINCT_TABLE, 0);
    store<u32>(base + SLOT_DISTINCT_CAPACITY, 0);
    store<u32>(base + SLOT_DISTINCT_COUNT, 0);
    store<i32>(base + SLOT_DISTINCT_OVER, 1);
    return;
  }
  const entry = table + index * DISTINCT_ENTRY_SIZE;
  store<u64>(entry, low);
  store<u64>(entry, high, 8);
  store<u32>(base + SLOT_DISTINCT_COUNT, count);
  // at most 3/4 full, but for the largest table (100000 of 131072)
  if (<usize>count * 4 > capacity * 3 && capacity < <usize>DISTINCT_MAX_CAPACITY) growSet(base, table, capacity);
}

function growSet(base: usize, table: usize, capacity: usize): void {
  const grown = capacity * 2;
  const next = allocate(grown * DISTINCT_ENTRY_SIZE);
  if (next == 0) return;
  const mask = grown - 1;
  for (let e: usize = 0; e < capacity; e++) {
    const entry = table + e * DISTINCT_ENTRY_SIZE;
    const high = load<u64>(entry, 8);
    if (high == 0) continue;
    const low = load<u64>(entry);
    let index = <usize>(<u32>low) & mask;
    while (load<u64>(next + index * DISTINCT_ENTRY_SIZE, 8) != 0) index = (index + 1) & mask;
    store<u64>(next + index * DISTINCT_ENTRY_SIZE, low);
    store<u64>(next + index * DISTINCT_ENTRY_SIZE, high, 8);
  }
  release(table, capacity * DISTINCT_ENTRY_SIZE);
  store<u32>(base + SLOT_DISTINCT_TABLE, <u32>next);
  store<u32>(base + SLOT_DISTINCT_CAPACITY, <u32>grown);
}

// ================================================================================================
// quantiles: numbers counted by log-linear bucket
// ================================================================================================

/** A number of the slot at `base`, as the double Number() gives its text. */
export function profileNumber(base: usize, value: f64): void {
  if (value == 0) {
    store<i64>(base + SLOT_ZEROS, load<i64>(base + SLOT_ZEROS) + 1);
    return;
  }
  let magnitude = Math.abs(value);
  let lower: i32 = 0;
  if (magnitude < 2.2250738585072014e-308) {
    // a subnormal: its key is that of the normal x * 2^64 (an exact product), 64 powers of two lower
    magnitude *= 18446744073709551616.0;
    lower = 64 << 8;
  }
  const key = <i32>(reinterpret<u64>(magnitude) >> 44) + (51 << 8) - lower;
  const buckets = base + (value < 0 ? SLOT_NEGATIVE_BUCKETS : SLOT_POSITIVE_BUCKETS);
  let counts = <usize>load<u32>(buckets);
  let first = load<i32>(buckets, BUCKETS_FIRST);
  const length = load<i32>(buckets, BUCKETS_LENGTH);
  if (counts == 0 || key < first || key >= first + length) {
    counts = growBuckets(buckets, key);
    if (counts == 0) return;
    first = load<i32>(buckets, BUCKETS_FIRST);
  }
  const count = counts + (<usize>(key - first) << 3);
  store<i64>(count, load<i64>(count) + 1);
}

/** The buckets at `buckets` widened (at least doubled) to hold `key`; returns their new address. */
function growBuckets(buckets: usize, key: i32): usize {
  const counts = <usize>load<u32>(buckets);
  const first = load<i32>(buckets, BUCKETS_FIRST);
  const length = load<i32>(buckets, BUCKETS_LENGTH);
  let low = key;
  let high = key + 1;
  let grown = QUANTILE_INITIAL_KEYS;
  if (counts != 0) {
    if (first < low) low = first;
    if (first + length > high) high = first + length;
    grown = length * 2;
    while (grown < high - low) grown *= 2;
  }
  // grow away from the keys held: downwards for a smaller key, else upwards; within the key range
  let start = counts != 0 && key < first ? high - grown : low;
  if (counts == 0) start = key - grown / 2;
  if (start > QUANTILE_KEYS - grown) start = QUANTILE_KEYS - grown;
  if (start < 0) start = 0;
  const next = allocate(<usize>grown << 3);
  if (next == 0) return 0;
  if (counts != 0) {
    memory.copy(next + (<usize>(first - start) << 3), counts, <usize>length << 3);
    release(counts, <usize>length << 3);
  }
  store<u32>(buckets, <u32>next);
  store<i32>(buckets, start, BUCKETS_FIRST);
  store<i32>(buckets, grown, BUCKETS_LENGTH);
  return next;
}
