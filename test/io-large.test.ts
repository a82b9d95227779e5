// Files past 2 GiB and 4 GiB through mmap: proves the 64-bit size/offset patch of @riaskov/mmap-io
// (unpatched, an offset >= 2 GiB fails and an offset of 4 GiB silently maps offset 0).
// The file is sparse: 4.5 GiB long, a few pages on disk.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../src/io/index.js';
import { MMAP_PATCH_VERSION, type MmapBinding } from '../src/io/mmap-binding.js';
import type { IoMode } from '../src/types.js';

const GIB = 2 ** 30;
const FILE_SIZE = 4.5 * GIB;

/** Records at offsets a 32-bit size or offset gets wrong, each straddling or past a boundary. */
const MARKERS = [
  { position: 0, text: 'offset zero: not what 4 GiB should read\n' },
  { position: 2 * GIB - 10, text: 'across 2 GiB,1234.5\n' },
  { position: 2 * GIB + 100, text: 'past 2 GiB,-77\n' },
  { position: 4 * GIB - 5, text: 'across 4 GiB,0.001\n' },
  { position: 4 * GIB + 123, text: 'past 4 GiB,42\n' },
  { position: FILE_SIZE - 9, text: 'the end\r\n' },
];

const mmap = createRequire(import.meta.url)('@riaskov/mmap-io') as MmapBinding;

let dir: string;
let file: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csvscan-io-large-'));
  file = path.join(dir, 'sparse-4.5GiB.csv');
  const fd = fs.openSync(file, 'w');
  try {
    fs.ftruncateSync(fd, FILE_SIZE);
    for (const { position, text } of MARKERS) fs.writeSync(fd, text, position, 'latin1');
  } finally {
    fs.closeSync(fd);
  }
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What the file holds at [position, position + length): zeros except the markers. */
function expectedBytes(position: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (const marker of MARKERS) {
    const text = Buffer.from(marker.text, 'latin1');
    const start = marker.position - position;
    // The part of the marker inside the range (a marker may begin before it).
    if (start < length && start + text.length > 0) text.subarray(Math.max(0, -start)).copy(bytes, Math.max(0, start));
  }
  return bytes.subarray(0, Math.max(0, Math.min(length, FILE_SIZE - position)));
}

describe('a sparse 4.5 GiB file', () => {
  it('is mapped with 64-bit offsets by the installed, patched binding', () => {
    expect(mmap.CSVSCAN_PATCH).toBe(MMAP_PATCH_VERSION);
  });

  it.each<IoMode>(['mmap', 'read'])('reads the records around 2 GiB and 4 GiB (%s)', (io) => {
    const source = openSource(file, io);
    try {
      expect(source.size).toBe(FILE_SIZE);
      const window = new Uint8Array(64);
      for (const { position, text } of MARKERS) {
        const start = Math.max(0, position - 16); // a few zero bytes before the record too
        const got = source.read(window, start);
        const expected = expectedBytes(start, window.length);
        expect(got).toBe(expected.length);
        expect(Buffer.from(window.subarray(0, got)).toString('latin1')).toBe(expected.toString('latin1'));
        expect(Buffer.from(window.subarray(position - start, position - start + text.length)).toString('latin1'))
          .toBe(text);
        source.release(start);
      }
      expect(source.read(window, FILE_SIZE)).toBe(0);
    } finally {
      source.close();
    }
  });

  it('copies a window spanning the 4 GiB segment boundary with small segments', () => {
    const source = openSource(file, 'mmap', { segmentSize: 1024 * 1024 });
    try {
      const start = 4 * GIB - 3000;
      const window = new Uint8Array(8192);
      expect(source.read(window, start)).toBe(window.length);
      expect(Buffer.from(window).equals(expectedBytes(start, window.length))).toBe(true);
    } finally {
      source.close();
    }
  });

  it('keeps resident memory flat while a scan releases behind itself', () => {
    // Reading a hole faults in a zeroed page-cache page, so even sparse bytes count as resident
    // while mapped: without release() a 1 GiB scan would hold up to three 256 MiB segments.
    const source = openSource(file, 'mmap');
    try {
      const window = new Uint8Array(4 * 1024 * 1024);
      const scanStart = 2 * GIB + 4096;
      const scanEnd = scanStart + GIB;
      const baseline = process.memoryUsage.rss();
      let peak = baseline;
      for (let position = scanStart; position < scanEnd;) {
        position += source.read(window, position);
        source.release(position);
        peak = Math.max(peak, process.memoryUsage.rss());
      }
      expect(peak - baseline).toBeLessThan(64 * 1024 * 1024);
    } finally {
      source.close();
    }
  });

  describe('the raw patched binding', () => {
    it('maps offset 4 GiB to the bytes at 4 GiB, not those at offset 0', () => {
      const fd = fs.openSync(file, 'r');
      try {
        const view = mmap.map(mmap.PAGESIZE, mmap.PROT_READ, mmap.MAP_SHARED, fd, 4 * GIB, 0);
        expect(view.length).toBe(mmap.PAGESIZE);
        expect(view.toString('latin1', 123, 123 + 'past 4 GiB,42\n'.length)).toBe('past 4 GiB,42\n');
        expect(view.toString('latin1', 0, 12)).not.toBe('offset zero:');
        expect(view.equals(expectedBytes(4 * GIB, mmap.PAGESIZE))).toBe(true);
      } finally {
        fs.closeSync(fd);
      }
    });

    it('maps more than 2 GiB at once, at an offset past 2 GiB', () => {
      const fd = fs.openSync(file, 'r');
      try {
        const length = 2 * GIB + mmap.PAGESIZE;
        const view = mmap.map(length, mmap.PROT_READ, mmap.MAP_SHARED, fd, 2 * GIB, 0);
        expect(view.length).toBe(length);
        expect(view.toString('latin1', 100, 100 + 'past 2 GiB,-77\n'.length)).toBe('past 2 GiB,-77\n');
        const at4GiB = 2 * GIB + 123;
        expect(view.toString('latin1', at4GiB, at4GiB + 'past 4 GiB,42\n'.length)).toBe('past 4 GiB,42\n');
        // Give the pages back now rather than at garbage collection.
        mmap.advise(view, 0, length, mmap.MADV_DONTNEED);
      } finally {
        fs.closeSync(fd);
      }
    });
  });
});
