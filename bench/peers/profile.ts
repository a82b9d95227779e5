// How far a peer's column profile (DuckDB's SUMMARIZE, polars' describe) is from csvscan's
// `stats --all`: rows, counts and nulls exactly, types by a fixed mapping, min and max exactly, mean
// and stddev within 1e-9 relative, quartiles and distinct counts within the errors each tool states
// for them. bench/README.md ("Column profile") says why each tolerance is what it is.

import type { ColumnResult, ScanResult } from '../../src/types.js';
import { formatRelative } from './agreement.js';

/** A column of a peer's profile (bench/peers/common.mjs, `profile`): its figures as the tool gives them. */
export interface PeerProfileColumn {
  name: string;
  /** the tool's type: BIGINT, DOUBLE, VARCHAR, DATE, ... (DuckDB); Int64, Float64, String, ... (polars) */
  type: string;
  /** DuckDB SUMMARIZE: every record (count(*)); polars describe: the values that are not null */
  count: number;
  /** nulls (polars' null_count), or null when the tool does not give it */
  nulls: number | null;
  /** nulls as a percentage rounded to 2 decimals (DuckDB's null_percentage), or null */
  null_percentage: number | null;
  min: string | null;
  max: string | null;
  mean: string | null;
  stddev: string | null;
  q1: string | null;
  median: string | null;
  q3: string | null;
  /** an estimate of the distinct values (DuckDB's approx_unique), or null */
  distinct: number | null;
}

export interface PeerProfile {
  tool?: string;
  threads?: number;
  rows: number;
  columns: PeerProfileColumn[];
}

/** What a peer's profile means, and how close to the truth it says it is. */
export interface ProfileRules {
  /** as the agreement texts name it */
  tool: string;
  /** what its count counts: every record (DuckDB's count(*)) or the values that are not null (polars) */
  count: 'records' | 'values';
  /**
   * exact: the value at 0-based index round((n - 1) * p) of the sorted numbers (polars' 'nearest');
   * t-digest: DuckDB's approx_quantile, placed in the column's exact order (RankCounts) and held to
   * T-digest's rank error
   */
  quantiles: 'exact' | 't-digest';
  /** relative standard error of its distinct estimate; null when it gives none */
  distinctStandardError: number | null;
}

/**
 * DuckDB 1.5.6's SUMMARIZE: count is count(*); approx_quantile is a T-digest of compression 100;
 * approx_unique is approx_count_distinct, a HyperLogLog of 64 registers: standard error
 * 1.04 / sqrt(64) = 13% (measured: 11% over 40 sets of a million values). DuckDB's pull request 20999
 * gives it 1024 registers (3.3%); 1.5.6 does not have it. A newer DuckDB needs this changed.
 */
export const DUCKDB_SUMMARIZE: ProfileRules = { tool: 'DuckDB', count: 'records', quantiles: 't-digest', distinctStandardError: 1.04 / Math.sqrt(64) };

/** Python polars' describe(): count of non-null values, exact quantiles with interpolation 'nearest', no distinct. */
export const POLARS_DESCRIBE: ProfileRules = { tool: 'polars', count: 'values', quantiles: 'exact', distinctStandardError: null };

/** mean and stddev: csvscan's are within 1e-9 relative of the exact ones (docs/spec.md), a peer's double far closer. */
export const PROFILE_MOMENT_TOLERANCE = 1e-9;

/** csvscan's q1, median and q3 are within 0.5% relative of the exact nearest-rank value (docs/spec.md). */
export const QUANTILE_TOLERANCE = 0.005;

/** csvscan's distinct estimate beyond 100000 values: standard error at most 1% (docs/spec.md). */
export const CSVSCAN_DISTINCT_STANDARD_ERROR = 0.01;

/** Distinct counts agree when they are within this many combined standard errors. */
export const DISTINCT_SIGMAS = 3;

/** DuckDB's approx_quantile: duckdb_tdigest::TDigest(100). */
export const TDIGEST_COMPRESSION = 100;

const QUARTILES = [
  ['q1', 0.25],
  ['median', 0.5],
  ['q3', 0.75],
] as const;

/**
 * How far from p, in rank (a fraction of the numbers), DuckDB's T-digest may place the p-quantile.
 * DuckDB's digest (its third-party `tdigest`, compression δ = 100) maps a quantile q to
 * k = δ·(asin(2q - 1) + π/2)/π and closes a centroid when k has grown by 1, so a centroid at q holds
 * at most π·sqrt(q(1 - q))/δ of the numbers: 1.4% at the quartiles, 1.6% at the median. The
 * estimate interpolates inside a centroid and between neighbouring ones, and the digests of parallel
 * threads are merged: the bound is two centroids, 2π·sqrt(q(1 - q))/δ (2.7% and 3.1%). The check
 * allows one rank (1/n) more: each value sits at its mid-rank, a large fraction of a small file.
 */
