// count --by (SPEC.md "Groups"): every engine, window size, thread split and --range split gives the
// same groups, equal to an independent reference (test/reference/reference.ts referenceGroups) on
// hand-written corner cases and on seeded generated CSVs; the memory refusal, --top, ordering ties,
// --csv quoting, partials of grouped scans, and the CLI's errors.

import { describe, expect, it } from 'vitest';
import { scanBytes, scanFile, scanFileStreamed } from '../src/api.js';
import { formatResult, printScan, type OutputOptions } from '../src/cli/scan.js';
import type { CliIo } from '../src/cli/io.js';
import { CsvscanError } from '../src/errors.js';
import { formatCsv, toJsonLine } from '../src/results/format.js';
import { merge } from '../src/scan/partial.js';
import { ENGINE_NAMES, type ScanOptions, type ScanResult } from '../src/types.js';
import { generateCsv, SeededRandom } from './reference/generate.js';
import { referenceGroups, referenceScan, ReferenceUnknownColumn } from './reference/reference.js';
import { csvscan, expectCleanError } from './support/cli.js';
import { bytesOf, tempCsvFiles } from './support/temp-csv.js';
import { randomCuts, shardAndMerge } from './support/shards.js';

const WINDOWS = [1, 2, 3, 7, 64, 4096, undefined];
const SEEDS = Number(process.env.CSVSCAN_GROUP_SEEDS ?? 60);
const temp = tempCsvFiles('csvscan-groups-');
const writeCsv = temp.write;

/** What a grouped result says: the --json line without file and bytes. */
function groupsOf(result: ScanResult): unknown {
  return { rows: result.rows, ragged: result.ragged, by: result.by, group_count: result.group_count, groups: result.groups?.map(({ key, rows }) => ({ key, rows })) };
}

type Grouped = Omit<ScanOptions, 'mode'> & { by: (string | number)[] };

/** Every engine and window size: one answer. */
async function everyWay(input: string | Uint8Array, options: Grouped): Promise<unknown> {
  const bytes = bytesOf(input);
  let first: unknown = null;
  for (const engine of ENGINE_NAMES) {
    for (const window of WINDOWS) {
      const got = groupsOf(await scanBytes(bytes, { mode: 'count', ...options, engine, window }));
      if (first === null) first = got;
      else expect(got, `${engine} window ${window}`).toEqual(first);
    }
  }
  return first;
}

function reference(input: string | Uint8Array, by: number[], options: { header?: boolean; delimiter?: number; quote?: number; top?: number } = {}): unknown {
  const bytes = bytesOf(input);
  const expected = referenceGroups(bytes, { ...options, by });
  return { group_count: expected.group_count, groups: expected.groups };
}

function groupPart(result: unknown): unknown {
  const { group_count, groups } = result as ScanResult;
  return { group_count, groups: groups?.map(({ key, rows }) => ({ key, rows })) };
}

