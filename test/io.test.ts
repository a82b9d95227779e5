// Byte sources: every way of reading a file must hand the scan loop exactly the file's bytes.

import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvscanError, EXIT_USAGE } from '../src/errors.js';
import { openFailure } from '../src/io/failures.js';
import { openSource, type ByteSource, type SourceOptions } from '../src/io/index.js';
import type { IoMode } from '../src/types.js';

const PAGE = (createRequire(import.meta.url)('@riaskov/mmap-io') as { PAGESIZE: number }).PAGESIZE;
const MIB = 1024 * 1024;
const DST_SIZES = [1, 2, 3, 7, 64, 4096, MIB];

let dir: string;
/** 2.5 MiB + 17 random bytes: more than two 1 MiB windows, not a whole number of pages */
let bigPath: string;
let bigBytes: Buffer;
/** 5 pages + 333 random bytes, for scans with tiny windows */
let smallPath: string;
let smallBytes: Buffer;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csvscan-io-'));
  bigBytes = randomBytes(2.5 * MIB + 17);
  bigPath = path.join(dir, 'big.bin');
  fs.writeFileSync(bigPath, bigBytes);
  smallBytes = randomBytes(5 * PAGE + 333);
  smallPath = path.join(dir, 'small.bin');
  fs.writeFileSync(smallPath, smallBytes);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Deterministic so that a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Reads the whole source with `windowSize` windows, releasing behind each one as the scan loop does. */
function readAll(source: ByteSource, windowSize: number): Buffer {
  const window = new Uint8Array(windowSize);
  const parts: Buffer[] = [];
  let position = 0;
  for (;;) {
    const got = source.read(window, position);
    if (got === 0) break;
    parts.push(Buffer.from(window.subarray(0, got)));
    position += got;
    source.release(position);
  }
  return Buffer.concat(parts);
}

function withSource<T>(file: string, io: IoMode, options: SourceOptions, use: (source: ByteSource) => T): T {
  const source = openSource(file, io, options);
  try {
    return use(source);
  } finally {
    source.close();
  }
}

function expectUsageError(run: () => unknown, message: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CsvscanError);
  expect((caught as CsvscanError).message).toBe(message);
  expect((caught as CsvscanError).exitCode).toBe(EXIT_USAGE);
}

const MODES: { label: string; io: IoMode; options: SourceOptions }[] = [
  { label: 'read', io: 'read', options: {} },
  { label: 'mmap, default segments', io: 'mmap', options: {} },
  { label: 'mmap, one-page segments', io: 'mmap', options: { segmentSize: PAGE } },
  { label: 'mmap, 3-page segments', io: 'mmap', options: { segmentSize: 3 * PAGE } },
];