export function tdigestRankTolerance(p: number, compression = TDIGEST_COMPRESSION): number {
  return (2 * Math.PI * Math.sqrt(p * (1 - p))) / compression;
}

/** 1-based nearest rank of the p-quantile of n numbers: ceil(p * n), at least 1 (csvscan's definition). */
export function nearestRank(n: number, p: number): number {
  return Math.max(1, Math.ceil(p * n));
}

/** 1-based rank polars' 'nearest' interpolation takes: 0-based index round((n - 1) * p) (Rust rounds half away from 0). */
export function polarsNearestRank(n: number, p: number): number {
  return Math.round((n - 1) * p) + 1;
}

/** What kind of values a peer's type holds: integers, other numbers, or text (dates and booleans included). */
export function peerTypeClass(type: string): 'integer' | 'fractional' | 'text' | null {
  if (/^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|U?Int(8|16|32|64|128))$/.test(type)) return 'integer';
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL(\(\d+, ?\d+\))?|Float(32|64)|Decimal(\(.*\))?)$/.test(type)) return 'fractional';
  if (/^(VARCHAR|DATE|TIME|TIMETZ|TIMESTAMP.*|BOOLEAN|String|Utf8|Date|Datetime.*|Time|Boolean|Null|Categorical.*)$/.test(type)) return 'text';
  return null;
}

/**
 * Whether a peer's type is consistent with csvscan's (docs/spec.md: type): integer with an integer
 * type; decimal and float with a floating-point or DECIMAL type; text and empty with a text type
 * (VARCHAR, DATE, ... / String, Date, ...). A column csvscan types as a number but that holds
 * invalid fields (NA) may be text to a peer too: its sniffer keeps a column that does not parse as text.
 */
export function typeAgrees(column: Pick<ColumnResult, 'type' | 'invalid'>, peerType: string): boolean {
  const kind = peerTypeClass(peerType);
  if (kind === null) return false;
  if (kind === 'text') return column.type === 'text' || column.type === 'empty' || column.invalid > 0;
  if (column.type === 'integer') return kind === 'integer';
  if (column.type === 'decimal' || column.type === 'float') return kind === 'fractional';
  return false;
}

/** Half a unit in the last digit a decimal text shows: "49939" 0.5, "2.15" 0.005, "1.5e+12" 5e10; null if not a number. */
export function halfUnitOfText(text: string): number | null {
  const match = /^\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!match || (match[1] ?? '') + (match[2] ?? '') === '') return null;
  return 0.5 * 10 ** (Number(match[3] ?? 0) - (match[2] ?? '').length);
}

/**
 * A peer's figure (text) against csvscan's double: within `tolerance` relative, or, where the peer
 * prints fewer digits (newer DuckDB rounds SUMMARIZE's avg and std), csvscan's value rounded to them.
 */
export function figureCloseness(text: string, value: number, tolerance: number): { ok: boolean; error: number; rounded: boolean } {
  const peer = Number(text);
  if (text.trim() === '' || Number.isNaN(peer)) return { ok: false, error: Infinity, rounded: false };
  const error = peer === value ? 0 : Math.abs(peer - value) / Math.max(Math.abs(peer), Math.abs(value));
  if (error <= tolerance) return { ok: true, error, rounded: false };
  const half = halfUnitOfText(text);
  const rounded = half !== null && Math.abs(peer - value) <= half * (1 + 1e-9);
  return { ok: rounded, error, rounded };
}

/**
 * The band of values within QUANTILE_TOLERANCE of which csvscan's quantile c may be: the exact
 * value x must satisfy |c - x| <= 0.5% |x|, i.e. lie in [c / 1.005, c / 0.995] (for c > 0;
 * mirrored for c < 0; exactly 0 for c = 0), widened by 1e-12 for the rounding of the division.
 */
export function quantileBand(value: number, tolerance = QUANTILE_TOLERANCE): [number, number] {
  const a = value / (1 + tolerance);
  const b = value / (1 - tolerance);
  const slack = 1e-12 * Math.abs(value);
  return [Math.min(a, b) - slack, Math.max(a, b) + slack];
}

/**
 * The thresholds whose exact ranks the t-digest check needs for a column: the peer's q1, median
 * and q3, then the low and high end of each of csvscan's quartile bands; null when either side has
 * no quartiles (or a peer's is not a number).
 */