describe('count --by: keys', () => {
  it('unquotes keys, keeps spaces, makes missing fields empty and orders ties by key', async () => {
    const csv = 'region,v\ncentral,1\n"central",2\n central,3\n"",4\n\n,5\nnorth\n"a""b",6\n"x,y",7\n"l1\nl2",8\n"cr\r",9\n';
    const got = await everyWay(csv, { by: ['region'] });
    expect(groupPart(got)).toEqual({
      group_count: 8,
      groups: [
        { key: [''], rows: 2 },
        { key: ['central'], rows: 2 },
        { key: [' central'], rows: 1 },
        { key: ['a"b'], rows: 1 },
        { key: ['cr\r'], rows: 1 },
        { key: ['l1\nl2'], rows: 1 },
        { key: ['north'], rows: 1 },
        { key: ['x,y'], rows: 1 },
      ],
    });
    expect(groupPart(got)).toEqual(reference(csv, [1]));
  });

  it('takes composite keys in --by order, component by component, a prefix first', async () => {
    const csv = 'a,b,c\nx,1,p\nx,1,q\nxy,,r\nx,12,s\nx,1\n"x",12,t\ny\n';
    const got = await everyWay(csv, { by: ['a', 2] });
    expect(got).toMatchObject({ by: ['a', 'b'] });
    expect(groupPart(got)).toEqual(reference(csv, [1, 2]));
    expect((got as ScanResult).groups!.map((group) => [...group.key, group.rows])).toEqual([['x', '1', 3], ['x', '12', 2], ['xy', '', 1], ['y', '', 1]]);
    // the same column twice, and the key columns in another order
    expect(groupPart(await everyWay(csv, { by: ['c', 'a', 'c'] }))).toEqual(reference(csv, [3, 1, 3]));
  });

  it('keeps invalid UTF-8 apart, shown as U+FFFD, and orders it bytewise', async () => {
    const bytes = Uint8Array.from([...bytesOf('k\n'), 0xff, 10, 0xfe, 10, 0xff, 10, 0xc3, 0xa9, 10, 0xef, 0xbb, 0xbf, 0x61, 10]);
    const got = await everyWay(bytes, { by: ['k'] });
    expect(groupPart(got)).toEqual(reference(bytes, [1]));
    expect((got as ScanResult).groups!.map((group) => group.key[0])).toEqual(['\ufffd', 'é', '\ufeffa', '\ufffd']);
  });

  it('orders keys holding zero bytes, composite keys with prefixes, as the reference does', async () => {
    const bytes = Uint8Array.from([...bytesOf('a,b\n'), 0x61, 0x2c, 0x00, 10, 0x61, 0x00, 0x2c, 10, 0x61, 0x2c, 10, 0x61, 0x2c, 0x00, 0x00, 10, 0x61, 0x2c, 0x00, 10]);
    const got = await everyWay(bytes, { by: ['a', 'b'] });
    expect(groupPart(got)).toEqual(reference(bytes, [1, 2]));
    expect((got as ScanResult).groups!.map((group) => group.key)).toEqual([['a', '\0'], ['a', ''], ['a', '\0\0'], ['a\0', '']]);
  });

  it('counts keys that span windows (long quoted keys, CRLF) and files without a header', async () => {
    const long = 'k'.repeat(5000);
    const csv = `"${long}",1\r\n${long},2\r\n"${long}""",3\r\nshort,4\r\n${long}`;
    const got = await everyWay(csv, { by: [1], header: false });
    expect(groupPart(got)).toEqual(reference(csv, [1], { header: false }));
    expect((got as ScanResult).groups![0]).toMatchObject({ rows: 3 });
  });

  it('takes every quoting shape on the fast path and off it (kernel fast path vs byte machine)', async () => {
    const random = new SeededRandom(99);
    const shapes = ['a', '"a"', '"a"\r', 'a\rb', '"a""b"', '"a,b"', '"a\nb"', '"a\r\nb"', '', '""', '"" ', ' a ', '"a"x', 'é', '"é"'];
    let csv = 'x,k,y,z\r\n';
    for (let i = 0; i < 4000; i++) {
      const k = random.pick(shapes);
      const z = random.pick(shapes);
      const end = random.pick(['\n', '\r\n', '\n\n', '\r\n\r\n']);
      csv += random.chance(0.1) ? `${i}${end}` : random.chance(0.1) ? `${i},${k}${end}` : `${i},${k},${random.pick(shapes)},${z}${end}`;
    }
    csv += '"tail",last';
    for (const by of [[2], [4, 2], [1, 2, 3, 4]]) {
      const got = await everyWay(csv, { by });
      expect(groupPart(got), `by ${by.join(',')}`).toEqual(reference(csv, by));
    }
  });

  it('--top keeps the first N groups; group_count counts them all', async () => {
    const csv = 'k\nb\na\nb\nc\na\nd\n';
    const got = (await scanBytes(csv, { mode: 'count', by: ['k'], top: 2 })) as ScanResult;
    expect(got.group_count).toBe(4);
    expect(got.groups!.map(({ key, rows }) => [key[0], rows])).toEqual([['a', 2], ['b', 2]]);
    expect(groupPart(JSON.parse(toJsonLine(got)))).toEqual(reference(csv, [1], { top: 2 }));
  });

  it('writes --json as SPEC.md says, and --csv quoting fields when needed', async () => {
    const csv = 'name,"the ""key"""\na,"x,y"\nb,"q""r"\nc,plain\nd,"l\nf"\n';
    const result = await scanBytes(csv, { mode: 'count', by: [2] }, 'f.csv');
    expect(toJsonLine(result)).toBe(
      `{"file":"f.csv","rows":4,"bytes":${Buffer.byteLength(csv)},` +
        '"ragged":{"short":0,"long":0},"by":["the \\"key\\""],"group_count":4,' +
        '"groups":[{"key":["l\\nf"],"rows":1},{"key":["plain"],"rows":1},{"key":["q\\"r"],"rows":1},{"key":["x,y"],"rows":1}]}',
    );
    expect(formatCsv(result, 'count')).toBe('"the ""key""",rows\r\n"l\nf",1\r\nplain,1\r\n"q""r",1\r\n"x,y",1\r\n');
  });
});

