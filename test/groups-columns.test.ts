// sum and stats --by (SPEC.md "Groups"): each group's columns equal an independent reference
// (test/reference/reference.ts referenceGroupedScan) for every engine and window size, thread count,
// --range split and spill; the kernel's compact per-group accumulators are driven through every way
// they widen (a finer scale, scales 10^18 apart, 64-bit overflow of the sums and of the squares,
// numbers outside the exact domain, invalid fields); the CLI's tables and CSV.

import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBytes, scanFile } from '../src/api.js';
import { toJsonLine } from '../src/results/format.js';
import { ENGINE_NAMES, type ScanMode, type ScanOptions, type ScanResult } from '../src/types.js';
import { generateCsv, SeededRandom } from './reference/generate.js';
import { CsvscanError } from '../src/errors.js';
import { referenceGroupedScan, referenceScan, ReferenceUnknownColumn } from './reference/reference.js';
import { csvscan, expectCleanError } from './support/cli.js';
import { bytesOf, tempCsvFiles } from './support/temp-csv.js';
import { columnDifferences } from './support/outcomes.js';
import { randomCuts, shardAndMerge } from './support/shards.js';
import { KERNEL_WINDOWS } from './support/windows.js';

const SEEDS = Number(process.env.CSVSCAN_GROUP_SEEDS ?? 40);
const temp = tempCsvFiles('csvscan-group-columns-');
const dir = temp.dir;
const writeCsv = temp.write;

interface GroupedQuery {
  mode: Exclude<ScanMode, 'count'>;
  columns: string[] | null;
  /** 1-based key columns */
  by: number[];
  /** how --by names them (default: their indexes) */
  byNames?: string[];
  header?: boolean;
  delimiter?: number;
  quote?: number;
  top?: number;
}

/** How a grouped result differs from the reference's: exact where SPEC.md is exact, else within its tolerances. */
function differences(actual: ScanResult, expected: ScanResult): string[] {
  const found: string[] = [];
  for (const key of ['rows', 'group_count'] as const) {
    if (actual[key] !== expected[key]) found.push(`${key}: ${actual[key]} vs ${expected[key]}`);
  }
  if (JSON.stringify(actual.by) !== JSON.stringify(expected.by)) found.push(`by: ${JSON.stringify(actual.by)} vs ${JSON.stringify(expected.by)}`);
  const groups = actual.groups ?? [];
  const wanted = expected.groups ?? [];
  if (groups.length !== wanted.length) return [...found, `${groups.length} groups vs ${wanted.length}`];
  groups.forEach((group, g) => {
    const reference = wanted[g]!;
    const where = `group ${JSON.stringify(reference.key)}`;
    if (JSON.stringify(group.key) !== JSON.stringify(reference.key) || group.rows !== reference.rows) {
      found.push(`${where}: key ${JSON.stringify(group.key)} rows ${group.rows} vs rows ${reference.rows}`);
      return;
    }
    if ((group.columns ?? []).length !== (reference.columns ?? []).length) {
      found.push(`${where}: ${group.columns?.length} columns vs ${reference.columns?.length}`);
      return;
    }
    group.columns!.forEach((column, c) => {
      for (const difference of columnDifferences(column, reference.columns![c]!)) found.push(`${where} ${column.name}: ${difference}`);
    });
  });
  return found;
}

function reference(input: Uint8Array, query: GroupedQuery): ScanResult {
  const { byNames: _names, ...rest } = query;
  return referenceGroupedScan(input, { ...rest, top: query.top ?? null });
}

function optionsOf(query: GroupedQuery): ScanOptions {
  const { by, byNames, ...rest } = query;
  return { ...rest, by: byNames ?? by.map(String) };
}

/**
 * How --by names the 1-based column `index` of a header `names`: its name when no other column has
 * it, else its index when no column is named so (a name wins over an index); null: neither works.
 */
function keyName(index: number, names: string[] | undefined): string | null {
  if (!names) return String(index);
  const name = names[index - 1];
  if (name !== undefined && names.indexOf(name) === names.lastIndexOf(name)) return name;
  return names.includes(String(index)) ? null : String(index);
}

/** The result with the file name and size taken out, as JSON. */
function comparable(result: ScanResult): string {
  return toJsonLine({ ...result, file: '', bytes: 0 });
}

/** Every engine at every kernel window: one JSON answer, the reference's. */
async function everyWay(input: string | Uint8Array, query: GroupedQuery): Promise<ScanResult> {
  const bytes = bytesOf(input);
  let first: ScanResult | null = null;
  for (const engine of ENGINE_NAMES) {
    for (const window of KERNEL_WINDOWS) {
      const got = await scanBytes(bytes, { ...optionsOf(query), engine, window });
      if (first === null) first = got;
      else expect(comparable(got), `${engine} window ${window}`).toBe(comparable(first));
    }
  }
  expect(differences(first!, reference(bytes, query))).toEqual([]);
  return first!;
}

