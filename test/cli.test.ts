// The command line as users run it: `node bin/csvscan.js ...` in a child process, checked against
// known answers. The expected outputs under test/golden/ were computed by hand from the fixtures'
// contents (exact decimal arithmetic), not by running csvscan.

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CsvscanError } from '../src/errors.js';
import type { CliIo } from '../src/cli/io.js';
import {
  parseByteOption,
  parseRange,
  parseSize,
  parseThreads,
  parseWindow,
  toScanOptions,
  type RawScanOptions,
} from '../src/cli/options.js';
import { createProgressReporter, formatDuration, formatProgressLine } from '../src/cli/progress.js';
import { csvscan, expectCleanError, type Run } from './support/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const BASIC = 'test/fixtures/basic.csv';
const NUMERIC_HEADER = 'test/fixtures/numeric-header.csv';
const SEMICOLON = 'test/fixtures/semicolon.csv';
const TAB_FILE = 'test/fixtures/tab.tsv';
const NO_HEADER = 'test/fixtures/no-header.csv';
const UNTERMINATED = 'test/fixtures/unterminated.csv';
const PRICES = 'examples/prices.csv';

function golden(name: string): string {
  return readFileSync(join(ROOT, 'test', 'golden', name), 'utf8');
}

function fixture(path: string): Buffer {
  return readFileSync(join(ROOT, path));
}

function expectSuccess(run: Run): void {
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
}

interface JsonColumn {
  stddev: number | null;
}

/**
 * `--json` stdout equals the golden line byte for byte, except that stddev may differ by 1e-9
 * relative (docs/spec.md "Sums, exactly").
 */
function expectJsonGolden(stdout: string, goldenName: string): void {
  const expected = golden(goldenName);
  expect(stdout).toMatch(/^\{[^\n]*\}\n$/);
  const actual = JSON.parse(stdout) as { columns?: JsonColumn[] };
  const wanted = JSON.parse(expected) as { columns?: JsonColumn[] };
  actual.columns?.forEach((column, i) => {
    const wantedStddev = wanted.columns?.[i]?.stddev;
    if (typeof column.stddev === 'number' && typeof wantedStddev === 'number') {
      expect(Math.abs(column.stddev - wantedStddev)).toBeLessThanOrEqual(1e-9 * Math.abs(wantedStddev));
      column.stddev = wantedStddev;
    }
  });
  if (process.env['CSVSCAN_WRITE_GOLDEN']) writeFileSync(join(ROOT, 'test', 'golden', goldenName), `${JSON.stringify(actual)}\n`);
  else expect(`${JSON.stringify(actual)}\n`).toBe(expected);
}

/** The same result with another `file` name (stdin has no path). */
function withoutFile(stdout: string): unknown {
  const result = JSON.parse(stdout) as Record<string, unknown>;
  delete result.file;
  return result;
}


