// A file over 4 GiB scanned through mmap: a sparse file (its holes read as NUL bytes) with known
// records written across the 2 GiB and 4 GiB offsets, where 32-bit offsets would break.

import { closeSync, mkdtempSync, openSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanFile } from '../src/api.js';

const GiB = 2 ** 30;
const dir = mkdtempSync(join(tmpdir(), 'csvscan-large-'));
const path = join(dir, 'sparse.csv');
const pieces: [number, string][] = [
  [0, 'a,b\n'],
  [2 * GiB - 6, '\n1,2\n3,4.5\n'], // the record "1,2" straddles 2^31
  [4 * GiB - 5, '\n5,6\n7,8\n'], // "5,6" straddles 2^32
  [4 * GiB + 123, '\n9,10\n'],
];
const size = 4 * GiB + 123 + 6;

beforeAll(() => {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  for (const [offset, text] of pieces) writeSync(fd, Buffer.from(text), 0, text.length, offset);
  closeSync(fd);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a sparse file over 4 GiB', () => {
  it('is scanned through mmap with every record found', async () => {
    const result = await scanFile(path, { mode: 'stats', columns: ['a', 'b'], io: 'mmap', window: 4 * 1024 * 1024 });
    // records: NULs, 1,2, 3,4.5, NULs, 5,6, 7,8, NULs, 9,10
    expect(result.rows).toBe(8);
    expect(result.bytes).toBe(size);
    expect(result.ragged).toEqual({ short: 3, long: 0 });
    const [a, b] = result.columns!;
    expect(a).toMatchObject({ count: 5, invalid: 3, empty: 0, sum_text: '25', min: 1, max: 9 });
    expect(a!.first_invalid).toEqual({ line: 2, value: '\u0000'.repeat(64) });
    expect(b).toMatchObject({ count: 5, invalid: 0, empty: 3, sum_text: '30.5', min: 2, max: 10 });
  });
});
