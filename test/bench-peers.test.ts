// The peers and I/O benchmark harnesses (bench/peers.ts, bench/io.ts, bench/peers/*): parsing of GNU
// time's output, the outcome of a process (ok / skipped / failed / timed out), exact relative errors
// and the agreement texts, table rendering, the awk programs and the node peer runners on tiny files,
// and the I/O worker's methods reading the same bytes; and how `npm run bench` (bench/run.ts) splits
// its options between csvscan's own benchmark and the peers'. No benchmark is run.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  addPageChecksum,
  chooseDefault,
  formatCount,
  parseIoArguments,
  parseWorkerArguments,
  recommendation,
  renderIoTable,
  runWorker,
  workerArguments,
  type IoConfig,
  type IoRow,
  type IoRowSpec,
} from '../bench/io.js';
import {
  awkProgram,
  caseRuns,
  checkCsvscanAgainstReference,
  classifyOutcome,
  csvscanRefusal,
  findOnPath,
  installedVersion,
  loadProblem,
  parseDatamashGroups,
  parseGroupSums,
  parseMillerGroups,
  polarsBinaryPackage,
  parsePeerResult,
  parsePeersArguments,
  renderPeersTable,
  runPeersBenchmark,
  setUpTools,
  type ColumnRef,
} from '../bench/peers.js';
import {
  addDecimalTexts,
  compareGroups,
  compareGroupSums,
  compareSum,
  describeAgreement,
  formatRelative,
  GROUP_SUM_TOLERANCE,
  parseExactDecimal,
  relativeError,
  type GroupSums,
  type PeerResult,
} from '../bench/peers/agreement.js';
import { QUICK_SIZE, type GeneratedFile } from '../bench/data-files.js';
import { clipNote, markdownTable } from '../bench/markdown.js';
import { bestTiming, parseTimeOutput, type TimedProcess } from '../bench/process-timing.js';
import { parseArguments as parseRunArguments } from '../bench/run.js';
import { UsageError } from '../bench/script.js';
import type { ColumnResult, ScanResult } from '../src/types.js';
import { columnResult } from './support/column-result.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const workDirectory = mkdtempSync(join(tmpdir(), 'csvscan-bench-peers-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

function writeFile(name: string, text: string): string {
  const path = join(workDirectory, name);
  writeFileSync(path, text);
  return path;
}

function sampleStddev(values: number[]): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
}

function csvscanColumn(overrides: Partial<ColumnResult> & { name: string }): ColumnResult {
  return columnResult({ count: 3, type: 'integer', ...overrides });
}

function csvscanResult(rows: number, columns: ColumnResult[]): ScanResult {
  return { file: 'f.csv', rows, bytes: 100, ragged: { short: 0, long: 0 }, columns };
}

function timedProcess(overrides: Partial<TimedProcess>): TimedProcess {
  return { status: 0, timedOut: false, timing: { seconds: 1, maxRssKiB: 1024, minorFaults: 10 }, stdout: '', stderr: '', ...overrides };
}

describe('GNU time output', () => {
  it('takes the figures from the last line', () => {
    expect(parseTimeOutput('1.23 45678 901\n')).toEqual({
      timing: { seconds: 1.23, maxRssKiB: 45678, minorFaults: 901 },
      commandStderr: '',
    });
  });

  it("keeps the command's own stderr and drops time's exit note", () => {
    const parsed = parseTimeOutput('warning: slow\ncsvscan: x.csv: no such file\nCommand exited with non-zero status 2\n0.05 2048 150\n');
    expect(parsed.timing).toEqual({ seconds: 0.05, maxRssKiB: 2048, minorFaults: 150 });
    expect(parsed.commandStderr).toBe('warning: slow\ncsvscan: x.csv: no such file');
  });

  it('counts 0.00 s as 0.01 s: %e has 10 ms resolution', () => {
    expect(parseTimeOutput('0.00 2048 150\n').timing).toEqual({ seconds: 0.01, maxRssKiB: 2048, minorFaults: 150 });
  });

  it('drops the signal note of a killed command', () => {
    expect(parseTimeOutput('Command terminated by signal 9\n3.00 100 5').commandStderr).toBe('');
  });

  it('has no figures when time could not run the command', () => {
    const stderr = '/usr/bin/time: cannot run nope: No such file or directory\n';
    expect(parseTimeOutput(stderr)).toEqual({ timing: null, commandStderr: stderr });
  });
});

describe('outcome of a measured process', () => {
  it('is ok for exit 0 with figures', () => {
    expect(classifyOutcome(timedProcess({}))).toEqual({ kind: 'ok' });
  });

  it('is skipped for a peer runner that cannot load its package (exit 3)', () => {
    const outcome = classifyOutcome(timedProcess({ status: 3, stderr: 'skipped: cannot load udsv (not found); npm install --save-dev udsv\n' }));
    expect(outcome).toEqual({ kind: 'skipped', reason: 'cannot load udsv (not found); npm install --save-dev udsv' });
  });

  it('failed for a usage error or any other exit code', () => {
    expect(classifyOutcome(timedProcess({ status: 2, stderr: 'csvscan: unknown column price\n' }))).toEqual({
      kind: 'failed',
      reason: 'exit 2: csvscan: unknown column price',
    });
    expect(classifyOutcome(timedProcess({ status: null, stderr: '' }))).toEqual({ kind: 'failed', reason: 'exit by signal' });
    expect(classifyOutcome(timedProcess({ status: 0, timing: null }))).toEqual({ kind: 'failed', reason: 'GNU time printed no figures' });
  });

  it('timed out when `timeout` stopped it', () => {
    expect(classifyOutcome(timedProcess({ status: 124, timedOut: true }))).toEqual({ kind: 'timeout' });
  });

  it('reports the fastest run with the largest peak RSS of all runs', () => {
    expect(
      bestTiming([
        { seconds: 2, maxRssKiB: 500, minorFaults: 1 },
        { seconds: 1, maxRssKiB: 300, minorFaults: 2 },
        { seconds: 3, maxRssKiB: 400, minorFaults: 3 },
      ]),
    ).toEqual({ seconds: 1, maxRssKiB: 500, minorFaults: 2 });
    // a worker's runs, fastest by their copy loops' seconds
    expect(bestTiming([{ seconds: 1, maxRssKiB: 300, minorFaults: 1 }, { seconds: 2, maxRssKiB: 200, minorFaults: 2 }], [0.5, 0.4])).toEqual({
      seconds: 2,
      maxRssKiB: 300,
      minorFaults: 2,
    });
  });
});

describe('exact relative errors', () => {
  it('parses decimals with exponents exactly', () => {
    expect(parseExactDecimal('-12.50')).toEqual({ units: -1250n, scale: 2 });
    expect(parseExactDecimal('1.5e3')).toEqual({ units: 1500n, scale: 0 });
    expect(parseExactDecimal('2.5e-7')).toEqual({ units: 25n, scale: 8 });
    expect(parseExactDecimal('.5')).toEqual({ units: 5n, scale: 1 });
    for (const text of ['', '.', 'NA', '1,5', 'Infinity', 'null']) expect(parseExactDecimal(text)).toBeNull();
  });

  it('is 0 for equal values written differently', () => {
    expect(relativeError('1.50', '1.5')).toBe(0);
    expect(relativeError('1e3', '1000')).toBe(0);
    expect(relativeError('-0.0', '0')).toBe(0);
  });

  it('measures a double sum against the exact decimal sum', () => {
    // 1118387350.0099955 vs 1118387350.01: 4.5e-6 / 1118387350.01
    expect(relativeError('1118387350.0099955', '1118387350.01')).toBeCloseTo(4.0236506e-15, 20);
    expect(relativeError('0.30000000000000004', '0.3')).toBeCloseTo(1.3333e-16, 19);
    expect(relativeError('-1.1', '-1')).toBeCloseTo(0.1, 15);
    expect(relativeError('1', '0')).toBe(Infinity);
    expect(relativeError('x', '1')).toBeNull();
  });

  it('does not lose differences far below a double', () => {
    const error = relativeError('0.1', '0.1000000000000000000001');
    expect(error).toBeGreaterThan(0);
    expect(error).toBeCloseTo(1e-21, 30);
  });

  it('formats two significant digits', () => {
    expect(formatRelative(3.24e-9)).toBe('3.2e-9');
    expect(formatRelative(4.4e-16)).toBe('4.4e-16');
    expect(formatRelative(0.432)).toBe('0.43');
    expect(formatRelative(64.2)).toBe('64');
    expect(formatRelative(0)).toBe('0');
  });

  it('names a sum exact, correctly rounded, or off', () => {
    expect(compareSum('301415957.29', '301415957.29').text).toBe('exact');
    expect(compareSum('0.1', '0.1000000000000000000001')).toMatchObject({
      correctlyRounded: true,
      text: 'off by 1.0e-21 relative (correctly rounded)',
    });
    expect(compareSum('1118387350.0099955', '1118387350.01')).toMatchObject({
      correctlyRounded: false,
      text: 'off by 4.0e-15 relative',
    });
    expect(compareSum(null, '1').text).toBe('no sum');
    expect(compareSum('0.5', '0').text).toBe('0.5 where the exact sum is 0');
  });
});

