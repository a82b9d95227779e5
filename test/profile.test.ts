// stats --distinct, --quantiles, --all (SPEC.md "Output"): the column profile against an independent
// reference (test/reference/reference.ts: exact distinct sets, exact nearest-rank quartiles) for every
// engine and window size; the switch from exact to estimated distinct counts, which depends only on
// the whole file's values, across threads, ranges and merge; the estimates' error on known
// distributions; the CLI's table and CSV; refused option combinations; damaged partial sketches.

import { describe, expect, it } from 'vitest';
import { scanBytes, scanFile } from '../src/api.js';
import { Murmur128 } from '../src/kernel/js/hash.js';
import { toJsonLine } from '../src/results/format.js';
import { ENGINE_NAMES, type ScanOptions, type ScanResult } from '../src/types.js';
import { merge } from '../src/scan/partial.js';
import { referenceScan, REFERENCE_DISTINCT_EXACT_LIMIT } from './reference/reference.js';
import { SeededRandom } from './reference/generate.js';
import { csvscan, expectCleanError } from './support/cli.js';
import { columnDifferences } from './support/outcomes.js';
import { shardAndMerge } from './support/shards.js';
import { bytesOf, tempCsvFiles } from './support/temp-csv.js';
import { KERNEL_WINDOWS } from './support/windows.js';

const temp = tempCsvFiles('csvscan-profile-');
const ALL = { mode: 'stats', distinct: true, quantiles: true } as const;

/** Every engine at every window size gives the reference's profile, and one JSON line. */
async function expectProfileEverywhere(text: string, options: Partial<ScanOptions> = {}, windows = KERNEL_WINDOWS): Promise<ScanResult> {
  const bytes = bytesOf(text);
  const reference = referenceScan(bytes, { mode: 'stats', distinct: true, quantiles: true, header: options.header ?? true, file: '-' });
  let first: string | null = null;
  let result: ScanResult | null = null;
  for (const engine of ENGINE_NAMES) {
    for (const window of windows) {
      const scanned = await scanBytes(bytes, { ...ALL, ...options, engine, ...(window === undefined ? {} : { window }) }, '-');
      const json = toJsonLine(scanned);
      first ??= json;
      expect(json, `${engine} window ${window ?? 'default'}`).toBe(first);
      (scanned.columns ?? []).forEach((column, i) => {
        expect(columnDifferences(column, reference.columns![i]!), `${engine} window ${window} column ${column.name}`).toEqual([]);
      });
      result = scanned;
    }
  }
  return result!;
}

describe('the value hash', () => {
  // MurmurHash3_x86_128, seed 0: words h1..h4 as Python's mmh3 5.3 gives them
  // (mmh3.hash128(value, 0, x64arch=False, signed=False), little-endian 32-bit words)
  const VECTORS: [string, number[]][] = [
    ['', [0, 0, 0, 0]],
    ['61', [2811532092, 1431744539, 1431744539, 1431744539]],
    ['68656c6c6f', [723797152, 3683770103, 2598056374, 2598056374]],
    ['30313233343536373839616263646566', [4219290633, 917426954, 1219304859, 1462451197]],
    ['3031323334353637383961626364656658595a', [1671134159, 1252501806, 4209778191, 1763594319]],
    [Buffer.from(Array.from({ length: 40 }, (_, i) => i)).toString('hex'), [1910337193, 869918435, 179395802, 2835942863]],
  ];
  it.each(VECTORS)('hashes %s as the reference implementation does, fed whole or byte by byte', (hex, words) => {
    const bytes = new Uint8Array(Buffer.from(hex, 'hex'));
    const hasher = new Murmur128();
    hasher.reset();
    hasher.run(bytes, 0, bytes.length);
    hasher.finish();
    expect([hasher.h1 >>> 0, hasher.h2 >>> 0, hasher.h3 >>> 0, hasher.h4 >>> 0]).toEqual(words);
    hasher.reset();
    for (let i = 0; i < bytes.length; i++) {
      if (i % 3 === 0) hasher.byte(bytes[i]!);
      else hasher.run(bytes, i, i + 1);
    }
    hasher.finish();
    expect([hasher.h1 >>> 0, hasher.h2 >>> 0, hasher.h3 >>> 0, hasher.h4 >>> 0]).toEqual(words);
  });
});

