// The peers benchmark's profile case (bench/peers/profile.ts, the `profile` case of bench/peers.ts
// and of the DuckDB and polars runners): type mapping, tolerances, and DuckDB's SUMMARIZE and
// polars' describe of a tiny file held against a hand-written csvscan `stats --all`. No benchmark is run.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { caseRuns, csvscanRefusal, loadProblem, parsePeersArguments } from '../bench/peers.js';
import {
  compareProfile,
  DUCKDB_SUMMARIZE,
  figureCloseness,
  halfUnitOfText,
  nearestRank,
  parsePeerProfile,
  parseRankCounts,
  peerTypeClass,
  polarsNearestRank,
  POLARS_DESCRIBE,
  profileProblems,
  quantileBand,
  quantileThresholds,
  rankRequest,
  tdigestRankTolerance,
  typeAgrees,
  type PeerProfile,
  type PeerProfileColumn,
  type RankCounts,
} from '../bench/peers/profile.js';
import type { ColumnResult, ScanResult } from '../src/types.js';
import { columnResult } from './support/column-result.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const workDirectory = mkdtempSync(join(tmpdir(), 'csvscan-bench-profile-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

// Nine records (n = 9: nearest-rank ceil(p * n) and polars' round((n - 1) * p) + 1 are the same rank),
// a text column with two empty fields and a quoted comma, a number column with NA, dates.
const TINY = [
  'id,price,note,score,when',
  '1,10.5,a,1.5,2001-01-01',
  '2,-3.25,,NA,2001-01-02',
  '3,7,"x, y",2.5,2001-01-03',
  '4,0.5,a,7,2001-01-01',
  '5,12.75,,3,2001-01-05',
  '6,100,b,NA,2001-01-06',
  '7,-0.5,"q ""z""",4.5,2001-01-07',
  '8,2,a,0,2001-01-08',
  '9,3.5,c,8,2001-01-09',
].join('\n') + '\n';
const tinyFile = join(workDirectory, 'tiny-profile.csv');
writeFileSync(tinyFile, TINY);

function column(name: string, index: number, figures: Partial<ColumnResult>): ColumnResult {
  return columnResult({ name, index, ...figures });
}

/** csvscan `stats --all --json` of TINY, written by hand from docs/spec.md (§5: profile). */
const expected: ScanResult = {
  file: tinyFile,
  rows: 9,
  bytes: Buffer.byteLength(TINY),
  ragged: { short: 0, long: 0 },
  columns: [
    column('id', 1, {
      count: 9, sum: 45, sum_text: '45', min: 1, max: 9, mean: 5, stddev: Math.sqrt(7.5), type: 'integer',
      min_length: 1, max_length: 1, distinct: 9, distinct_exact: true, q1: 3, median: 5, q3: 7,
    }),
    column('price', 2, {
      count: 9, sum: 132.5, sum_text: '132.5', min: -3.25, max: 100, mean: 132.5 / 9, stddev: 32.400676218937846, type: 'decimal',
      min_length: 1, max_length: 5, distinct: 9, distinct_exact: true, q1: 0.5, median: 3.5, q3: 10.5,
    }),
    column('note', 3, { empty: 2, invalid: 7, first_invalid: { line: 2, value: 'a' }, min_length: 1, max_length: 5, distinct: 5, distinct_exact: true }),
    column('score', 4, {
      count: 7, invalid: 2, first_invalid: { line: 3, value: 'NA' }, sum: 26.5, sum_text: '26.5', min: 0, max: 8, mean: 26.5 / 7,
      stddev: 2.8990967394624665, type: 'decimal', min_length: 1, max_length: 3, distinct: 8, distinct_exact: true, q1: 1.5, median: 3, q3: 7,
    }),
    column('when', 5, { invalid: 9, first_invalid: { line: 2, value: '2001-01-01' }, min_length: 10, max_length: 10, distinct: 8, distinct_exact: true }),
  ],
};

function peerColumn(name: string, type: string, figures: Partial<PeerProfileColumn>): PeerProfileColumn {
  return { name, type, count: 9, nulls: null, null_percentage: null, min: null, max: null, mean: null, stddev: null, q1: null, median: null, q3: null, distinct: null, ...figures };
}

