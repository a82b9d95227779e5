// Parallel scans: every thread count and window size gives the result of one thread. Ranges are
// forced tiny (minBytesPerThread: 1) so that range edges fall everywhere: inside quoted fields,
// between CR and LF, inside the header, in ranges where no record starts. Workers run the compiled
// module (build/host), which beforeAll brings up to date.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanFile } from '../src/api.js';
import { defaultMinBytesPerThread, plannedThreads } from '../src/options.js';
import { CsvscanError } from '../src/errors.js';
import { chunkStarts, scanInParallel } from '../src/scan/threads.js';
import { toJsonLine } from '../src/results/format.js';
import { ENGINE_NAMES, type ScanOptions, type ScanResult } from '../src/types.js';
import { generateCsv, generateUnterminated, SeededRandom } from './reference/generate.js';
import { comparableJson } from './support/outcomes.js';

const SEEDS = Number(process.env.CSVSCAN_THREAD_SEEDS ?? 60);
const WINDOWS: (number | undefined)[] = [1, 7, 64, undefined];
const dir = mkdtempSync(join(tmpdir(), 'csvscan-threads-'));
/** Engines to compare: all of them. */
const ENGINES = ENGINE_NAMES;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function writeCsv(bytes: Uint8Array | string): string {
  const path = join(dir, `input-${++fileCount}.csv`);
  writeFileSync(path, bytes);
  return path;
}

type Outcome = { result: ScanResult } | { error: { message: string; exitCode: number } };

async function outcome(path: string, options: ScanOptions): Promise<Outcome> {
  try {
    return { result: await scanFile(path, options) };
  } catch (error) {
    if (!(error instanceof CsvscanError)) throw error;
    return { error: { message: error.message, exitCode: error.exitCode } };
  }
}

/**
 * The JSON line of an outcome, byte for byte what the CLI prints (within docs/spec.md's tolerances for
 * a column with a number outside the exact domain: see comparableJson).
 */
function comparable(actual: Outcome, expected: Outcome): string {
  if (!('result' in actual) || !('result' in expected)) return JSON.stringify(actual);
  return comparableJson(actual.result, expected.result);
}

function printed(outcome: Outcome): string {
  return 'result' in outcome ? toJsonLine(outcome.result) : JSON.stringify(outcome);
}

/** Scans `path` with 1 thread, then with 2..5 threads over every window: all must agree. */
async function expectSameForAllThreads(path: string, base: Omit<ScanOptions, 'threads'>, context: string): Promise<void> {
  const expected = await outcome(path, { ...base, threads: 1 });
  for (const threads of [2, 3, 4, 5]) {
    for (const window of WINDOWS) {
      const actual = await outcome(path, { ...base, threads, window, minBytesPerThread: 1 });
      expect(comparable(actual, expected), `${context} threads ${threads} window ${window ?? 'default'}`).toBe(printed(expected));
    }
  }
}

/**
 * A file whose 2-thread cut falls exactly between `before` and `after` (the cut is at half the size
 * after the BOM): blank lines, which are not records, pad the shorter side.
 */
function cutBetween(before: string, after: string, bom = false): { path: string; cut: number } {
  const head = bom ? before.slice(1) : before; // the BOM (one UTF-16 unit, three bytes) is not in the halves
  const padding = Math.max(0, Buffer.byteLength(after) - Buffer.byteLength(head));
  const paddedHead = '\n'.repeat(padding) + head;
  const paddedAfter = after + '\n'.repeat(Buffer.byteLength(paddedHead) - Buffer.byteLength(after));
  const text = (bom ? '\ufeff' : '') + paddedHead + paddedAfter;
  const dataStart = bom ? 3 : 0;
  const cut = dataStart + Math.floor((Buffer.byteLength(text) - dataStart) / 2);
  expect(cut).toBe(dataStart + Buffer.byteLength(paddedHead));
  return { path: writeCsv(text), cut };
}

