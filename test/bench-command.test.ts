// `csvscan bench`: the pure parts (median, bars, agreement, SVG) on fixed figures, and the built CLI
// (`npm run build:host` first) on small generated files, checked against direct `csvscan` runs.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCsvBytes } from '../src/bench/generate.js';
import { checkAgreement, compareOutputs, firstDifference } from '../src/bench/agreement.js';
import { summarize, type CaseMeasurement } from '../src/bench/measurement.js';
import { caseLabel, childArguments, planCases, progressLabel, threadCounts, type BenchCase } from '../src/bench/plan.js';
import { formatRusageLine, takeRusageLine } from '../src/bench/rusage.js';
import { median, megabytesPerSecond } from '../src/bench/statistics.js';
import { axisMaximum, renderBarChartSvg, tickStep, type ChartBar } from '../src/bench/svg.js';
import { formatSpeed, renderBar, renderTable } from '../src/bench/table.js';
import { firstNumericColumn } from '../src/bench/target.js';
import type { ScanResult } from '../src/types.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'csvscan.js');
const ENGINES = ['js', 'wasm-scalar', 'wasm'];
const COMMANDS = ['count', 'sum', 'stats'];
const THREADS = threadCounts(availableParallelism());

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function csvscan(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const childEnv = { ...process.env, ...env };
  delete childEnv.CSVSCAN_DEBUG;
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv, encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// ---------------------------------------------------------------------------------------------
// A minimal XML parser: enough to show the SVG is well-formed and to read its elements.

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY = /&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/gi;

function decodeEntities(text: string): string {
  // A bare & (not starting an entity) is not well-formed.
  expect(text.replace(ENTITY, '')).not.toContain('&');
  return text.replace(ENTITY, (_, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[entity]!;
  });
}

/** Parses `xml` (prolog allowed, no comments, CDATA or DTD), throwing unless it is well-formed. */
function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const tokens = body.match(/<[^<>]*>|[^<>]+/g) ?? [];
  expect(tokens.join('')).toBe(body); // no stray < or >
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  for (const token of tokens) {
    if (!token.startsWith('<')) {
      if (stack.length === 0) {
        expect(token.trim()).toBe(''); // no text outside the root
      } else {
        stack[stack.length - 1]!.text += decodeEntities(token);
      }
      continue;
    }
    const closing = /^<\/([A-Za-z][\w:.-]*)\s*>$/.exec(token);
    if (closing) {
      const open = stack.pop();
      expect(open?.name, `closing ${token}`).toBe(closing[1]);
      continue;
    }
    const opening = /^<([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*"[^"<]*")*)\s*(\/?)>$/.exec(token);
    expect(opening, `malformed tag ${token}`).not.toBeNull();
    const attributes: Record<string, string> = {};
    for (const [, name, value] of opening![2]!.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*"([^"]*)"/g)) {
      expect(attributes[name!], `duplicate attribute ${name}`).toBeUndefined();
      attributes[name!] = decodeEntities(value!);
    }
    const element: XmlElement = { name: opening![1]!, attributes, children: [], text: '' };
    if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
    else {
      expect(root, 'a second root element').toBeNull();
      root = element;
    }
    if (opening![3] !== '/') stack.push(element);
  }
  expect(stack.map((element) => element.name), 'unclosed elements').toEqual([]);
  expect(root).not.toBeNull();
  return root!;
}

function descendants(element: XmlElement): XmlElement[] {
  return element.children.flatMap((child) => [child, ...descendants(child)]);
}

/** The root is an <svg> with numeric width, height and a matching viewBox; returns its bars. */
function checkSvg(svgText: string): { root: XmlElement; bars: XmlElement[]; texts: string[] } {
  const root = parseXml(svgText);
  expect(root.name).toBe('svg');
  expect(root.attributes['xmlns']).toBe('http://www.w3.org/2000/svg');
  const width = Number(root.attributes['width']);
  const height = Number(root.attributes['height']);
  expect(width).toBeGreaterThan(0);
  expect(height).toBeGreaterThan(0);
  expect(root.attributes['viewBox']).toBe(`0 0 ${width} ${height}`);
  const all = descendants(root);
  const bars = all.filter((element) => element.name === 'rect' && element.attributes['class'] === 'bar');
  for (const bar of bars) {
    for (const attribute of ['x', 'y', 'width', 'height']) expect(Number.isFinite(Number(bar.attributes[attribute]))).toBe(true);
    expect(Number(bar.attributes['x']) + Number(bar.attributes['width'])).toBeLessThanOrEqual(width);
    expect(Number(bar.attributes['y']) + Number(bar.attributes['height'])).toBeLessThanOrEqual(height);
  }
  const texts = all.filter((element) => element.name === 'text').map((element) => element.text);
  return { root, bars, texts };
}