describe('option values', () => {
  it('parses sizes with binary units, case-insensitively', () => {
    expect(parseSize('65536')).toBe(65536);
    expect(parseSize('1')).toBe(1);
    expect(parseSize('64K')).toBe(65536);
    expect(parseSize('64k')).toBe(65536);
    expect(parseSize('64KiB')).toBe(65536);
    expect(parseSize('64kb')).toBe(65536);
    expect(parseSize('4M')).toBe(4 * 1024 * 1024);
    expect(parseSize('4mib')).toBe(4 * 1024 * 1024);
    expect(parseSize('1G')).toBe(1024 ** 3);
    expect(parseSize('2T')).toBe(2 * 1024 ** 4);
    expect(parseSize('512B')).toBe(512);
    expect(parseSize('0')).toBe(0);
    for (const bad of ['', 'K', '1.5M', '-1', '64X', '1e3', '0x10', '64 K B', '9999999999999999999']) {
      expect(parseSize(bad), bad).toBeNull();
    }
  });

  it('takes a window of at least one byte', () => {
    expect(parseWindow('1')).toBe(1);
    expect(parseWindow('7')).toBe(7);
    expect(parseWindow('64K')).toBe(65536);
    expect(() => parseWindow('big')).toThrow(CsvscanError);
    // numbers out of range are refused by resolveOptions(), as the library's are
    expect(() => toScanOptions('count', { ...defaults, window: '0' })).toThrow(/^--window must be a whole number of bytes from 1 to 1073741824 \(1G\), got 0$/);
  });

  it('takes a delimiter or quote of exactly one byte, with TAB spelled \\t or tab', () => {
    expect(parseByteOption(',', 'delimiter')).toBe(44);
    expect(parseByteOption(';', 'delimiter')).toBe(59);
    expect(parseByteOption('\t', 'delimiter')).toBe(9);
    expect(parseByteOption('\\t', 'delimiter')).toBe(9);
    expect(parseByteOption('tab', 'delimiter')).toBe(9);
    expect(parseByteOption('TAB', 'delimiter')).toBe(9);
    expect(parseByteOption("'", 'quote')).toBe(39);
    expect(() => parseByteOption('ab', 'delimiter')).toThrow('delimiter must be one byte, got "ab"');
    expect(() => parseByteOption('', 'delimiter')).toThrow('delimiter must be one byte');
    expect(() => parseByteOption('§', 'delimiter')).toThrow('delimiter must be one byte'); // two UTF-8 bytes
    expect(() => parseByteOption('\n', 'quote')).toThrow('quote cannot be a line break');
    expect(() => parseByteOption('\r', 'delimiter')).toThrow('delimiter cannot be a line break');
  });

  it('takes a range START:END with START < END', () => {
    expect(parseRange('0:100')).toEqual([0, 100]);
    expect(parseRange('1G:2G')).toEqual([1024 ** 3, 2 * 1024 ** 3]);
    for (const bad of ['5', ':5', '5:', '1:2:3', 'a:b', '-1:5']) {
      expect(() => parseRange(bad), bad).toThrow(/--range must be START:END/);
    }
    for (const bad of ['5:5', '6:5']) {
      expect(() => toScanOptions('count', { ...defaults, range: bad }), bad).toThrow(/^--range must be START:END byte offsets with 0 <= START < END/);
    }
  });

  it('takes a thread count of at least 1', () => {
    expect(parseThreads('1')).toBe(1);
    expect(parseThreads('8')).toBe(8);
    for (const bad of ['-1', '1.5', 'many', '']) {
      expect(() => parseThreads(bad), bad).toThrow(/--threads must be/);
    }
    // a number out of range is refused where the library's is, by resolveOptions()
    expect(() => toScanOptions('count', { ...defaults, threads: '0' })).toThrow(/^--threads must be a whole number >= 1, got 0$/);
  });

  const defaults: RawScanOptions = {
    delimiter: ',',
    quote: '"',
    header: true,
    column: [],
    json: false,
  };

  it('maps the options to ScanOptions, with the defaults filled in', () => {
    expect(toScanOptions('stats', defaults)).toEqual({
      mode: 'stats',
      delimiter: 44,
      quote: 34,
      header: true,
      columns: null,
      engine: 'wasm',
      threads: undefined,
      minBytesPerThread: 32 * 1024 * 1024, // stats: MIN_BYTES_PER_THREAD_HEAVY
      window: 1024 * 1024,
      io: undefined,
      range: null,
      by: null,
      top: null,
      memory: 1024 * 1024 * 1024,
      tempDir: null,
      distinct: false,
      quantiles: false,
      onProgress: undefined,
    });
    const options = toScanOptions('sum', {
      ...defaults,
      delimiter: 'tab',
      quote: "'",
      header: false,
      column: ['price', '2'],
      engine: 'wasm',
      threads: '1',
      window: '4M',
      io: 'read',
    });
    expect(options).toMatchObject({
      mode: 'sum',
      delimiter: 9,
      quote: 39,
      header: false,
      columns: ['price', '2'],
      engine: 'wasm',
      threads: 1,
      window: 4 * 1024 * 1024,
      io: 'read',
    });
    // count reports no column, so a -c given to it is not looked up
    expect(toScanOptions('count', { ...defaults, column: ['nope'] }).columns).toBeNull();
  });

  it('rejects a delimiter equal to the quote', () => {
    expect(() => toScanOptions('count', { ...defaults, delimiter: '"' })).toThrow(
      'delimiter and quote must be different bytes',
    );
  });

  it('accepts --engine, --threads and --range', () => {
    expect(toScanOptions('count', { ...defaults, engine: 'js' }).engine).toBe('js');
    expect(toScanOptions('count', { ...defaults, threads: '2' }).threads).toBe(2);
    expect(toScanOptions('count', { ...defaults, range: '0:10' }).range).toEqual([0, 10]);
  });
});