describe('parallel scans', () => {
  it('run on worker threads when asked to, even for a tiny file', async () => {
    const path = writeCsv('a,b\n1,2\n3,4\n5,6\n');
    const raw = await scanInParallel({
      path,
      io: 'mmap',
      engine: 'wasm',
      size: 16,
      threads: 3,
      query: { dialect: { delimiter: 44, quote: 34, header: true }, slotFields: [0, 1], allFields: false, mode: 'stats', windowSize: 64, dataStart: 0, headerAt: 0, expectedFields: 2 },
    });
    expect(raw).not.toBeNull();
    expect(raw!.records).toBe(3);
    expect(raw!.columns[1]!.exactSum).toBe(12n * 10n ** 35n);
  });

  it('cut the data into chunks of 4 to 32 MiB, about eight per thread, at least one per thread', () => {
    const MiB = 1024 * 1024;
    const sizes = (starts: number[], end: number): number[] => starts.map((start, k) => (starts[k + 1] ?? end) - start);
    const gib = chunkStarts(3, 1024 * MiB, 2, 4 * MiB);
    expect(gib[0]).toBe(3);
    expect(gib).toHaveLength(32); // 32 MiB each: the largest chunk
    expect(sizes(gib, 3 + 1024 * MiB).every((size) => size === 32 * MiB)).toBe(true);
    expect(chunkStarts(0, 256 * MiB, 2, 4 * MiB)).toHaveLength(16);
    expect(chunkStarts(0, 16 * MiB, 2, 4 * MiB)).toHaveLength(4); // no smaller than 4 MiB
    expect(chunkStarts(0, 5 * MiB, 2, 4 * MiB)).toHaveLength(2); // but one per thread
    expect(chunkStarts(0, 10, 3, 1)).toHaveLength(10); // tests: chunks of a byte
    expect(chunkStarts(0, 1, 2, 1)).toEqual([0]);
    // the defaults: one thread per 128 MiB of count or sum, per 32 MiB of stats or a grouped scan
    expect(defaultMinBytesPerThread('count', false)).toBe(128 * MiB);
    expect(defaultMinBytesPerThread('sum', false)).toBe(128 * MiB);
    expect(defaultMinBytesPerThread('stats', false)).toBe(32 * MiB);
    expect(defaultMinBytesPerThread('count', true)).toBe(32 * MiB);
  });

  it('are planned for at most the cores, and one thread per minBytesPerThread bytes', () => {
    expect(plannedThreads(undefined, 4, 100, 10)).toBe(4);
    expect(plannedThreads(1000, 4, 100, 10)).toBe(4);
    expect(plannedThreads(3, 4, 100, 10)).toBe(3);
    expect(plannedThreads(4, 8, 6, 4)).toBe(1);
    expect(plannedThreads(undefined, 8, 25, 10)).toBe(2);
    expect(plannedThreads(2, 2, 0, 10)).toBe(1);
  });

  describe('equal one thread on generated CSVs', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      it(`seed ${seed}`, async () => {
        const generated = generateCsv(seed, { maxRows: 40 });
        const path = writeCsv(generated.bytes);
        // each worker builds the engine asked for
        const engine = ENGINES[seed % ENGINES.length]!;
        const dialect = { header: generated.header, delimiter: generated.delimiter, quote: generated.quote, engine };
        const random = new SeededRandom(seed * 31 + 7);
        const pick = (): string[] => [String(random.int(1, generated.width))];
        for (const base of [
          { mode: 'stats', ...dialect },
          { mode: 'count', ...dialect },
          { mode: 'sum', columns: pick(), ...dialect, io: 'read' },
        ] satisfies Omit<ScanOptions, 'threads'>[]) {
          await expectSameForAllThreads(path, base, `seed ${seed} ${base.mode}`);
        }
      });
    }
  });

  it('find the records when a quoted line break is exactly at a range edge', async () => {
    const cases: [string, string][] = [
      ['a,b\n1,"x\n', 'y",2\n3,4\n'], // the range starts right after the quoted LF: looks like a record start
      ['a,b\n1,"x', '\ny",2\n3,4\n'], // starts at the quoted LF
      ['a,b\n1,', '"x\ny",2\n3,4\n'], // starts at the opening quote
      ['a,b\n1,"x\ny"', ',2\n3,4\n'], // right after the closing quote
      ['a,b\n1,"x\n\n', '\n,y",2\n3,4\n'], // inside a run of quoted LFs
      ['a,b\n"p,q\n', 'r\n\n"\n5,6\n'], // a quoted field that looks like a record and a blank line
      ['a,b\n1,"""\n', '""\n",2\n3,4\n'], // doubled quotes around the edge
    ];
    for (const [before, after] of cases) {
      const { path } = cutBetween(before, after);
      await expectSameForAllThreads(path, { mode: 'stats' }, JSON.stringify([before, after]));
      await expectSameForAllThreads(path, { mode: 'stats', header: false }, `no header ${JSON.stringify([before, after])}`);
    }
  });

  it('find the records when CRLF is split between ranges', async () => {
    for (const [before, after] of [
      ['a,b\r\n1,2\r', '\n3,4\r\n'],
      ['a,b\r\n1,2\r\n\r', '\n3,4\r\n'], // a blank CRLF line
      ['a,b\r\n1,"2\r', '\n"\r\n3,4\r\n'], // a CRLF inside quotes
      ['a,b\r\n1,2\r', 'x\n3,4\r\n'], // a lone CR is data
    ] as [string, string][]) {
      const { path } = cutBetween(before, after);
      await expectSameForAllThreads(path, { mode: 'stats' }, JSON.stringify([before, after]));
    }
  });

  it('skip a BOM and read the header when the first range ends inside it', async () => {
    const path = writeCsv('\ufeffcolumn_one,"column\ntwo",column_three\n1,2,3\n4,5\n6,7,8,9\n');
    await expectSameForAllThreads(path, { mode: 'stats' }, 'BOM header');
    await expectSameForAllThreads(path, { mode: 'sum', columns: ['column\ntwo'] }, 'BOM header -c');
    const { path: cutInBom } = cutBetween('\ufeffname,x', ',y\n1,2,3\n', true);
    await expectSameForAllThreads(cutInBom, { mode: 'stats' }, 'cut in the header after a BOM');
  });

  it('drop ranges in which no record starts', async () => {
    // One long quoted record spans several ranges; so do long unquoted and blank-line runs.
    const long = 'x'.repeat(200);
    for (const text of [
      `a,b\n1,"${long}\n${long}"\n2,3\n`,
      `a,b\n1,${long}${long}\n2,3\n`,
      `a,b\n1,2${'\n'.repeat(300)}3,4\n`,
      `a,b\n1,"${long},${long}`.replace(/x{10}/g, 'x\n"",x,\r\n') + '"\n2,3',
    ]) {
      const path = writeCsv(text);
      await expectSameForAllThreads(path, { mode: 'stats' }, JSON.stringify(text.slice(0, 40)));
      await expectSameForAllThreads(path, { mode: 'stats', header: false }, `no header ${JSON.stringify(text.slice(0, 40))}`);
    }
  });

  it('count short and long records against the header, whichever range they start', async () => {
    const path = writeCsv('a,b,c\n1\n2,3\n4,5,6,7\n8\n9,10,11\n12,13\n');
    await expectSameForAllThreads(path, { mode: 'count' }, 'ragged');
    await expectSameForAllThreads(path, { mode: 'stats', header: false }, 'ragged, no header');
  });

  it('report an unterminated quote as one thread does', async () => {
    for (const text of [
      'a,b\n1,2\n3,4\n5,"6\n7,8\n',
      'a,b\n1,"2\n3,4\n5,6\n7,8\n9,10\n', // opens early: the later ranges guess wrong and are dropped
      'a,b\n1,2\n3,4\n5,6\n7,"',
    ]) {
      const path = writeCsv(text);
      const expected = await outcome(path, { mode: 'stats', threads: 1 });
      expect('error' in expected && expected.error.exitCode).toBe(1);
      await expectSameForAllThreads(path, { mode: 'stats' }, JSON.stringify(text));
    }
    for (let seed = 1; seed <= 15; seed++) {
      const generated = generateUnterminated(seed);
      const path = writeCsv(generated.bytes);
      const dialect = { header: generated.header, delimiter: generated.delimiter, quote: generated.quote };
      await expectSameForAllThreads(path, { mode: 'count', ...dialect }, `unterminated seed ${seed}`);
    }
  });

  it('report a file that changed size as one thread does', async () => {
    const path = writeCsv('a\n1\n2\n3\n');
    const scan = scanFile(path, { mode: 'count', threads: 2, minBytesPerThread: 1 });
    writeFileSync(path, 'a\n1\n2\n3\n4\n'); // after the main thread opened it, before the workers do (they start after an await)
    await expect(scan).rejects.toThrow(/input-\d+\.csv: file changed size while being read$/);
    await expect(scan).rejects.toMatchObject({ exitCode: 2 });
  });

  it('aggregate progress from the workers', async () => {
    const path = writeCsv('a,b\n' + '1,2\n'.repeat(1000));
    const seen: [number, number | null][] = [];
    await scanFile(path, { mode: 'stats', threads: 3, minBytesPerThread: 1, onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.at(-1)).toEqual([4004, 4004]);
  });
});