/** What polars' describe gives for TINY (as the runner prints it). */
function polarsProfile(): PeerProfile {
  return {
    tool: 'polars',
    threads: 1,
    rows: 9,
    columns: [
      peerColumn('id', 'Int64', { nulls: 0, min: '1', max: '9', mean: '5', stddev: '2.7386127875258306', q1: '3', median: '5', q3: '7' }),
      peerColumn('price', 'Float64', { nulls: 0, min: '-3.25', max: '100', mean: '14.722222222222221', stddev: '32.400676218937846', q1: '0.5', median: '3.5', q3: '10.5' }),
      peerColumn('note', 'String', { count: 7, nulls: 2, min: 'a', max: 'x, y' }),
      peerColumn('score', 'String', { nulls: 0, min: '0', max: 'NA' }),
      peerColumn('when', 'String', { nulls: 0, min: '2001-01-01', max: '2001-01-09' }),
    ],
  };
}

/** What DuckDB's SUMMARIZE gives for TINY: approximate quartiles and distinct counts. */
function duckdbProfile(): PeerProfile {
  return {
    tool: 'duckdb',
    threads: 1,
    rows: 9,
    columns: [
      peerColumn('id', 'BIGINT', { null_percentage: 0, min: '1', max: '9', mean: '5.0', stddev: '2.7386127875258306', q1: '3', median: '5', q3: '7', distinct: 10 }),
      peerColumn('price', 'DOUBLE', {
        null_percentage: 0, min: '-3.25', max: '100.0', mean: '14.722222222222221', stddev: '32.400676218937846', q1: '0.25', median: '3.5', q3: '11.0625', distinct: 10,
      }),
      peerColumn('note', 'VARCHAR', { null_percentage: 22.22, min: 'a', max: 'x, y', distinct: 4 }),
      peerColumn('score', 'VARCHAR', { null_percentage: 0, min: '0', max: 'NA', distinct: 7 }),
      peerColumn('when', 'DATE', { null_percentage: 0, min: '2001-01-01', max: '2001-01-09', q1: '2001-01-02', median: '2001-01-05', q3: '2001-01-07', distinct: 7 }),
    ],
  };
}

/** Exact ranks of rankRequest()'s thresholds in TINY's numbers, counted here. */
function ranksOf(request: Record<string, number[]>): RankCounts {
  const lines = TINY.trim().split('\n').slice(1);
  const header = TINY.split('\n')[0]!.split(',');
  return {
    rows: lines.length,
    columns: Object.entries(request).map(([name, thresholds]) => {
      const index = header.indexOf(name);
      const values = lines.map((line) => Number(line.split(',')[index]));
      return { name, count: values.length, ranks: thresholds.map((t) => [values.filter((v) => v < t).length, values.filter((v) => v <= t).length] as [number, number]) };
    }),
  };
}

