// gzip input (docs/spec.md, Compressed input): a gzip file or gzip bytes on standard input give the
// plain file's results, for every command, engine and window, multi-member files split anywhere
// included; the plain results are held against figures computed here, independently, from the
// records as they were written. Corrupt, truncated and zstd input, and the options that do not apply
// to compressed input, are refused with one line and exit 2.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { createScanner, scanBytes, scanFile, scanStream } from '../src/api.js';
import { CsvscanError } from '../src/errors.js';
import { ENGINE_NAMES, type ScanOptions, type ScanResult } from '../src/types.js';
import { SeededRandom } from './reference/generate.js';
import { csvscan, expectCleanError, type Run } from './support/cli.js';

/** A CSV as written, and what it holds, counted as it was written. */
interface Dataset {
  bytes: Buffer;
  rows: number;
  price: { count: number; empty: number; invalid: number; cents: bigint };
  byName: Map<string, number>;
}

/** Names as written (some quoted, with a delimiter or doubled quotes) and as keys (unquoted). */
const NAMES: [written: string, key: string][] = [
  ['Ann', 'Ann'], ['Bo', 'Bo'], ['"Lee, Bo"', 'Lee, Bo'], ['"Al ""Big"" Cap"', 'Al "Big" Cap'], ['Zoë', 'Zoë'], ['"Kim"', 'Kim'], ['Kim', 'Kim'],
];

/**
 * `rows` records of id, name, price, qty, note: quoted names, prices that are numbers (some quoted),
 * NA or empty, notes with quoted line breaks, LF and CRLF record ends.
 */
function dataset(seed: number, rows: number): Dataset {
  const random = new SeededRandom(seed);
  const lines = ['id,name,price,qty,note\n'];
  const price = { count: 0, empty: 0, invalid: 0, cents: 0n };
  const byName = new Map<string, number>();
  for (let i = 1; i <= rows; i++) {
    const [written, key] = random.pick(NAMES);
    byName.set(key, (byName.get(key) ?? 0) + 1);
    const kind = random.int(0, 9);
    let priceText = '';
    if (kind < 7) {
      const cents = random.int(0, 9_999_999);
      price.count++;
      price.cents += BigInt(cents);
      const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      priceText = kind === 6 ? `"${text}"` : text;
    } else if (kind < 9) {
      price.invalid++;
      priceText = 'NA';
    } else {
      price.empty++;
    }
    const note = random.chance(0.3) ? `"first line\nsecond, ""quoted"""` : `n${i}`;
    lines.push(`${i},${written},${priceText},${random.int(0, 99)},${note}${random.chance(0.2) ? '\r\n' : '\n'}`);
  }
  return { bytes: Buffer.from(lines.join('')), rows, price, byName };
}

/** The exact sum of whole cents as docs/spec.md writes sum_text: no trailing zeros after the point. */
function centsText(cents: bigint): string {
  const fraction = String(cents % 100n).padStart(2, '0').replace(/0+$/, '');
  return fraction === '' ? String(cents / 100n) : `${cents / 100n}.${fraction}`;
}

/** gzip members cut at `cuts` (offsets into the plain bytes), an empty member among them. */
function multiMember(bytes: Buffer, cuts: number[]): Buffer {
  const edges = [0, ...cuts.sort((a, b) => a - b), bytes.length];
  const members = edges.slice(1).map((end, k) => gzipSync(bytes.subarray(edges[k]!, end)));
  members.splice(1, 0, gzipSync(Buffer.alloc(0)));
  return Buffer.concat(members);
}