describe('count --by: the block path (64-byte masks) and where it gives up', () => {
  it('takes keys at every offset of a block, spanning blocks, empty, last, CRLF, missing from short records', async () => {
    const random = new SeededRandom(7);
    const keys = ['a', 'bb', '', 'k'.repeat(70), 'key', '"q"', '"q,""x"""', '"l\nm"', '""', '""""', '"a\r"'];
    let csv = 'pad,k,v,tail\n';
    for (let i = 0; i < 700; i++) {
      const pad = 'p'.repeat(i % 131);
      const key = random.pick(keys);
      const end = random.pick(['\n', '\r\n', '\n\n', '\r\n\r\n']);
      const shape = random.int(0, 6);
      csv += shape === 0 ? `${pad}${end}` : shape === 1 ? `${pad},${key}${end}` : `${pad},${key},${i % 5},${random.pick(keys)}${end}`;
    }
    for (const by of [[2], [4], [2, 4], [4, 2], [1, 2]]) {
      const got = await everyWay(csv, { by });
      expect(groupPart(got), `by ${by.join(',')}`).toEqual(reference(csv, by));
    }
  });

  it('hands keys the masks do not model to the byte machine: quotes inside a key, bytes after its closing quote', async () => {
    const random = new SeededRandom(8);
    const keys = ['a', 'a"b', '"a"x', '"a""b"c', '"a" ', 'x""', '"a"', '"a,b"'];
    let csv = 'x,k,y\n';
    for (let i = 0; i < 3000; i++) csv += `${random.pick(['1', '"1"', '1"2', '"1"2'])},${random.pick(keys)},${random.pick(keys)}\n`;
    for (const by of [[2], [3, 2]]) {
      const got = await everyWay(csv, { by });
      expect(groupPart(got), `by ${by.join(',')}`).toEqual(reference(csv, by));
    }
  });

  it('compares short keys in the table alone: 0 to 17 bytes, shared prefixes, zero bytes, lengths past 255', async () => {
    // a key of one field of at most 16 bytes is hashed from the window and decided by its table entry
    // (tag, length, first 16 bytes); longer ones are compared in the arena
    const random = new SeededRandom(10);
    const keys = ['', '\0', 'a', 'a\0', 'a\0\0', 'abcdefg', 'abcdefgh', 'abcdefgh\0', 'abcdefghi', 'abcdefghijklmno',
      'abcdefghijklmnop', 'abcdefghijklmnopq', 'abcdefghijklmnopr', 'abcdefghijklmnop\0', '"abcdefgh"', '"abc""defgh"',
      '"abcdefghijklmnop"', 'y'.repeat(300), 'y'.repeat(301), `${'y'.repeat(300)}z`];
    for (let i = 0; i < 40; i++) keys.push(`k${i}`.padEnd(1 + (i % 17), '.'));
    let csv = 'pad,k,tail\n';
    for (let i = 0; i < 3000; i++) {
      // a quote inside the unquoted tail stops the masks in a record whose key was already looked up
      const tail = random.pick(['t', '', '1"2', 'x'.repeat(70), `${'x'.repeat(60)}1"2`]);
      csv += `${'p'.repeat(random.int(0, 70))},${random.pick(keys)}${random.chance(0.1) ? '' : `,${tail}`}${random.pick(['\n', '\r\n'])}`;
    }
    for (const by of [[2], [1, 2]]) {
      const got = await everyWay(csv, { by });
      expect(groupPart(got), `by ${by.join(',')}`).toEqual(reference(csv, by));
    }
  });

  it('finds keys past the 64th field (records wider than the mask of wanted fields)', async () => {
    const random = new SeededRandom(9);
    let csv = '';
    for (let i = 0; i < 400; i++) csv += `${Array.from({ length: 72 }, (_, f) => (f % 9 === 0 ? random.pick(['a', '"b"', '']) : String(f))).join(',')}\n`;
    for (const by of [[64], [63, 65], [72], [1, 70]]) {
      const got = await everyWay(csv, { by, header: false });
      expect(groupPart(got), `by ${by.join(',')}`).toEqual(reference(csv, by, { header: false }));
    }
  });

  it('spills a group that does not fit in --memory in the middle of a block, every engine alike', async () => {
    let csv = 'a,k,b\n';
    for (let i = 0; i < 30000; i++) csv += `${i % 7},k${(i * 7919) % 25000},${i % 3}\n`;
    const expected = reference(csv, [2]);
    for (const engine of ENGINE_NAMES) {
      for (const window of [4096, 7, 30000]) {
        const spilled = await scanBytes(csv, { mode: 'count', by: ['k'], engine, memory: 64 * 1024, window });
        expect(groupPart(groupsOf(spilled)), `${engine} window ${window}`).toEqual(expected);
      }
    }
  });
});