// ---------------------------------------------------------------------------------------------

describe('bench statistics', () => {
  it('takes the median of odd and even counts, unsorted', () => {
    expect(median([5])).toBe(5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([0.3, 0.1, 0.2, 10])).toBe(0.25);
    expect(() => median([])).toThrow(RangeError);
  });

  it('computes MB/s in decimal megabytes, never Infinity', () => {
    expect(megabytesPerSecond(2_000_000, 0.5)).toBe(4);
    expect(Number.isFinite(megabytesPerSecond(100, 0))).toBe(true);
  });

  it('summarizes runs: median seconds, MB/s, speed-up over js at the same command and threads, peak RSS', () => {
    const measured = (benchCase: BenchCase, seconds: number[]): CaseMeasurement => ({
      status: 'measured',
      benchCase,
      runs: seconds.map((value, index) => ({ seconds: value, maxRssKiB: 1024 * (50 + index) })),
      outputs: seconds.map(() => '{}'),
    });
    const rows = summarize(
      [
        measured({ command: 'count', engine: 'js', threads: 1 }, [2, 4, 3]),
        measured({ command: 'count', engine: 'wasm', threads: 1 }, [1, 1.5, 0.5]),
        { status: 'skipped', benchCase: { command: 'sum', engine: 'js', threads: 1 }, reason: 'no column holds a number in the first 1 MiB; choose one with -c' },
        measured({ command: 'count', engine: 'wasm', threads: 2 }, [0.5]),
      ],
      30_000_000,
      ['identical', 'identical', null, 'last bits'],
    );
    expect(rows.map((row) => row.medianSeconds)).toEqual([3, 1, null, 0.5]);
    expect(rows.map((row) => row.megabytesPerSecond)).toEqual([10, 30, null, 60]);
    expect(rows.map((row) => row.speedUpOverJs)).toEqual([1, 3, null, null]);
    expect(rows.map((row) => row.peakRssKiB)).toEqual([52 * 1024, 52 * 1024, null, 50 * 1024]);
    expect(rows[2]!.skipped).toBe('no column holds a number in the first 1 MiB; choose one with -c');
    expect(rows[3]!.agreement).toBe('last bits');
  });
});

describe('bench plan', () => {
  it('measures 1 thread and all threads, every command x threads x engine', () => {
    expect(threadCounts(1)).toEqual([1]);
    expect(threadCounts(8)).toEqual([1, 8]);
    const cases = planCases(['count', 'sum'], ['js', 'wasm'], [1, 4]);
    expect(cases.map(caseLabel)).toEqual([
      'count js threads=1', 'count wasm threads=1', 'count js threads=4', 'count wasm threads=4',
      'sum js threads=1', 'sum wasm threads=1', 'sum js threads=4', 'sum wasm threads=4',
    ]);
    expect(progressLabel(3, 18, { command: 'sum', engine: 'wasm-scalar', threads: 1 }, 2, 3)).toBe(
      '[3/18] sum wasm-scalar threads=1 run 2/3',
    );
  });

  it('gives each child its command, columns, engine, threads, --json and the user options, the file after --', () => {
    const target = { file: '-odd.csv', sumColumns: ['price', '3'], statsColumns: [], passThrough: ['--delimiter', ';'] };
    expect(childArguments({ command: 'sum', engine: 'wasm-scalar', threads: 2 }, target)).toEqual([
      'sum', '-c', 'price', '-c', '3', '--engine', 'wasm-scalar', '--threads', '2', '--json', '--no-progress',
      '--delimiter', ';', '--', '-odd.csv',
    ]);
    expect(childArguments({ command: 'count', engine: 'js', threads: 1 }, target)).toEqual([
      'count', '--engine', 'js', '--threads', '1', '--json', '--no-progress', '--delimiter', ';', '--', '-odd.csv',
    ]);
  });

  it('picks the first column holding numbers, by name unless the name would find another column', () => {
    const column = (name: string, index: number, count: number) => ({ name, index, count }) as never;
    const result = (columns: unknown[]): ScanResult => ({ file: 'f', rows: 1, bytes: 1, ragged: { short: 0, long: 0 }, columns }) as ScanResult;
    expect(firstNumericColumn(result([column('name', 1, 0), column('price', 2, 5)]))).toBe('price');
    expect(firstNumericColumn(result([column('x', 1, 0), column('x', 2, 5)]))).toBe('2');
    expect(firstNumericColumn(result([column('a', 1, 0)]))).toBeNull();
  });

  it('takes the rusage line out of a child stderr', () => {
    expect(takeRusageLine(`progress\n${formatRusageLine(51234)}`)).toEqual({ maxRssKiB: 51234, stderr: 'progress\n' });
    expect(takeRusageLine('csvscan: oops\n')).toEqual({ maxRssKiB: null, stderr: 'csvscan: oops\n' });
  });
});

