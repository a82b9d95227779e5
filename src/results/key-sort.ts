// Sorting group keys (src/kernel/groups.ts: components of one character per byte joined by
// KEY_SEPARATOR) in their order, component by component, bytewise unsigned, a prefix first: a
// most-significant-digit radix sort of indexes into the keys, one character per pass. The engine's
// own string sort calls a comparison per pair; millions of keys took it about 0.8 µs each, a radix
// pass reads each key's character once.

import { KEY_SEPARATOR } from '../kernel/groups.js';

const SEPARATOR_CODE = KEY_SEPARATOR.charCodeAt(0);
/** past a key's end, its separator, then bytes 0 to 255 */
const SYMBOLS = 258;
/** ranges up to this are sorted by insertion */
const SMALL = 24;

/** What decides a key's place at `depth`: 0 past its end (a prefix first), 1 its separator (its component ended first), byte + 2. */
function symbolAt(key: string, depth: number): number {
  if (depth >= key.length) return 0;
  const code = key.charCodeAt(depth);
  return code === SEPARATOR_CODE ? 1 : code + 2;
}

/** Keys compared from `depth` on (they are equal before it), in the order symbolAt() gives. */
function compareFrom(a: string, b: string, depth: number): number {
  const shared = Math.min(a.length, b.length);
  for (let i = depth; i < shared; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x === SEPARATOR_CODE ? -1 : y === SEPARATOR_CODE ? 1 : x - y;
  }
  return a.length - b.length;
}

/** Indexes `order[from..to)` into `keys` rearranged so that their keys are in order (stably). */
export function sortByKey(keys: readonly string[], order: Int32Array, from = 0, to = order.length): void {
  const spare = new Int32Array(to - from);
  const ends = new Int32Array(SYMBOLS);
  // ranges still to sort, three numbers each: from, to, depth (a stack: keys may be long)
  const pending: number[] = [from, to, 0];
  while (pending.length > 0) {
    const depth = pending.pop()!;
    const end = pending.pop()!;
    const start = pending.pop()!;
    if (end - start <= SMALL) {
      for (let i = start + 1; i < end; i++) {
        const index = order[i]!;
        const key = keys[index]!;
        let j = i;
        for (; j > start && compareFrom(keys[order[j - 1]!]!, key, depth) > 0; j--) order[j] = order[j - 1]!;
        order[j] = index;
      }
      continue;
    }
    ends.fill(0);
    for (let i = start; i < end; i++) ends[symbolAt(keys[order[i]!]!, depth)]!++;
    let bucketEnd = start;
    for (let s = 0; s < SYMBOLS; s++) {
      const count = ends[s]!;
      bucketEnd += count;
      ends[s] = bucketEnd;
      // keys that ended here are equal; others go on with the next character
      if (s > 0 && count > 1) pending.push(bucketEnd - count, bucketEnd, depth + 1);
    }
    for (let i = end - 1; i >= start; i--) {
      const index = order[i]!;
      spare[--ends[symbolAt(keys[index]!, depth)]! - from] = index;
    }
    order.set(spare.subarray(start - from, end - from), start);
  }
}