describe('count --by: threads and ranges', () => {
  it('merges the groups of threads exactly', async () => {
    const random = new SeededRandom(7);
    let csv = 'k,v\n';
    for (let i = 0; i < 3000; i++) csv += `${random.pick(['a', '"a"', 'b', '"x\ny"', '', 'long'.repeat(random.int(1, 30))])},${i}\n`;
    const path = writeCsv(csv);
    const expected = reference(csv, [1]);
    for (const engine of ENGINE_NAMES) {
      for (const threads of [1, 2, 3]) {
        const got = await scanFile(path, { mode: 'count', by: ['k'], engine, threads, minBytesPerThread: 1, window: 64 });
        expect(groupPart(got), `${engine} threads ${threads}`).toEqual(expected);
      }
    }
  });

  it('merges grouped --range partials split at random, keys cut by the ranges', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = new SeededRandom(seed);
      let csv = 'k,j\n';
      for (let i = 0; i < 60; i++) csv += `${random.pick(['a', 'bb', '"c,c"', 'dd'.repeat(20)])},${random.int(0, 2)}\n`;
      const path = writeCsv(csv);
      const size = Buffer.byteLength(csv);
      const cuts = [0, ...Array.from({ length: random.int(1, 5) }, () => random.int(1, size - 1)).sort((a, b) => a - b), size];
      const unique = [...new Set(cuts)];
      const engine = random.pick(ENGINE_NAMES);
      const parts: unknown[] = [];
      for (let i = 0; i + 1 < unique.length; i++) {
        parts.push(JSON.parse(toJsonLine(await scanFile(path, { mode: 'count', by: ['k', 'j'], engine, range: [unique[i]!, unique[i + 1]!], threads: 1 }))));
      }
      expect(groupPart(merge(parts)), `seed ${seed}`).toEqual(reference(csv, [1, 2]));
      expect(merge(parts, undefined, 1).groups).toHaveLength(1);
    }
  });

  it('merges grouped partials cut inside quoted keys holding line breaks (following merge\'s rescans)', async () => {
    let rescans = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const random = new SeededRandom(seed * 101);
      let csv = 'k,j\n';
      for (let i = 0; i < 40; i++) csv += `${random.pick(['"a\nb"', '"a\r\nb"', 'a', '"x,\n\ny"', '"\n"', 'zz'])},${random.pick(['1', '"2\n"'])}\n`;
      const path = writeCsv(csv);
      const cuts = randomCuts(random, Buffer.byteLength(csv), random.int(2, 6));
      const engine = random.pick(ENGINE_NAMES);
      const merged = await shardAndMerge(path, cuts, () => ({ mode: 'count', by: ['k', 'j'], engine }));
      expect(groupPart(merged.result), `seed ${seed} cuts ${cuts.join(',')}`).toEqual(reference(csv, [1, 2]));
      rescans += merged.rescans;
    }
    // the cuts did land inside quoted keys: merge asked for rescans, and they were followed
    expect(rescans).toBeGreaterThan(0);
  });

  it('refuses to merge grouped with ungrouped partials, or other --by', async () => {
    const path = writeCsv('k,j\na,1\nb,2\n');
    const part = async (options: Partial<ScanOptions>, range: [number, number]): Promise<unknown> =>
      JSON.parse(toJsonLine(await scanFile(path, { mode: 'count', ...options, range, threads: 1 })));
    const grouped = await part({ by: ['k'] }, [0, 6]);
    const plain = await part({}, [6, 14]);
    const other = await part({ by: ['j'] }, [6, 14]);
    expect(() => merge([grouped, plain], ['a.json', 'b.json'])).toThrow(/a\.json is grouped \(--by "k"\) and b\.json is not/);
    expect(() => merge([grouped, other], ['a.json', 'b.json'])).toThrow(/b\.json is grouped by "j" and a\.json by "k"/);
    const damaged = JSON.parse(JSON.stringify(grouped)) as { partial: { groups: unknown } };
    damaged.partial.groups = [[['!!'], 1]];
    const rest = await part({ by: ['k'] }, [6, 14]);
    expect(() => merge([damaged, rest], ['a.json', 'b.json'])).toThrow(/a\.json: partial\.groups must be/);
    expect(merge([grouped, rest]).group_count).toBe(2);
  });
});