describe('profile tolerances and mappings', () => {
  it('maps DuckDB and polars types to csvscan types', () => {
    for (const type of ['BIGINT', 'INTEGER', 'UBIGINT', 'HUGEINT', 'Int64', 'UInt32']) expect(peerTypeClass(type)).toBe('integer');
    for (const type of ['DOUBLE', 'FLOAT', 'DECIMAL(18,2)', 'DECIMAL(9, 3)', 'Float64', 'Float32']) expect(peerTypeClass(type)).toBe('fractional');
    for (const type of ['VARCHAR', 'DATE', 'TIMESTAMP WITH TIME ZONE', 'BOOLEAN', 'String', 'Date', 'Datetime(Microseconds, None)', 'Null']) expect(peerTypeClass(type)).toBe('text');
    expect(peerTypeClass('STRUCT(a INTEGER)')).toBeNull();
    const of = (type: ColumnResult['type'], invalid = 0) => ({ type, invalid });
    expect(typeAgrees(of('integer'), 'BIGINT')).toBe(true);
    expect(typeAgrees(of('integer'), 'DOUBLE')).toBe(false);
    expect(typeAgrees(of('decimal'), 'DOUBLE')).toBe(true);
    expect(typeAgrees(of('decimal'), 'DECIMAL(18,2)')).toBe(true);
    expect(typeAgrees(of('float'), 'Float64')).toBe(true);
    expect(typeAgrees(of('decimal'), 'Int64')).toBe(false);
    expect(typeAgrees(of('text'), 'VARCHAR')).toBe(true);
    expect(typeAgrees(of('text'), 'DATE')).toBe(true);
    expect(typeAgrees(of('empty'), 'String')).toBe(true);
    expect(typeAgrees(of('text'), 'DOUBLE')).toBe(false);
    // a number column holding NA: text to a sniffer
    expect(typeAgrees(of('decimal', 2), 'VARCHAR')).toBe(true);
    expect(typeAgrees(of('decimal'), 'VARCHAR')).toBe(false);
    expect(typeAgrees(of('integer'), 'STRUCT(a INTEGER)')).toBe(false);
  });

  it('ranks: nearest-rank against polars\' nearest, and T-digest\'s bound', () => {
    expect([nearestRank(9, 0.25), polarsNearestRank(9, 0.25)]).toEqual([3, 3]);
    expect([nearestRank(10, 0.25), polarsNearestRank(10, 0.25)]).toEqual([3, 3]);
    // 1 GiB numeric file: one rank apart
    expect([nearestRank(21_556_883, 0.25), polarsNearestRank(21_556_883, 0.25)]).toEqual([5_389_221, 5_389_222]);
    expect(nearestRank(1, 0.25)).toBe(1);
    expect(tdigestRankTolerance(0.5)).toBeCloseTo(Math.PI / 100, 12);
    expect(tdigestRankTolerance(0.25)).toBeCloseTo(0.0272, 4);
    expect(tdigestRankTolerance(0.75)).toBe(tdigestRankTolerance(0.25));
  });

  it('reads the digits a figure shows, and accepts a figure rounded to them', () => {
    expect(halfUnitOfText('49939')).toBe(0.5);
    expect(halfUnitOfText('2.15')).toBeCloseTo(0.005, 15);
    expect(halfUnitOfText('1.5e+12')).toBe(5e10);
    expect(halfUnitOfText('NA')).toBeNull();
    expect(figureCloseness('49939.15382942601', 49939.15382942621, 1e-9)).toMatchObject({ ok: true, rounded: false });
    expect(figureCloseness('49939', 49939.15382942621, 1e-9)).toMatchObject({ ok: true, rounded: true });
    expect(figureCloseness('49940', 49939.15382942621, 1e-9)).toMatchObject({ ok: false });
    expect(figureCloseness('49939.16', 49939.15382942621, 1e-9)).toMatchObject({ ok: false });
    expect(figureCloseness('', 1, 1e-9)).toMatchObject({ ok: false });
  });

  it('bands a csvscan quantile by 0.5% of the exact value, on either side of zero', () => {
    const [low, high] = quantileBand(100);
    expect(low).toBeCloseTo(100 / 1.005, 9);
    expect(high).toBeCloseTo(100 / 0.995, 9);
    const [negativeLow, negativeHigh] = quantileBand(-100);
    expect(negativeLow).toBeCloseTo(-100 / 0.995, 9);
    expect(negativeHigh).toBeCloseTo(-100 / 1.005, 9);
    expect(quantileBand(0)).toEqual([0, 0]);
  });

  it('checks csvscan\'s own profile before comparing: quartiles and distinct counts present, exact ones plausible', () => {
    expect(profileProblems(expected)).toEqual([]);
    const broken: ScanResult = { ...expected, columns: expected.columns!.map((c) => (c.name === 'price' ? { ...c, median: null } : c.name === 'note' ? { ...c, distinct: null } : c)) };
    expect(profileProblems(broken)).toEqual(['price: 9 numbers but no q1, median or q3', 'note: 7 non-empty fields but no distinct count']);
    const tooMany: ScanResult = { ...expected, columns: [{ ...expected.columns![0]!, distinct: 10 }] };
    expect(profileProblems(tooMany)).toEqual(['id: distinct 10 said exact, beyond 100000 or the 9 non-empty fields']);
  });

  it('parses runner lines and refuses other shapes', () => {
    const profile = polarsProfile();
    expect(parsePeerProfile(JSON.stringify(profile))).toEqual(profile);
    expect(parsePeerProfile(JSON.stringify({ rows: 1, columns: [{ name: 'a', count: 1 }] }))).toBeNull();
    expect(parsePeerProfile('not json')).toBeNull();
    expect(parseRankCounts('{"rows":9,"columns":[{"name":"id","count":9,"ranks":[[2,3]]}]}')).toEqual({ rows: 9, columns: [{ name: 'id', count: 9, ranks: [[2, 3]] }] });
    expect(parseRankCounts('{"rows":9,"columns":[{"name":"id","count":9,"ranks":[[2]]}]}')).toBeNull();
  });
});