describe('sum and stats --by: the columns of each group', () => {
  it('gives each group its columns: keys unquoted, missing fields empty, invalid fields with their lines', async () => {
    const csv = 'k,v,w\na,1.5,x\n"a",2.25,\nb,-3,7\n\n,4,"y,z"\nc\n"a",1e300,1\nb,"5",NA\n"d\ne",0.001,2\n';
    const got = await everyWay(csv, { mode: 'stats', columns: null, by: [1] });
    expect(got.groups!.map((group) => [group.key, group.rows])).toEqual([[[''], 1], [['a'], 3], [['b'], 2], [['c'], 1], [['d\ne'], 1]]);
    const a = got.groups![1]!.columns!;
    expect(a.map((column) => column.name)).toEqual(['v', 'w']); // the key column is not summarized
    expect(a[0]).toMatchObject({ count: 3, sum_text: null, min: 1.5, max: 1e300 });
    expect(a[1]).toMatchObject({ count: 1, empty: 1, invalid: 1, first_invalid: { line: 2, value: 'x' }, sum_text: '1' });
    const b = got.groups![2]!.columns!;
    expect(b[1]).toMatchObject({ invalid: 1, first_invalid: { line: 9, value: 'NA' }, sum_text: '7' });
    expect(got.groups![0]!.columns![1]).toMatchObject({ invalid: 1, first_invalid: { line: 6, value: 'y,z' } });
    await everyWay(csv, { mode: 'sum', columns: ['v', 'k', '2'], by: [1] });
    await everyWay(csv, { mode: 'sum', columns: ['v'], by: [3, 1] });
  });

  it('widens a group column exactly: finer scales, scales 10^18 apart, sums and squares past 64 bits', async () => {
    const lines = ['k,v'];
    const add = (key: string, values: string[]): void => {
      for (const value of values) lines.push(`${key},${value}`);
    };
    add('scales', ['3', '1.5', '2.25', '-0.125', '10', '7.000']);
    add('apart', ['1e-18', '1e17', '5e-18', '123456789e9']);
    add('sum-overflow', Array.from({ length: 12 }, () => '900000000000000000')); // 1.08e19 > 2^63
    add('negative-overflow', Array.from({ length: 12 }, () => '-900000000000000000'));
    add('square-overflow', ['3037000500', '4000000000', '1']); // each square past 2^63 / 1
    add('squares-add-up', Array.from({ length: 4 }, () => '2000000000')); // 4e18 each: their sum passes 2^63
    add('rescale-overflow', ['900000000000000000', '0.1']);
    add('outside', ['1e300', '1', '2.5', '3']);
    add('outside-both-ends', ['1e19', '1', '1e-30', '2']);
    add('mixed', ['1e19', '2', '1e-40', 'x', '3.5']);
    add('zeros', ['0', '-0', '0.000', '0e5']);
    const csv = `${lines.join('\n')}\n`;
    const got = await everyWay(csv, { mode: 'stats', columns: ['v'], by: [1] });
    const sums = Object.fromEntries(got.groups!.map((group) => [group.key[0], group.columns![0]!.sum_text]));
    expect(sums).toMatchObject({
      scales: '23.625',
      apart: '223456789000000000.000000000000000006',
      'sum-overflow': '10800000000000000000',
      'negative-overflow': '-10800000000000000000',
      'square-overflow': '7037000501',
      'squares-add-up': '8000000000',
      'rescale-overflow': '900000000000000000.1',
      outside: null,
      'outside-both-ends': null,
      mixed: null,
      zeros: '0',
    });
    await everyWay(csv, { mode: 'sum', columns: ['v'], by: [1] });
  });

  it('sums by a composite key, --top keeping the first keys, quoted and CRLF keys across windows', async () => {
    const csv = 'r,d,amount\r\nwest,"2024-01",10.5\r\n"east",2024-01,1\r\nwest,2024-02,2\r\n"we""st",2024-01,3\r\nwest,"2024-01",-0.5\r\neast,2024-01,"4"\r\n';
    const got = await everyWay(csv, { mode: 'sum', columns: ['amount'], by: [1, 2] });
    expect(got.groups!.map((group) => [...group.key, group.columns![0]!.sum_text])).toEqual([
      ['east', '2024-01', '5'],
      ['we"st', '2024-01', '3'],
      ['west', '2024-01', '10'],
      ['west', '2024-02', '2'],
    ]);
    const top = await everyWay(csv, { mode: 'sum', columns: ['amount'], by: [1, 2], top: 2 });
    expect(top.group_count).toBe(4);
    expect(top.groups!.map((group) => group.key)).toEqual([['east', '2024-01'], ['we"st', '2024-01']]);
    await everyWay(csv, { mode: 'stats', columns: ['3', '1'], by: [2], header: false });
  });

  it('sums by keys on the block path: keys before and after the values, a key that is a value, fallbacks', async () => {
    const random = new SeededRandom(12);
    const values = ['1.5', '"2"', '"3"""', '"4"x', '', 'x', '-7', '"8\n"', '12345678901234567890'];
    const keys = ['a', '"a"', '"a""b"', 'a"b', '', '"c\r\nd"', 'p'.repeat(80)];
    let csv = 'k,v,w,k2\r\n';
    for (let i = 0; i < 900; i++) {
      const end = random.pick(['\n', '\r\n']);
      csv += random.chance(0.1) ? `${random.pick(keys)}${end}` : `${random.pick(keys)},${random.pick(values)},${random.pick(values)},${random.pick(keys)}${end}`;
    }
    await everyWay(csv, { mode: 'sum', columns: ['v'], by: [4] });
    await everyWay(csv, { mode: 'stats', columns: ['v', 'w'], by: [1, 4] });
    await everyWay(csv, { mode: 'sum', columns: ['w'], by: [3] });
    // a short key looked up, then a value the byte machine takes (doubled quotes, bytes after a quote)
    await everyWay(csv, { mode: 'stats', columns: ['v', 'w'], by: [1] });
  });

  it('agrees with the reference on generated CSVs, for every engine and window', async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const generated = generateCsv(seed);
      const random = new SeededRandom(seed * 104729 + 3);
      const width = Math.max(1, generated.width);
      const by = Array.from({ length: random.int(1, 2) }, () => random.int(1, width));
      const byNames = by.map((index) => keyName(index, generated.header ? generated.columnNames : undefined));
      if (byNames.includes(null)) continue;
      const columns = Array.from({ length: random.int(1, 3) }, () => String(random.int(1, width)));
      const dialect = { header: generated.header, delimiter: generated.delimiter, quote: generated.quote, byNames: byNames as string[] };
      const queries: GroupedQuery[] = [{ mode: 'sum', columns, by, ...dialect }, { mode: 'stats', columns, by, ...dialect }];
      if (generated.header && new Set(by).size < (generated.columnNames?.length ?? 0)) queries.push({ mode: 'stats', columns: null, by, ...dialect });
      for (const query of queries) {
        try {
          await everyWay(generated.bytes, query);
        } catch (error) {
          // a column past the widest record: the reference refuses it too
          if (error instanceof CsvscanError && /unknown column/.test(error.message)) {
            expect(() => referenceScan(generated.bytes, { ...dialect, mode: 'sum', columns: [...(query.columns ?? []), ...by.map(String)] })).toThrow(ReferenceUnknownColumn);
            continue;
          }
          throw new Error(`seed ${seed} ${JSON.stringify(query)}: ${(error as Error).message}`);
        }
      }
    }
  });
});