describe.each(MODES)('$label', ({ io, options }) => {
  it('reports the file size and name', () => {
    withSource(bigPath, io, options, (source) => {
      expect(source.size).toBe(bigBytes.length);
      expect(source.name).toBe(bigPath);
    });
  });

  it.each(DST_SIZES)('reads the file bytes at random increasing positions with %i-byte windows', (dstSize) => {
    const random = seededRandom(dstSize);
    // Fewer 1 MiB reads: with one-page segments each maps 257 pages, and a dropped segment stays
    // mapped until it is garbage collected (vm.max_map_count is about 65k mappings).
    const count = dstSize >= MIB ? 30 : 300;
    const positions = Array.from({ length: count }, () => Math.floor(random() * bigBytes.length)).sort((a, b) => a - b);
    withSource(bigPath, io, options, (source) => {
      const dst = new Uint8Array(dstSize);
      for (const position of positions) {
        const expected = bigBytes.subarray(position, Math.min(position + dstSize, bigBytes.length));
        expect(source.read(dst, position)).toBe(expected.length);
        expect(Buffer.from(dst.subarray(0, expected.length)).equals(expected)).toBe(true);
      }
    });
  });

  it.each([1, 7, 4096, PAGE + 1])('scans the small file back exactly with %i-byte windows', (windowSize) => {
    const bytes = withSource(smallPath, io, options, (source) => readAll(source, windowSize));
    expect(bytes.equals(smallBytes)).toBe(true);
  });

  it.each([64, MIB])('scans the big file back exactly with %i-byte windows', (windowSize) => {
    const bytes = withSource(bigPath, io, options, (source) => readAll(source, windowSize));
    expect(bytes.equals(bigBytes)).toBe(true);
  });

  it('returns 0 at and after the end, and a short count for the last window', () => {
    withSource(smallPath, io, options, (source) => {
      const dst = new Uint8Array(100);
      expect(source.read(dst, smallBytes.length - 10)).toBe(10);
      expect(Buffer.from(dst.subarray(0, 10)).equals(smallBytes.subarray(-10))).toBe(true);
      expect(source.read(dst, smallBytes.length)).toBe(0);
      expect(source.read(dst, smallBytes.length + 5)).toBe(0);
    });
  });

  it('reads an empty file as 0 bytes', () => {
    const empty = path.join(dir, `empty-${io}.bin`);
    fs.writeFileSync(empty, '');
    withSource(empty, io, options, (source) => {
      expect(source.size).toBe(0);
      expect(source.read(new Uint8Array(16), 0)).toBe(0);
      source.release(0);
    });
  });

  it('reports a file that shrinks while it is read, without reading past its end', () => {
    const file = path.join(dir, `shrinks-${io}-${options.segmentSize ?? 0}.bin`);
    fs.writeFileSync(file, smallBytes);
    withSource(file, io, options, (source) => {
      const dst = new Uint8Array(PAGE);
      expect(source.read(dst, 0)).toBe(PAGE);
      fs.truncateSync(file, PAGE + 10);
      expectUsageError(() => source.read(dst, PAGE), `${file}: file changed size while being read`);
    });
  });

  it('reports a file that grows while it is read', () => {
    const file = path.join(dir, `grows-${io}-${options.segmentSize ?? 0}.bin`);
    fs.writeFileSync(file, smallBytes);
    withSource(file, io, options, (source) => {
      const dst = new Uint8Array(PAGE);
      expect(source.read(dst, 0)).toBe(PAGE);
      fs.appendFileSync(file, 'more,rows\n');
      expectUsageError(() => source.read(dst, PAGE), `${file}: file changed size while being read`);
    });
  });

  it('refuses an empty destination, which would look like the end of the file', () => {
    withSource(smallPath, io, options, (source) => {
      expect(() => source.read(new Uint8Array(0), 0)).toThrow(RangeError);
    });
  });
});

describe('mmap segments', () => {
  it('copies windows that cross one or many segment boundaries', () => {
    withSource(bigPath, 'mmap', { segmentSize: PAGE }, (source) => {
      const cases = [
        { position: PAGE - 3, length: 7 }, // straddles one boundary
        { position: 2 * PAGE - 1, length: 2 }, // last byte of one segment, first of the next
        { position: 3 * PAGE, length: PAGE }, // exactly one segment
        { position: 5 * PAGE + 100, length: 10 * PAGE }, // spans eleven segments
        { position: 20 * PAGE - 1, length: MIB }, // many more segments than are kept live
      ];
      for (const { position, length } of cases) {
        const dst = new Uint8Array(length);
        expect(source.read(dst, position)).toBe(length);
        expect(Buffer.from(dst).equals(bigBytes.subarray(position, position + length))).toBe(true);
      }
    });
  });

  it('rounds a segment size up to whole pages', () => {
    withSource(smallPath, 'mmap', { segmentSize: 100 }, (source) => {
      const dst = new Uint8Array(300);
      expect(source.read(dst, PAGE - 150)).toBe(300);
      expect(Buffer.from(dst).equals(smallBytes.subarray(PAGE - 150, PAGE + 150))).toBe(true);
    });
  });

  it('still reads the right bytes after releasing part of the current segment', () => {
    withSource(bigPath, 'mmap', { segmentSize: 64 * PAGE }, (source) => {
      const dst = new Uint8Array(5000);
      // Release in the middle of a page and of a segment: the rest of both stay readable.
      source.read(dst, 0);
      source.release(40 * PAGE + 123);
      expect(source.read(dst, 40 * PAGE + 123)).toBe(5000);
      expect(Buffer.from(dst).equals(bigBytes.subarray(40 * PAGE + 123, 40 * PAGE + 5123))).toBe(true);
      source.release(130 * PAGE);
      expect(source.read(dst, 130 * PAGE)).toBe(5000);
      expect(Buffer.from(dst).equals(bigBytes.subarray(130 * PAGE, 130 * PAGE + 5000))).toBe(true);
    });
  });

  it('does not read after close', () => {
    const source = openSource(smallPath, 'mmap');
    source.close();
    expect(() => source.read(new Uint8Array(8), 0)).toThrow(/read after close/);
  });
});