describe('compareProfile', () => {
  it('polars: every figure within its tolerance', () => {
    expect(compareProfile(polarsProfile(), expected, POLARS_DESCRIBE)).toBe(
      'rows, counts, nulls and types equal (5 columns); min/max equal, mean and stddev equal (2 numeric); ' +
        "quartiles within 0.000% of polars' exact ones (bound 0.50%); numbers not compared: score (polars String)",
    );
  });

  it('polars: a quartile beyond 0.5%, a count, a null count and a type are wrong', () => {
    const profile = polarsProfile();
    profile.columns[1]!.q1 = '0.51';
    profile.columns[0]!.count = 8;
    profile.columns[2]!.nulls = 1;
    profile.columns[2]!.type = 'Float64';
    expect(compareProfile(profile, expected, POLARS_DESCRIBE)).toBe(
      'wrong: id count 8 (csvscan 9 non-empty); price q1 0.5 (polars 0.51: off by 1.96%, beyond 0.50%); note nulls 1 (csvscan 2 empty); note type Float64 (csvscan text with 7 invalid)',
    );
  });

  it('polars: names the ranks when they differ from nearest-rank', () => {
    const ten: ScanResult = {
      ...expected,
      rows: 10,
      columns: [column('x', 1, { count: 10, sum: 55, sum_text: '55', min: 1, max: 10, mean: 5.5, stddev: 3.0276503540974917, type: 'integer', distinct: 10, distinct_exact: true, q1: 3, median: 5, q3: 8 })],
    };
    const profile: PeerProfile = { rows: 10, columns: [peerColumn('x', 'Int64', { count: 10, nulls: 0, min: '1', max: '10', mean: '5.5', stddev: '3.0276503540974917', q1: '3', median: '6', q3: '8' })] };
    expect(compareProfile(profile, ten, POLARS_DESCRIBE)).toBe('wrong: x median 5 (polars 6: off by 16.67%, beyond 0.50%; polars takes rank 6, nearest-rank is 5)');
  });

  it('DuckDB: quartiles placed by exact ranks, distinct counts within 3 standard errors of its HyperLogLog', () => {
    const profile = duckdbProfile();
    const request = rankRequest(profile, expected);
    expect(Object.keys(request)).toEqual(['id', 'price']);
    expect(request.price!.slice(0, 3)).toEqual([0.25, 3.5, 11.0625]);
    expect(quantileThresholds(profile.columns[0]!, expected.columns![0]!)).toHaveLength(9);
    expect(compareProfile(profile, expected, DUCKDB_SUMMARIZE, ranksOf(request))).toBe(
      'rows, counts, null percentages and types equal (5 columns); min/max equal, mean and stddev equal (2 numeric); ' +
        "quartiles: csvscan's within 0.50% of the exact values (exact ranks), DuckDB's ≤2.78% of the numbers from their rank (bound 2.72%-3.14% and one rank); " +
        "distinct within 20.00% of csvscan's (bound 39.00%); numbers not compared: score (DuckDB VARCHAR)",
    );
    expect(compareProfile(profile, expected, DUCKDB_SUMMARIZE, null)).toMatch(/numbers not compared: id quartiles \(no exact ranks\), price quartiles \(no exact ranks\), score \(DuckDB VARCHAR\)$/);
  });

  it('DuckDB: a quartile far from its rank, csvscan\'s quartile off the exact value, distinct and null percentage beyond their bounds', () => {
    const profile = duckdbProfile();
    profile.columns[1]!.median = '12';
    profile.columns[2]!.distinct = 2;
    profile.columns[2]!.null_percentage = 33.33;
    const wrongCsvscan: ScanResult = { ...expected, columns: expected.columns!.map((c) => (c.name === 'id' ? { ...c, q3: 7.1 } : c)) };
    expect(compareProfile(profile, wrongCsvscan, DUCKDB_SUMMARIZE, ranksOf(rankRequest(profile, wrongCsvscan)))).toBe(
      'wrong: id q3: csvscan\'s 7.1 is not within 0.50% of the exact value of rank 7 (7 numbers below 7.064677, 7 at most 7.135678); ' +
        "price median: DuckDB's 12 is 27.78% of the numbers from rank 0.5 (bound 14.25%); " +
        'note null_percentage 33.33 (csvscan 2 empty: 22.222%); note distinct 2 (csvscan 5, exact: off by 60.00%, beyond 39.00%)',
    );
  });

  it('rows and columns must be csvscan\'s', () => {
    const profile = polarsProfile();
    profile.rows = 10;
    profile.columns.pop();
    expect(compareProfile(profile, expected, POLARS_DESCRIBE)).toMatch(/^wrong: rows 10 \(csvscan 9\); columns \["id","price","note","score"\] \(csvscan \["id","price","note","score","when"\]\)/);
  });
});