/** Whether the independent reference refuses these key columns (-c of the same indexes). */
function keyColumnMissing(bytes: Uint8Array, indexes: number[], dialect: { delimiter: number; quote: number; header: boolean }): boolean {
  try {
    referenceScan(bytes, { mode: 'sum', columns: indexes.map(String), ...dialect, file: 'x.csv' });
    return false;
  } catch (error) {
    if (error instanceof ReferenceUnknownColumn) return true;
    throw error;
  }
}

describe('count --by: differential against the reference', () => {
  it(`agrees on ${SEEDS} seeded generated CSVs, every engine, windows and threads`, async () => {
    let compared = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const csv = generateCsv(seed, { maxRows: 40, maxColumns: 4 });
      const random = new SeededRandom(seed * 31);
      const byIndexes = Array.from({ length: random.int(1, 2) }, () => random.int(1, csv.width));
      const names = csv.columnNames;
      // by name where the name is unambiguous, else by index (a name that looks like an index is avoided)
      const requested = byIndexes.map((index) =>
        names && names.indexOf(names[index - 1]!) === index - 1 ? names[index - 1]! : names?.includes(String(index)) ? null : index,
      );
      if (requested.includes(null)) continue;
      const dialect = { delimiter: csv.delimiter, quote: csv.quote, header: csv.header };
      const options: Grouped = { ...dialect, by: requested as (string | number)[] };
      if (keyColumnMissing(csv.bytes, byIndexes, dialect)) {
        // as for -c, an index past the widest record (no header) is an unknown column
        for (const engine of ENGINE_NAMES) {
          await expect(scanBytes(csv.bytes, { mode: 'count', ...options, engine }), `seed ${seed} ${engine}`).rejects.toThrow(/unknown column/);
        }
        continue;
      }
      const expected = reference(csv.bytes, byIndexes, dialect);
      for (const engine of ENGINE_NAMES) {
        for (const window of [1, 3, 64, undefined]) {
          const got = await scanBytes(csv.bytes, { mode: 'count', ...options, engine, window });
          expect(groupPart(got), `seed ${seed} ${engine} window ${window}`).toEqual(expected);
        }
      }
      const path = writeCsv(csv.bytes);
      const threaded = await scanFile(path, { mode: 'count', ...options, threads: 2, minBytesPerThread: 1, window: 7 });
      expect(groupPart(threaded), `seed ${seed} threads`).toEqual(expected);
      compared++;
    }
    expect(compared).toBeGreaterThan(SEEDS * 0.8);
  });
});