export function quantileThresholds(peer: PeerProfileColumn, column: ColumnResult): number[] | null {
  const peerValues = QUARTILES.map(([key]) => (peer[key] === null ? NaN : Number(peer[key])));
  const ours = QUARTILES.map(([key]) => column[key]);
  if (peerValues.some((value) => !Number.isFinite(value)) || ours.some((value) => value === null)) return null;
  return [...peerValues, ...ours.flatMap((value) => quantileBand(value!))];
}

/** Exact counts below and up to each threshold, per column (bench/peers/duckdb.mjs `ranks`). */
export interface RankCounts {
  rows: number;
  columns: Array<{ name: string; count: number; ranks: Array<[below: number, upTo: number]> }>;
}

/** The columns whose quartiles the t-digest check places, with their thresholds (JSON for duckdb.mjs `ranks`). */
export function rankRequest(peer: PeerProfile, expected: ScanResult): Record<string, number[]> {
  const request: Record<string, number[]> = {};
  for (const column of expected.columns ?? []) {
    const theirs = peer.columns.find((candidate) => candidate.name === column.name);
    if (!theirs || peerTypeClass(theirs.type) === 'text' || peerTypeClass(theirs.type) === null) continue;
    const thresholds = quantileThresholds(theirs, column);
    if (thresholds !== null) request[column.name] = thresholds;
  }
  return request;
}

function isTextOrNull(value: unknown): boolean {
  return value === null || typeof value === 'string';
}

/** A runner's profile line, or null when it is not one. */
export function parsePeerProfile(stdout: string): PeerProfile | null {
  const line = stdout.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const profile = parsed as PeerProfile;
  if (typeof profile.rows !== 'number' || !Array.isArray(profile.columns)) return null;
  const wellFormed = profile.columns.every(
    (column) =>
      typeof column === 'object' &&
      column !== null &&
      typeof column.name === 'string' &&
      typeof column.type === 'string' &&
      typeof column.count === 'number' &&
      (column.nulls === null || typeof column.nulls === 'number') &&
      (column.null_percentage === null || typeof column.null_percentage === 'number') &&
      (column.distinct === null || typeof column.distinct === 'number') &&
      [column.min, column.max, column.mean, column.stddev, column.q1, column.median, column.q3].every(isTextOrNull),
  );
  return wellFormed ? profile : null;
}

/** duckdb.mjs `ranks`' line, or null when it is not one. */
export function parseRankCounts(stdout: string): RankCounts | null {
  try {
    const parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '') as RankCounts;
    const wellFormed =
      typeof parsed.rows === 'number' &&
      Array.isArray(parsed.columns) &&
      parsed.columns.every(
        (column) =>
          typeof column.name === 'string' &&
          typeof column.count === 'number' &&
          Array.isArray(column.ranks) &&
          column.ranks.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((n) => typeof n === 'number')),
      );
    return wellFormed ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * What csvscan's `stats --all` must hold before anything is compared with it: every column with
 * numbers has q1, median and q3; every column with a non-empty field a distinct count (exact ones
 * at most 100000 and at most the non-empty fields). Returns the problems (none: an empty list).
 */
export function profileProblems(result: ScanResult): string[] {
  const problems: string[] = [];
  for (const column of result.columns ?? []) {
    if (column.count > 0 && QUARTILES.some(([key]) => column[key] === null)) problems.push(`${column.name}: ${column.count} numbers but no q1, median or q3`);
    const nonEmpty = result.rows - column.empty;
    if (nonEmpty > 0 && (column.distinct === null || typeof column.distinct_exact !== 'boolean')) {
      problems.push(`${column.name}: ${nonEmpty} non-empty fields but no distinct count`);
    } else if (column.distinct !== null && column.distinct_exact === true && (column.distinct > 100_000 || column.distinct > nonEmpty)) {
      problems.push(`${column.name}: distinct ${column.distinct} said exact, beyond 100000 or the ${nonEmpty} non-empty fields`);
    }
  }
  return problems;
}

/** polars -> polars', DuckDB -> DuckDB's */
function possessive(tool: string): string {
  return tool.endsWith('s') ? `${tool}'` : `${tool}'s`;
}

function percent(fraction: number): string {
  if (!Number.isFinite(fraction)) return 'infinitely';
  return `${(fraction * 100).toFixed(fraction < 0.001 ? 3 : 2)}%`;
}

/** "a and b", "a, b and c" */
function listed(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : (items[0] ?? '');
}

/**
 * One line saying how a peer's profile compares with csvscan's (checked) `stats --all`: "wrong: ..."
 * naming every figure beyond its tolerance, else what was compared and how close it came. `ranks`
 * (the exact ranks of rankRequest()'s thresholds) is what the t-digest check needs; without it
 * DuckDB's quartiles are not compared.
 */