describe('progress line', () => {
  it('shows bytes, percent, MB/s and ETA when the total is known', () => {
    expect(formatProgressLine(500_000_000, 1_000_000_000, 1000)).toBe(
      '500.0 MB / 1.0 GB  50.0%  500.0 MB/s  ETA 0:01',
    );
  });

  it('shows bytes and MB/s only when the total is unknown (stdin)', () => {
    expect(formatProgressLine(2_500_000, null, 500)).toBe('2.5 MB  5.0 MB/s');
  });

  it('formats ETAs', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3 * 3600 + 62)).toBe('3:01:02');
  });

  it('redraws at most every 200 ms with \\r and blanks the line at the end', () => {
    const written: string[] = [];
    let time = 0;
    const progress = createProgressReporter((text) => written.push(text), { now: () => time });
    progress.update(1_000_000, 10_000_000); // at 0 ms: too soon
    time = 100;
    progress.update(2_000_000, 10_000_000); // too soon
    time = 250;
    progress.update(3_000_000, 10_000_000);
    time = 300;
    progress.update(4_000_000, 10_000_000); // 50 ms after the last line
    time = 1000;
    progress.update(5_000_000, 10_000_000);
    progress.finish();
    progress.finish();
    expect(written).toHaveLength(3);
    expect(written[0]).toBe('\r3.0 MB / 10.0 MB  30.0%  12.0 MB/s  ETA 0:01');
    // one character shorter than the first line: padded with a space to cover it
    expect(written[1]).toBe('\r5.0 MB / 10.0 MB  50.0%  5.0 MB/s  ETA 0:01 ');
    expect(written[2]).toBe(`\r${' '.repeat(written[0]!.length - 1)}\r`);
  });

  it('writes nothing for a scan shorter than one interval', () => {
    const written: string[] = [];
    const progress = createProgressReporter((text) => written.push(text), { now: () => 0 });
    progress.update(10, 10);
    progress.finish();
    expect(written).toEqual([]);
  });
});

describe('error reporting', () => {
  // Imported lazily: main.js pulls in the result formatting of src/results.
  async function report(error: unknown, debug = false): Promise<{ code: number; stderr: string }> {
    const { reportError } = await import('../src/cli/main.js');
    let stderr = '';
    const io: CliIo = { stdout: () => undefined, stderr: (text) => (stderr += text), stderrIsTTY: false, debug };
    return { code: reportError(error, io), stderr };
  }

  it('prints a CsvscanError as one line with its exit code', async () => {
    expect(await report(new CsvscanError('x.csv: line 3 (byte 10): quoted field never closed', 1))).toEqual({
      code: 1,
      stderr: 'csvscan: x.csv: line 3 (byte 10): quoted field never closed\n',
    });
    expect(await report(new CsvscanError('unknown column "a"\ncolumns: b, c'))).toEqual({
      code: 2,
      stderr: 'csvscan: unknown column "a" columns: b, c\n',
    });
  });

  it('prints an I/O error plainly and a bug as an internal error, exit 2, stack only with CSVSCAN_DEBUG', async () => {
    const ioError = Object.assign(new Error("EACCES: permission denied, open 'x.csv'"), { code: 'EACCES' });
    expect(await report(ioError)).toEqual({ code: 2, stderr: "csvscan: EACCES: permission denied, open 'x.csv'\n" });
    expect(await report(new TypeError('x is undefined'))).toEqual({
      code: 2,
      stderr: 'csvscan: internal error: x is undefined\n',
    });
    const debugged = await report(new TypeError('x is undefined'), true);
    expect(debugged.stderr).toMatch(/^csvscan: internal error: x is undefined\nTypeError: x is undefined\n\s+at /);
  });
});