describe('count --by: memory and errors', () => {
  let csv = 'k\n';
  for (let i = 0; i < 20000; i++) csv += `key-${i}\n`;

  it('spills the groups past --memory, and refuses, in every engine, a key that does not fit even alone', async () => {
    const huge = `k\n${'x'.repeat(100 * 1024)}\n`;
    for (const engine of ENGINE_NAMES) {
      const scan = scanBytes(huge, { mode: 'count', by: ['k'], engine, memory: 64 * 1024, window: 4096 });
      await expect(scan).rejects.toThrow(CsvscanError);
      await expect(scan).rejects.toThrow(/^a key does not fit in --memory 64K with the window: raise --memory or lower --window/);
      // past the budget, groups are spilled to disk: the same groups as in memory
      const spilled = await scanBytes(csv, { mode: 'count', by: ['k'], engine, memory: 64 * 1024, window: 4096 });
      const fits = await scanBytes(csv, { mode: 'count', by: ['k'], engine, memory: 8 * 1024 * 1024, window: 4096 });
      expect(fits.group_count).toBe(20000);
      expect(groupsOf(spilled)).toEqual(groupsOf(fits));
    }
    const path = writeCsv(huge);
    expectCleanError(csvscan(['count', path, '--by', 'k', '--memory', '64K', '--window', '4K']), 2, /a key does not fit in --memory 64K with the window/);
  });

  it('grows the kernel memory as groups come (views re-created), every engine alike, threads too', async () => {
    let many = 'k,v\n';
    for (let i = 0; i < 150000; i++) many += `a-rather-long-key-${i % 120000},${i}\n`;
    const path = writeCsv(many);
    let first: unknown = null;
    for (const engine of ENGINE_NAMES) {
      for (const threads of [1, 2]) {
        const got = await scanFile(path, { mode: 'count', by: ['k'], engine, threads, minBytesPerThread: 1, window: 65536, memory: 64 * 1024 * 1024, top: 3 });
        expect(got.group_count).toBe(120000);
        if (first === null) first = groupPart(got);
        else expect(groupPart(got), `${engine} threads ${threads}`).toEqual(first);
      }
    }
    expect(first).toEqual(reference(many, [1], { top: 3 }));
  });

  it('prints the table, JSON and CSV from the CLI, and refuses bad options', () => {
    const path = writeCsv('region,v\nwest,1\neast,2\nwest,3\n');
    expect(csvscan(['count', path, '--by', 'region']).stdout).toBe('region  rows\nwest       2\neast       1\n');
    expect(csvscan(['count', path, '--by', 'region', '--top', '1', '--csv']).stdout).toBe('region,rows\r\nwest,2\r\n');
    expect(JSON.parse(csvscan(['count', path, '--by', '1', '--json']).stdout)).toMatchObject({ by: ['region'], group_count: 2 });
    expect(csvscan(['sum', path, '-c', 'v', '--csv']).stdout).toBe('column,sum\r\nv,6\r\n');
    expect(csvscan(['stats', path, '-c', 'v', '--csv']).stdout).toBe('column,type,count,empty,invalid,sum,min,max,mean,stddev,min_length,max_length\r\nv,integer,3,0,0,6,1,3,2,1,1,1\r\n');
    expectCleanError(csvscan(['count', path, '--by', 'nope']), 2, /unknown column "nope"; the columns are: "region", "v"/);
    expectCleanError(csvscan(['count', path, '--by', '3']), 2, /unknown column "3"/);
    expectCleanError(csvscan(['count', path, '--by', 'region', '--top', '0']), 2, /--top must be a whole number >= 1, got 0/);
    expectCleanError(csvscan(['count', path, '--top', '2']), 2, /--top needs --by/);
    expectCleanError(csvscan(['count', path, '--by', 'region', '--memory', '1K']), 2, /--memory must be a whole number of bytes >= 65536/);
    expectCleanError(csvscan(['count', path, '--by', 'region', '--json', '--csv']), 2, /--json and --csv cannot be given together/);
    expect(csvscan(['sum', path, '-c', 'v', '--by', 'region']).stdout).toBe('region  rows  v\neast       1  2\nwest       2  4\n');
    expect(csvscan(['sum', path, '-c', 'v', '--by', 'region', '--csv']).stdout).toBe('region,rows,v\r\neast,1,2\r\nwest,2,4\r\n');
    expectCleanError(csvscan(['stats', path, '--by', '1', '--no-header']), 2, /stats --by without a header needs its columns named/);
    expectCleanError(csvscan(['count', path, '--no-header', '--by', '9']), 2, /unknown column "9"; the columns are 1 to 2/);
  });

  it('writes grouped --range partials and merges them from the CLI (--top, --csv), refusing a mix', () => {
    const csv = 'k,v\nb,1\n"a",2\nb,3\na,4\n"c\nd",5\nb,6\n';
    const path = writeCsv(csv);
    const size = Buffer.byteLength(csv);
    const parts: string[] = [];
    for (const [start, end] of [[0, 10], [10, 20], [20, size]] as const) {
      const run = csvscan(['count', path, '--by', 'k', '--range', `${start}:${end}`, '--json']);
      expect(run.status).toBe(0);
      parts.push(writeCsv(run.stdout));
    }
    expect(csvscan(['merge', ...parts, '--csv', '--top', '2']).stdout).toBe('k,rows\r\nb,3\r\na,2\r\n');
    expect(csvscan(['merge', ...parts]).stdout).toBe('k     rows\nb        3\na        2\nc\\nd     1\n');
    const plain = csvscan(['count', path, '--range', `20:${size}`, '--json']);
    const mixed = writeCsv(plain.stdout);
    expectCleanError(csvscan(['merge', parts[0]!, parts[1]!, mixed]), 2, /is grouped \(--by "k"\) and .* is not: merge partials scanned with the same --by/);
  });

  it('checks the library options as the CLI does', async () => {
    await expect(scanBytes('k\na\n', { mode: 'count', by: [] })).rejects.toThrow(/by must be a column name or 1-based index/);
    await expect(scanBytes('k\na\n', { mode: 'count', by: ['k'], top: 1.5 })).rejects.toThrow(/top must be a whole number >= 1, got 1.5/);
    await expect(scanBytes('k\na\n', { mode: 'count', by: ['k'], memory: 10 })).rejects.toThrow(/memory must be a whole number of bytes >= 65536/);
    expect(groupPart(await scanBytes('k\na\n', { mode: 'count', by: 'k' as unknown as string[] }))).toEqual({ group_count: 1, groups: [{ key: ['a'], rows: 1 }] });
  });
});