export function compareProfile(peer: PeerProfile, expected: ScanResult, rules: ProfileRules, ranks: RankCounts | null = null): string {
  const wrong: string[] = [];
  const columns = expected.columns ?? [];
  const tool = rules.tool;
  if (peer.rows !== expected.rows) wrong.push(`rows ${peer.rows} (csvscan ${expected.rows})`);
  const peerNames = peer.columns.map((column) => column.name);
  const names = columns.map((column) => column.name);
  if (peerNames.join('\u0000') !== names.join('\u0000')) wrong.push(`columns ${JSON.stringify(peerNames)} (csvscan ${JSON.stringify(names)})`);

  let numeric = 0;
  let worstMoment = 0;
  let roundedByPeer = false;
  let worstQuantile = 0;
  let quantilesCompared = 0;
  let worstDistinct = 0;
  let distinctBound = 0;
  let distinctCompared = 0;
  const notCompared: string[] = [];

  for (const column of columns) {
    const theirs = peer.columns.find((candidate) => candidate.name === column.name);
    if (!theirs) continue; // named above
    const name = column.name;
    const nonEmpty = expected.rows - column.empty;
    if (rules.count === 'records' ? theirs.count !== expected.rows : theirs.count !== nonEmpty) {
      wrong.push(`${name} count ${theirs.count} (csvscan ${rules.count === 'records' ? `${expected.rows} rows` : `${nonEmpty} non-empty`})`);
    }
    if (theirs.nulls !== null && theirs.nulls !== column.empty) wrong.push(`${name} nulls ${theirs.nulls} (csvscan ${column.empty} empty)`);
    if (theirs.null_percentage !== null && expected.rows > 0) {
      const percentage = (100 * column.empty) / expected.rows;
      if (Math.abs(theirs.null_percentage - percentage) > 0.005 + 1e-9) {
        wrong.push(`${name} null_percentage ${theirs.null_percentage} (csvscan ${column.empty} empty: ${percentage.toFixed(3)}%)`);
      }
    }
    if (rules.distinctStandardError !== null && theirs.distinct !== null) {
      if (column.distinct === null) wrong.push(`${name}: csvscan gives no distinct count`);
      else {
        const ours = column.distinct_exact ? 0 : CSVSCAN_DISTINCT_STANDARD_ERROR;
        const bound = DISTINCT_SIGMAS * Math.sqrt(rules.distinctStandardError ** 2 + ours ** 2);
        const error = column.distinct === 0 ? (theirs.distinct === 0 ? 0 : Infinity) : Math.abs(theirs.distinct - column.distinct) / column.distinct;
        distinctCompared++;
        distinctBound = Math.max(distinctBound, bound);
        if (error > bound) {
          wrong.push(`${name} distinct ${theirs.distinct} (csvscan ${column.distinct}${column.distinct_exact ? ', exact' : ''}: off by ${percent(error)}, beyond ${percent(bound)})`);
        } else worstDistinct = Math.max(worstDistinct, error);
      }
    }
    if (!typeAgrees(column, theirs.type)) {
      wrong.push(`${name} type ${theirs.type} (csvscan ${column.type}${column.invalid > 0 ? ` with ${column.invalid} invalid` : ''})`);
      continue;
    }
    if (peerTypeClass(theirs.type) === 'text') {
      if (column.count > 0) notCompared.push(`${name} (${tool} ${theirs.type})`);
      continue;
    }
    numeric++;
    if (Number(theirs.min) !== column.min || Number(theirs.max) !== column.max) {
      wrong.push(`${name} min/max ${theirs.min}/${theirs.max} (csvscan ${column.min}/${column.max})`);
    }
    for (const [what, text, value] of [
      ['mean', theirs.mean, column.mean],
      ['stddev', theirs.stddev, column.stddev],
    ] as const) {
      if (text === null && value === null) continue;
      if (text === null || value === null) {
        wrong.push(`${name} ${what} ${text} (csvscan ${value})`);
        continue;
      }
      const closeness = figureCloseness(text, value, PROFILE_MOMENT_TOLERANCE);
      if (!closeness.ok) wrong.push(`${name} ${what} ${text} (csvscan ${value}: off by ${formatRelative(closeness.error)} relative)`);
      else if (closeness.rounded) roundedByPeer = true;
      else worstMoment = Math.max(worstMoment, closeness.error);
    }

    const missing = QUARTILES.filter(([key]) => (theirs[key] === null) !== (column[key] === null)).map(([key]) => key);
    if (missing.length > 0) {
      wrong.push(`${name} ${listed(missing)}: ${QUARTILES.map(([key]) => `${theirs[key]}`).join('/')} (csvscan ${QUARTILES.map(([key]) => `${column[key]}`).join('/')})`);
      continue;
    }
    if (column.q1 === null) continue;
    if (rules.quantiles === 'exact') {
      for (const [key, p] of QUARTILES) {
        const exact = Number(theirs[key]);
        const value = column[key]!;
        const error = exact === value ? 0 : exact === 0 ? Infinity : Math.abs(value - exact) / Math.abs(exact);
        quantilesCompared++;
        if (error > QUANTILE_TOLERANCE * (1 + 1e-12)) {
          const theirRank = polarsNearestRank(column.count, p);
          const rank = nearestRank(column.count, p);
          wrong.push(
            `${name} ${key} ${value} (${tool} ${theirs[key]}: off by ${percent(error)}, beyond ${percent(QUANTILE_TOLERANCE)}` +
              `${theirRank !== rank ? `; ${tool} takes rank ${theirRank}, nearest-rank is ${rank}` : ''})`,
          );
        } else worstQuantile = Math.max(worstQuantile, error);
      }
      continue;
    }
    // t-digest: DuckDB's value placed in the column's exact order, and csvscan's band around the exact value.
    const counts = ranks?.columns.find((candidate) => candidate.name === name);
    if (!counts) {
      notCompared.push(`${name} quartiles (no exact ranks)`);
      continue;
    }
    if (counts.count !== column.count || counts.ranks.length !== 9) {
      wrong.push(`${name}: exact ranks of ${counts.count} numbers for ${counts.ranks.length} thresholds (csvscan ${column.count} numbers, 9 thresholds)`);
      continue;
    }
    const n = counts.count;
    QUARTILES.forEach(([key, p], i) => {
      const [below, upTo] = counts.ranks[i]!;
      const distance = below / n > p ? below / n - p : upTo / n < p ? p - upTo / n : 0;
      // One rank more: a T-digest interpolates between neighbouring values (each at its mid-rank).
      const bound = tdigestRankTolerance(p) + 1 / n;
      quantilesCompared++;
      if (distance > bound) {
        wrong.push(`${name} ${key}: ${possessive(tool)} ${theirs[key]} is ${percent(distance)} of the numbers from rank ${p} (bound ${percent(bound)})`);
      } else worstQuantile = Math.max(worstQuantile, distance);
      const rank = nearestRank(n, p);
      const [belowLow] = counts.ranks[3 + 2 * i]!;
      const [, upToHigh] = counts.ranks[4 + 2 * i]!;
      if (!(belowLow < rank && rank <= upToHigh)) {
        const [low, high] = quantileBand(column[key]!);
        wrong.push(
          `${name} ${key}: csvscan's ${column[key]} is not within ${percent(QUANTILE_TOLERANCE)} of the exact value of rank ${rank} ` +
            `(${belowLow} numbers below ${Number(low.toPrecision(7))}, ${upToHigh} at most ${Number(high.toPrecision(7))})`,
        );
      }
    });
  }

  if (wrong.length > 0) return `wrong: ${wrong.join('; ')}`;
  const notes = [`rows, counts, ${rules.count === 'values' ? 'nulls' : 'null percentages'} and types equal (${columns.length} columns)`];
  if (numeric > 0) {
    notes.push(
      `min/max equal, mean and stddev ${worstMoment === 0 ? 'equal' : `off by ≤${formatRelative(worstMoment)} relative`}` +
        `${roundedByPeer ? ` (some as ${tool} rounds them)` : ''} (${numeric} numeric)`,
    );
  }
  if (quantilesCompared > 0) {
    notes.push(
      rules.quantiles === 'exact'
        ? `quartiles within ${percent(worstQuantile)} of ${possessive(tool)} exact ones (bound ${percent(QUANTILE_TOLERANCE)})`
        : `quartiles: csvscan's within ${percent(QUANTILE_TOLERANCE)} of the exact values (exact ranks), ${possessive(tool)} ≤${percent(worstQuantile)} of the numbers ` +
            `from their rank (bound ${percent(tdigestRankTolerance(0.25))}-${percent(tdigestRankTolerance(0.5))} and one rank)`,
    );
  }
  if (distinctCompared > 0) notes.push(`distinct within ${percent(worstDistinct)} of csvscan's (bound ${percent(distinctBound)})`);
  if (notCompared.length > 0) notes.push(`numbers not compared: ${notCompared.join(', ')}`);
  return notes.join('; ');
}