describe('the profile case of bench:peers', () => {
  it('runs on both files by default and is skipped while csvscan refuses --all', () => {
    expect(parsePeersArguments([]).cases).toContain('profile');
    expect(parsePeersArguments(['--cases', 'profile']).cases).toEqual(['profile']);
    expect(caseRuns(['profile'], 'numeric').map((run) => run.benchCase)).toEqual(['profile']);
    expect(caseRuns(['profile'], 'mixed').map((run) => run.benchCase)).toEqual(['profile']);
    expect(csvscanRefusal('profile', { kind: 'failed', reason: "exit 2: csvscan: unknown option '--all'" })).toBe("csvscan: unknown option '--all'");
    expect(csvscanRefusal('profile', { kind: 'failed', reason: 'exit 2: csvscan: unknown column price' })).toBeNull();
    expect(csvscanRefusal('count', { kind: 'failed', reason: "exit 2: csvscan: unknown option '--all'" })).toBeNull();
  });

  it('csvscan refuses stats --all in a way the bench skips, or answers with a profile the checks accept', () => {
    const csvscan = spawnSync(process.execPath, [join(ROOT, 'bin', 'csvscan.js'), 'stats', tinyFile, '--all', '--json', '--no-progress'], { encoding: 'utf8' });
    if (csvscan.status === 2) {
      expect(csvscanRefusal('profile', { kind: 'failed', reason: `exit 2: ${csvscan.stderr.trim()}` })).toBe(csvscan.stderr.trim());
      return;
    }
    expect(csvscan.status).toBe(0);
    const result = JSON.parse(csvscan.stdout) as ScanResult;
    expect(profileProblems(result)).toEqual([]);
    // On nine exact values the profile is exact: the hand-written one.
    for (const [i, ours] of expected.columns!.entries()) {
      expect(result.columns![i]).toMatchObject({ name: ours.name, type: ours.type, distinct: ours.distinct, distinct_exact: true, q1: ours.q1, median: ours.median, q3: ours.q3 });
    }
    expect(compareProfile(polarsProfile(), result, POLARS_DESCRIBE)).toMatch(/^rows, counts, nulls and types equal/);
  });
});

function runner(name: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const finished = spawnSync(process.execPath, [join(ROOT, 'bench', 'peers', `${name}.mjs`), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: finished.status, stdout: finished.stdout, stderr: finished.stderr };
}

describe('the runners\' profile of a tiny file', () => {
  it('duckdb: SUMMARIZE, then exact ranks of its quartiles, agreeing with the hand-written profile', () => {
    const summary = runner('duckdb', ['profile', tinyFile, '--threads', '1']);
    expect(summary.stderr).toBe('');
    const profile = parsePeerProfile(summary.stdout)!;
    expect(profile).toMatchObject({ tool: 'duckdb', threads: 1, rows: 9 });
    expect(profile.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['id:BIGINT', 'price:DOUBLE', 'note:VARCHAR', 'score:VARCHAR', 'when:DATE']);
    const request = rankRequest(profile, expected);
    const ranks = runner('duckdb', ['ranks', tinyFile, JSON.stringify(request)]);
    expect(ranks.stderr).toBe('');
    expect(parseRankCounts(ranks.stdout)).toMatchObject(ranksOf(request));
    expect(compareProfile(profile, expected, DUCKDB_SUMMARIZE, parseRankCounts(ranks.stdout))).toMatch(
      /^rows, counts, null percentages and types equal \(5 columns\); min\/max equal, mean and stddev [^;]+; quartiles: csvscan's within 0\.50% of the exact values/,
    );
  }, 60_000);

  it('duckdb: ranks and profile refuse bad usage with exit 2', () => {
    expect(runner('duckdb', ['ranks', tinyFile, '{"id": ["x"]}']).status).toBe(2);
    expect(runner('duckdb', ['ranks', tinyFile]).status).toBe(2);
    expect(runner('duckdb', ['profile', tinyFile, 'id']).status).toBe(2);
  }, 60_000);

  const polarsProblem = loadProblem('nodejs-polars', ROOT);
  it.skipIf(polarsProblem !== null)(`polars: describe's figures, agreeing with the hand-written profile${polarsProblem ? ` (skipped: ${polarsProblem})` : ''}`, () => {
    const described = runner('polars', ['profile', tinyFile, '--threads', '1']);
    expect(described.stderr).toBe('');
    const profile = parsePeerProfile(described.stdout)!;
    expect(profile).toMatchObject({ tool: 'polars', threads: 1, rows: 9 });
    expect(profile).toEqual(polarsProfile());
    expect(compareProfile(profile, expected, POLARS_DESCRIBE)).toMatch(/^rows, counts, nulls and types equal \(5 columns\)/);
  }, 60_000);
});
