// The kernel through the library API: known answers for the docs/spec.md rules, exact sums, the
// csv-spectrum conformance files, every one of them with every engine (wasm, wasm-scalar, js),
// over many window sizes, from memory and through both io modes.
// Some literals below are deliberately not exact doubles: the scanner must round them as JS does.
/* eslint-disable no-loss-of-precision */

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanBytes, scanFile } from '../src/api.js';
import { CsvscanError } from '../src/errors.js';
import type { ColumnResult, EngineName, ScanMode, ScanOptions, ScanResult } from '../src/types.js';
import { referenceScan } from './reference/reference.js';
import { KERNEL_WINDOWS } from './support/windows.js';

const WINDOWS = KERNEL_WINDOWS;
const ENGINES: EngineName[] = ['wasm', 'wasm-scalar', 'js'];

const encoder = new TextEncoder();
const dir = mkdtempSync(join(tmpdir(), 'csvscan-kernel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Options = Omit<ScanOptions, 'mode'> & { mode?: ScanMode };

/**
 * Scan `text` with every engine and window size, from memory and from a file through mmap and
 * read(); assert every run gives the same JSON and return that result.
 */
async function scanAll(text: string | Uint8Array, options: Options = {}): Promise<ScanResult> {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  const path = join(dir, `case-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, bytes);
  const full: ScanOptions = { mode: 'stats', ...options };
  let first: string | null = null;
  let result: ScanResult | null = null;
  for (const engine of ENGINES) {
    for (const window of WINDOWS) {
      const runs = [
        await scanBytes(bytes, { ...full, engine, window }, path),
        await scanFile(path, { ...full, engine, window, io: 'mmap', threads: 1 }),
        await scanFile(path, { ...full, engine, window, io: 'read', threads: 1 }),
      ];
      for (const run of runs) {
        const json = JSON.stringify(run);
        if (first === null) {
          first = json;
          result = run;
        } else {
          expect(json, `engine ${engine}, window ${window}`).toBe(first);
        }
      }
    }
  }
  rmSync(path);
  return result!;
}

async function column(text: string, name: string, options: Options = {}): Promise<ColumnResult> {
  const result = await scanAll(text, { columns: [name], ...options });
  return result.columns![0]!;
}

async function malformed(text: string, options: Options = {}): Promise<string> {
  const messages = new Set<string>();
  for (const engine of ENGINES) {
    for (const window of WINDOWS) {
      const error = await scanBytes(encoder.encode(text), { mode: 'count', engine, window, ...options }, 'x.csv').then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CsvscanError);
      expect((error as CsvscanError).exitCode).toBe(1);
      messages.add((error as Error).message);
    }
  }
  expect(messages.size, [...messages].join(' | ')).toBe(1);
  return [...messages][0]!;
}

describe('records (docs/spec.md "Records and fields")', () => {
  it('ends records at LF and CRLF; a lone CR is data', async () => {
    const r = await scanAll('a,b\n1,2\r\n3,4\n5\r6,7\n', { columns: ['a', 'b'] });
    expect(r.rows).toBe(3);
    expect(r.columns![0]).toMatchObject({ count: 2, invalid: 1, first_invalid: { line: 4, value: '5\r6' } });
    expect(r.columns![1]).toMatchObject({ count: 3, sum_text: '13' });
  });

  it('skips a UTF-8 BOM at the start only', async () => {
    const r = await scanAll('\uFEFFa,b\n1,\uFEFF2\n', { columns: ['a', 'b'] });
    expect(r.columns![0]!.name).toBe('a');
    expect(r.columns![0]!.sum_text).toBe('1');
    expect(r.columns![1]!.invalid).toBe(1);
    expect(r.bytes).toBe(encoder.encode('\uFEFFa,b\n1,\uFEFF2\n').length);
  });

  it('reads quoted fields with delimiters, newlines and doubled quotes', async () => {
    const r = await scanAll('t,n\n"a,b\nc",1\n"say ""hi""",2\n"",3\n', { columns: ['t', 'n'] });
    expect(r.rows).toBe(3);
    expect(r.columns![0]!.first_invalid).toEqual({ line: 2, value: 'a,b\nc' });
    expect(r.columns![0]!.empty).toBe(1);
    expect(r.columns![1]!.sum_text).toBe('6');
  });

  it('appends bytes after a closing quote, and treats a quote inside a field as data', async () => {
    expect(await column('x\n"1"2\n', 'x')).toMatchObject({ count: 1, sum_text: '12' });
    expect(await column('x\n"1".5\n', 'x')).toMatchObject({ count: 1, sum_text: '1.5' });
    expect(await column('x\n1"2"\n', 'x')).toMatchObject({ invalid: 1, first_invalid: { line: 2, value: '1"2"' } });
    expect(await column('x\n"1"""\n', 'x')).toMatchObject({ invalid: 1, first_invalid: { line: 2, value: '1"' } });
  });

  it('does not count empty lines; a line of "" is a record with one empty field', async () => {
    const r = await scanAll('a\n\n1\n\r\n\n""\n2\n\n', { columns: ['a'] });
    expect(r.rows).toBe(3);
    expect(r.columns![0]).toMatchObject({ count: 2, empty: 1, sum_text: '3' });
  });

  it('counts short and long records, pads short ones with empty fields', async () => {
    const r = await scanAll('a,b,c\n1,2,3\n4\n5,6,7,8\n9,10\n', { columns: ['a', 'c'] });
    expect(r.rows).toBe(4);
    expect(r.ragged).toEqual({ short: 2, long: 1 });
    expect(r.columns![1]).toMatchObject({ count: 2, empty: 2, sum_text: '10' });
  });

  it('without a header, counts ragged records against the first and names columns 1..widest', async () => {
    const r = await scanAll('1,2\n3\n4,5,6\n', { header: false });
    expect(r.rows).toBe(3);
    expect(r.ragged).toEqual({ short: 1, long: 1 });
    expect(r.columns!.map((c) => c.name)).toEqual(['1', '2', '3']);
    expect(r.columns!.map((c) => c.empty)).toEqual([0, 1, 2]);
    expect(r.columns!.map((c) => c.sum_text)).toEqual(['8', '7', '6']);
  });

  it('ends the last record at end of input without a newline', async () => {
    const r = await scanAll('a,b\n1,2\n3,4', { columns: ['b'] });
    expect(r.rows).toBe(2);
    expect(r.columns![0]!.sum_text).toBe('6');
    const trailingDelimiter = await scanAll('a,b\n1,', { columns: ['b'] });
    expect(trailingDelimiter.columns![0]).toMatchObject({ count: 0, empty: 1 });
  });

  it('takes other delimiters and quotes', async () => {
    const r = await scanAll("a;b\n'1;5';2\n", { delimiter: 0x3b, quote: 0x27, columns: ['a', 'b'] });
    expect(r.columns![0]).toMatchObject({ invalid: 1, first_invalid: { value: '1;5' } });
    expect(r.columns![1]!.sum_text).toBe('2');
    const tab = await scanAll('a\tb\n1\t2.5\n', { delimiter: 9, columns: ['b'] });
    expect(tab.columns![0]!.sum_text).toBe('2.5');
  });

  it('reports end of input inside quotes with the line and byte of the opening quote', async () => {
    expect(await malformed('a,b\n1,"x\ny\n')).toBe('x.csv: line 2 (byte 6): quoted field never closed');
    expect(await malformed('\uFEFFa\n"')).toBe('x.csv: line 2 (byte 5): quoted field never closed');
    expect(await malformed('"a\n')).toBe('x.csv: line 1 (byte 0): quoted field never closed');
  });

  it('counts records', async () => {
    const r = await scanAll('h\n1\n2\n\n3\n', { mode: 'count' });
    expect(r).toEqual({ file: expect.any(String), rows: 3, bytes: 9, ragged: { short: 0, long: 0 } });
  });
});

describe('numbers (docs/spec.md "Numbers")', () => {
  const valid: [string, number][] = [
    ['0', 0], ['-0', -0], ['+3', 3], ['.5', 0.5], ['5.', 5], ['1E+3', 1000], ['1e-5', 1e-5],
    [' 42 ', 42], ['\t-7\t', -7], ['007', 7], ['1.250', 1.25], ['12345678901234567', 12345678901234567],
    ['0.12345678901234567', 0.12345678901234567], ['1e308', 1e308], ['1e999', Infinity],
    ['123456789012345678901234567890', 123456789012345678901234567890], ['4.9e-324', 4.9e-324],
    ['2.2250738585072011e-308', 2.2250738585072011e-308], ['9007199254740993', 9007199254740993],
  ];
  for (const [text, value] of valid) {
    it(`reads ${JSON.stringify(text)} as Number() does`, async () => {
      const c = await column(`x,y\n${text},0\n`, 'x');
      expect(c.count).toBe(1);
      expect(Object.is(c.min, value) || (value === 0 && c.min === 0)).toBe(true);
    });
  }

  const invalid = ['NA', '1_000', '--1', '0x1F', 'Infinity', 'NaN', '1e', '.', 'e5', '+', '1 2', '١٢', '1.2.3', '1e+', '"1,5"'];
  for (const text of invalid) {
    it(`rejects ${text}`, async () => {
      const c = await column(`x,y\n${text},0\n`, 'x');
      expect(c).toMatchObject({ count: 0, invalid: 1, first_invalid: { line: 2 } });
    });
  }

  it('keeps the first 64 bytes of the first invalid value and its physical line', async () => {
    const long = 'z'.repeat(100);
    const c = await column(`x\n1\n"a\nb"\n${long}\n`, 'x');
    expect(c.first_invalid).toEqual({ line: 3, value: 'a\nb' });
    const d = await column(`x\n1\n${long}\n`, 'x');
    expect(d.first_invalid).toEqual({ line: 3, value: 'z'.repeat(64) });
  });
});

describe('exact sums (docs/spec.md "Sums, exactly")', () => {
  it('sums 0.1 ten times to exactly 1', async () => {
    const c = await column('x\n' + '0.1\n'.repeat(10), 'x');
    expect(c.sum_text).toBe('1');
    expect(c.sum).toBe(1);
    expect(c.mean).toBe(0.1);
  });

  it('sums 876.5 split into parts exactly', async () => {
    const parts = ['800', '70', '6', '0.4', '0.09', '0.009', '0.0009', '0.00009', '0.00001'];
    const c = await column('x\n' + parts.join('\n') + '\n', 'x');
    expect(c.sum_text).toBe('876.5');
  });

  it('sums 10^17 and one 1 exactly (doubles lose the 1)', async () => {
    const c = await column('x\n100000000000000000\n1\n', 'x');
    expect(c.sum_text).toBe('100000000000000001');
    expect(c.sum).toBe(100000000000000001);
  });

  it('accumulates past 64 bits: 300 rows of 999999999999999999 and their squares', async () => {
    const c = await column('x\n' + '999999999999999999\n'.repeat(300) + '-0.000000000000000001\n', 'x');
    const expected = 999999999999999999n * 300n;
    expect(c.sum_text).toBe(`${expected - 1n}.999999999999999999`);
    expect(c.count).toBe(301);
    // stddev from exact sums: 300 equal values and one tiny one
    const n = 301n;
    const values: bigint[] = [...Array<bigint>(300).fill(999999999999999999n * 10n ** 18n), -1n];
    const s1 = values.reduce((a, b) => a + b, 0n);
    const s2 = values.reduce((a, b) => a + b * b, 0n);
    const variance = Number((n * s2 - s1 * s1) / (n * (n - 1n))) / 1e36;
    expect(Math.abs(c.stddev! - Math.sqrt(variance)) / Math.sqrt(variance)).toBeLessThan(1e-12);
  });

  it('sums many 15-digit numbers and their squares exactly, whichever number path each takes', async () => {
    // every other number takes the general path (an exponent that makes it 10^15 or more): the
    // kernel's 64-bit pending sums must still be added to the 128-bit buckets before they
    // overflow (2 x 10^4 x 10^15 > 2^63)
    const pairs = 20000;
    const c = await column('x\n' + '999999999999999\n1e16\n'.repeat(pairs), 'x');
    const n = BigInt(2 * pairs);
    const s1 = (999999999999999n + 10n ** 16n) * BigInt(pairs);
    const s2 = (999999999999999n ** 2n + 10n ** 32n) * BigInt(pairs);
    expect(c.count).toBe(2 * pairs);
    expect(c.sum_text).toBe(s1.toString());
    const variance = Number((n * s2 - s1 * s1) / (n * (n - 1n)));
    expect(Math.abs(c.stddev! - Math.sqrt(variance)) / Math.sqrt(variance)).toBeLessThan(1e-12);
  });

  it('sums the squares of mantissas of 2^25 and more exactly, across flushes of the pending sums', async () => {
    // the kernel's pending squares of m >= 2^25 are split in two 64-bit sums, turned into decimal
    // buckets when flushed (every 8192 numbers): with two values one unit apart, an error of one
    // unit in the sum of squares would move the stddev by about 10^-4 of itself
    const pairs: [string, string, bigint][] = [
      ['999999999999999', '999999999999998', 1n], ['99999999.9999999', '99999999.9999998', 10n ** 7n], ['33554432', '33554431', 1n],
    ];
    const n = 20000;
    const rows = Array.from({ length: n }, (_, i) => pairs.map((pair) => pair[i % 2]).join(','));
    const result = await scanAll('a,b,c\n' + rows.join('\n') + '\n', { columns: ['a', 'b', 'c'] });
    for (const [index, [even, odd, scale]] of pairs.entries()) {
      const units = Array.from({ length: n }, (_, i) => BigInt((i % 2 === 0 ? even : odd).replace('.', '')));
      const s1 = units.reduce((x, y) => x + y, 0n);
      const s2 = units.reduce((x, y) => x + y * y, 0n);
      const big = BigInt(n);
      const variance = Number(((big * s2 - s1 * s1) * 10n ** 12n) / (big * (big - 1n))) / 1e12 / Number(scale * scale);
      const c = result.columns![index]!;
      expect(c.count).toBe(n);
      expect(Math.abs(c.stddev! - Math.sqrt(variance)) / Math.sqrt(variance)).toBeLessThan(1e-9);
    }
  });

  it('sums numbers with a positive exponent on both sides of 10^15 exactly, in uniform runs too', async () => {
    // m x 10^k with k > 0 is taken as the integer m x 10^k while that is below 10^15 (the common
    // number's path), by the general path otherwise; 300 records of two columns make uniform runs
    const values = [
      '99999999999999e1', '999999999999999e1', '1e14', '1e15', '-1.5e3', '+2.25e+2', '0e5', '-0e9', '12.5E1',
      '1.23456789012345e14', '1.23456789012345e15', '-9.99e12', '123456789012.3e3', '5e-3', '7.000e2',
    ];
    const text = 'x,y\n' + Array.from({ length: 300 }, (_, i) => `${values[i % values.length]},${i}`).join('\n') + '\n';
    const expected = referenceScan(encoder.encode(text), { mode: 'stats', columns: ['x'], file: 'x.csv' });
    expect(await column(text, 'x')).toEqual(expected.columns![0]);
  });

  it('sums numbers of every scale, sign and length exactly', async () => {
    const values: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const digits = 1 + (i * 7) % 18;
      const decimals = (i * 5) % (digits + 1);
      const text = String((BigInt(i) * 7919n ** 5n) % 10n ** BigInt(digits)).padStart(digits, '0');
      const number = decimals === 0 ? text : `${text.slice(0, digits - decimals)}.${text.slice(digits - decimals)}`;
      values.push(i % 3 === 0 ? `-${number}` : number);
    }
    const text = 'x\n' + values.join('\n') + '\n';
    const expected = referenceScan(encoder.encode(text), { mode: 'stats', columns: ['x'], file: 'x.csv' });
    const c = await column(text, 'x');
    expect(c).toEqual(expected.columns![0]);
  });

  it('takes min and max of numbers of several scales, and of signed zeros, as the doubles order them', async () => {
    const mixed = await column('x\n2.5\n-0.125\n3\n-0.1250\n2.50000000000000001\n', 'x');
    expect(mixed).toMatchObject({ min: -0.125, max: 3 });
    for (const text of ['-0\n0\n', '0\n-0\n', '-0.0\n1\n-1\n0\n', '-0\n']) {
      const expected = referenceScan(encoder.encode('x\n' + text), { mode: 'stats', columns: ['x'], file: 'x.csv' });
      expect(await column('x\n' + text, 'x')).toEqual(expected.columns![0]);
    }
  });

  it('sums the smallest and largest exact magnitudes', async () => {
    const c = await column('x\n0.000000000000000001\n999999999999999999\n1.23456789012345678e-18\n', 'x');
    expect(c.sum_text).toBe('999999999999999999.00000000000000000223456789012345678');
  });

  it('falls back to the compensated sum of doubles outside the exact domain', async () => {
    const c = await column('x\n1e18\n1\n', 'x');
    expect(c.sum_text).toBeNull();
    expect(c.sum).toBe(1e18 + 1);
    const digits = await column('x\n0.1234567890123456789\n1\n', 'x');
    expect(digits.sum_text).toBeNull();
    const tiny = await column('x\n1e-19\n', 'x');
    expect(tiny.sum_text).toBeNull();
    const trailingZeros = await column('x\n1.00000000000000000000000\n', 'x');
    expect(trailingZeros.sum_text).toBe('1');
  });

  it('gives mean and stddev from exact sums', async () => {
    const c = await column('x\n1\n2\n3\n4\n', 'x');
    expect(c.mean).toBe(2.5);
    expect(c.stddev).toBe(1.2909944487358056);
    const one = await column('x\n5\n', 'x');
    expect(one.stddev).toBeNull();
    const none = await column('x\nNA\n', 'x');
    expect(none).toMatchObject({ min: null, max: null, mean: null, stddev: null, sum_text: '0' });
  });
});

describe('csv-spectrum conformance', () => {
  const root = dirname(createRequire(import.meta.url).resolve('csv-spectrum/package.json'));
  const names = readdirSync(join(root, 'csvs')).map((file) => basename(file, '.csv'));
  for (const name of names) {
    it(`scans ${name} like the reference, with the record count of its JSON`, async () => {
      const csv = new Uint8Array(readFileSync(join(root, 'csvs', `${name}.csv`)));
      const expected = JSON.parse(readFileSync(join(root, 'json', `${name}.json`), 'utf8')) as unknown[];
      const result = await scanAll(csv, { mode: 'stats' });
      expect(result.rows).toBe(Array.isArray(expected) ? expected.length : 1);
      const reference = referenceScan(csv, { mode: 'stats', file: result.file });
      expect(result).toEqual(reference);
    });
  }
});