describe('grouped output, streamed a group at a time', () => {
  // keys a table must escape or measure with care: a tab, a line feed, quotes and a comma, a
  // character outside the BMP (two UTF-16 units, one column wide), invalid UTF-8, empty
  const odd = ['t\tab', 'l\nf', 'q"u,o', 'emoji \u{1F600}', '', 'plain'];
  const lines = ['k,v'];
  for (let i = 0; i < 6000; i++) {
    const key = i % 10 < odd.length ? odd[i % 10]! : `key${(i * 7919) % 4000}`;
    lines.push(`"${key.replaceAll('"', '""')}",${i % 13 === 0 ? 'NA' : (i % 97) / 4}`);
  }
  const text = `${lines.join('\n')}\n`;
  const bytes = new TextEncoder().encode(text);
  // an invalid UTF-8 key
  const path = writeCsv(new Uint8Array([...bytes, ...new TextEncoder().encode('"\xff'), 0xff, ...new TextEncoder().encode('",1\n')]));
  const commands: ['count' | 'sum' | 'stats', string[], ScanOptions][] = [
    ['count', [], { mode: 'count' }],
    ['sum', ['-c', 'v'], { mode: 'sum', columns: ['v'] }],
    ['stats', ['-c', 'v'], { mode: 'stats', columns: ['v'] }],
  ];

  it('prints what the library result formats to, in text, --csv and --json, spilled or not', async () => {
    for (const [command, columnArgs, options] of commands) {
      for (const spill of [[], ['--memory', '64K', '--window', '8K']]) {
        const result = await scanFile(path, { ...options, by: ['k'], threads: 1 });
        for (const format of [{}, { csv: true }, { json: true }] as OutputOptions[]) {
          const flag = format.csv ? ['--csv'] : format.json ? ['--json'] : [];
          const run = csvscan([command, path, ...columnArgs, '--by', 'k', '--threads', '1', ...spill, ...flag]);
          expect(run.status, run.stderr).toBe(0);
          const expected = formatResult(result, command, format);
          expect(run.stdout, `${command} ${spill.join(' ')} ${flag.join(' ')}`).toBe(expected.endsWith('\n') ? expected : `${expected}\n`);
        }
      }
    }
  }, 60_000);

  it('scanFileStreamed() hands out the groups of scanFile(), in order, as often as asked', async () => {
    for (const [, , options] of commands) {
      for (const memory of [undefined, 64 * 1024]) {
        const whole = await scanFile(path, { ...options, by: ['k'], threads: 1, memory, window: 8192 });
        const { result, groups } = await scanFileStreamed(path, { ...options, by: ['k'], threads: 1, memory, window: 8192 });
        expect(result.groups).toBeUndefined();
        expect(groups!.count).toBe(whole.group_count);
        expect([...groups!.each()]).toEqual(whole.groups);
        expect([...groups!.each()]).toEqual(whole.groups);
        groups!.close();
        expect({ ...result, groups: whole.groups }).toEqual(whole);
      }
    }
  });

  it('prints in pieces, waiting for standard output after each, and stops when its reader is gone', async () => {
    const many = writeCsv(['k', ...Array.from({ length: 20_000 }, (_, i) => `key${i}`)].join('\n') + '\n');
    const written: string[] = [];
    let drains = 0;
    let gone = false;
    const io: CliIo = { stdout: (text) => written.push(text), stderr: () => {}, stderrIsTTY: false, debug: false, drain: async () => void drains++, closed: () => gone };
    await printScan(io, { ...(await scanFileStreamed(many, { mode: 'count', by: ['k'], threads: 1 })), memory: 0 }, 'count', { json: false });
    expect(written.length).toBeGreaterThan(2);
    expect(drains).toBe(written.length);
    expect(written.join('')).toBe(`${formatResult(await scanFile(many, { mode: 'count', by: ['k'], threads: 1 }), 'count', { json: false })}\n`);
    const streamed = await scanFileStreamed(many, { mode: 'count', by: ['k'], threads: 1 });
    let closed = 0;
    const close = streamed.groups!.close;
    streamed.groups!.close = () => {
      closed++;
      close();
    };
    written.length = 0;
    io.stdout = (text) => {
      written.push(text);
      gone = true;
    };
    await printScan(io, { ...streamed, memory: 0 }, 'count', { json: false });
    expect(written.length).toBe(1);
    expect(closed).toBe(1);
  });
});