/** Many groups and rows, with every kind of value, for threads, ranges and spilling. */
function manyGroups(seed: number, rows: number, keys: number): string {
  const random = new SeededRandom(seed);
  // numbers outside the exact domain (1e19, 7e-20) stay within a few orders of magnitude of each
  // other: the variance of doubles whose deviations square past the double range is NaN (finalize.ts)
  const values = ['1.5', '-2.25', '3', '0.001', '1e19', 'x', '', '900000000000000000', '"4,5"', '"6"', '7e-10', '12345.678', '-1e19'];
  const lines = ['key,other,v,w'];
  for (let i = 0; i < rows; i++) {
    const key = random.chance(0.1) ? `"k${random.int(0, keys)}"` : `k${random.int(0, keys)}`;
    lines.push(`${key},${random.int(0, 3)},${random.pick(values)},${random.pick(values)}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('sum and stats --by: threads, ranges, merge and spilling', () => {
  it('gives the reference answer for any thread count and any --range split merged', async () => {
    const csv = manyGroups(7, 3000, 40);
    const path = writeCsv(csv);
    const query: GroupedQuery = { mode: 'stats', columns: ['v', 'w'], by: [1, 2] };
    const expected = reference(bytesOf(csv), query);
    for (const engine of ENGINE_NAMES) {
      for (const threads of [1, 2, 3, 4]) {
        const got = await scanFile(path, { ...optionsOf(query), engine, threads, minBytesPerThread: 1, window: 4096 });
        expect(differences(got, expected), `${engine} threads ${threads}`).toEqual([]);
      }
    }
    const random = new SeededRandom(11);
    for (let trial = 0; trial < 6; trial++) {
      const cuts = randomCuts(random, Buffer.byteLength(csv), random.int(2, 6));
      const { result } = await shardAndMerge(path, cuts, (i) => ({ ...optionsOf(query), engine: ENGINE_NAMES[i % ENGINE_NAMES.length]!, window: 7 + i }));
      expect(differences(result, expected), `cuts ${cuts.join(',')}`).toEqual([]);
    }
  });

  it('spills groups with their columns past a tiny --memory and gives the same answer', async () => {
    const csv = manyGroups(3, 40000, 20000);
    const path = writeCsv(csv);
    const query: GroupedQuery = { mode: 'stats', columns: ['v', 'w'], by: [1] };
    const expected = reference(bytesOf(csv), query);
    const spillDir = mkdtempSync(join(dir, 'spill-'));
    const whole = await scanFile(path, { ...optionsOf(query), threads: 1 });
    expect(differences(whole, expected)).toEqual([]);
    for (const engine of ENGINE_NAMES) {
      for (const threads of [1, 2]) {
        const spilled = await scanFile(path, { ...optionsOf(query), engine, threads, minBytesPerThread: 1, memory: 64 * 1024, window: 8192, tempDir: spillDir });
        expect(differences(spilled, expected), `${engine} threads ${threads}`).toEqual([]);
        const top = await scanFile(path, { ...optionsOf(query), engine, threads, minBytesPerThread: 1, memory: 64 * 1024, window: 8192, tempDir: spillDir, top: 5 });
        expect(top.group_count).toBe(expected.group_count);
        expect(differences({ ...top, group_count: expected.group_count }, { ...expected, groups: expected.groups!.slice(0, 5) })).toEqual([]);
      }
    }
  });
});

describe('sum and stats --by from the CLI', () => {
  it('prints a table of hundreds of thousands of groups (widths measured without spreading the rows)', () => {
    const keys = 300000;
    const path = writeCsv(`k,v\n${Array.from({ length: keys }, (_, i) => `${i},${i % 7}.5\n`).join('')}`);
    for (const command of [['count'], ['sum', '-c', 'v']]) {
      const run = csvscan([...command, path, '--by', 'k']);
      expect(run.stderr).toBe('');
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(keys + 1);
      expect(lines[0]).toMatch(/^k\s+rows/);
    }
  });

  it('prints a table of groups, key columns first, CSV and JSON', () => {
    const path = writeCsv('region,amount,qty\nwest,1.50,2\neast,2,x\nwest,2.5,\n');
    expect(csvscan(['sum', path, '-c', 'amount', '-c', 'qty', '--by', 'region']).stdout).toBe(
      'region  rows  amount  qty\neast       1       2    0\nwest       2       4    2\n',
    );
    expect(csvscan(['sum', path, '-c', 'amount', '--by', 'region', '--csv']).stdout).toBe('region,rows,amount\r\neast,1,2\r\nwest,2,4\r\n');
    expect(csvscan(['stats', path, '--by', 'region']).stdout).toBe(
      [
        'region  column     type  count  empty  invalid  sum  min  max  mean              stddev  min_length  max_length',
        'east    amount  integer      1      0        0    2    2    2     2                               1           1',
        'east    qty        text             0                                                             1           1',
        'west    amount  decimal      2      0        0    4  1.5  2.5     2  0.7071067811865476           3           4',
        'west    qty     integer      1      1        0    2    2    2     2                               1           1',
        '',
      ].join('\n'),
    );
    expect(csvscan(['stats', path, '-c', 'qty', '--by', 'region', '--csv']).stdout).toBe(
      'region,column,type,count,empty,invalid,sum,min,max,mean,stddev,min_length,max_length\r\neast,qty,text,,0,,,,,,,1,1\r\nwest,qty,integer,1,1,0,2,2,2,2,,1,1\r\n',
    );
    const json = JSON.parse(csvscan(['stats', path, '-c', 'qty', '--by', 'region', '--json']).stdout) as ScanResult;
    expect(json.groups![0]).toMatchObject({ key: ['east'], rows: 1, columns: [{ name: 'qty', invalid: 1, first_invalid: { line: 3, value: 'x' } }] });
    expectCleanError(csvscan(['stats', path, '--by', 'region', '--by', 'amount', '--by', 'qty']), 2, /every column is a key column/);
    expectCleanError(csvscan(['sum', path, '-c', 'nope', '--by', 'region']), 2, /unknown column "nope"/);
  });
});