describe('agreement with csvscan', () => {
  const noQuotes = { quotedFile: false, toolHandlesQuotes: true };
  const amount = csvscanColumn({ name: 'amount', index: 4, count: 3, sum: 7.75, sum_text: '7.75', min: -3, max: 10.25, mean: 7.75 / 3, stddev: 6.8663 });
  const score = csvscanColumn({ name: 'score', index: 5, count: 3, sum: 11, sum_text: '11', min: 1.5, max: 7, mean: 11 / 3, stddev: 3.0138 });

  it('count: rows equal or not', () => {
    expect(describeAgreement({ rows: 4, columns: [] }, csvscanResult(4, []), noQuotes)).toBe('rows equal');
    expect(describeAgreement({ rows: 5, columns: [] }, csvscanResult(4, []), noQuotes)).toBe('wrong: rows 5 (csvscan 4)');
  });

  it('sum: exact, or off by a relative error', () => {
    const expected = csvscanResult(4, [amount]);
    expect(describeAgreement({ rows: 4, columns: [{ name: 'amount', count: 3, sum: '7.75' }] }, expected, noQuotes)).toBe('rows equal; sum exact');
    expect(describeAgreement({ rows: 4, columns: [{ name: 'amount', count: 3, sum: '7.7500000000000009' }] }, expected, noQuotes)).toBe(
      'rows equal; sum off by 1.2e-16 relative',
    );
  });

  it('blames quoted fields for a tool that does not parse them, on a file that has them', () => {
    const peer: PeerResult = { rows: 6, columns: [{ name: 'amount', sum: '12.5' }] };
    const expected = csvscanResult(4, [amount]);
    expect(describeAgreement(peer, expected, { quotedFile: true, toolHandlesQuotes: false })).toBe(
      'wrong (quoted fields): rows 6 (csvscan 4); sum off by 0.61 relative',
    );
    // A quote-aware tool that is this far off is plainly wrong.
    expect(describeAgreement(peer, expected, { quotedFile: true, toolHandlesQuotes: true })).toMatch(/^wrong: /);
  });

  it('stats: summarises counts, min/max, sums, mean and stddev over the columns', () => {
    const expected = csvscanResult(4, [amount, score]);
    const peer: PeerResult = {
      rows: 4,
      columns: [
        { name: 'amount', count: 3, sum: '7.75', min: -3, max: 10.25, mean: 7.75 / 3, stddev: 6.8663 },
        { name: 'score', count: 3, sum: '11.000000000000002', min: 1.5, max: 7, mean: 11 / 3, stddev: 3.0138 * (1 + 1e-14) },
      ],
    };
    expect(describeAgreement(peer, expected, noQuotes)).toBe(
      'rows, counts and min/max equal; sums exact in 1 of 2 columns, the others off by ≤1.8e-16 relative; ' +
        'mean equal, stddev off by ≤1.0e-14 relative',
    );
  });

  it('stats: lists the columns whose counts or min/max differ', () => {
    const expected = csvscanResult(4, [amount, score]);
    const peer: PeerResult = {
      rows: 4,
      columns: [
        { name: 'amount', count: 4, sum: '7.75', min: -3, max: 10.25, mean: 7.75 / 3, stddev: 6.8663 },
        { name: 'score', count: 3, sum: '11', min: 0, max: 7, mean: 11 / 3, stddev: 3.0138 },
      ],
    };
    expect(describeAgreement(peer, expected, noQuotes)).toBe('wrong: count amount 4 (csvscan 3); min/max differ in score');
  });

  it('checks csvscan against the independent reference before anything is compared with it', () => {
    const file: GeneratedFile = {
      path: '/data/mixed-64m.csv',
      kind: 'mixed',
      bytes: 100,
      rows: 4,
      sumColumn: 'amount',
      reference: { rows: 4, column: 'amount', count: 3, empty: 1, invalid: 0, sumText: '7.75' },
    };
    const good = csvscanResult(4, [{ ...amount, empty: 1 }]);
    expect(checkCsvscanAgainstReference('count', good, file)).toBe('= independent reference (rows)');
    expect(checkCsvscanAgainstReference('sum', good, file)).toBe('= independent reference (rows, amount count and sum_text)');
    expect(() => checkCsvscanAgainstReference('sum', csvscanResult(4, [{ ...amount, empty: 1, sum_text: '7.7' }]), file)).toThrow(
      /sum_text of amount is "7.7", the independent reference says "7.75"/,
    );
    expect(() => checkCsvscanAgainstReference('count', csvscanResult(5, []), file)).toThrow(/rows is 5/);
    expect(() => checkCsvscanAgainstReference('count', { ...good, bytes: 99 }, file)).toThrow(/bytes is 99/);
  });

  it('reads a runner line, and rejects anything else', () => {
    expect(parsePeerResult('debug line\n{"tool":"udsv","threads":1,"rows":2,"columns":[]}\n')).toEqual({ tool: 'udsv', threads: 1, rows: 2, columns: [] });
    expect(parsePeerResult('')).toBeNull();
    expect(parsePeerResult('{"rows":"2","columns":[]}')).toBeNull();
    expect(parsePeerResult('{"rows":2}')).toBeNull();
  });
});