let dir: string;
let files = 0;
function write(name: string, bytes: Buffer | string): string {
  const path = join(dir, `${++files}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

/** What a result says, whatever file it was read from. */
const content = (result: ScanResult): ScanResult => ({ ...result, file: 'input' });
const contentOfJson = (stdout: string): ScanResult => content(JSON.parse(stdout) as ScanResult);

/** The plain scan's figures against those counted as the data was written. */
function expectDatasetFigures(data: Dataset, result: ScanResult): void {
  expect(result.rows).toBe(data.rows);
  const column = result.columns?.find((candidate) => candidate.name === 'price');
  if (column) {
    expect({ count: column.count, empty: column.empty, invalid: column.invalid, sum_text: column.sum_text }).toEqual({
      count: data.price.count, empty: data.price.empty, invalid: data.price.invalid, sum_text: centsText(data.price.cents),
    });
  }
  if (result.groups) {
    expect(new Map(result.groups.map(({ key, rows }) => [key[0]!, rows]))).toEqual(data.byName);
  }
}

const QUERIES: { label: string; options: ScanOptions; args: string[] }[] = [
  { label: 'count', options: { mode: 'count' }, args: ['count'] },
  { label: 'sum -c price', options: { mode: 'sum', columns: ['price'] }, args: ['sum', '-c', 'price'] },
  { label: 'stats', options: { mode: 'stats' }, args: ['stats'] },
  { label: 'count --by name', options: { mode: 'count', by: ['name'] }, args: ['count', '--by', 'name'] },
];

/** small enough for one-byte windows, with every shape in it; medium spans several slots of the ring */
let small: Dataset;
let medium: Dataset;
const paths: Record<string, string> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'csvscan-gzip-'));
  small = dataset(1, 300);
  medium = dataset(2, 60_000);
  for (const [name, data] of [['small', small], ['medium', medium]] as const) {
    paths[`${name}.csv`] = write(`${name}.csv`, data.bytes);
    paths[`${name}.csv.gz`] = write(`${name}.csv.gz`, gzipSync(data.bytes, { level: 6 }));
    // cuts inside a record, inside a quoted line break, right after a record end, and one byte in
    const quoted = data.bytes.indexOf('"first line\n');
    const cuts = [1, quoted + 11, quoted + 12, data.bytes.indexOf('\n') + 1, Math.floor(data.bytes.length / 3) + 5];
    paths[`${name}-multi.csv.gz`] = write(`${name}-multi.csv.gz`, multiMember(data.bytes, cuts));
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the library: gzip equals the plain file, for every engine and window', () => {
  const sweep = [
    { window: 1, data: 'small' },
    { window: 7, data: 'small' },
    { window: 4096, data: 'medium' },
    { window: undefined, data: 'medium' },
  ] as const;
  it.each(ENGINE_NAMES)('%s', async (engine) => {
    for (const { window, data } of sweep) {
      for (const query of QUERIES) {
        const options: ScanOptions = { ...query.options, engine, ...(window === undefined ? {} : { window }) };
        const plain = await scanFile(paths[`${data}.csv`]!, options);
        expectDatasetFigures(data === 'small' ? small : medium, plain);
        for (const variant of [`${data}.csv.gz`, `${data}-multi.csv.gz`]) {
          const label = `${query.label} ${variant} --window ${window ?? 'default'}`;
          expect(content(await scanFile(paths[variant]!, options)), label).toEqual(content(plain));
        }
      }
    }
  });

  it('refuses range and more than one thread for gzip input, as the CLI does', async () => {
    for (const options of [{ range: [0, 100] as [number, number] }, { threads: 2 }, { io: 'mmap' as const }]) {
      const refused = scanFile(paths['small.csv.gz']!, { mode: 'count', ...options });
      await expect(refused).rejects.toBeInstanceOf(CsvscanError);
      await expect(refused).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/gzip-compressed input is decompressed as one stream/) });
    }
    // what does apply: one thread, reading
    const plain = await scanFile(paths['small.csv']!, { mode: 'stats' });
    expect(content(await scanFile(paths['small.csv.gz']!, { mode: 'stats', threads: 1, io: 'read' }))).toEqual(content(plain));
  });

  it('refuses compressed bytes handed to scanBytes() or a scanner instead of scanning them as CSV', async () => {
    const compressed = [gzipSync(Buffer.from('a\n1\n2\n')), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0])];
    for (const bytes of compressed) {
      const message = expect.stringMatching(/the bytes are (gzip|zstd)-compressed; decompress them first/);
      await expect(scanBytes(bytes, { mode: 'count' })).rejects.toMatchObject({ exitCode: 2, message });
      const scanner = createScanner({ mode: 'count' });
      expect(() => {
        for (const byte of bytes) scanner.push(new Uint8Array([byte]));
        scanner.finish();
      }).toThrow(CsvscanError);
      await expect(scanStream(Readable.from([bytes]), { mode: 'sum', columns: ['a'] })).rejects.toMatchObject({ exitCode: 2, message });
    }
  });
});

describe('the CLI: gzip files and standard input', () => {
  it.each(QUERIES.map((query) => [query.label, query.args]))('%s of a gzip file, a multi-member one and gzip bytes on standard input', (_label, args) => {
    const plain = csvscan([...args, paths['medium.csv']!, '--json']);
    expect(plain.status).toBe(0);
    expectDatasetFigures(medium, JSON.parse(plain.stdout) as ScanResult);
    for (const variant of ['medium.csv.gz', 'medium-multi.csv.gz']) {
      const run = csvscan([...args, paths[variant]!, '--json']);
      expect(run.stderr).toBe('');
      expect(contentOfJson(run.stdout), variant).toEqual(contentOfJson(plain.stdout));
      const piped = csvscan([...args, '--json'], readFileSync(paths[variant]!));
      expect(piped.stderr).toBe('');
      expect(contentOfJson(piped.stdout), `${variant} on standard input`).toEqual(contentOfJson(plain.stdout));
    }
  });

  it('prints the sum of a gzip file as text, as for the plain file', () => {
    const run = csvscan(['sum', paths['medium.csv.gz']!, '-c', 'price']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`price\t${centsText(medium.price.cents)}\n`);
    expect(run.stdout).toBe(csvscan(['sum', paths['medium.csv']!, '-c', 'price']).stdout);
  });

  it('scans a gzip file larger than the ring, with every engine and two windows', () => {
    // 16 MiB of output: the worker fills the ring (8 MiB) and waits while the scan catches up.
    const big = dataset(3, 450_000);
    expect(big.bytes.length).toBeGreaterThan(16 * 1024 * 1024);
    const path = write('big.csv.gz', gzipSync(big.bytes, { level: 1 }));
    for (const [engine, window] of [['wasm', undefined], ['wasm-scalar', '64K'], ['js', undefined]] as const) {
      const run = csvscan(['sum', path, '-c', 'price', '--json', '--engine', engine, ...(window ? ['--window', window] : [])]);
      expect(run.stderr).toBe('');
      expectDatasetFigures(big, JSON.parse(run.stdout) as ScanResult);
    }
    expectDatasetFigures(big, JSON.parse(csvscan(['count', '--by', 'name', '--json'], gzipSync(big.bytes)).stdout) as ScanResult);
  });

  it('counts by a key whose groups spill to disk, as for the plain file', () => {
    // every id is its own group: 60,000 groups do not fit in 256K
    const args = ['count', '--by', 'id', '--by', 'name', '--top', '50', '--memory', '256K', '--window', '16K', '--json'];
    const plain = csvscan([...args, paths['medium.csv']!]);
    expect(plain.status).toBe(0);
    const parsed = JSON.parse(plain.stdout) as ScanResult;
    expect(parsed.group_count).toBe(medium.rows);
    expect(contentOfJson(csvscan([...args, paths['medium-multi.csv.gz']!]).stdout)).toEqual(content(parsed));
  });

  it('reads an empty gzip file, and one holding only a header, as the plain ones', () => {
    // (--by 1 of the empty file is an unknown column: refused alike)
    const outcome = (run: Run): unknown => ({ status: run.status, stderr: run.stderr, result: run.status === 0 ? contentOfJson(run.stdout) : null });
    for (const text of ['', 'id,name,price\n']) {
      const gz = write('empty.csv.gz', gzipSync(text));
      const plain = write('empty.csv', text);
      for (const args of [['count'], ['stats'], ['stats', '--no-header'], ['count', '--by', '1']]) {
        const expected = csvscan([...args, plain, '--json']);
        if (expected.status === 0) expect(JSON.parse(expected.stdout)).toMatchObject({ rows: text !== '' && args.includes('--no-header') ? 1 : 0 });
        const label = `${args.join(' ')} of ${JSON.stringify(text)}`;
        expect(outcome(csvscan([...args, gz, '--json'])), label).toEqual(outcome(expected));
        expect(outcome(csvscan([...args, '--json'], gzipSync(text))), `${label} on standard input`).toEqual(outcome(expected));
      }
    }
  });

  it('reads a .gz file that is not gzip as plain CSV (the magic number decides, not the name)', () => {
    const path = write('plain.csv.gz', small.bytes);
    const run = csvscan(['stats', path, '--json']);
    expect(run.status).toBe(0);
    expect(contentOfJson(run.stdout)).toEqual(contentOfJson(csvscan(['stats', paths['small.csv']!, '--json']).stdout));
    expectDatasetFigures(small, JSON.parse(run.stdout) as ScanResult);
  });

  it('ignores zero bytes after the last member, as gzip -dc does', () => {
    const path = write('padded.csv.gz', Buffer.concat([gzipSync(small.bytes), Buffer.alloc(64)]));
    expectDatasetFigures(small, JSON.parse(csvscan(['sum', path, '-c', 'price', '--json']).stdout) as ScanResult);
  });
});

describe('refusals: one line, exit 2, no number printed', () => {
  // (on standard input, the small file: csvscan stops reading at the error, and a pipe holds it whole)
  const gz = (data = medium): Buffer => gzipSync(data.bytes);
  const flipped = (bytes: Buffer, at: number): Buffer => {
    const copy = Buffer.from(bytes);
    copy[at] = copy[at]! ^ 0x55;
    return copy;
  };

  it.each([
    ['corrupt deflate data', (data?: Dataset) => flipped(gz(data), Math.floor(gz(data).length / 2)), /: corrupt gzip data \(.+\)$/m],
    ['a wrong CRC (every byte of the data was delivered before it)', (data?: Dataset) => flipped(gz(data), gz(data).length - 6), /: corrupt gzip data \(incorrect data check\)$/m],
    ['a truncated file', (data?: Dataset) => gz(data).subarray(0, Math.floor(gz(data).length / 2)), /: truncated gzip data \(unexpected end of file\)$/m],
    ['the magic number alone', () => Buffer.from([0x1f, 0x8b]), /: truncated gzip data \(unexpected end of file\)$/m],
    ['garbage after the last member', (data?: Dataset) => Buffer.concat([gz(data), Buffer.from('trailing,garbage\n')]), /: corrupt gzip data \(incorrect header check\)$/m],
  ])('%s, in a file and on standard input', (_what, bytes, message) => {
    const path = write('broken.csv.gz', bytes());
    for (const args of [['count'], ['sum', '-c', 'price'], ['count', '--by', 'name', '--window', '7']]) {
      const fromFile = csvscan([...args, path]);
      expectCleanError(fromFile, 2, message);
      expect(fromFile.stderr.startsWith(`csvscan: ${path}: `)).toBe(true);
      const piped = csvscan(args, bytes(small));
      expectCleanError(piped, 2, message);
      expect(piped.stderr.startsWith('csvscan: standard input: ')).toBe(true);
    }
  });

  it('refuses zstd input by its magic number, in a file and on standard input', () => {
    const zstd = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from('anything')]);
    const path = write('data.csv', zstd);
    expectCleanError(csvscan(['count', path]), 2, new RegExp(`^csvscan: ${path}: zstd-compressed input is not supported; decompress it first`));
    expectCleanError(csvscan(['sum', '-c', 'price'], zstd), 2, /^csvscan: standard input: zstd-compressed input is not supported; decompress it first/);
  });

  it.each([
    ['--range', ['--range', '0:1000'], /--range does not apply/],
    ['--threads 2', ['--threads', '2'], /scanned on one thread; --threads 2 does not apply/],
    ['--io mmap', ['--io', 'mmap'], /--io mmap does not apply \(only a plain file can be mapped\)/],
  ])('refuses %s for gzip input, and takes the options that apply', (_what, option, message) => {
    expectCleanError(csvscan(['count', paths['medium.csv.gz']!, ...option]), 2, new RegExp(`^csvscan: ${paths['medium.csv.gz']}: gzip-compressed input is decompressed as one stream`));
    expectCleanError(csvscan(['sum', '-c', 'price', ...option], gzipSync(small.bytes)), 2, message);
    const applies = csvscan(['count', paths['medium.csv.gz']!, '--threads', '1', '--io', 'read']);
    expect(applies.stdout).toBe(`${medium.rows}\n`);
  });

  it('bench refuses a compressed file', () => {
    expectCleanError(csvscan(['bench', paths['small.csv.gz']!, '--runs', '1']), 2, /bench compares thread counts on plain files: .* is gzip-compressed/);
  });
});
