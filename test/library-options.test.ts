// The library validates its options as the CLI does (issue 11 #3): one resolver for both, so the
// same bad value is refused by both with the same message (the CLI naming `--delimiter` where the
// library names `delimiter`), and what one accepts gives the same answer in the other. Text input
// (strings, streams with an encoding) is scanned as its UTF-8 bytes, never silently dropped.

import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createScanner, scanBytes, scanFile, scanStream } from '../src/api.js';
import { CsvscanError } from '../src/errors.js';
import type { ScanOptions } from '../src/types.js';
import { ROOT } from './support/build.js';
import { csvscan, expectCleanError } from './support/cli.js';

const PRICES = join(ROOT, 'examples', 'prices.csv');
const SEMICOLONS = 'a;b\n1;2.5\n3;4\n';

/** What the library throws for `options`: a CsvscanError with exit code 2, its message. */
async function libraryRefusal(options: unknown): Promise<string> {
  const failure = await scanBytes('a,b\n1,2\n', options as ScanOptions).then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(CsvscanError);
  expect((failure as CsvscanError).exitCode).toBe(2);
  return (failure as CsvscanError).message;
}

describe('the same bad value is refused by the CLI and the library, with the same message', () => {
  it.each<[string, string[], ScanOptions]>([
    ['a delimiter of two bytes', ['-d', ';;'], { mode: 'count', delimiter: ';;' }],
    ['a delimiter of two UTF-8 bytes', ['-d', 'é'], { mode: 'count', delimiter: 'é' }],
    ['a line break as quote', ['--quote', '\n'], { mode: 'count', quote: '\n' }],
    ['a carriage return as delimiter', ['-d', '\r'], { mode: 'count', delimiter: '\r' }],
    ['the delimiter as quote', ['-d', '"'], { mode: 'count', delimiter: '"' }],
    ['quote equal to a given delimiter', ['-d', ';', '--quote', ';'], { mode: 'count', delimiter: ';', quote: ';' }],
    ['a window over the largest', ['--window', '4G'], { mode: 'count', window: 4 * 1024 ** 3 }],
    ['0 threads', ['--threads', '0'], { mode: 'count', threads: 0 }],
  ])('%s', async (_what, cliArgs, options) => {
    const cli = csvscan(['count', PRICES, ...cliArgs]);
    const message = await libraryRefusal(options);
    expectCleanError(cli, 2, /./);
    expect(cli.stderr).toBe(`csvscan: ${message.replace(/^(delimiter|quote|window|threads) (?=must|cannot)/, '--$1 ')}\n`);
  });

  it.each<[string, string[], ScanOptions, RegExp]>([
    ['an unknown engine', ['--engine', 'gpu'], { mode: 'count', engine: 'gpu' as never }, /wasm, wasm-scalar, js/],
    ['an unknown io mode', ['--io', 'disk'], { mode: 'count', io: 'disk' as never }, /mmap, read/],
    ['a range with START >= END', ['--range', '9:3'], { mode: 'count', range: [9, 3] }, /START/],
  ])('%s (the CLI rejects the text before it is a value; both name what is allowed)', async (_what, cliArgs, options, allowed) => {
    expectCleanError(csvscan(['count', PRICES, ...cliArgs]), 2, allowed);
    expect(await libraryRefusal(options)).toMatch(allowed);
  });
});

describe('what only the library can be given', () => {
  it.each<[string, unknown, RegExp]>([
    ['a bogus mode', { mode: 'average' }, /^mode must be one of count, sum, stats, got "average"$/],
    ['no mode', {}, /^mode must be one of count, sum, stats, got undefined$/],
    ['a header that is not a boolean', { mode: 'count', header: 'no' }, /^header must be true or false, got "no"$/],
    ['columns that are not an array', { mode: 'sum', columns: 'price' }, /^columns must be an array of column names or 1-based indexes, got "price"$/],
    ['a column index of 0', { mode: 'sum', columns: [0] }, /^columns must hold column names \(strings\) or 1-based indexes, got 0$/],
    ['a delimiter byte out of range', { mode: 'count', delimiter: 300 }, /^delimiter must be one byte \(a number from 0 to 255 or a one-byte string\), got 300$/],
    ['a fractional window', { mode: 'count', window: 1.5 }, /^window must be a whole number of bytes from 1 to 1073741824 \(1G\), got 1.5$/],
    ['a range that is not a pair', { mode: 'count', range: [1] }, /^range must be \[START, END\) byte offsets/],
    ['an onProgress that is not a function', { mode: 'count', onProgress: 'yes' }, /^onProgress must be a function, got "yes"$/],
    ['a misspelt option', { mode: 'count', delimeter: ';' }, /^unknown scan option "delimeter"; the options are: mode, delimiter, /],
    ['options that are not an object', 'count', /^scan options must be an object/],
  ])('refuses %s, naming what is allowed', async (_what, options, message) => {
    expect(await libraryRefusal(options)).toMatch(message);
  });

  it('refuses a path that is not a string with a CsvscanError, not a crash', async () => {
    await expect(scanFile(42 as never, { mode: 'count' })).rejects.toThrow(/scanFile\(\) needs a file path/);
  });
});

