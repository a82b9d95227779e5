// Groups as bytes (src/kernel/group-record.ts): a group written as a record reads back the same —
// keys of any bytes, every double of a column (-0, NaN, infinities, 0 dropped and restored), a
// first invalid field, exact sums with and without trailing zeros, negative, past 2^64 — and its
// lines shift by a later range's offset; encoded keys sort as their components do.

import { describe, expect, it } from 'vitest';
import { compareRecordKeys, decodeGroup, encodeGroup, recordComponents, shiftLines } from '../src/kernel/group-record.js';
import { emptyColumn } from '../src/kernel/merge-columns.js';
import { KEY_SEPARATOR } from '../src/kernel/groups.js';
import { compareKeys, keyComponents } from '../src/results/groups.js';
import type { RawColumn } from '../src/types.js';

function column(overrides: Partial<RawColumn>): RawColumn {
  return { ...emptyColumn(3), ...overrides };
}

const COLUMNS: RawColumn[] = [
  emptyColumn(0),
  column({ count: 2, empty: 1, min: -0, max: 0, exactSum: 0n, exactSquares: 0n, forms: 1, minLength: 1, maxLength: 2 }),
  column({ count: 1, min: -5.5, max: 1e300, fsum: NaN, fsumComp: -Infinity, shift: 3.25, exactSum: -1234500000000000000000000000000000000000n, exactSquares: 10n ** 120n }),
  column({ invalid: 2, firstInvalid: { line: 17, value: Uint8Array.from([0, 0x22, 0xff, 10]) }, exactSum: 7n, exactSquares: 49n, outside: 1, fdev: 1e-300, fdevComp: 5e-324, fsq: 2, fsqComp: -2 }),
];

const KEYS = ['', 'a', '\u0000', 'a\u0000', `a${KEY_SEPARATOR}`, `${KEY_SEPARATOR}\u0000`, '\u00ff\u00fe', '\u00c3\u00a9', 'x'.repeat(300)];

describe('group records', () => {
  it('read back the group written, whatever its key and columns', () => {
    for (const key of KEYS) {
      for (const value of [1, 2 ** 53 - 1, { records: 3, columns: COLUMNS }, { records: 1, columns: [COLUMNS[2]!] }]) {
        const record = encodeGroup(key, value).slice();
        const view = new DataView(record.buffer);
        expect(decodeGroup(record, view, 0)).toEqual([key, value]);
        expect(recordComponents(record, 0)).toEqual(keyComponents(key));
      }
    }
  });

  it('shift the lines of first invalid fields, and nothing else', () => {
    const record = encodeGroup('k', { records: 3, columns: COLUMNS }).slice();
    const view = new DataView(record.buffer);
    shiftLines(view, 0, 1000);
    const [, value] = decodeGroup(record, view, 0);
    const shifted = COLUMNS.map((c) => (c.firstInvalid ? { ...c, firstInvalid: { ...c.firstInvalid, line: c.firstInvalid.line + 1000 } } : c));
    expect(value).toEqual({ records: 3, columns: shifted });
  });

  it('compare as their keys do: component by component, bytewise, a prefix first', () => {
    const records = KEYS.map((key) => encodeGroup(key, 1).slice());
    for (let i = 0; i < KEYS.length; i++) {
      for (let j = 0; j < KEYS.length; j++) {
        expect(Math.sign(compareRecordKeys(records[i]!, 0, records[j]!, 0)), `${JSON.stringify(KEYS[i])} ${JSON.stringify(KEYS[j])}`).toBe(Math.sign(compareKeys(KEYS[i]!, KEYS[j]!)));
      }
    }
  });
});
