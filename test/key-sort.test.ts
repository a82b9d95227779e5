// Ordering groups (src/results/key-sort.ts, orderEntries in src/results/groups.ts): keys encoded as
// bytes (src/kernel/group-record.ts) and sorted by radix come in the order of compareKeys()
// (component by component, bytewise unsigned, a prefix first) on generated keys with separators,
// zero and high bytes, shared prefixes (past the 8 bytes sorted first too) and long keys; groups of
// count --by come most records first, ties by key, for any limit.

import { describe, expect, it } from 'vitest';
import { KEY_SEPARATOR, type GroupValue } from '../src/kernel/groups.js';
import { sortRecordsByKey } from '../src/results/key-sort.js';
import { encodeKeys } from '../src/kernel/group-record.js';
import { compareGroups, compareKeys, orderEntries } from '../src/results/groups.js';
import { SeededRandom } from './reference/generate.js';

/** Distinct keys of `components` components: bytes drawn mostly from a few (long shared prefixes), some 0, 255 and others. */
function randomKeys(random: SeededRandom, count: number, components: number): string[] {
  const alphabet = [0, 1, 48, 49, 97, 255, 0x80];
  const keys = new Set<string>();
  while (keys.size < count) {
    const parts: string[] = [];
    for (let c = 0; c < components; c++) {
      const length = random.int(0, random.int(0, 9) === 0 ? 80 : random.int(0, 1) === 0 ? 5 : 12);
      let part = '';
      for (let i = 0; i < length; i++) part += String.fromCharCode(random.int(0, 3) === 0 ? random.int(0, 255) : alphabet[random.int(0, alphabet.length - 1)]!);
      parts.push(part);
    }
    keys.add(parts.join(KEY_SEPARATOR));
  }
  return [...keys];
}

describe('ordering group keys', () => {
  it('sorts keys as compareKeys does, whole and in part', () => {
    const random = new SeededRandom(7);
    for (const [count, components] of [[0, 1], [1, 1], [24, 1], [30, 1], [2000, 1], [3000, 2], [3000, 3]] as const) {
      const keys = randomKeys(random, count, components);
      const { bytes, starts, ends } = encodeKeys(keys);
      const sortByKey = (_: string[], order: Int32Array, from?: number, to?: number): void => sortRecordsByKey(bytes, starts, ends, order, from, to);
      const order = Int32Array.from(keys, (_, i) => i);
      sortByKey(keys, order);
      expect([...order].map((i) => keys[i]), `${count} keys of ${components}`).toEqual([...keys].sort(compareKeys));
      if (count < 10) continue;
      // a range of the indexes alone; the rest stays as it was
      const part = Int32Array.from(keys, (_, i) => i);
      sortByKey(keys, part, 5, count - 5);
      expect([...part.subarray(0, 5)]).toEqual([0, 1, 2, 3, 4]);
      expect([...part.subarray(count - 5)]).toEqual([...Array(5).keys()].map((i) => count - 5 + i));
      expect([...part.subarray(5, count - 5)].map((i) => keys[i])).toEqual(keys.slice(5, count - 5).sort(compareKeys));
    }
  });

  it('orders count groups most records first, ties by key, and the others by key, for any limit', () => {
    const random = new SeededRandom(11);
    const keys = randomKeys(random, 5000, 2);
    const entries: [string, GroupValue][] = keys.map((key) => [key, random.int(1, random.int(0, 1) === 0 ? 3 : 5000)]);
    const byRecords = [...entries].sort(compareGroups);
    const byKey = [...entries].sort((a, b) => compareKeys(a[0], b[0]));
    for (const limit of [0, 1, 7, 100, 4999, 5000, 6000]) {
      expect(orderEntries(entries, entries.length, limit, true), `limit ${limit}`).toEqual(byRecords.slice(0, limit));
      expect(orderEntries(new Map(entries), entries.length, limit, false), `limit ${limit}`).toEqual(byKey.slice(0, limit));
    }
  });
});