describe('distinct values', () => {
  it('are the bytes after unquoting, untrimmed: "1", "1.0", " 1" and a quoted 1 make three', async () => {
    const result = await expectProfileEverywhere('v,w\n1,a\n1.0,b\n" 1",c\n"1",a\n1,"a"\n,\n  ,x\n');
    expect(result.columns!.map((column) => [column.distinct, column.distinct_exact])).toEqual([
      [3, true],
      [4, true],
    ]);
  });

  it('hash a whole value, however long, split across windows, with doubled quotes and line breaks inside', async () => {
    const long = 'x'.repeat(100);
    // values that differ only past the 64 bytes kept for first_invalid, or in a doubled quote
    const text = `t\n${long}a\n${long}b\n"${long}a"\n"${long}""b"\n"${long}\nb"\n"q""q"\n"q"""q\n`;
    const result = await expectProfileEverywhere(text);
    expect(result.columns![0]!.distinct).toBe(5); // "q"""q is q"q, as "q""q" is
  });

  it('are exact up to the limit, then estimated within 3%', async () => {
    for (const count of [REFERENCE_DISTINCT_EXACT_LIMIT, REFERENCE_DISTINCT_EXACT_LIMIT + 1, 300000]) {
      const lines = ['id,n'];
      for (let i = 0; i < count; i++) lines.push(`k${i},${i % 7}`);
      const bytes = bytesOf(`${lines.join('\n')}\n`);
      let first: string | null = null;
      for (const engine of ENGINE_NAMES) {
        const result = await scanBytes(bytes, { ...ALL, engine }, '-');
        const [id, n] = result.columns!;
        expect(n!.distinct).toBe(7);
        expect(id!.distinct_exact).toBe(count <= REFERENCE_DISTINCT_EXACT_LIMIT);
        if (id!.distinct_exact) expect(id!.distinct).toBe(count);
        else expect(Math.abs(id!.distinct! - count) / count).toBeLessThan(0.03);
        first ??= toJsonLine(result);
        expect(toJsonLine(result), engine).toBe(first);
      }
    }
  });

  it('estimate a skewed distribution within 3%, and count a single repeated value exactly', async () => {
    // 400000 records over 150000 distinct values, the small ones far more frequent (a power law)
    const random = new SeededRandom(11);
    const lines = ['user,constant'];
    for (let i = 0; i < 150000; i++) lines.push(`u${i},same`);
    for (let i = 0; i < 250000; i++) lines.push(`u${Math.floor(150000 * (random.int(0, 1000000) / 1000000) ** 4)},same`);
    const bytes = bytesOf(`${lines.join('\n')}\n`);
    let first: string | null = null;
    for (const engine of ENGINE_NAMES) {
      const result = await scanBytes(bytes, { ...ALL, engine }, '-');
      const [user, constant] = result.columns!;
      expect([user!.distinct_exact, Math.abs(user!.distinct! - 150000) / 150000 < 0.03]).toEqual([false, true]);
      expect([constant!.distinct, constant!.distinct_exact]).toEqual([1, true]);
      first ??= toJsonLine(result);
      expect(toJsonLine(result), engine).toBe(first);
    }
  });

  it('switch to an estimate by the whole file only: halves below the limit whose union is above it', async () => {
    // 70000 + 70000 values with 20000 in common: 120000 distinct, each half under the limit
    const lines = ['id'];
    for (let i = 0; i < 70000; i++) lines.push(`v${i}`);
    for (let i = 50000; i < 120000; i++) lines.push(`v${i}`);
    const path = temp.write(`${lines.join('\n')}\n`);
    const whole = await scanFile(path, { ...ALL, threads: 1 });
    expect(whole.columns![0]!.distinct_exact).toBe(false);
    expect(Math.abs(whole.columns![0]!.distinct! - 120000) / 120000).toBeLessThan(0.03);
    const size = bytesOf(`${lines.join('\n')}\n`).length;
    const expected = toJsonLine({ ...whole, file: '' });
    const threaded = await scanFile(path, { ...ALL, threads: 2, minBytesPerThread: 1 });
    expect(toJsonLine({ ...threaded, file: '' })).toBe(expected);
    for (const cuts of [[0, Math.floor(size / 2), size], [0, 1000, 500000, size]]) {
      const { result } = await shardAndMerge(path, cuts, () => ({ ...ALL, engine: 'js' }));
      expect(toJsonLine({ ...result, file: '' })).toBe(expected);
    }
  });

  it('stay exact when the halves overlap into a union under the limit', async () => {
    const lines = ['id'];
    for (let i = 0; i < 60000; i++) lines.push(`v${i}`);
    for (let i = 30000; i < 90000; i++) lines.push(`v${i}`);
    const text = `${lines.join('\n')}\n`;
    const path = temp.write(text);
    const size = bytesOf(text).length;
    const { result } = await shardAndMerge(path, [0, Math.floor(size / 2), size], () => ALL);
    expect([result.columns![0]!.distinct, result.columns![0]!.distinct_exact]).toEqual([90000, true]);
    const threaded = await scanFile(path, { ...ALL, threads: 2, minBytesPerThread: 1 });
    expect(threaded.columns![0]!.distinct).toBe(90000);
  });
});

