// Shards (`range`) and merge: any split of a file into byte ranges, scanned separately and merged,
// gives the whole-file result, byte for byte in JSON (docs/spec.md's one exception: sum, mean and stddev
// of a column with a number outside the exact domain, checked within its tolerances). Cuts inside
// quoted fields make a shard's start guess wrong: merge names the shard and the range to rescan it
// with, and the merge is exact after the rescan.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanFile } from '../src/api.js';
import { CsvscanError } from '../src/errors.js';
import { toJsonLine } from '../src/results/format.js';
import { merge, PARTIAL_FORMAT, type PartialScanJson } from '../src/scan/partial.js';
import { ENGINE_NAMES, type ScanOptions, type ScanResult } from '../src/types.js';
import { generateCsv, generateUnterminated, SeededRandom } from './reference/generate.js';
import { comparableJson } from './support/outcomes.js';
import { randomCuts, scanShard, shardAndMerge as shardAndMergeWith, type ShardOptions } from './support/shards.js';

const SEEDS = Number(process.env.CSVSCAN_MERGE_SEEDS ?? 80);
/** Engines to compare: all of them. */
const ENGINES = ENGINE_NAMES;
const dir = mkdtempSync(join(tmpdir(), 'csvscan-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function writeCsv(bytes: Uint8Array | string): { path: string; size: number } {
  const path = join(dir, `input-${++fileCount}.csv`);
  writeFileSync(path, bytes);
  return { path, size: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length };
}

/** Shards of `path` at `cuts`, each scanned with `options`, merged after the rescans merge asks for. */
function shardAndMerge(path: string, options: ShardOptions, cuts: number[]): Promise<{ result: ScanResult; rescans: number }> {
  return shardAndMergeWith(path, cuts, () => options);
}

/** The whole-file result, or the error it refuses the scan with. */
async function scanOrRefusal(path: string, options: ScanOptions): Promise<ScanResult | CsvscanError> {
  try {
    return await scanFile(path, options);
  } catch (error) {
    if (error instanceof CsvscanError) return error;
    throw error;
  }
}

/** Outcome of a whole scan or a sharded one: the result's JSON line, or the error. */
async function settle(run: () => Promise<ScanResult>, expected?: ScanResult): Promise<string> {
  try {
    const result = await run();
    return expected ? comparableJson(result, expected) : toJsonLine(result);
  } catch (error) {
    if (!(error instanceof CsvscanError)) throw error;
    return `error ${error.exitCode}: ${error.message}`;
  }
}

describe('merged shards equal the whole-file scan', () => {
  let totalRescans = 0;

  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}`, async () => {
      const generated = generateCsv(seed, { maxRows: 40 });
      const { path, size } = writeCsv(generated.bytes);
      const dialect = { header: generated.header, delimiter: generated.delimiter, quote: generated.quote };
      const random = new SeededRandom(seed * 7 + 3);
      const queries: ShardOptions[] = [
        { mode: 'stats', ...dialect },
        { mode: 'count', ...dialect },
        { mode: 'sum', columns: [String(random.int(1, generated.width)), String(random.int(1, generated.width))], ...dialect },
      ];
      for (const options of queries) {
        const whole = await scanOrRefusal(path, { ...options, threads: 1 });
        for (let split = 0; split < 3; split++) {
          const cuts = randomCuts(random, size, random.int(2, 8));
          const sharded = { ...options, window: random.pick([1, 7, 64, undefined]) };
          const context = `${options.mode} cuts ${cuts.join(',')}`;
          if (whole instanceof CsvscanError) {
            // -c of a column the file does not have (it may have no record at all): refused alike
            const refusal = await settle(async () => (await shardAndMerge(path, sharded, cuts)).result);
            expect(refusal, context).toBe(`error ${whole.exitCode}: ${whole.message}`);
          } else {
            const { result, rescans } = await shardAndMerge(path, sharded, cuts);
            totalRescans += rescans;
            expect(comparableJson(result, whole), context).toBe(toJsonLine(whole));
          }
        }
      }
    });
  }

  it('includes cuts inside quoted line breaks (the rescan flow ran)', () => {
    expect(totalRescans).toBeGreaterThan(0);
  });
});

describe('every cut of crafted files', () => {
  const files: [string, string][] = [
    ['quoted line breaks', 'a,b\n1,"x\ny"\n"p\n\nq",2\n3,"""\n"""\n4,5\n'],
    ['CRLF and a lone CR', 'a,b\r\n1,2\r\n\r\n3,"4\r\n5"\r\n6\r7,8\r\n'],
    ['BOM, blank lines, header with a quoted break', '\ufeff\n\r\n"na\nme",b\n1,2\n,x\n3,4,5\n'],
    ['ragged records and no final LF', 'a,b,c\n1\n2,3\n4,5,6,7\n\n8,9,10\n11'],
    ['a header of empty names', ',,\n1,2,3\n4,5\n,\n6'],
  ];
  for (const [name, text] of files) {
    for (const header of [true, false]) {
      it(`${name}${header ? '' : ' (no header)'}`, async () => {
        const { path, size } = writeCsv(text);
        for (const options of ENGINES.flatMap((engine) => [
          { mode: 'stats', header, engine },
          { mode: 'count', header, engine },
        ]) satisfies ShardOptions[]) {
          const whole = await scanFile(path, { ...options, threads: 1 });
          for (let cut = 1; cut < size; cut++) {
            const { result } = await shardAndMerge(path, options, [0, cut, size]);
            expect(comparableJson(result, whole), `cut ${cut}`).toBe(toJsonLine(whole));
          }
          for (let cut = 1; cut + 3 < size; cut += 3) {
            const { result } = await shardAndMerge(path, options, [0, cut, cut + 1, cut + 3, size]);
            expect(comparableJson(result, whole), `cuts ${cut} ${cut + 1} ${cut + 3}`).toBe(toJsonLine(whole));
          }
        }
      });
    }
  }
});

describe('shards of malformed input', () => {
  for (let seed = 1; seed <= 20; seed++) {
    it(`unterminated quote, seed ${seed}`, async () => {
      const generated = generateUnterminated(seed);
      const { path, size } = writeCsv(generated.bytes);
      const options: ShardOptions = { mode: 'count', header: generated.header, delimiter: generated.delimiter, quote: generated.quote };
      const expected = await settle(() => scanFile(path, { ...options, threads: 1 }));
      expect(expected).toMatch(/^error 1: .*quoted field never closed$/);
      const random = new SeededRandom(seed);
      for (let split = 0; split < 4; split++) {
        const cuts = randomCuts(random, size, random.int(2, 6));
        // The shard holding the data start knows the quote never closes; a later one leaves it to merge.
        expect(await settle(async () => (await shardAndMerge(path, options, cuts)).result), `cuts ${cuts.join(',')}`).toBe(expected);
      }
    });
  }
});

describe('a shard on its own', () => {
  it('inside a long record stops at its end instead of looking for the next record start', async () => {
    // one record of 4 MiB: a shard in its middle holds no record, and is merged as such
    const long = 'x'.repeat(4 * 1024 * 1024);
    const { path, size } = writeCsv(`a,b\n1,${long}\n2,3\n`);
    for (const engine of ENGINE_NAMES) {
      const shard = (await scanShard(path, { mode: 'count', engine, window: 4096 }, 1000, 2000)) as { rows: number; partial: PartialScanJson };
      expect(shard.rows, engine).toBe(0);
      expect(shard.partial.bytes, engine).toBeLessThanOrEqual(1000 + 4096);
      const { result } = await shardAndMerge(path, { mode: 'count', engine, window: 4096 }, [0, 1000, 2000, size]);
      expect(result.rows, engine).toBe(2);
    }
  });

  it('holds its own records, the raw accumulators and the file identity', async () => {
    const { path, size } = writeCsv('a,b\n1,x\n2,3\n4,y\n5,6\n');
    const first = (await scanFile(path, { mode: 'stats', range: [0, 10] })) as ScanResult;
    expect(first).toMatchObject({ rows: 2, bytes: 10 });
    expect(first.columns![1]!.first_invalid).toEqual({ line: 2, value: 'x' }); // from the data start: the file's line
    const later = (await scanFile(path, { mode: 'stats', range: [10, 100] })) as ScanResult;
    expect(later).toMatchObject({ rows: 2, bytes: size - 10 });
    // a relative line would be misleading: it is kept in the partial only
    expect(later.columns![1]!.first_invalid).toEqual({ line: null, value: 'y' });
    const partial = later.partial as PartialScanJson;
    expect(partial).toMatchObject({
      format: PARTIAL_FORMAT,
      file: { size },
      range: [10, 100],
      midFile: true,
      firstRecord: 12,
      stopPosition: -1,
      records: 2,
      expectedFields: 2,
    });
    expect(partial.file.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(partial.columns[1]).toMatchObject({ count: 1, invalid: 1, exactSum: String(6n * 10n ** 35n), firstInvalid: { line: 2, base64: 'eQ==' } });
    expect(partial.columns[0]!['min']).toBe(4);
  });

  it('keeps -0 and infinite values exact through JSON', async () => {
    const { path, size } = writeCsv('v\n-0\n1e999\n2\n-1e999\n0.1\n');
    const whole = await scanFile(path, { mode: 'stats', threads: 1 });
    for (let cut = 1; cut < size; cut++) {
      const { result } = await shardAndMerge(path, { mode: 'stats' }, [0, cut, size]);
      expect(toJsonLine(result)).toBe(toJsonLine(whole));
    }
  });

  it('gives the same fingerprint for a copy of the file, another for other contents', async () => {
    const a = writeCsv('a\n1\n2\n');
    const b = writeCsv('a\n1\n2\n');
    const c = writeCsv('a\n1\n3\n');
    const print = async (path: string): Promise<string> => ((await scanFile(path, { mode: 'count', range: [0, 3] })).partial as PartialScanJson).file.fingerprint;
    expect(await print(a.path)).toBe(await print(b.path));
    expect(await print(a.path)).not.toBe(await print(c.path));
  });

  it('refuses standard input and bad ranges', async () => {
    const { path } = writeCsv('a\n1\n');
    await expect(scanFile(path, { mode: 'count', range: [5, 5] })).rejects.toThrow(/range must be/);
    await expect(scanFile(path, { mode: 'count', range: [-1, 5] })).rejects.toThrow(/range must be/);
  });
});

describe('merge refuses shards that do not tile one file', () => {
  const text = 'a,b\n1,2\n3,4\n5,6\n7,8\n';
  const size = Buffer.byteLength(text);

  async function shardsOf(path: string, ranges: [number, number][], options: ShardOptions = { mode: 'stats' }): Promise<unknown[]> {
    return Promise.all(ranges.map(([start, end]) => scanShard(path, options, start, end)));
  }

  function refusal(parts: unknown[], labels: string[]): string {
    try {
      merge(parts, labels);
    } catch (error) {
      expect(error).toBeInstanceOf(CsvscanError);
      expect((error as CsvscanError).exitCode).toBe(2);
      return (error as CsvscanError).message;
    }
    throw new Error('merge accepted the shards');
  }

  it('names a gap', async () => {
    const { path } = writeCsv(text);
    const parts = await shardsOf(path, [[0, 8], [12, size]]);
    expect(refusal(parts, ['one.json', 'two.json'])).toBe('bytes 8 to 12 are in no shard: one is missing between one.json (0:8) and two.json (12:20)');
  });

  it('names an overlap and a duplicate', async () => {
    const { path } = writeCsv(text);
    expect(refusal(await shardsOf(path, [[0, 10], [8, size]]), ['one.json', 'two.json'])).toBe("two.json: its range 8:20 overlaps one.json's 0:10");
    expect(refusal(await shardsOf(path, [[0, 10], [10, size], [10, size]]), ['a.json', 'b.json', 'c.json'])).toBe('c.json: the same range (10:20) as b.json');
  });

  it('names a missing first or last shard', async () => {
    const { path } = writeCsv(text);
    expect(refusal(await shardsOf(path, [[4, size]]), ['tail.json'])).toBe('no shard starts at the beginning of the file: the first, tail.json, starts at byte 4');
    expect(refusal(await shardsOf(path, [[0, 12]]), ['head.json'])).toBe('no shard reaches the end of the file (20 bytes): the last, head.json, ends at byte 12');
  });

  it('names a shard of another file or of other options', async () => {
    const { path } = writeCsv(text);
    const other = writeCsv(text.replace('7,8', '7,9'));
    const [head] = await shardsOf(path, [[0, 12]]);
    const [tail] = await shardsOf(other.path, [[12, size]]);
    expect(refusal([head, tail], ['mine.json', 'theirs.json'])).toBe('merge: theirs.json: a shard of another file than mine.json (partial.file.fingerprint differs)');
    const [counted] = await shardsOf(path, [[12, size]], { mode: 'count' });
    expect(refusal([head, counted], ['stats.json', 'count.json'])).toBe('merge: count.json: scanned with other options than stats.json (partial.query.mode is "count", not "stats")');
    const [semicolon] = await shardsOf(path, [[12, size]], { mode: 'stats', delimiter: 0x3b });
    expect(refusal([head, semicolon], ['a.json', 'b.json'])).toBe('merge: b.json: scanned with other options than a.json (partial.query.delimiter is 59, not 44)');
  });

  it('names a result that is not a partial, or a damaged one', async () => {
    const { path } = writeCsv(text);
    const whole = JSON.parse(toJsonLine(await scanFile(path, { mode: 'stats' })));
    expect(refusal([whole], ['whole.json'])).toBe('merge: whole.json: not a partial result: write one with --range START:END --json');
    const [part] = (await shardsOf(path, [[0, size]])) as { partial: Record<string, unknown> }[];
    expect(refusal([{ ...part, partial: { ...part!.partial, format: 'v0' } }], ['old.json'])).toMatch(/^merge: old.json: a partial of format "v0"/);
    expect(refusal([{ ...part, partial: { ...part!.partial, records: 'many' } }], ['bad.json'])).toBe('merge: bad.json: partial.records must be a non-negative integer');
  });

  it('names the shard whose start was guessed wrong, and merges after its rescan', async () => {
    const quoted = 'a,b\n1,"x\ny\nz"\n2,3\n';
    const { path, size: length } = writeCsv(quoted);
    const parts = await shardsOf(path, [[0, 9], [9, length]]); // byte 9 is inside "x\ny\nz", after its first LF
    expect(refusal(parts, ['part1.json', 'part2.json'])).toBe(
      'part2.json: its start guessed wrong (a quoted field spans the cut at byte 9); rescan it with --range 14:18',
    );
    const [rescanned] = await shardsOf(path, [[14, length]]);
    const merged = merge([parts[0], rescanned], ['part1.json', 'part2.json']);
    expect(toJsonLine(merged)).toBe(toJsonLine(await scanFile(path, { mode: 'stats' })));
  });
});