describe('command line: usage', () => {
  it('prints help listing every command, exit 0', () => {
    const run = csvscan(['--help']);
    expectSuccess(run);
    for (const command of ['count', 'sum', 'stats', 'bench', 'merge']) {
      expect(run.stdout).toContain(command);
    }
  });

  it('prints the shared options in a command help', () => {
    const run = csvscan(['stats', '--help']);
    expectSuccess(run);
    for (const option of ['--delimiter', '--quote', '--no-header', '--column', '--engine', '--threads', '--window',
      '--io', '--range', '--json', '--progress', '--no-progress']) {
      expect(run.stdout).toContain(option);
    }
  });

  it('prints the version', () => {
    const run = csvscan(['--version']);
    expectSuccess(run);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(run.stdout).toBe(`${manifest.version}\n`);
  });

  it('exits 2 with the help on stderr when no command is given', () => {
    const run = csvscan([]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: csvscan');
  });

  it('rejects an unknown command', () => {
    expectCleanError(csvscan(['frobnicate', BASIC]), 2, /unknown command 'frobnicate'/);
  });

  it('rejects an unknown option on one line, even with a suggestion', () => {
    expectCleanError(csvscan(['count', '--frobnicate', BASIC]), 2, /unknown option '--frobnicate'/);
    expectCleanError(csvscan(['count', '--jsn', BASIC]), 2, /unknown option '--jsn'.*--json/);
  });

  it('rejects an option missing its value', () => {
    expectCleanError(csvscan(['sum', BASIC, '-c']), 2, /argument missing/);
  });

  it('rejects a second FILE', () => {
    expectCleanError(csvscan(['count', BASIC, BASIC]), 2, /too many arguments/);
  });

  it('rejects a delimiter or quote that is not one byte', () => {
    expectCleanError(csvscan(['count', BASIC, '-d', 'ab']), 2, /^csvscan: --delimiter must be one byte, got "ab"$/m);
    expectCleanError(csvscan(['count', BASIC, '-d', '']), 2, /delimiter must be one byte/);
    expectCleanError(csvscan(['count', BASIC, '--quote', "''"]), 2, /quote must be one byte/);
    expectCleanError(csvscan(['count', BASIC, '-d', '"']), 2, /delimiter and quote must be different bytes/);
  });

  it('rejects bad sizes, thread counts, ranges and choices', () => {
    expectCleanError(csvscan(['count', BASIC, '--window', '0']), 2, /--window must be/);
    expectCleanError(csvscan(['count', BASIC, '--window', '1.5M']), 2, /--window must be/);
    expectCleanError(csvscan(['count', BASIC, '--threads', '0']), 2, /--threads must be/);
    expectCleanError(csvscan(['count', BASIC, '--range', '10:5']), 2, /--range must be START:END/);
    expectCleanError(csvscan(['count', BASIC, '--engine', 'gpu']), 2, /'gpu' is invalid.*wasm, wasm-scalar, js/);
    expectCleanError(csvscan(['count', BASIC, '--io', 'dma']), 2, /'dma' is invalid.*mmap, read/);
  });

  it('scans with --engine js, giving the same --json as wasm', () => {
    for (const args of [
      ['stats', BASIC, '--json'],
      ['sum', PRICES, '-c', 'price', '--json'],
      ['count', SEMICOLON, '-d', ';', '--json'],
    ]) {
      const wasm = csvscan([...args, '--engine', 'wasm']);
      const js = csvscan([...args, '--engine', 'js']);
      expectSuccess(js);
      expect(js.stdout).toBe(wasm.stdout);
    }
  });

  it('scans on worker threads with --threads, giving the same --json as one thread', () => {
    // 2 threads need 8 MiB (4 MiB per thread); a quoted line break and CRLFs sit across the file.
    const dir = mkdtempSync(join(tmpdir(), 'csvscan-cli-threads-'));
    try {
      const path = join(dir, 'big.csv');
      const block = 'id,price,note\r\n' + '7,1.25,plain\n8,-0.5,"two\nlines"\r\n'.repeat(1000);
      writeFileSync(path, block + block.slice(15).repeat(300));
      const one = csvscan(['stats', path, '--json', '--threads', '1']);
      expectSuccess(one);
      for (const threads of ['2', '3']) {
        const run = csvscan(['stats', path, '--json', '--threads', threads]);
        expectSuccess(run);
        expect(run.stdout).toBe(one.stdout);
      }
      const counted = csvscan(['count', path]);
      expectSuccess(counted);
      expect(counted.stdout).toBe('602000\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scans a shard with --range: the records that start in it', () => {
    const run = csvscan(['count', BASIC, '--range', '0:1G']);
    expectSuccess(run);
    expect(run.stdout).toBe('5\n');
    const json = csvscan(['count', BASIC, '--range', '0:1G', '--json']);
    expectSuccess(json);
    expect(JSON.parse(json.stdout)).toMatchObject({ rows: 5, partial: { range: [0, 1024 ** 3], stopPosition: -1 } });
    expectCleanError(csvscan(['count', '-', '--range', '0:10'], 'a\n1\n'), 2, /^csvscan: standard input: --range needs a file of known size/m);
  });

  it('requires -c for sum', () => {
    expectCleanError(csvscan(['sum', BASIC]), 2, /^csvscan: sum needs at least one column: -c COL$/m);
  });

  it('refuses to bench standard input (bench itself: test/bench-command.test.ts)', () => {
    expectCleanError(csvscan(['bench', '-']), 2, /^csvscan: bench reads FILE many times, so not from standard input/m);
  });

  it('merges --range shards into the whole-file output, and names what is wrong with them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'csvscan-cli-merge-'));
    try {
      const size = statSync(PRICES).size;
      const cut = Math.floor(size / 3);
      const write = (name: string, args: string[]): string => {
        const run = csvscan([...args, '--json']);
        expectSuccess(run);
        writeFileSync(join(dir, name), run.stdout);
        return join(dir, name);
      };
      for (const [command, ...rest] of [['stats'], ['sum', '-c', 'price'], ['count']]) {
        const shards = [
          write('a.json', [command!, PRICES, ...rest, '--range', `0:${cut}`]),
          write('b.json', [command!, PRICES, ...rest, '--range', `${cut}:${2 * cut}`]),
          write('c.json', [command!, PRICES, ...rest, '--range', `${2 * cut}:1G`]),
        ];
        const whole = csvscan([command!, PRICES, ...rest, '--json']);
        const merged = csvscan(['merge', ...shards.reverse(), '--json']);
        expectSuccess(merged);
        expect(merged.stdout).toBe(whole.stdout);
        if (command !== 'sum') {
          // sum --json scans every statistic, so its shards print as stats
          const text = csvscan(['merge', ...shards]);
          expectSuccess(text);
          expect(text.stdout).toBe(csvscan([command!, PRICES, ...rest]).stdout);
        }
      }
      const [first, second] = [join(dir, 'a.json'), join(dir, 'b.json')];
      expectCleanError(csvscan(['merge', first, second]), 2, /^csvscan: no shard reaches the end of the file/m);
      expectCleanError(csvscan(['merge', join(dir, 'missing.json')]), 2, /missing\.json: no such file or directory$/m);
      writeFileSync(join(dir, 'whole.json'), csvscan(['count', PRICES, '--json']).stdout);
      expectCleanError(csvscan(['merge', join(dir, 'whole.json')]), 2, /whole\.json: not a partial result/m);
      // malformed input is reported by merge exactly as by a whole-file scan (exit 1)
      const broken = join(dir, 'broken.csv');
      writeFileSync(broken, 'a,b\n1,2\n3,"4\n5,6\n');
      const expected = csvscan(['count', broken]);
      writeFileSync(join(dir, 'x.json'), csvscan(['count', broken, '--range', '0:8', '--json']).stdout);
      writeFileSync(join(dir, 'y.json'), csvscan(['count', broken, '--range', '8:100', '--json']).stdout);
      const run = csvscan(['merge', join(dir, 'x.json'), join(dir, 'y.json')]);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(expected.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('command line: scans', () => {
  it('counts records, header excluded', () => {
    const run = csvscan(['count', BASIC]);
    expectSuccess(run);
    expect(run.stdout).toBe('5\n');
  });

  it('counts records as JSON', () => {
    const run = csvscan(['count', BASIC, '--json']);
    expectSuccess(run);
    expectJsonGolden(run.stdout, 'basic.count.json');
  });

  it('sums the columns asked for, in that order, as name<TAB>exact sum', () => {
    const run = csvscan(['sum', BASIC, '-c', 'qty', '-c', 'price']);
    expectSuccess(run);
    expect(run.stdout).toBe('qty\t20.2\nprice\t11.85\n');
  });

  it('sums as JSON, with columns by name or by 1-based index alike', () => {
    const byName = csvscan(['sum', BASIC, '-c', 'qty', '-c', 'price', '--json']);
    expectSuccess(byName);
    expectJsonGolden(byName.stdout, 'basic.sum-qty-price.json');
    const byIndex = csvscan(['sum', BASIC, '--column', '3', '--column', '2', '--json']);
    expectSuccess(byIndex);
    expect(byIndex.stdout).toBe(byName.stdout);
  });

  it('gives stats of every column as JSON', () => {
    const run = csvscan(['stats', BASIC, '--json']);
    expectSuccess(run);
    expectJsonGolden(run.stdout, 'basic.stats.json');
  });

  it('gives stats as a table', () => {
    const run = csvscan(['stats', BASIC]);
    expectSuccess(run);
    if (process.env['CSVSCAN_WRITE_GOLDEN']) writeFileSync(join(ROOT, 'test', 'golden', 'basic.stats.txt'), run.stdout);
    else expect(run.stdout).toBe(golden('basic.stats.txt'));
  });

  it('takes a header named like an integer before the index', () => {
    const run = csvscan(['sum', NUMERIC_HEADER, '-c', '2', '--json']);
    expectSuccess(run);
    expectJsonGolden(run.stdout, 'numeric-header.sum-2.json');
    // "3" names no header, so it is the third column: the one named "2"
    expect(csvscan(['sum', NUMERIC_HEADER, '-c', '2', '-c', '3', '-c', '1', '-c', 'b']).stdout).toBe(
      '2\t300\n2\t300\na\t3\nb\t30\n',
    );
  });

  it('reads standard input given as -', () => {
    const run = csvscan(['count', '-'], fixture(BASIC));
    expectSuccess(run);
    expect(run.stdout).toBe('5\n');
  });

  it('reads standard input when FILE is omitted', () => {
    const run = csvscan(['stats', '--json'], fixture(BASIC));
    expectSuccess(run);
    expect(withoutFile(run.stdout)).toEqual(withoutFile(golden('basic.stats.json')));
    const sum = csvscan(['sum', '-c', 'price'], fixture(BASIC));
    expectSuccess(sum);
    expect(sum.stdout).toBe('price\t11.85\n');
  });

  it('splits on the delimiter given with -d', () => {
    const run = csvscan(['stats', SEMICOLON, '-d', ';', '--json']);
    expectSuccess(run);
    expectJsonGolden(run.stdout, 'semicolon.stats.json');
  });

  it('splits on TAB for -d tab, -d \\t and a literal TAB', () => {
    const spellings = ['tab', '\\t', '\t', 'TAB'].map((spelling) => csvscan(['stats', TAB_FILE, '-d', spelling, '--json']));
    for (const run of spellings) expectSuccess(run);
    expectJsonGolden(spellings[0]!.stdout, 'tab.stats.json');
    for (const run of spellings) expect(run.stdout).toBe(spellings[0]!.stdout);
  });

  it('takes the quote byte given with --quote', () => {
    const input = "a,b\n'x,y',2\n'1',3\n";
    const run = csvscan(['sum', '--quote', "'", '-c', 'a', '-c', 'b'], input);
    expectSuccess(run);
    expect(run.stdout).toBe('a\t1\nb\t5\n');
    // with the default quote, 'x and y' are fields of their own: the record is long, b holds y
    expect(csvscan(['sum', '-c', 'b', '--json'], input).stdout).toContain('"ragged":{"short":0,"long":1}');
  });

  it('ignores -c for count', () => {
    expect(csvscan(['count', BASIC, '-c', 'nope']).stdout).toBe('5\n');
  });

  it('names the columns 1, 2, ... with --no-header and counts the first record', () => {
    const run = csvscan(['stats', NO_HEADER, '--no-header', '--json']);
    expectSuccess(run);
    expectJsonGolden(run.stdout, 'no-header.stats.json');
    expect(csvscan(['count', NO_HEADER, '--no-header']).stdout).toBe('3\n');
    expect(csvscan(['sum', NO_HEADER, '--no-header', '-c', '3', '-c', '1']).stdout).toBe('3\t9\n1\t12\n');
  });

  it('reads the same file with a header whose names are integers', () => {
    const run = csvscan(['stats', NO_HEADER, '--json']);
    expectSuccess(run);
    expectJsonGolden(run.stdout, 'no-header.with-header.stats.json');
  });

  it('gives identical JSON for every window size, io mode and --threads 1', () => {
    for (const file of [BASIC, PRICES]) {
      const reference = csvscan(['stats', file, '--json']);
      expectSuccess(reference);
      for (const extra of [
        ['--window', '1'],
        ['--window', '7'],
        ['--window', '64K'],
        ['--io', 'read'],
        ['--io', 'mmap'],
        ['--io', 'read', '--window', '3'],
        ['--threads', '1'],
        ['--engine', 'wasm'],
      ]) {
        const run = csvscan(['stats', file, '--json', ...extra]);
        expectSuccess(run);
        expect(run.stdout, extra.join(' ')).toBe(reference.stdout);
      }
    }
  });

  it('gives the same results from stdin for any window size', () => {
    const reference = csvscan(['stats', PRICES, '--json']);
    for (const window of ['1', '7', '64K']) {
      const run = csvscan(['stats', '--json', '--window', window], fixture(PRICES));
      expectSuccess(run);
      expect(withoutFile(run.stdout)).toEqual(withoutFile(reference.stdout));
    }
  });

  it('prints nothing on stderr with --no-progress, and the same stdout with --progress', () => {
    const quiet = csvscan(['stats', BASIC, '--json', '--no-progress']);
    expectSuccess(quiet);
    const shown = csvscan(['stats', BASIC, '--json', '--progress']);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toBe(quiet.stdout);
    // A tiny file ends before the first redraw; anything drawn is one blanked-out \r line.
    expect(shown.stderr).toMatch(/^(\r[^\n]*)*$/);
  });
});

describe('command line: input errors', () => {
  it('names the unknown column and lists the columns there are', () => {
    const run = csvscan(['sum', BASIC, '-c', 'prize']);
    expectCleanError(run, 2, /prize/);
    for (const name of ['name', 'price', 'qty', 'note']) expect(run.stderr).toContain(name);
  });

  it('rejects an index past the last column', () => {
    expectCleanError(csvscan(['sum', BASIC, '-c', '9']), 2, /9/);
  });

  it('reports a missing file', () => {
    expectCleanError(csvscan(['count', 'test/fixtures/no-such-file.csv']), 2, /no-such-file\.csv/);
  });

  it('reports a directory', () => {
    expectCleanError(csvscan(['count', 'test/fixtures']), 2, /test\/fixtures/);
    expectCleanError(csvscan(['stats', 'test/fixtures', '--io', 'read']), 2, /test\/fixtures/);
  });

  it('reports an unterminated quote with the line and byte where it opened, exit 1', () => {
    const expected = `csvscan: ${UNTERMINATED}: line 3 (byte 10): quoted field never closed\n`;
    for (const args of [
      ['count', UNTERMINATED],
      ['count', UNTERMINATED, '--io', 'read'],
      ['count', UNTERMINATED, '--window', '1'],
      ['stats', UNTERMINATED, '--json'],
    ]) {
      const run = csvscan(args);
      expectCleanError(run, 1, /quoted field never closed/);
      expect(run.stderr, args.join(' ')).toBe(expected);
    }
  });

  it('reports an unterminated quote on stdin, exit 1', () => {
    expectCleanError(csvscan(['count'], fixture(UNTERMINATED)), 1, /line 3 \(byte 10\): quoted field never closed$/m);
  });
});

describe('examples/prices.csv', () => {
  it('has 20 records', () => {
    expect(csvscan(['count', PRICES]).stdout).toBe('20\n');
  });

  it('sums price (one NA) and qty exactly', () => {
    const run = csvscan(['sum', PRICES, '-c', 'price', '-c', 'qty', '-c', 'discount']);
    expectSuccess(run);
    expect(run.stdout).toBe('price\t230.12\nqty\t92\ndiscount\t15.05\n');
  });

  it('gives the hand-computed stats', () => {
    const run = csvscan(['stats', PRICES, '-c', 'price', '-c', 'qty', '-c', 'discount', '--json']);
    expectSuccess(run);
    expectJsonGolden(run.stdout, 'prices.stats-price-qty-discount.json');
  });
});