describe('bench agreement', () => {
  const line = (columns: object[]): string => JSON.stringify({ file: 'f.csv', rows: 2, bytes: 10, ragged: { short: 0, long: 0 }, columns });
  const exact = { name: 'a', index: 1, count: 2, sum: 3, sum_text: '3', mean: 1.5, stddev: 0.7071067811865476 };
  const inexact = { name: 'b', index: 2, count: 2, sum: 1e300, sum_text: null, mean: 5e299, stddev: 1e290 };
  const measured = (engine: 'js' | 'wasm' | 'wasm-scalar', threads: number, outputs: string[]): CaseMeasurement => ({
    status: 'measured',
    benchCase: { command: 'stats', engine, threads },
    runs: outputs.map(() => ({ seconds: 1, maxRssKiB: 1 })),
    outputs,
  });
  const nudged = { ...inexact, sum: 1e300 * (1 + 2 ** -50) };

  it('finds where two results first differ', () => {
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe('a[1].b: 2 vs 3');
    expect(firstDifference({ a: 1 }, { a: 1, c: 2 })).toBe('c: missing vs present');
    expect(firstDifference([1, 2], [1, 2])).toBeNull();
  });

  it('accepts identical bytes, and last-bit differences only across thread counts for inexact columns', () => {
    const reference = line([exact, inexact]);
    expect(compareOutputs(reference, reference, false)).toEqual({ agreement: 'identical' });
    expect(compareOutputs(reference, line([exact, nudged]), true)).toEqual({ agreement: 'last bits' });
    expect(compareOutputs(reference, line([exact, nudged]), false)).toEqual({ difference: 'columns[1].sum: 1e+300 vs 1.000000000000001e+300' });
    expect(compareOutputs(reference, line([{ ...exact, sum_text: '4' }, inexact]), true)).toEqual({
      difference: 'columns[0].sum_text: "3" vs "4"',
    });
    expect(compareOutputs(reference, line([exact, { ...inexact, sum: 2e300 }]), true)).toHaveProperty('difference');
    // the same values in other bytes are not byte-identical
    expect(compareOutputs('{"a":1,"b":2}', '{"b":2,"a":1}', false)).toEqual({ difference: 'same values, different bytes' });
  });

  it('agrees when every engine and thread count prints the same; keeps the reference result', () => {
    const output = line([exact, inexact]);
    const report = checkAgreement([
      measured('js', 1, [output, output]),
      measured('wasm', 1, [output, output]),
      measured('wasm', 4, [line([exact, nudged]), line([exact, nudged])]),
      { status: 'skipped', benchCase: { command: 'sum', engine: 'js', threads: 1 }, reason: 'no column holds a number in the first 1 MiB; choose one with -c' },
    ]);
    expect(report.mismatches).toEqual([]);
    expect(report.agreement).toEqual(['identical', 'identical', 'last bits', null]);
    expect(report.results.stats).toEqual(JSON.parse(output));
  });

  it('names the engine and threads that differ, and repeated runs that differ', () => {
    const output = line([exact, inexact]);
    const report = checkAgreement([
      measured('js', 1, [output]),
      measured('wasm', 1, [line([exact, nudged])]),
      measured('wasm-scalar', 1, [output, line([{ ...exact, count: 3 }, inexact])]),
    ]);
    expect(report.mismatches).toEqual([
      'stats wasm-scalar threads=1 run 2 differs from run 1: columns[0].count: 2 vs 3',
      'stats wasm threads=1 differs from stats js threads=1: columns[1].sum: 1e+300 vs 1.000000000000001e+300',
    ]);
  });
});