describe('what both accept gives the same answer', () => {
  it('honours a delimiter given as a string, as a byte number and with -d (was silently ignored)', async () => {
    const cli = JSON.parse(csvscan(['sum', '-', '-c', 'b', '-d', ';', '--json'], SEMICOLONS).stdout);
    for (const delimiter of [';', 0x3b]) {
      const result = await scanBytes(SEMICOLONS, { mode: 'sum', columns: ['b'], delimiter });
      expect(result.columns![0]!.sum_text).toBe('6.5');
      expect(result.columns).toEqual(cli.columns);
    }
  });

  it('takes TAB as "\\t", "tab" and "\\t" typed as two characters, in both', async () => {
    const tabs = 'a\tb\n1\t2\n';
    for (const delimiter of ['\t', 'tab', 'TAB', '\\t']) {
      expect((await scanBytes(tabs, { mode: 'sum', columns: ['b'], delimiter })).columns![0]!.sum_text).toBe('2');
      expect(csvscan(['sum', '-', '-c', 'b', '-d', delimiter], tabs).stdout).toBe('b\t2\n');
    }
  });
});

describe('text input is scanned as its UTF-8 bytes (was rows 0)', () => {
  const expected = { rows: 2, sum: '6.5' };

  it('createScanner().push() of strings, split anywhere, even inside a multi-byte character', () => {
    const text = 'naïve;b\n1;2.5\n3;4\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const scanner = createScanner({ mode: 'sum', columns: ['b'], delimiter: ';' });
      scanner.push(text.slice(0, cut));
      scanner.push(text.slice(cut));
      const result = scanner.finish();
      expect([result.rows, result.columns![0]!.sum_text]).toEqual([expected.rows, expected.sum]);
    }
  });

  it('scanStream() of a file read with an encoding equals scanFile()', async () => {
    const fromFile = await scanFile(PRICES, { mode: 'stats' });
    const fromText = await scanStream(createReadStream(PRICES, { encoding: 'utf8', highWaterMark: 7 }), { mode: 'stats' }, PRICES);
    expect(fromText).toEqual(fromFile);
    expect(fromText.rows).toBeGreaterThan(0);
  });

  it('scanStream() of a stream of strings and ArrayBuffers mixed', async () => {
    const chunks = ['a;b\n1;', new TextEncoder().encode('2.5\n3').buffer, ';4\n'];
    const result = await scanStream(Readable.from(chunks), { mode: 'sum', columns: ['b'], delimiter: ';' });
    expect([result.rows, result.columns![0]!.sum_text]).toEqual([expected.rows, expected.sum]);
  });

  it('refuses a chunk of another type with the library\'s error, saying what it wants', () => {
    const scanner = createScanner({ mode: 'count' });
    expect(() => scanner.push(42 as never)).toThrow(CsvscanError);
    expect(() => scanner.push(42 as never)).toThrow(/Uint8Array.*ArrayBuffer.*string/);
  });
});

describe('defaults that depend on the scan', () => {
  it('windows a grouped scan at 256 KiB and any other at 1 MiB, unless asked', async () => {
    const { resolveOptions, GROUPED_WINDOW } = await import('../src/options.js');
    const { DEFAULT_WINDOW } = await import('../assembly/layout.js');
    expect(GROUPED_WINDOW).toBe(256 * 1024);
    expect(DEFAULT_WINDOW).toBe(1024 * 1024);
    expect(resolveOptions({ mode: 'count', by: ['a'] }).window).toBe(GROUPED_WINDOW);
    expect(resolveOptions({ mode: 'sum', columns: ['b'], by: 'a' }).window).toBe(GROUPED_WINDOW);
    expect(resolveOptions({ mode: 'count' }).window).toBe(DEFAULT_WINDOW);
    expect(resolveOptions({ mode: 'count', by: ['a'], window: 4096 }).window).toBe(4096);
  });
});