describe('streams', () => {
  it('reads a FIFO sequentially, even with --io mmap, with no size', async () => {
    const fifo = path.join(dir, 'stream.fifo');
    execFileSync('mkfifo', [fifo]);
    // More than a pipe buffer, so read() has to fill windows from several short reads.
    const payload = randomBytes(300 * 1024 + 7);
    const payloadPath = path.join(dir, 'payload.bin');
    fs.writeFileSync(payloadPath, payload);
    const writer = spawn(process.execPath, [
      '-e', 'const fs = require("fs"); fs.writeFileSync(process.argv[2], fs.readFileSync(process.argv[1]))',
      payloadPath, fifo,
    ], { stdio: 'ignore' });
    const writerExit = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    // Blocks until the writer opens its end.
    const source = openSource(fifo, 'mmap');
    try {
      expect(source.size).toBeNull();
      expect(source.name).toBe(fifo);
      const window = new Uint8Array(100 * 1024);
      expect(source.read(window, 0)).toBe(window.length); // full, not pipe-buffer sized
      expect(Buffer.from(window).equals(payload.subarray(0, window.length))).toBe(true);
      expect(() => source.read(window, 5)).toThrow(/read sequentially/);
      const rest = readAllFrom(source, window.length, 4096);
      expect(Buffer.concat([payload.subarray(0, window.length), rest]).equals(payload)).toBe(true);
    } finally {
      source.close();
    }
    expect(await writerExit).toBe(0);
  });
});

function readAllFrom(source: ByteSource, start: number, windowSize: number): Buffer {
  const window = new Uint8Array(windowSize);
  const parts: Buffer[] = [];
  let position = start;
  for (let got = source.read(window, position); got > 0; got = source.read(window, position)) {
    parts.push(Buffer.from(window.subarray(0, got)));
    position += got;
  }
  return Buffer.concat(parts);
}

describe('errors', () => {
  it.each<IoMode>(['mmap', 'read'])('names a missing file (%s)', (io) => {
    const missing = path.join(dir, 'nope.csv');
    expectUsageError(() => openSource(missing, io), `${missing}: no such file or directory`);
  });

  it('keeps the path as given in the message', () => {
    expectUsageError(() => openSource('nope-csvscan-io-test.csv', 'mmap'),
      'nope-csvscan-io-test.csv: no such file or directory');
  });

  it.each<IoMode>(['mmap', 'read'])('refuses a directory (%s)', (io) => {
    expectUsageError(() => openSource(dir, io), `${dir}: is a directory`);
  });

  it('refuses a path through a regular file', () => {
    const through = path.join(smallPath, 'x.csv');
    expectUsageError(() => openSource(through, 'read'), `${through}: not a directory`);
  });

  it('words a permission failure as one line', () => {
    const denied = Object.assign(new Error("EACCES: permission denied, open 'secret.csv'"), { code: 'EACCES' });
    expect(openFailure('secret.csv', denied).message).toBe('secret.csv: permission denied');
    const odd = Object.assign(new Error("ENXIO: no such device or address, open 'sock'"), { code: 'ENXIO' });
    expect(openFailure('sock', odd).message).toBe('sock: no such device or address (ENXIO)');
  });
});