describe('bench rendering', () => {
  it('draws bars to the nearest eighth, the fastest full width', () => {
    expect(renderBar(10, 10, 8)).toBe('████████');
    expect(renderBar(5, 10, 8)).toBe('████');
    expect(renderBar(1, 10, 8)).toBe('▊'); // 0.8 cells = 6 eighths
    expect(renderBar(9.5, 10, 4)).toBe('███▊'); // 3.8 cells
    expect(renderBar(0.001, 10, 8)).toBe('▏'); // never blank for a speed > 0
    expect(renderBar(0, 10, 8)).toBe('');
    expect(renderBar(20, 10, 8)).toBe('████████');
    // proportional: cells (eighths) grow with the value
    const eighths = (bar: string): number => Array.from(bar).reduce((sum, char) => sum + (char === '█' ? 8 : '▏▎▍▌▋▊▉'.indexOf(char) + 1), 0);
    expect([2, 4, 6, 8].map((value) => eighths(renderBar(value, 8, 10)))).toEqual([20, 40, 60, 80]);
  });

  it('prints speeds with about three significant digits', () => {
    expect([1234.5, 99.94, 1.25, 0.8333, 0.00083].map(formatSpeed)).toEqual(['1235', '99.9', '1.3', '0.83', '0.00083']);
  });

  it('renders a table with one aligned row per case, "-" where a figure is missing', () => {
    const rows = summarize(
      [
        { status: 'measured', benchCase: { command: 'count', engine: 'js', threads: 1 }, runs: [{ seconds: 2, maxRssKiB: 51200 }], outputs: ['{}'] },
        { status: 'measured', benchCase: { command: 'count', engine: 'wasm', threads: 1 }, runs: [{ seconds: 0.5, maxRssKiB: 40960 }], outputs: ['{}'] },
        { status: 'skipped', benchCase: { command: 'sum', engine: 'js', threads: 1 }, reason: 'no column holds a number' },
      ],
      200_000_000,
      ['identical', 'identical', null],
    );
    expect(renderTable(rows, 8).split('\n')).toEqual([
      'command  engine  threads  MB/s  vs js  peak MiB  speed     result',
      'count    js            1   100  1.00x      50.0  ██        identical',
      'count    wasm          1   400  4.00x      40.0  ████████  identical',
      'sum      js            1     -      -         -            skipped: no column holds a number',
    ]);
  });

  it('chooses round axis steps', () => {
    expect(tickStep(100)).toBe(20);
    expect(tickStep(12)).toBe(2.5);
    expect(axisMaximum(101)).toBe(125);
    expect(axisMaximum(100)).toBe(100);
    expect(axisMaximum(0)).toBe(1);
  });

  it('renders a well-formed SVG bar chart: a bar per figure, widths proportional to MB/s, labels and axis', () => {
    const bars: ChartBar[] = [
      { label: 'count · js · 1 thread', value: 100, series: 'js, 1 thread', group: 'count', note: '100 MB/s' },
      { label: 'count · wasm · 1 thread', value: 50, series: 'wasm, 1 thread', group: 'count', note: '50 MB/s' },
      { label: 'sum · js · 1 thread', value: null, series: 'js, 1 thread', group: 'sum', note: 'skipped: no column holds a number' },
      { label: 'sum · wasm · 1 thread', value: 25, series: 'wasm, 1 thread', group: 'sum', note: '25 MB/s' },
    ];
    const svg = renderBarChartSvg(bars, { title: 'bench <a & "b">', subtitle: '1 run', axisLabel: 'MB/s' });
    const { root, bars: rects, texts } = checkSvg(svg);
    expect(rects).toHaveLength(3);
    const widths = rects.map((rect) => Number(rect.attributes['width']));
    expect(widths[0]! / widths[1]!).toBeCloseTo(2, 2);
    expect(widths[0]! / widths[2]!).toBeCloseTo(4, 2);
    // one bar colour per series: the two wasm bars share one
    expect(rects[1]!.attributes['fill']).toBe(rects[2]!.attributes['fill']);
    expect(rects[0]!.attributes['fill']).not.toBe(rects[1]!.attributes['fill']);
    for (const bar of bars) expect(texts).toContain(bar.label);
    expect(texts).toContain('skipped: no column holds a number');
    expect(texts).toContain('bench <a & "b">');
    expect(texts).toContain('MB/s');
    expect(texts).toEqual(expect.arrayContaining(['0', '20', '40', '60', '80', '100']));
    // the axis reaches the largest figure: 100 MB/s spans the whole plot, from the 0 tick to the 100 tick
    const tickX = (label: string): number =>
      Number(descendants(root).find((element) => element.attributes['class'] === 'tick' && element.text === label)!.attributes['x']);
    expect(tickX('100') - tickX('0')).toBeCloseTo(widths[0]!, 1);
    expect(Number(rects[0]!.attributes['x'])).toBeCloseTo(tickX('0'), 1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('csvscan bench (built CLI)', () => {
  let directory: string;

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'build', 'host', 'src', 'cli', 'main.js'))) {
      throw new Error('build/ is missing: run `npm run build` first');
    }
    directory = mkdtempSync(join(tmpdir(), 'csvscan-bench-test-'));
  });

  afterAll(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  /**
   * Every command x engine x threads row is there and measured (MB/s, speed-up over js, peak MiB, a
   * bar), and its result is byte-identical to the other engines' and thread counts'.
   */
  function expectTableRows(stdout: string): void {
    const lines = stdout.split('\n');
    const headingIndex = lines.findIndex((line) => /^command\s+engine\s+threads\s+MB\/s\s+vs js\s+peak MiB\s+speed\s+result$/.test(line));
    expect(headingIndex, stdout).toBeGreaterThanOrEqual(0);
    const rows = lines.slice(headingIndex + 1).filter((line) => /^(count|sum|stats)\s/.test(line));
    expect(rows).toHaveLength(COMMANDS.length * ENGINES.length * THREADS.length);
    for (const command of COMMANDS) {
      for (const threads of THREADS) {
        for (const engine of ENGINES) {
          const row = rows.find((text) => new RegExp(`^${command}\\s+${engine}\\s+${threads}\\s`).test(text));
          expect(row, `${command} ${engine} ${threads}`).toMatch(/\s\d+(\.\d+)?\s+\d+\.\d\dx\s+\d+\.\d\s+[█▏▎▍▌▋▊▉]+\s+identical$/);
        }
      }
    }
  }

  it('benches a generated sample: progress, table, agreed results, chart; deletes the sample', () => {
    const svgPath = join(directory, 'chart.svg');
    const run = csvscan(['bench', '--size', '256K', '--runs', '1', '--progress', '--svg', svgPath]);
    expect(run.stderr).not.toMatch(/csvscan: /);
    expect(run.status).toBe(0);

    expectTableRows(run.stdout);
    const rows = generateCsvBytes({ kind: 'numeric', sizeBytes: 256 * 1024 }).toString('latin1').split('\n').length - 2;
    expect(run.stdout).toMatch(/^results identical for every engine and thread count$/m);
    expect(run.stdout).toMatch(new RegExp(`^  count  ${rows} rows$`, 'm'));
    expect(run.stdout).toMatch(/^ {2}sum {4}price = \d+\.\d+$/m);
    expect(run.stdout).toMatch(new RegExp(`^  stats  7 columns of ${rows} rows$`, 'm'));
    expect(run.stdout).toContain(`chart written to ${svgPath}`);

    // the sample is gone
    const samplePath = /^csvscan bench {2}(\S+sample-numeric-256k\.csv): /m.exec(run.stdout)?.[1];
    expect(samplePath).toBeDefined();
    expect(existsSync(samplePath!)).toBe(false);

    // progress: one line per run, in order; the children's rusage lines are not shown
    const caseCount = COMMANDS.length * ENGINES.length * THREADS.length;
    expect(run.stderr).toContain(`[1/${caseCount}] count js threads=1 run 1/1\n`);
    expect(run.stderr).toContain(`[${caseCount}/${caseCount}] stats wasm threads=${THREADS.at(-1)} run 1/1\n`);
    expect(run.stderr).not.toContain('csvscan-rusage');

    const { bars, texts } = checkSvg(readFileSync(svgPath, 'utf8'));
    expect(bars).toHaveLength(caseCount);
    expect(texts).toContain('count · wasm · 1 thread');
    expect(texts.some((text) => /MB\/s/.test(text))).toBe(true);
  });

  it('--json: every run figure, identical per-engine results equal to a direct csvscan run', () => {
    const path = join(directory, 'mixed.csv');
    writeFileSync(path, generateCsvBytes({ kind: 'mixed', sizeBytes: 256 * 1024, seed: 7 }));
    const run = csvscan(['bench', path, '--runs', '1', '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as {
      file: string;
      bytes: number;
      runs: number;
      threads: number[];
      sum_columns: string[];
      results: Record<string, unknown>;
      measurements: {
        command: string;
        engine: string;
        threads: number;
        skipped: string | null;
        seconds: number[];
        median_seconds: number | null;
        mb_per_s: number | null;
        max_rss_kib: number[];
        agreement: string | null;
        result: unknown;
      }[];
    };
    expect(report.file).toBe(path);
    expect(report.bytes).toBe(readFileSync(path).length);
    expect(report.threads).toEqual(THREADS);
    // a user's file: sum adds the first column holding numbers (id, here)
    expect(report.sum_columns).toEqual(['id']);
    expect(report.measurements).toHaveLength(COMMANDS.length * ENGINES.length * THREADS.length);

    const direct: Record<string, string> = {
      count: csvscan(['count', path, '--json']).stdout.trim(),
      sum: csvscan(['sum', path, '-c', 'id', '--json']).stdout.trim(),
      stats: csvscan(['stats', path, '--json']).stdout.trim(),
    };
    for (const command of COMMANDS) {
      expect(JSON.stringify(report.results[command])).toBe(direct[command]);
      const measurements = report.measurements.filter((measurement) => measurement.command === command);
      expect(measurements.map((measurement) => `${measurement.engine} ${measurement.threads}`)).toEqual(
        THREADS.flatMap((threads) => ENGINES.map((engine) => `${engine} ${threads}`)),
      );
      for (const measurement of measurements) {
        expect(measurement.skipped).toBeNull();
        expect(JSON.stringify(measurement.result), `${command} ${measurement.engine} ${measurement.threads}`).toBe(direct[command]);
        expect(measurement.agreement).toBe('identical');
        expect(measurement.seconds).toHaveLength(1);
        expect(measurement.median_seconds).toBe(measurement.seconds[0]);
        expect(measurement.mb_per_s).toBeCloseTo(report.bytes / 1e6 / measurement.seconds[0]!, 2);
        expect(measurement.max_rss_kib[0]).toBeGreaterThan(1024);
      }
    }
  });

  it('skips sum, and only sum, when no column holds a number', () => {
    const path = join(directory, 'text.csv');
    writeFileSync(path, 'name,city\nada,london\nalan,wilmslow\n');
    const run = csvscan(['bench', path, '--runs', '1', '--engine', 'wasm', '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as {
      sum_columns: string[];
      results: Record<string, unknown>;
      measurements: { command: string; skipped: string | null; agreement: string | null; result: unknown }[];
    };
    expect(report.sum_columns).toEqual([]);
    expect(Object.keys(report.results)).toEqual(['count', 'stats']);
    expect(report.measurements).toHaveLength(COMMANDS.length * THREADS.length);
    for (const measurement of report.measurements) {
      if (measurement.command === 'sum') {
        expect(measurement).toMatchObject({ skipped: 'no column holds a number in the first 1 MiB; choose one with -c', agreement: null, result: null });
      } else {
        expect(measurement).toMatchObject({ skipped: null, agreement: 'identical' });
      }
    }
  });

  it('children report their peak memory when asked', () => {
    const run = csvscan(['count', 'test/fixtures/basic.csv'], { CSVSCAN_REPORT_RUSAGE: '1' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('5\n');
    expect(run.stderr).toMatch(/^csvscan-rusage maxrss=\d+\n$/);
  });

  it('refuses what it cannot bench, before running anything', () => {
    const cases: [string[], RegExp][] = [
      [['bench', '-'], /^csvscan: bench reads FILE many times, so not from standard input/],
      [['bench', join(directory, 'missing.csv')], /missing\.csv: no such file or directory/],
      [['bench', directory], /is a directory/],
      [['bench', 'test/fixtures/basic.csv', '--size', '1M'], /--size and --kind describe the generated sample/],
      [['bench', '--runs', '0'], /--runs must be a whole number >= 1, got "0"/],
      [['bench', '--size', 'big'], /--size must be a number of bytes/],
      [['bench', '--kind', 'wide'], /'wide' is invalid.*numeric, mixed/],
      [['bench', 'test/fixtures/basic.csv', '--range', '0:10'], /--range is not accepted/],
      [['bench', 'test/fixtures/basic.csv', '-c', 'nope'], /nope/],
    ];
    for (const [args, message] of cases) {
      const run = csvscan(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^csvscan: [^\n]+\n$/);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
  });
});
