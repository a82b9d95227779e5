// Ordering group keys: keys as bytes (encoded as src/kernel/group-record.ts does, so that bytewise
// order is the order of their components, a prefix first), sorted by radix, not by comparisons
// (the engine's string sort took about 0.8 µs a key for millions of keys); the groups of count --by
// most records first (a counting sort), ties by key.

/** ranges up to this are sorted by insertion */
const SMALL = 24;

/**
 * The order of keys `bytes[starts[i]..ends[i])` (indexes): by key, or, given each one's `rows`, most
 * rows first and ties by key; the first `limit` at least in their place.
 */
export function orderKeys(bytes: Uint8Array, starts: Int32Array, ends: Int32Array, rows: Float64Array | null, limit = starts.length): Int32Array {
  const n = starts.length;
  const order = new Int32Array(n);
  if (!rows) {
    for (let i = 0; i < n; i++) order[i] = i;
    sortRecordsByKey(bytes, starts, ends, order);
    return order;
  }
  // all alike (millions of keys of one record each, say): by key alone
  let alike = true;
  for (let i = 1; i < n && alike; i++) alike = rows[i] === rows[0];
  if (alike) return orderKeys(bytes, starts, ends, null);
  const tally = new Map<number, number>();
  for (let i = 0; i < n; i++) tally.set(rows[i]!, (tally.get(rows[i]!) ?? 0) + 1);
  const counts = Float64Array.from(tally.keys()).sort().reverse();
  // where each count's groups begin, then (after placing them) end
  const next = new Map<number, number>();
  let at = 0;
  for (const records of counts) {
    next.set(records, at);
    at += tally.get(records)!;
  }
  for (let i = 0; i < n; i++) {
    const place = next.get(rows[i]!)!;
    order[place] = i;
    next.set(rows[i]!, place + 1);
  }
  let from = 0;
  for (const records of counts) {
    if (from >= limit) break;
    const to = next.get(records)!;
    if (to - from > 1) sortRecordsByKey(bytes, starts, ends, order, from, to);
    from = to;
  }
  return order;
}

/** bytes 0 to 255 after "past the key's end" */
const BYTE_SYMBOLS = 257;

/** Keys as bytes from `from` on, in order, a prefix first (they are equal before `depth`). */
function compareBytesFrom(bytes: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number, depth: number): number {
  const shared = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = depth; i < shared; i++) {
    const d = bytes[aStart + i]! - bytes[bStart + i]!;
    if (d !== 0) return d;
  }
  return aEnd - aStart - (bEnd - bStart);
}

/**
 * Indexes `order[from..to)` rearranged so that their keys, `bytes[starts[i]..ends[i])`, are in order:
 * bytewise unsigned, a prefix first (stably). The keys of records (src/kernel/group-record.ts) are
 * encoded so that this is the order of their components. First by the keys' first 8 bytes (padded
 * with zeros: a key that sorts first never has a larger prefix), as two 32-bit numbers sorted by a
 * least-significant-digit radix of 16 bits, which reads memory in order; then each run of equal
 * prefixes by the bytes after them.
 */
export function sortRecordsByKey(bytes: Uint8Array, starts: Int32Array, ends: Int32Array, order: Int32Array, from = 0, to = order.length): void {
  const n = to - from;
  if (n <= SMALL) {
    sortRecordsFrom(bytes, starts, ends, order, from, to, 0);
    return;
  }
  let high = new Uint32Array(n);
  let low = new Uint32Array(n);
  let index = order.slice(from, to);
  for (let i = 0; i < n; i++) {
    const start = starts[index[i]!]!;
    const length = ends[index[i]!]! - start;
    let h = 0;
    let l = 0;
    for (let b = 0; b < 4; b++) h = h * 256 + (b < length ? bytes[start + b]! : 0);
    for (let b = 4; b < 8; b++) l = l * 256 + (b < length ? bytes[start + b]! : 0);
    high[i] = h;
    low[i] = l;
  }
  let nextHigh = new Uint32Array(n);
  let nextLow = new Uint32Array(n);
  let nextIndex = new Int32Array(n);
  const counts = new Int32Array(65536);
  // four passes, least significant digit first: low's low half, low's high half, high's, high's
  for (let pass = 0; pass < 4; pass++) {
    const words = pass < 2 ? low : high;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(words[i]! >>> shift) & 0xffff]!++;
    // a digit all keys share moves nothing
    if (counts[(words[0]! >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const count = counts[d]!;
      counts[d] = sum;
      sum += count;
    }
    for (let i = 0; i < n; i++) {
      const place = counts[(words[i]! >>> shift) & 0xffff]!++;
      nextHigh[place] = high[i]!;
      nextLow[place] = low[i]!;
      nextIndex[place] = index[i]!;
    }
    [high, nextHigh] = [nextHigh, high];
    [low, nextLow] = [nextLow, low];
    [index, nextIndex] = [nextIndex, index];
  }
  order.set(index, from);
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && high[j] === high[i] && low[j] === low[i]) j++;
    if (j - i > 1) sortRecordsFrom(bytes, starts, ends, order, from + i, from + j, 8);
    i = j;
  }
}

/** sortRecordsByKey() of keys equal before `depth`: a most-significant-digit radix sort, one byte a pass. */
function sortRecordsFrom(bytes: Uint8Array, starts: Int32Array, ends: Int32Array, order: Int32Array, from: number, to: number, depth: number): void {
  if (to - from <= SMALL) {
    insertRecords(bytes, starts, ends, order, from, to, depth);
    return;
  }
  const spare = new Int32Array(to - from);
  const ends256 = new Int32Array(BYTE_SYMBOLS);
  const pending: number[] = [from, to, depth];
  const symbolAt = (index: number, depth: number): number => {
    const at = starts[index]! + depth;
    return at < ends[index]! ? bytes[at]! + 1 : 0;
  };
  while (pending.length > 0) {
    const depth = pending.pop()!;
    const end = pending.pop()!;
    const start = pending.pop()!;
    if (end - start <= SMALL) {
      insertRecords(bytes, starts, ends, order, start, end, depth);
      continue;
    }
    ends256.fill(0);
    for (let i = start; i < end; i++) ends256[symbolAt(order[i]!, depth)]!++;
    let bucketEnd = start;
    for (let s = 0; s < BYTE_SYMBOLS; s++) {
      const count = ends256[s]!;
      bucketEnd += count;
      ends256[s] = bucketEnd;
      // keys that ended here are equal; others go on with the next byte
      if (s > 0 && count > 1) pending.push(bucketEnd - count, bucketEnd, depth + 1);
    }
    for (let i = end - 1; i >= start; i--) {
      const index = order[i]!;
      spare[--ends256[symbolAt(index, depth)]! - from] = index;
    }
    order.set(spare.subarray(start - from, end - from), start);
  }
}

/** sortRecordsFrom() of a few keys: by insertion. */
function insertRecords(bytes: Uint8Array, starts: Int32Array, ends: Int32Array, order: Int32Array, from: number, to: number, depth: number): void {
  for (let i = from + 1; i < to; i++) {
    const index = order[i]!;
    let j = i;
    for (; j > from; j--) {
      const before = order[j - 1]!;
      if (compareBytesFrom(bytes, starts[before]!, ends[before]!, starts[index]!, ends[index]!, depth) <= 0) break;
      order[j] = before;
    }
    order[j] = index;
  }
}