describe('quartiles', () => {
  /** A column of these numbers as text, its quartiles against the exact nearest-rank values. */
  async function quartilesOf(values: string[]): Promise<ScanResult> {
    return expectProfileEverywhere(`x\n${values.join('\n')}\n`, {}, values.length > 2000 ? [4096, undefined] : KERNEL_WINDOWS);
  }

  it('are within 0.5% on uniform integers, skewed decimals, negative numbers and mixed signs', async () => {
    const random = new SeededRandom(7);
    const uniform = Array.from({ length: 5000 }, () => String(random.int(0, 1000000)));
    const skewed = Array.from({ length: 5000 }, () => Math.exp(random.int(0, 2000000) / 100000).toFixed(3));
    const negative = Array.from({ length: 5000 }, () => `-${(random.int(1, 99999999) / 1000).toFixed(3)}`);
    const mixed = Array.from({ length: 5000 }, () => String(random.int(-500, 500) * 7.25));
    for (const values of [uniform, skewed, negative, mixed]) await quartilesOf(values);
  });

  it('are exact for a column of one value, of zeros, and for small integers that their bucket holds alone', async () => {
    const same = await quartilesOf(Array.from({ length: 9 }, () => '12.5'));
    expect([same.columns![0]!.q1, same.columns![0]!.median, same.columns![0]!.q3]).toEqual([12.5, 12.5, 12.5]);
    const zeros = await quartilesOf(['0', '-0', '0.0', '0e5', '3']);
    expect([zeros.columns![0]!.q1, zeros.columns![0]!.median, zeros.columns![0]!.q3]).toEqual([0, 0, 0]);
    const small = await quartilesOf(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect([small.columns![0]!.q1, small.columns![0]!.median, small.columns![0]!.q3]).toEqual([2, 4, 6]);
  });

  it('hold subnormal, huge and infinite numbers', async () => {
    const result = await quartilesOf(['5e-324', '1e-310', '2.5e-308', '1e300', '-1e308', '1e999', '-1e999', '7']);
    const column = result.columns![0]!;
    expect(column.q1).toBeLessThan(0);
    expect(toJsonLine(result)).toContain('"q3":7');
  });

  it('are null for a column without numbers, and count only numbers', async () => {
    const result = await expectProfileEverywhere('a,b\nx,1\ny,NA\nz,3\n');
    expect([result.columns![0]!.q1, result.columns![0]!.median]).toEqual([null, null]);
    expect([result.columns![1]!.q1, result.columns![1]!.q3]).toEqual([1, 3]);
  });
});

describe('the CLI', () => {
  const path = temp.write('name,price\nkiwi,1.5\napple,2\nkiwi,3.25\n"pear",\n');

  it('prints the profile columns with --all: distinct, q1, median, q3', () => {
    const run = csvscan(['stats', path, '--all']);
    expect(run.status).toBe(0);
    const [heading, name, price] = run.stdout.trimEnd().split('\n').map((line) => line.trim().split(/\s+/));
    expect(heading!.slice(-4)).toEqual(['distinct', 'q1', 'median', 'q3']);
    expect(name!.slice(0, 2)).toEqual(['name', 'text']);
    expect(name!.at(-1)).toBe('3');
    expect(price!.slice(-4)).toEqual(['3', '1.5', '2', '3.25']);
  });

  it('gives CSV a distinct_exact column, and --distinct alone no quartiles', () => {
    const run = csvscan(['stats', path, '--distinct', '--csv']);
    const [heading, row] = run.stdout.split('\r\n');
    expect(heading!.split(',').slice(-2)).toEqual(['distinct', 'distinct_exact']);
    expect(row!.split(',').slice(-2)).toEqual(['3', 'true']);
    const json = JSON.parse(csvscan(['stats', path, '--quantiles', '--json']).stdout) as ScanResult;
    expect(json.columns!.map((column) => [column.distinct, column.median])).toEqual([
      [null, null],
      [null, 2],
    ]);
  });

  it('marks an estimated distinct count with ~ in the table', () => {
    const lines = ['id'];
    for (let i = 0; i < REFERENCE_DISTINCT_EXACT_LIMIT + 10; i++) lines.push(String(i));
    const run = csvscan(['stats', temp.write(`${lines.join('\n')}\n`), '--distinct']);
    expect(run.stdout.split('\n')[1]).toMatch(/ ~\d+$/);
  });

  it('refuses the profile outside stats and with --by, in one line (exit 2)', () => {
    expectCleanError(csvscan(['sum', path, '-c', 'price', '--distinct']), 2, /unknown option '--distinct'/);
    expectCleanError(csvscan(['stats', path, '--all', '--by', 'name']), 2, /--distinct does not combine with --by/);
    expectCleanError(csvscan(['stats', path, '--quantiles', '--by', 'name']), 2, /--quantiles does not combine with --by/);
  });

  it('refuses the same in the library, naming its members', async () => {
    await expect(scanBytes(bytesOf('a\n1\n'), { mode: 'sum', columns: ['a'], distinct: true })).rejects.toThrow(/distinct is a stats option/);
    await expect(scanBytes(bytesOf('a\n1\n'), { mode: 'stats', quantiles: 'yes' as unknown as boolean })).rejects.toThrow(/quantiles must be true or false/);
  });
});

describe('partials', () => {
  const text = 'k,v\na,1\nb,2\na,3\nc,-4\n';
  const path = temp.write(text);
  /** The members of a shard's partial that the damages below touch. */
  interface ShardJson {
    partial: {
      query: { profile: unknown };
      columns: { distinct: { hashes: string; registers: string }; quantiles: { zeros: number } | null }[];
    };
  }
  const shard = async (): Promise<ShardJson> => JSON.parse(toJsonLine(await scanFile(path, { ...ALL, range: [0, 100], threads: 1 }))) as ShardJson;

  it('merge to the whole-file result', async () => {
    const whole = toJsonLine({ ...(await scanFile(path, { ...ALL, threads: 1 })), file: '' });
    const { result } = await shardAndMerge(path, [0, 9, 14, text.length], () => ALL);
    expect(toJsonLine({ ...result, file: '' })).toBe(whole);
  });

  const damages: [string, (partial: ShardJson['partial']) => void, RegExp][] = [
    ['registers that are not the hashes\'', (p) => (p.columns[0]!.distinct.registers = Buffer.alloc(16384, 1).toString('base64')), /distinct\.registers must be those of the hashes/],
    ['a repeated hash', (p) => {
      const hashes = Buffer.from(p.columns[0]!.distinct.hashes, 'base64');
      p.columns[0]!.distinct.hashes = Buffer.concat([hashes, hashes.subarray(0, 16)]).toString('base64');
    }, /must not repeat a value/],
    ['bucket counts that are not the numbers', (p) => (p.columns[1]!.quantiles!.zeros = 5), /quantiles must count count \(4\) numbers/],
    ['a sketch not asked for', (p) => (p.query.profile = { distinct: false, quantiles: true }), /distinct must be null without partial.query.profile.distinct/],
    ['a missing sketch', (p) => (p.columns[1]!.quantiles = null), /quantiles must be given/],
  ];
  it.each(damages)('refuse %s', async (_, damage, message) => {
    const partial = await shard();
    damage(partial.partial);
    expect(() => merge([partial], ['part.json'])).toThrow(message);
  });

  it('refuse shards of another profile', async () => {
    const a = await shard();
    const b = JSON.parse(toJsonLine(await scanFile(path, { mode: 'stats', distinct: true, range: [0, 100], threads: 1 })));
    expect(() => merge([a, b], ['a.json', 'b.json'])).toThrow(/partial\.query\.profile/);
  });
});