describe('grouped agreement with csvscan (count --by)', () => {
  const noQuotes = { quotedFile: false, toolHandlesQuotes: true };
  const grouped = (groups: Array<[string, number]>): ScanResult => ({
    ...csvscanResult(
      groups.reduce((total, [, rows]) => total + rows, 0),
      [],
    ),
    columns: undefined,
    by: ['name'],
    group_count: groups.length,
    groups: groups.map(([key, rows]) => ({ key: [key], rows })),
  });
  const expected = grouped([['x', 3], ['Lovelace, Ada', 2], ['', 1], ['résumé', 1], ['a"b', 1]]);

  it('agrees whatever the order the peer lists its groups in', () => {
    const peer: Array<[string, number]> = [['a"b', 1], ['résumé', 1], ['', 1], ['x', 3], ['Lovelace, Ada', 2]];
    expect(compareGroups(peer, 8, expected, noQuotes)).toBe('groups equal (5 keys, same counts)');
    expect(compareGroups(peer, undefined, expected, noQuotes)).toBe('groups equal (5 keys, same counts)');
  });

  it('names missing and extra keys, differing counts, keys listed twice and rows', () => {
    // "Lovelace (awk's split of the quoted key) instead of "Lovelace, Ada"; x counted 4 times; "" twice
    const peer: Array<[string, number]> = [['x', 4], ['"Lovelace', 2], ['', 1], ['résumé', 1], ['a"b', 1], ['', 0]];
    expect(compareGroups(peer, 9, expected, noQuotes)).toBe(
      'wrong: rows 9 (csvscan 8); 1 of csvscan\'s 5 keys missing ("Lovelace, Ada"); 1 keys csvscan does not have ("\\"Lovelace"); ' +
        '1 counts differ ("x" 4 (csvscan 3)); 1 keys listed twice ("")',
    );
    expect(compareGroups([['x', 3]], undefined, expected, { quotedFile: true, toolHandlesQuotes: false })).toMatch(
      /^wrong \(quoted fields\): 4 of csvscan's 5 keys missing \("", "Lovelace, Ada", \.\.\.\)$/,
    );
  });

  it('compares keys exactly: no trimming, no Unicode normalisation, case kept', () => {
    const decomposed = 're\u0301sume\u0301';
    const peer: Array<[string, number]> = [['x ', 3], ['Lovelace, Ada', 2], ['', 1], [decomposed, 1], ['A"b', 1]];
    expect(compareGroups(peer, 8, expected, noQuotes)).toMatch(/^wrong: 3 of csvscan's 5 keys missing .*; 3 keys csvscan does not have/);
  });

  it('runs count-by and sum-by on the mixed file by name and by date, and not on the numeric file', () => {
    expect(caseRuns(['count', 'count-by', 'sum-by'], 'mixed').map((run) => `${run.benchCase}:${run.key?.name ?? ''}:${run.key?.index ?? ''}`)).toEqual([
      'count::',
      'count-by:name:2',
      'count-by:date:6',
      'sum-by:name:2',
      'sum-by:date:6',
    ]);
    expect(caseRuns(['count-by', 'sum', 'sum-by'], 'numeric').map((run) => run.benchCase)).toEqual(['sum']);
  });

  it('refuses count-by alone with --big (the 10 GiB file is numeric), before generating anything', async () => {
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      expect(await runPeersBenchmark(parsePeersArguments(['--big', '--cases', 'count-by']))).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(stderr.join('')).toMatch(/--cases count-by runs on no file with --big/);
  });

  it('checks csvscan\'s groups: they add up to the reference rows', () => {
    const file = { path: '/d/mixed.csv', bytes: 100, reference: { rows: 8, column: 'amount', count: 0, empty: 0, invalid: 0, sumText: '0' } } as unknown as GeneratedFile;
    expect(checkCsvscanAgainstReference('count-by', expected, file)).toBe('= independent reference (rows); groups add up to rows');
    expect(() => checkCsvscanAgainstReference('count-by', { ...expected, groups: expected.groups!.slice(1) }, file)).toThrow(/group_count 5 but 4 groups/);
    expect(() => checkCsvscanAgainstReference('count-by', { ...expected, group_count: 4, groups: expected.groups!.slice(1) }, file)).toThrow(
      /the groups hold 5 rows, the file 8/,
    );
  });

  it('reads Miller\'s and datamash\'s grouped output', () => {
    expect(parseMillerGroups('{"name": "Lovelace, Ada", "count": 2}\n{"name": "x", "count": 3}\n', 'name')).toEqual({
      groups: [['Lovelace, Ada', 2], ['x', 3]],
    });
    expect(parseMillerGroups('{"date": "x", "count": 3}\n', 'name')).toBeNull();
    expect(parseMillerGroups('not json\n', 'name')).toBeNull();
    expect(parseDatamashGroups('"Lovelace,2\nx,3\n')).toEqual({ groups: [['"Lovelace', 2], ['x', 3]] });
    expect(parseDatamashGroups('x\n')).toBeNull();
  });
});

describe('grouped sums (sum -c C --by K)', () => {
  const noQuotes = { quotedFile: false, toolHandlesQuotes: true };
  /** csvscan's `sum -c amount --by K --json` as docs/spec.md §10 writes it: groups with their columns. */
  const groupedSums = (groups: Array<[string, number, number, string]>): ScanResult => ({
    ...csvscanResult(
      groups.reduce((total, [, rows]) => total + rows, 0),
      [],
    ),
    columns: undefined,
    by: ['date'],
    group_count: groups.length,
    groups: groups.map(([key, rows, count, sumText]) => ({
      key: [key],
      rows,
      columns: [csvscanColumn({ name: 'amount', index: 4, count, empty: rows - count, sum: Number(sumText), sum_text: sumText })],
    })) as ScanResult['groups'],
  });
  const expected = groupedSums([['2001-01-01', 3, 3, '10.25'], ['', 2, 1, '-3'], ['2001-01-02', 4, 4, '1000000.1']]);

  it('adds decimal texts exactly', () => {
    expect(addDecimalTexts(['10.25', '-3', '1000000.1'])).toBe('1000007.35');
    expect(addDecimalTexts(['0.1', '0.2'])).toBe('0.3');
    expect(addDecimalTexts(['-0.5', '0.25', '0.25'])).toBe('0');
    expect(addDecimalTexts(['-1.5', '0.25'])).toBe('-1.25');
    expect(addDecimalTexts(['1e3', '2.5e-2'])).toBe('1000.025');
    expect(addDecimalTexts([])).toBe('0');
    expect(addDecimalTexts(['1', 'NA'])).toBeNull();
  });

  it('agrees when keys, records and counts are equal and every sum is within 1e-9 relative', () => {
    const peer: GroupSums = [['', 2, 1, '-3'], ['2001-01-01', 3, 3, '10.25'], ['2001-01-02', 4, 4, '1000000.1']];
    expect(compareGroupSums(peer, 9, expected, 'amount', noQuotes)).toBe('groups equal (3 keys, same counts); sums exact');
    const rounded: GroupSums = [['', 2, 1, '-3'], ['2001-01-01', 3, 3, '10.250000000000002'], ['2001-01-02', 4, 4, '1000000.1000000001']];
    expect(compareGroupSums(rounded, 9, expected, 'amount', noQuotes)).toBe(
      'groups equal (3 keys, same counts); sums exact in 1 of 3 groups, the others off by ≤2.0e-16 relative',
    );
    expect(GROUP_SUM_TOLERANCE).toBe(1e-9);
  });

  it('is wrong past 1e-9 relative, for a count or a record in another group, and for missing keys', () => {
    const off: GroupSums = [['', 2, 1, '-3'], ['2001-01-01', 3, 3, '10.2500001'], ['2001-01-02', 4, 4, '1000000.1']];
    expect(compareGroupSums(off, 9, expected, 'amount', noQuotes)).toBe(
      'wrong: 1 sums of amount off by more than 1e-9 relative ("2001-01-01" off by 9.8e-9 relative (csvscan 10.25))',
    );
    const moved: GroupSums = [['', 3, 2, '7.25'], ['2001-01-01', 2, 2, '0'], ['2001-01-02', 4, 4, '1000000.1']];
    expect(compareGroupSums(moved, 9, expected, 'amount', noQuotes)).toMatch(
      /^wrong: 2 counts differ \("" 3 \(csvscan 2\), "2001-01-01" 2 \(csvscan 3\)\); 2 counts of amount differ .*; 2 sums of amount off by more than 1e-9 relative/,
    );
    expect(compareGroupSums([['2001-01-01', 3, 3, '10.25']], 3, expected, 'amount', { quotedFile: true, toolHandlesQuotes: false })).toMatch(
      /^wrong \(quoted fields\): rows 3 \(csvscan 9\); 2 of csvscan's 3 keys missing/,
    );
  });

  it('reads a runner\'s sum-by line, for the column and key asked only', () => {
    const line = '{"tool":"polars","threads":2,"rows":9,"columns":[],"by":["date"],"sum":"amount","groups":[["",2,1,"-3"],["x",7,7,"1.5"]]}\n';
    expect(parseGroupSums(line, 'amount', 'date')).toEqual({ rows: 9, groups: [['', 2, 1, '-3'], ['x', 7, 7, '1.5']] });
    expect(parseGroupSums(line, 'score', 'date')).toBeNull();
    expect(parseGroupSums(line, 'amount', 'name')).toBeNull();
    expect(parseGroupSums(line.replace('"1.5"', '1.5'), 'amount', 'date')).toBeNull();
    expect(parseGroupSums('{"rows":9,"columns":[],"by":["date"],"sum":"amount","groups":[["x",9]]}', 'amount', 'date')).toBeNull();
  });

  it('checks csvscan\'s grouped sums against the reference: rows, and the groups\' counts and exact sums add up to the file\'s', () => {
    const file = {
      path: '/d/mixed.csv',
      bytes: 100,
      reference: { rows: 9, column: 'amount', count: 8, empty: 1, invalid: 0, sumText: '1000007.35' },
    } as unknown as GeneratedFile;
    expect(checkCsvscanAgainstReference('sum-by', expected, file)).toBe(
      '= independent reference (rows; groups add up to rows and to the amount count and sum_text)',
    );
    const badSum = groupedSums([['2001-01-01', 3, 3, '10.26'], ['', 2, 1, '-3'], ['2001-01-02', 4, 4, '1000000.1']]);
    expect(() => checkCsvscanAgainstReference('sum-by', badSum, file)).toThrow(/the groups' sum_text of amount add up to 1000007.36, the independent reference says 1000007.35/);
    const badCount = groupedSums([['2001-01-01', 3, 2, '10.25'], ['', 2, 1, '-3'], ['2001-01-02', 4, 4, '1000000.1']]);
    expect(() => checkCsvscanAgainstReference('sum-by', badCount, file)).toThrow(/the groups' count of amount add up to 7, the independent reference says 8/);
    const noColumns = { ...expected, groups: expected.groups!.map(({ key, rows }) => ({ key, rows })) };
    expect(() => checkCsvscanAgainstReference('sum-by', noColumns, file)).toThrow(/group \["2001-01-01"\] has no column amount/);
  });

  it('skips sum-by while csvscan refuses it (exit 2 naming --by), and nothing else', () => {
    const refusal = { kind: 'failed', reason: 'exit 2: csvscan: --by works with count only in this version (sum and stats by key are not implemented yet)' } as const;
    expect(csvscanRefusal('sum-by', refusal)).toBe('csvscan: --by works with count only in this version (sum and stats by key are not implemented yet)');
    expect(csvscanRefusal('count-by', refusal)).toBeNull();
    expect(csvscanRefusal('sum-by', { kind: 'failed', reason: 'exit 1: csvscan: f.csv: line 3 (byte 20): quoted field never closed' })).toBeNull();
    expect(csvscanRefusal('sum-by', { kind: 'failed', reason: 'exit 2: csvscan: unknown column amount' })).toBeNull();
    expect(csvscanRefusal('sum-by', { kind: 'timeout' })).toBeNull();
  });
});

describe('tables', () => {
  it('renders markdown with escaped cells and aligned columns', () => {
    expect(markdownTable(['a', 'b'], ['left', 'right'], [['x|y', 'line\nbreak']])).toEqual([
      '| a | b |',
      '|---|--:|',
      '| x\\|y | line break |',
    ]);
    expect(() => markdownTable(['a'], ['left'], [['1', '2']])).toThrow(/2 cells/);
    expect(clipNote('a  b\n c', 80)).toBe('a b c');
    expect(clipNote('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('shows MB/s and peak RSS of measured rows and dashes for skipped ones', () => {
    const lines = renderPeersTable([
      { tool: 'csvscan', threads: '1', benchCase: 'count', file: 'n.csv', bytes: 1e9, timing: { seconds: 2, maxRssKiB: 51200, minorFaults: 1 }, agreement: 'ok' },
      { tool: 'udsv', threads: '1', benchCase: 'count', file: 'n.csv', bytes: 1e9, timing: null, agreement: 'skipped: cannot load udsv' },
      { tool: 'mawk', threads: '1', benchCase: 'count', file: 'n.csv', bytes: 5e6, timing: { seconds: 0.01, maxRssKiB: 2048, minorFaults: 1 }, agreement: 'rows equal' },
    ]);
    expect(lines[0]).toBe('| tool | threads | case | file | MB/s | peak RSS MiB | agreement with csvscan |');
    expect(lines[2]).toBe('| csvscan | 1 | count | n.csv | 500 | 50.0 | ok |');
    expect(lines[3]).toBe('| udsv | 1 | count | n.csv | - | - | skipped: cannot load udsv |');
    expect(lines[4]).toBe('| mawk | 1 | count | n.csv | 500 | 2.0 | rows equal |');
  });
});

describe('options and tool detection', () => {
  it('parses the peers options', () => {
    expect(parsePeersArguments([])).toMatchObject({ sizeBytes: 2 ** 30, runs: 1, tools: null, cases: ['count', 'sum', 'stats', 'count-by', 'sum-by', 'profile'] });
    expect(QUICK_SIZE).toBe(16 * 2 ** 20);
    expect(parsePeersArguments(['--quick'])).toMatchObject({ quick: true, sizeBytes: 16 * 2 ** 20, runs: 1 });
    expect(parsePeersArguments(['--big'])).toMatchObject({ big: true, sizeBytes: 10 * 2 ** 30 });
    expect(parsePeersArguments(['--quick', '--size', '2M', '--tools', 'duckdb,mawk', '--cases', 'sum', '--out', 'x.md'])).toMatchObject({
      sizeBytes: 2 * 2 ** 20,
      tools: ['duckdb', 'mawk'],
      cases: ['sum'],
      out: 'x.md',
    });
    expect(() => parsePeersArguments(['--tools', 'excel'])).toThrow(UsageError);
    expect(() => parsePeersArguments(['--cases', ''])).toThrow(/at least one case/);
    expect(() => parsePeersArguments(['--runs', '0'])).toThrow(/positive integer/);
    expect(() => parsePeersArguments(['--quick', '--big'])).toThrow(/do not go together/);
  });

  it('finds executables on PATH only', () => {
    const bin = join(workDirectory, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'fakeawk'), '#!/bin/sh\n');
    chmodSync(join(bin, 'fakeawk'), 0o755);
    writeFileSync(join(bin, 'notexecutable'), '');
    chmodSync(join(bin, 'notexecutable'), 0o644);
    expect(findOnPath('fakeawk', `/nonexistent:${bin}`)).toBe(join(bin, 'fakeawk'));
    expect(findOnPath('notexecutable', bin)).toBeNull();
    expect(findOnPath('fakeawk', undefined)).toBeNull();
  });

  it('reads installed versions from node_modules', () => {
    const root = join(workDirectory, 'root');
    mkdirSync(join(root, 'node_modules', '@scope', 'pkg'), { recursive: true });
    writeFileSync(join(root, 'node_modules', '@scope', 'pkg', 'package.json'), '{"version":"1.2.3"}');
    expect(installedVersion('@scope/pkg', root)).toBe('1.2.3');
    expect(installedVersion('missing', root)).toBeNull();
  });

  it('lists tools that cannot run instead of running them', () => {
    const setup = setUpTools(['duckdb', 'mawk', 'gawk'], 2, '');
    expect(setup.variants.map((variant) => `${variant.tool}/${variant.threads}`)).toEqual(['csvscan/1', 'duckdb/1', 'duckdb/default']);
    expect(setup.notRun).toEqual(['mawk: not on PATH', 'gawk: not on PATH']);
    expect(setUpTools(['mlr', 'datamash'], 2, '').notRun).toEqual(['mlr: not on PATH', 'datamash: not on PATH']);
  });

  it('runs count-by with csvscan, DuckDB, polars, Miller and datamash only, and sum-by with csvscan, DuckDB and polars', () => {
    const bin = join(workDirectory, 'groupbin');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['mlr', 'datamash', 'mawk']) {
      writeFileSync(join(bin, tool), '#!/bin/sh\necho 1.0\n');
      chmodSync(join(bin, tool), 0o755);
    }
    const setup = setUpTools(null, 2, bin, () => null);
    expect(setup.variants.filter((variant) => variant.cases.includes('count-by')).map((variant) => `${variant.tool}/${variant.threads}`)).toEqual([
      'csvscan/1',
      'csvscan/2 (all cores)',
      'duckdb/1',
      'duckdb/default',
      'polars/1',
      'polars/2 (all cores)',
      'mlr/default',
      'datamash/1',
    ]);
    expect(setup.variants.filter((variant) => variant.cases.includes('sum-by')).map((variant) => `${variant.tool}/${variant.threads}`)).toEqual([
      'csvscan/1',
      'csvscan/2 (all cores)',
      'duckdb/1',
      'duckdb/default',
      'polars/1',
      'polars/2 (all cores)',
    ]);
    const key: ColumnRef[] = [{ name: 'date', index: 6 }];
    const byTool = new Map(setup.variants.map((variant) => [`${variant.tool}/${variant.threads}`, variant]));
    expect(byTool.get('csvscan/1')!.command('count-by', '/d/m.csv', key).slice(2)).toEqual(['count', '/d/m.csv', '--by', 'date', '--json', '--threads', '1', '--no-progress']);
    expect(byTool.get('duckdb/1')!.command('count-by', '/d/m.csv', key).slice(2)).toEqual(['count-by', '/d/m.csv', 'date', '--threads', '1']);
    const summedByKey: ColumnRef[] = [{ name: 'amount', index: 0 }, ...key];
    expect(byTool.get('csvscan/2 (all cores)')!.command('sum-by', '/d/m.csv', summedByKey).slice(2)).toEqual([
      'sum', '/d/m.csv', '-c', 'amount', '--by', 'date', '--json', '--threads', '2', '--no-progress',
    ]);
    expect(byTool.get('duckdb/default')!.command('sum-by', '/d/m.csv', summedByKey).slice(2)).toEqual(['sum-by', '/d/m.csv', 'amount', 'date']);
    // polars' threads are set at csvscan's two settings (the runner turns --threads into POLARS_MAX_THREADS)
    expect(byTool.get('polars/1')!.command('sum-by', '/d/m.csv', summedByKey).slice(1)).toEqual([
      join(ROOT, 'bench', 'peers', 'polars.mjs'), 'sum-by', '/d/m.csv', 'amount', 'date', '--threads', '1',
    ]);
    expect(byTool.get('polars/2 (all cores)')!.command('count', '/d/m.csv', []).slice(2)).toEqual(['count', '/d/m.csv', '--threads', '2']);
    expect(byTool.get('mlr/default')!.command('count-by', '/d/m.csv', key)).toEqual([join(bin, 'mlr'), '--icsv', '--ojsonl', 'count', '-g', 'date', '/d/m.csv']);
    expect(byTool.get('datamash/1')!.command('count-by', '/d/m.csv', key)).toEqual([
      join(bin, 'datamash'), '-t', ',', '--header-in', '-s', '-g', '6', 'count', '6', '/d/m.csv',
    ]);
  });

  it('adds a csvscan row for all cores only when there is more than one', () => {
    expect(setUpTools(['csvscan'], 4, '').variants.map((variant) => variant.threads)).toEqual(['1', '4 (all cores)']);
    expect(setUpTools(['csvscan'], 1, '').variants.map((variant) => variant.threads)).toEqual(['1']);
  });

  it('builds csvscan and runner command lines', () => {
    const setup = setUpTools(['csvscan', 'duckdb'], 2, '');
    const columns: ColumnRef[] = [{ name: 'price', index: 2 }];
    const [single, allCores, duckdbSingle, duckdbDefault] = setup.variants;
    expect(single!.command('sum', '/d/n.csv', columns).slice(2)).toEqual(['sum', '/d/n.csv', '-c', 'price', '--json', '--threads', '1', '--no-progress']);
    expect(allCores!.command('count', '/d/n.csv', []).slice(2)).toEqual(['count', '/d/n.csv', '--json', '--threads', '2', '--no-progress']);
    expect(duckdbSingle!.command('stats', '/d/n.csv', columns).slice(1)).toEqual([join(ROOT, 'bench', 'peers', 'duckdb.mjs'), 'stats', '/d/n.csv', 'price', '--threads', '1']);
    expect(duckdbDefault!.command('count', '/d/n.csv', columns).slice(2)).toEqual(['count', '/d/n.csv']);
  });
});

describe('npm run bench: csvscan, then the peers on the same files', () => {
  const MIB = 2 ** 20;

  it('runs the peers part by default, with the same size, seed and default run counts', () => {
    const options = parseRunArguments([]);
    expect(options).toMatchObject({ quick: false, sizeBytes: 2 ** 30, runs: 3, extraArgs: [] });
    // --runs not given: each part keeps its own default (csvscan best of 3, the peers one run per row)
    expect(options.peers).toEqual(parsePeersArguments([]));
    expect(options.peers).toMatchObject({ sizeBytes: 2 ** 30, runs: 1 });
  });

  it('--quick: both parts on the same small files, one run each', () => {
    const options = parseRunArguments(['--quick']);
    expect(options).toMatchObject({ quick: true, sizeBytes: 16 * MIB, runs: 1 });
    expect(options.peers).toMatchObject({ quick: true, sizeBytes: 16 * MIB, runs: 1, cases: ['count', 'sum', 'stats', 'count-by', 'sum-by', 'profile'], tools: null });
  });

  it('passes --quick, --size, --runs, --seed and --big on to the peers part', () => {
    const options = parseRunArguments(['--quick', '--size', '4M', '--runs', '2', '--seed', '7']);
    expect(options).toMatchObject({ sizeBytes: 4 * MIB, runs: 2, seed: 7 });
    expect(options.peers).toEqual(parsePeersArguments(['--quick', '--size', '4M', '--runs', '2', '--seed', '7']));
    expect(options.peers).toMatchObject({ quick: true, sizeBytes: 4 * MIB, runs: 2, seed: 7 });
    expect(parseRunArguments(['--big']).peers).toMatchObject({ big: true, sizeBytes: 10 * 2 ** 30, runs: 1 });
    expect(parseRunArguments(['--big']).runs).toBe(1);
  });

  it('gives peers-only options to the peers part alone', () => {
    const options = parseRunArguments(['--quick', '--tools', 'duckdb,mawk', '--cases', 'sum', '--timeout', '60', '--out', 'p.md']);
    expect(options).toMatchObject({ quick: true, sizeBytes: 16 * MIB, runs: 1, extraArgs: [] });
    expect(options.peers).toMatchObject({ tools: ['duckdb', 'mawk'], cases: ['sum'], timeoutSeconds: 60, out: 'p.md', sizeBytes: 16 * MIB });
  });

  it('gives what follows a second -- to csvscan in its own benchmark only', () => {
    const options = parseRunArguments(['--quick', '--', '--threads', '2', '--quick']);
    expect(options.extraArgs).toEqual(['--threads', '2', '--quick']);
    expect(options.peers).toEqual(parsePeersArguments(['--quick']));
  });

  it('leaves the peers out with --no-peers or --file, and then refuses peers-only options', () => {
    expect(parseRunArguments(['--quick', '--no-peers'])).toMatchObject({ quick: true, sizeBytes: 16 * MIB, peers: null });
    expect(parseRunArguments(['--file', 'my.csv', '--column', 'price'])).toMatchObject({ file: 'my.csv', column: 'price', peers: null });
    expect(() => parseRunArguments(['--no-peers', '--tools', 'duckdb'])).toThrow(/--tools: for the peers benchmark, which --no-peers leaves out/);
    expect(() => parseRunArguments(['--file', 'my.csv', '--cases', 'sum', '--out', 'p.md'])).toThrow(/--cases, --out: .* --file leaves out/);
  });

  it('refuses bad options before running anything, the peers part\'s too', () => {
    expect(() => parseRunArguments(['--quick', '--big'])).toThrow(/do not go together/);
    expect(() => parseRunArguments(['--tools', 'excel'])).toThrow(/unknown tool: excel/);
    expect(() => parseRunArguments(['--cases', 'median'])).toThrow(/unknown case: median/);
    expect(() => parseRunArguments(['--timeout', '0'])).toThrow(/positive integer/);
    expect(() => parseRunArguments(['--runs', '0'])).toThrow(/positive integer/);
    expect(() => parseRunArguments(['--size', 'huge'])).toThrow(/--size must be a number of bytes >= 1/);
    expect(() => parseRunArguments(['--size', '1.5G'])).toThrow(/--size must be a number of bytes >= 1/);
    expect(() => parseRunArguments(['--tools'])).toThrow(/needs a value/);
    expect(() => parseRunArguments(['--threads', '2'])).toThrow(/unknown option: --threads/);
    expect(() => parseRunArguments(['--help'])).toThrow(/--no-peers/);
  });
});

const mawk = findOnPath('mawk', process.env.PATH) ?? findOnPath('gawk', process.env.PATH) ?? findOnPath('awk', process.env.PATH);

describe.skipIf(mawk === null)('awk programs', () => {
  const unquoted = writeFile('unquoted.csv', 'id,price,qty\n1,1.5,3\n2,,4\n3,-2.25,NA\n4, 1e2 ,5\n');
  const crlf = writeFile('crlf.csv', 'id,price,qty\r\n1,1.5,3\r\n2,,4\r\n');
  const runAwk = (program: string, file: string): PeerResult => {
    const result = spawnSync(mawk!, ['-F', ',', program, file], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as PeerResult;
  };

  it('count prints NR - 1', () => {
    expect(runAwk(awkProgram('count', []), unquoted)).toEqual({ rows: 4, columns: [] });
  });

  it('sum is the one-liner: every field added, empty and NA as 0', () => {
    expect(runAwk(awkProgram('sum', [{ name: 'price', index: 2 }]), unquoted)).toEqual({ rows: 4, columns: [{ name: 'price', sum: '99.25' }] });
  });

  it('stats keeps only numbers, trimmed, and computes what the node runners do', () => {
    const result = runAwk(awkProgram('stats', [{ name: 'price', index: 2 }, { name: 'qty', index: 3 }, { name: 'id', index: 1 }]), unquoted);
    expect(result.rows).toBe(4);
    const [price, qty, id] = result.columns;
    expect(price).toMatchObject({ name: 'price', count: 3, sum: '99.25', min: -2.25, max: 100 });
    expect(price!.mean).toBeCloseTo(99.25 / 3, 12);
    expect(price!.stddev).toBeCloseTo(sampleStddev([1.5, -2.25, 100]), 10);
    expect(qty).toMatchObject({ name: 'qty', count: 3, sum: '12', min: 3, max: 5, mean: 4, stddev: 1 });
    expect(id).toMatchObject({ count: 4, sum: '10', min: 1, max: 4 });
  });

  it('stats takes the last field of a CRLF line as a number and prints null for an empty column', () => {
    const result = runAwk(awkProgram('stats', [{ name: 'qty', index: 3 }, { name: 'none', index: 9 }]), crlf);
    expect(result.columns[0]).toMatchObject({ count: 2, sum: '7', min: 3, max: 4 });
    expect(result.columns[1]).toEqual({ name: 'none', count: 0, sum: '0', min: null, max: null, mean: null, stddev: null });
  });

  it('escapes column names for the JSON it prints', () => {
    const result = runAwk(awkProgram('sum', [{ name: 'pri"ce %d', index: 2 }]), unquoted);
    expect(result.columns[0]!.name).toBe('pri"ce %d');
  });
});

describe('node peer runners on a tiny quoted file', () => {
  // A quoted comma, a quoted line break, doubled quotes, an empty field and NA.
  const quoted = writeFile(
    'quoted.csv',
    'id,name,amount,score\n1,"Lovelace, Ada",10.25,1.5\n2,"Line\nbreak",-3,NA\n3,plain,,2.5\n4,"a ""quoted"" word",0.5,7\n',
  );
  const runRunner = (runner: string, args: string[]): { status: number | null; result: PeerResult | null; stderr: string } => {
    const finished = spawnSync(process.execPath, [join(ROOT, 'bench', 'peers', `${runner}.mjs`), ...args], { cwd: ROOT, encoding: 'utf8' });
    return { status: finished.status, result: parsePeerResult(finished.stdout), stderr: finished.stderr };
  };

  for (const runner of ['udsv', 'papaparse', 'csv-parse', 'duckdb']) {
    it(`${runner}: count, sum and stats`, () => {
      expect(runRunner(runner, ['count', quoted]).result).toMatchObject({ rows: 4, columns: [] });
      const sum = runRunner(runner, ['sum', quoted, 'amount']).result;
      expect(sum).toMatchObject({ rows: 4, columns: [{ name: 'amount', count: 3 }] });
      expect(Number(sum!.columns[0]!.sum)).toBe(7.75);
      const stats = runRunner(runner, ['stats', quoted, 'amount', 'score']);
      expect(stats.stderr).toBe('');
      const [amount, score] = stats.result!.columns;
      expect(amount).toMatchObject({ name: 'amount', count: 3, min: -3, max: 10.25 });
      expect(amount!.mean).toBeCloseTo(7.75 / 3, 12);
      expect(amount!.stddev).toBeCloseTo(sampleStddev([10.25, -3, 0.5]), 10);
      expect(score).toMatchObject({ name: 'score', count: 3, min: 1.5, max: 7 });
      expect(Number(score!.sum)).toBe(11);
    }, 60_000);
  }

  it('duckdb: count-by gives the unquoted keys and their counts, an empty field as the empty key', () => {
    const keyed = writeFile('keyed.csv', 'id,name,date\n1,"Lovelace, Ada",2001-01-01\n2,x,\n3,"x",2001-01-01\n4,"a ""b""",2001-01-02\n');
    const result = runRunner('duckdb', ['count-by', keyed, 'name', '--threads', '1']).result!;
    expect(result).toMatchObject({ tool: 'duckdb', threads: 1, rows: 4, by: ['name'] });
    expect(result.groups).toEqual([['Lovelace, Ada', 1], ['a "b"', 1], ['x', 2]]);
    const dates = runRunner('duckdb', ['count-by', keyed, 'date']).result!;
    expect(dates.groups).toEqual([['', 1], ['2001-01-01', 2], ['2001-01-02', 1]]);
    const csvscan = spawnSync(process.execPath, [join(ROOT, 'bin', 'csvscan.js'), 'count', keyed, '--by', 'date', '--json'], { encoding: 'utf8' });
    expect(compareGroups(dates.groups!, dates.rows, JSON.parse(csvscan.stdout) as ScanResult, { quotedFile: true, toolHandlesQuotes: true })).toBe(
      'groups equal (3 keys, same counts)',
    );
  }, 60_000);

  it('duckdb reports the thread count it used', () => {
    expect(runRunner('duckdb', ['count', quoted, '--threads', '1']).result).toMatchObject({ tool: 'duckdb', threads: 1, rows: 4 });
  }, 60_000);

  it('a runner rejects bad usage and a missing column with exit 2', () => {
    expect(runRunner('papaparse', ['sum', quoted]).status).toBe(2);
    expect(runRunner('papaparse', ['median', quoted, 'amount']).status).toBe(2);
    const missing = runRunner('csv-parse', ['sum', quoted, 'price']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no column price/);
  });

  it('a runner whose package is missing exits 3, which the harness shows as skipped', () => {
    const script = writeFile(
      'missing-peer.mjs',
      `import { importPeer } from ${JSON.stringify(pathToFileURL(join(ROOT, 'bench', 'peers', 'common.mjs')).href)};\n` +
        "await importPeer('csvscan-no-such-package');\n",
    );
    const finished = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(finished.status).toBe(3);
    const outcome = classifyOutcome(timedProcess({ status: finished.status, stderr: finished.stderr }));
    expect(outcome.kind).toBe('skipped');
    expect(outcome.kind === 'skipped' && outcome.reason).toMatch(/^cannot load csvscan-no-such-package .*npm install --save-dev csvscan-no-such-package$/);
    const withRemedy = writeFile(
      'missing-peer-remedy.mjs',
      `import { importPeer } from ${JSON.stringify(pathToFileURL(join(ROOT, 'bench', 'peers', 'common.mjs')).href)};\n` +
        "await importPeer('csvscan-no-such-package', 'install its binary');\n",
    );
    expect(spawnSync(process.execPath, [withRemedy], { encoding: 'utf8' }).stderr).toMatch(/^skipped: cannot load csvscan-no-such-package \(.*\); install its binary\n$/);
  });
});

/** Why nodejs-polars cannot be loaded here (its native binary is missing), or null: the polars tests need it. */
const polarsProblem = loadProblem('nodejs-polars', ROOT);

function runPeerRunner(runner: string, args: string[]): { status: number | null; result: PeerResult | null; stdout: string; stderr: string } {
  const finished = spawnSync(process.execPath, [join(ROOT, 'bench', 'peers', `${runner}.mjs`), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: finished.status, result: parsePeerResult(finished.stdout), stdout: finished.stdout, stderr: finished.stderr };
}

function csvscanJson(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const finished = spawnSync(process.execPath, [join(ROOT, 'bin', 'csvscan.js'), ...args, '--json', '--no-progress'], { encoding: 'utf8' });
  return { status: finished.status, stdout: finished.stdout, stderr: finished.stderr };
}

describe('sum-by: DuckDB and polars against csvscan\'s exact sums per group', () => {
  // Each record: its key as csvscan reads it (unquoted) and as written, and its amount field.
  const records: Array<[key: string, written: string, amount: string]> = [
    ['Lovelace, Ada', '"Lovelace, Ada"', '10.25'],
    ['x', 'x', '-3'],
    ['x', '"x"', ''],
    ['a "b"', '"a ""b"""', '0.1'],
    ['', '', '7'],
    ['', '""', '1e2'],
    ['multi\r\nline', '"multi\r\nline"', '0.2'],
    ['x', 'x', 'NA'],
    ['Lovelace, Ada', '"Lovelace, Ada"', '0.7'],
    ['a "b"', '"a ""b"""', '0.2'],
  ];
  const line = (i: number, written: string, amount: string): string => `${i + 1},${written},${amount},2001-01-0${(i % 3) + 1}\r\n`;
  const file = writeFile('sum-by.csv', 'id,name,amount,date\r\n' + records.map(([, written, amount], i) => line(i, written, amount)).join(''));

  /** csvscan `sum -c amount --by name` put together from csvscan `sum -c amount` of each group's records alone. */
  const expected = ((): ScanResult => {
    const keys = [...new Set(records.map(([key]) => key))];
    const groups = keys.map((key, k) => {
      const own = records.map((record, i) => [record, i] as const).filter(([[recordKey]]) => recordKey === key);
      const part = writeFile(`sum-by-group-${k}.csv`, 'id,name,amount,date\r\n' + own.map(([[, written, amount], i]) => line(i, written, amount)).join(''));
      const result = JSON.parse(csvscanJson(['sum', part, '-c', 'amount']).stdout) as ScanResult;
      return { key: [key], rows: result.rows, columns: result.columns };
    });
    return { file, rows: records.length, bytes: 0, ragged: { short: 0, long: 0 }, by: ['name'], group_count: groups.length, groups } as ScanResult;
  })();
  const context = { quotedFile: true, toolHandlesQuotes: true };

  it('csvscan refuses sum --by in a way the bench skips, or answers in the shape the bench reads', () => {
    const csvscan = csvscanJson(['sum', file, '-c', 'amount', '--by', 'name']);
    if (csvscan.status === 2) {
      expect(csvscanRefusal('sum-by', { kind: 'failed', reason: `exit 2: ${csvscan.stderr.trim()}` })).toBe(csvscan.stderr.trim());
      return;
    }
    expect(csvscan.status).toBe(0);
    const result = JSON.parse(csvscan.stdout) as ScanResult;
    const whole = JSON.parse(csvscanJson(['sum', file, '-c', 'amount']).stdout) as ScanResult;
    const [amount] = whole.columns!;
    const reference = { rows: whole.rows, column: 'amount', count: amount!.count, empty: amount!.empty, invalid: amount!.invalid, sumText: amount!.sum_text! };
    expect(checkCsvscanAgainstReference('sum-by', result, { path: file, bytes: whole.bytes, reference } as unknown as GeneratedFile)).toMatch(/^= independent reference/);
    const sums: GroupSums = expected.groups!.map((group) => {
      const column = (group as unknown as { columns: ColumnResult[] }).columns[0]!;
      return [group.key[0]!, group.rows, column.count, column.sum_text] as const;
    });
    expect(compareGroupSums(sums, expected.rows, result, 'amount', context)).toBe(`groups equal (${expected.group_count} keys, same counts); sums exact`);
  });

  it('duckdb: sum-by agrees with csvscan per group', () => {
    const duckdb = runPeerRunner('duckdb', ['sum-by', file, 'amount', 'name', '--threads', '1']);
    expect(duckdb.stderr).toBe('');
    const grouped = parseGroupSums(duckdb.stdout, 'amount', 'name')!;
    expect(grouped.rows).toBe(records.length);
    expect(compareGroupSums(grouped.groups, grouped.rows, expected, 'amount', context)).toMatch(/^groups equal \(5 keys, same counts\); sums exact/);
  }, 60_000);

  it.skipIf(polarsProblem !== null)(`polars: sum-by agrees with csvscan per group${polarsProblem ? ` (skipped: ${polarsProblem})` : ''}`, () => {
    const polars = runPeerRunner('polars', ['sum-by', file, 'amount', 'name', '--threads', '2']);
    expect(polars.stderr).toBe('');
    expect(polars.result).toMatchObject({ tool: 'polars', threads: 2, by: ['name'], sum: 'amount' });
    const grouped = parseGroupSums(polars.stdout, 'amount', 'name')!;
    expect(compareGroupSums(grouped.groups, grouped.rows, expected, 'amount', context)).toMatch(/^groups equal \(5 keys, same counts\); sums exact/);
  }, 60_000);
});

/** Runs a peer runner reading nothing of its output for half a second: a long line must still arrive whole. */
async function runReadingLate(runner: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'peers', `${runner}.mjs`), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = new Promise((resolve) => child.on('close', resolve));
  child.stdout.pause();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdout.resume();
  await closed;
  return Buffer.concat(chunks).toString('utf8');
}

describe('a grouped runner\'s long line reaches a slow reader whole (no process.exit() after writing it)', () => {
  // 20,000 keys: a line of about 600 kB, ten times a pipe's buffer.
  const many = writeFile('many-keys.csv', 'id,key,amount\n' + Array.from({ length: 20_000 }, (_, i) => `${i},key-${i},${i}.5\n`).join(''));
  const runners = ['duckdb', ...(polarsProblem === null ? ['polars'] : [])];
  for (const runner of runners) {
    it(`${runner}: sum-by and count-by`, async () => {
      const sums = parseGroupSums(await runReadingLate(runner, ['sum-by', many, 'amount', 'key', '--threads', '1']), 'amount', 'key');
      expect(sums?.groups.length).toBe(20_000);
      expect(parsePeerResult(await runReadingLate(runner, ['count-by', many, 'key', '--threads', '1']))?.groups?.length).toBe(20_000);
    }, 60_000);
  }
});

describe.skipIf(polarsProblem !== null)(`polars runner${polarsProblem ? ` (skipped: nodejs-polars cannot be loaded: ${polarsProblem})` : ''}`, () => {
  const quoted = writeFile(
    'polars-quoted.csv',
    'id,name,amount,score\n1,"Lovelace, Ada",10.25,1.5\n2,"Line\nbreak",-3,NA\n3,plain,,2.5\n4,"a ""quoted"" word",0.5,7\n',
  );
  const noQuotes = { quotedFile: false, toolHandlesQuotes: true };

  it('count, sum and stats, agreeing with csvscan', () => {
    expect(runPeerRunner('polars', ['count', quoted]).result).toMatchObject({ tool: 'polars', rows: 4, columns: [] });
    const sum = runPeerRunner('polars', ['sum', quoted, 'amount']).result!;
    const csvscanSum = JSON.parse(csvscanJson(['sum', quoted, '-c', 'amount']).stdout) as ScanResult;
    expect(describeAgreement(sum, csvscanSum, noQuotes)).toBe('rows equal; sum exact');
    const stats = runPeerRunner('polars', ['stats', quoted, 'amount', 'score']);
    expect(stats.stderr).toBe('');
    const [amount, score] = stats.result!.columns;
    expect(amount).toMatchObject({ name: 'amount', count: 3, min: -3, max: 10.25 });
    expect(amount!.mean).toBeCloseTo(7.75 / 3, 12);
    expect(amount!.stddev).toBeCloseTo(sampleStddev([10.25, -3, 0.5]), 10);
    // score holds NA: read as text by polars, cast to Float64 non-strictly
    expect(score).toMatchObject({ name: 'score', count: 3, min: 1.5, max: 7 });
    const csvscanStats = JSON.parse(csvscanJson(['stats', quoted, '-c', 'amount', '-c', 'score']).stdout) as ScanResult;
    expect(describeAgreement(stats.result!, csvscanStats, noQuotes)).toMatch(/^rows, counts and min\/max equal; sums exact/);
  }, 60_000);

  it('count-by: the unquoted keys and their counts, an empty field as the empty key, as csvscan', () => {
    const keyed = writeFile('polars-keyed.csv', 'id,name,date\n1,"Lovelace, Ada",2001-01-01\n2,x,\n3,"x",2001-01-01\n4,"a ""b""",""\n');
    const names = runPeerRunner('polars', ['count-by', keyed, 'name']).result!;
    expect(names).toMatchObject({ tool: 'polars', rows: 4, by: ['name'] });
    expect(names.groups).toEqual([['Lovelace, Ada', 1], ['a "b"', 1], ['x', 2]]);
    const dates = runPeerRunner('polars', ['count-by', keyed, 'date']).result!;
    expect(dates.groups).toEqual([['', 2], ['2001-01-01', 2]]);
    const csvscan = JSON.parse(csvscanJson(['count', keyed, '--by', 'date']).stdout) as ScanResult;
    expect(compareGroups(dates.groups as Array<[string, number]>, dates.rows, csvscan, { quotedFile: true, toolHandlesQuotes: true })).toBe('groups equal (2 keys, same counts)');
  }, 60_000);

  it('starts as many threads as --threads says (POLARS_MAX_THREADS), and reports them', () => {
    expect(runPeerRunner('polars', ['count', quoted, '--threads', '1']).result).toMatchObject({ threads: 1, rows: 4 });
    expect(runPeerRunner('polars', ['count-by', quoted, 'name', '--threads', '2']).result).toMatchObject({ threads: 2, rows: 4 });
  }, 60_000);

  it('sums Int64 columns in Int64: past 2^63 the sum wraps around, and the agreement says wrong', () => {
    // eleven values of 9e17 (in csvscan's exact domain) and a 1: 9.9e18 is past 2^63 - 1 (about 9.22e18)
    const values = [...Array.from({ length: 11 }, () => '900000000000000000'), '1'];
    const big = writeFile('polars-big.csv', 'id,big\n' + values.map((value, i) => `${i + 1},${value}\n`).join(''));
    const polars = runPeerRunner('polars', ['sum', big, 'big']).result!;
    const csvscan = JSON.parse(csvscanJson(['sum', big, '-c', 'big']).stdout) as ScanResult;
    expect(csvscan.columns![0]!.sum_text).toBe('9900000000000000001');
    expect(describeAgreement(polars, csvscan, noQuotes)).toMatch(/^wrong: sum off by \d/);
  }, 60_000);

  it('rejects a missing column with exit 2', () => {
    const missing = runPeerRunner('polars', ['sum', quoted, 'price']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no column price/);
  }, 60_000);
});

describe('polars as a peer', () => {
  it('is listed as not installed, and not run, when nodejs-polars cannot be loaded', () => {
    const setup = setUpTools(['polars'], 2, '', () => "Cannot find module 'nodejs-polars-linux-x64-gnu'");
    expect(setup.variants.map((variant) => variant.tool)).toEqual(['csvscan']);
    expect(setup.notRun).toEqual([
      `polars: not installed (nodejs-polars 0.25.2 cannot be loaded: Cannot find module 'nodejs-polars-linux-x64-gnu'; ` +
        `to run it: npm install --no-save ${polarsBinaryPackage()}@0.25.2, see bench/README.md)`,
    ]);
    expect(polarsBinaryPackage('linux', 'x64')).toBe('nodejs-polars-linux-x64-gnu');
    expect(polarsBinaryPackage('darwin', 'arm64')).toBe('nodejs-polars-darwin-arm64');
    expect(polarsBinaryPackage('win32', 'x64')).toBe('nodejs-polars-win32-x64-msvc');
  });

  it('runs at csvscan\'s thread settings when it loads', () => {
    expect(setUpTools(['polars'], 2, '', () => null).variants.map((variant) => `${variant.tool}/${variant.threads}`)).toEqual([
      'csvscan/1',
      'polars/1',
      'polars/2 (all cores)',
    ]);
    expect(setUpTools(['polars'], 1, '', () => null).variants.map((variant) => `${variant.tool}/${variant.threads}`)).toEqual(['csvscan/1', 'polars/1']);
  });

  it.runIf(polarsProblem !== null)('its runner exits 3 (skipped) and says what to install when nodejs-polars cannot be loaded', () => {
    const runner = runPeerRunner('polars', ['count', join(ROOT, 'examples', 'prices.csv')]);
    expect(runner.status).toBe(3);
    expect(runner.stderr).toMatch(/^skipped: cannot load nodejs-polars \(.*\); install its binary without saving it: npm install --no-save nodejs-polars-/);
  });

  it('says why a package cannot be loaded, in one line', () => {
    expect(loadProblem('csvscan-no-such-package', ROOT)).toMatch(/^Cannot find (package|module) 'csvscan-no-such-package'/);
    expect(loadProblem('csv-parse', ROOT)).toBeNull();
  });
});

describe('I/O harness', () => {
  it('round-trips worker configurations through the command line', () => {
    const configs: IoConfig[] = [
      { method: 'read', windowBytes: 65536, segmentBytes: null, sequential: false, populate: false },
      { method: 'mmap', windowBytes: 1 << 20, segmentBytes: 64 << 20, sequential: true, populate: true },
      { method: 'mmap', windowBytes: 4096, segmentBytes: 1 << 30, sequential: false, populate: false },
      { method: 'source-mmap', windowBytes: 16 << 20, segmentBytes: 256 << 20, sequential: false, populate: false },
      { method: 'source-read', windowBytes: 262144, segmentBytes: null, sequential: false, populate: false },
    ];
    for (const config of configs) expect(parseWorkerArguments(workerArguments(config, '/f.csv'))).toEqual({ config, file: '/f.csv' });
    expect(parseWorkerArguments(['--worker', '--method', 'mmap', '--window', '64K', 'f']).config).toMatchObject({ windowBytes: 65536, segmentBytes: 256 << 20 });
    expect(() => parseWorkerArguments(['--method', 'aio', 'f'])).toThrow(/--method/);
    expect(() => parseWorkerArguments(['--populate', 'yes', 'f'])).toThrow(/on or off/);
    expect(() => parseWorkerArguments(['--window', '64K'])).toThrow(/FILE/);
  });

  it('parses the harness options', () => {
    expect(parseIoArguments([])).toMatchObject({ quick: false, sizeBytes: 2 ** 30, runs: 3, timeoutSeconds: 120 });
    expect(parseIoArguments(['--quick'])).toMatchObject({ sizeBytes: 64 * 2 ** 20, runs: 1 });
    expect(parseIoArguments(['--quick', '--runs', '2', '--size', '4M'])).toMatchObject({ sizeBytes: 4 * 2 ** 20, runs: 2 });
    expect(() => parseIoArguments(['--window', '1M'])).toThrow(/unknown option/);
  });

  it('computes the same page checksum whatever the window size', () => {
    const bytes = new Uint8Array(50_000).map((_, i) => (i * 7919) % 251);
    const checksumWith = (window: number): number => {
      let checksum = 0;
      for (let position = 0; position < bytes.length; position += window) {
        const chunk = bytes.subarray(position, Math.min(bytes.length, position + window));
        checksum = addPageChecksum(checksum, chunk, chunk.length, position);
      }
      return checksum;
    };
    const whole = checksumWith(bytes.length);
    expect(whole).toBeGreaterThan(0);
    for (const window of [1, 1000, 4096, 5000, 12_288]) expect(checksumWith(window)).toBe(whole);
    // bytes shifted by one position give another checksum
    const shifted = new Uint8Array(bytes.length);
    shifted.set(bytes.subarray(1));
    expect(addPageChecksum(0, shifted, shifted.length, 0)).not.toBe(whole);
  });

  it('reads the same bytes with read(), raw mmap (every flag) and csvscan sources', () => {
    const text = Array.from({ length: 8000 }, (_, i) => `${i},${(i * 37) % 1000}.${i % 100}\n`).join('');
    const file = writeFile('io.csv', text);
    const size = Buffer.byteLength(text);
    const results = [];
    for (const windowBytes of [1000, 65536, 1 << 20]) {
      results.push(runWorker({ method: 'read', windowBytes, segmentBytes: null, sequential: false, populate: false }, file));
      results.push(runWorker({ method: 'source-read', windowBytes, segmentBytes: null, sequential: false, populate: false }, file));
      results.push(runWorker({ method: 'source-mmap', windowBytes, segmentBytes: 65536, sequential: true, populate: false }, file));
      for (const sequential of [true, false]) {
        for (const populate of [true, false]) {
          results.push(runWorker({ method: 'mmap', windowBytes, segmentBytes: 65536, sequential, populate }, file));
        }
      }
    }
    expect(new Set(results.map((result) => result.bytes))).toEqual(new Set([size]));
    expect(new Set(results.map((result) => result.checksum)).size).toBe(1);
  });

  const spec = (path: string, io: 'read' | 'mmap', extra: Partial<IoRowSpec> = {}): IoRowSpec => ({
    path,
    io,
    segmentBytes: null,
    sequential: null,
    populate: null,
    wholeProcess: path === 'csvscan CLI count',
    unavailable: null,
    command: () => [],
    ...extra,
  });
  const cell = (windowBytes: number, seconds: number, maxRssKiB: number, minorFaults: number, loopSeconds: number | null = null) => ({
    windowBytes,
    timing: { seconds, maxRssKiB, minorFaults },
    loopSeconds,
    note: null,
  });

  it('chooses the default: fastest, then lowest RSS within 5%, then the smaller window', () => {
    const candidate = (io: 'read' | 'mmap', windowBytes: number, speed: number, rssKiB: number) => ({ io, windowBytes, speed, rssKiB, faults: 0 });
    expect(chooseDefault([])).toBeNull();
    expect(chooseDefault([candidate('mmap', 1 << 20, 1000, 90_000), candidate('read', 1 << 20, 700, 50_000)])).toMatchObject({ io: 'mmap' });
    expect(chooseDefault([candidate('mmap', 1 << 20, 1000, 90_000), candidate('read', 1 << 20, 960, 50_000)])).toMatchObject({ io: 'read' });
    expect(chooseDefault([candidate('read', 4 << 20, 1000, 50_000), candidate('read', 1 << 20, 990, 50_000)])).toMatchObject({ windowBytes: 1 << 20 });
  });

  it('renders cells as MB/s · RSS · faults and writes the recommendation from the numbers', () => {
    const bytes = 1e9;
    const rows: IoRow[] = [
      {
        spec: spec('mmap + copy', 'mmap', { segmentBytes: 256 << 20, sequential: true, populate: false }),
        cells: [cell(1 << 20, 1, 60 * 1024, 20_000, 0.5)],
      },
      {
        spec: spec('mmap + copy', 'mmap', { segmentBytes: 256 << 20, sequential: false, populate: false }),
        cells: [cell(1 << 20, 1, 60 * 1024, 20_000, 0.4)],
      },
      {
        spec: spec('mmap + copy', 'mmap', { segmentBytes: 256 << 20, sequential: true, populate: true }),
        cells: [cell(1 << 20, 1, 300 * 1024, 3000, 0.25)],
      },
      { spec: spec('csvscan CLI count', 'mmap'), cells: [cell(1 << 20, 2, 70 * 1024, 30_000)] },
      { spec: spec('csvscan CLI count', 'read'), cells: [cell(1 << 20, 2.05, 55 * 1024, 5000)] },
      { spec: spec('read()', 'read', { unavailable: 'n/a' }), cells: [{ windowBytes: 1 << 20, timing: null, loopSeconds: null, note: 'timed out (120 s)' }] },
    ];
    const table = renderIoTable(rows, bytes);
    expect(table[0]).toBe('| path | io | segment | MADV_SEQUENTIAL | MAP_POPULATE | window 1M |');
    expect(table[2]).toBe('| mmap + copy | mmap | 256M | on | off | 2000 · 60.0 · 20k |');
    expect(table[5]).toBe('| csvscan CLI count | mmap | - | - | - | 500 · 70.0 · 30k |');
    expect(table[7]).toBe('| read() | read | - | - | - | timed out (120 s) |');
    const text = recommendation(rows, bytes);
    // read at 488 MB/s is within 5% of mmap's 500 and uses less memory.
    expect(text).toContain('default `--io read --window 1M`, 488 MB/s, peak RSS 55.0 MiB, 5000 minor faults');
    expect(text).toContain('The best `--io mmap` (window 1M) reaches 500 MB/s at 70.0 MiB and 30k faults');
    expect(text).toContain('MADV_SEQUENTIAL changes the copy speed by -20%');
    expect(text).toContain('MAP_POPULATE changes it by +100% and the minor faults from 20k to 3000, but peak RSS goes from 60.0 to 300.0 MiB');
  });

  it('formats fault counts compactly', () => {
    expect(formatCount(987)).toBe('987');
    expect(formatCount(12_345)).toBe('12k');
    expect(formatCount(2_500_000)).toBe('2.5M');
  });
});
