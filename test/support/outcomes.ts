// What a scan gave (a result, malformed input, an unknown column) and how two of them are compared:
// exactly where docs/spec.md promises exactness, within its tolerances where it does not. Shared by the
// differential, range, thread and property tests and by the fuzz runner (scripts/fuzz.ts), so it
// returns differences instead of asserting (no vitest here).

import { scanBytes } from '../../src/api.js';
import { CsvscanError } from '../../src/errors.js';
import { toJsonLine } from '../../src/results/format.js';
import type { ColumnResult, EngineName, ScanMode, ScanResult } from '../../src/types.js';
import { SeededRandom, type GeneratedCsv } from '../reference/generate.js';
import { ReferenceMalformed, referenceScan, ReferenceUnknownColumn } from '../reference/reference.js';

/** The name results carry in comparisons (the product's `file` is replaced by it). */
export const FILE_NAME = 'generated.csv';

/** A CSV and its dialect: a generated case or a hand-written one. */
export interface Input {
  bytes: Uint8Array;
  header: boolean;
  delimiter: number;
  quote: number;
}

export interface Query {
  mode: ScanMode;
  columns: string[] | null;
  /** stats --all: the column profile too */
  profile?: boolean;
}

export type Outcome = { result: ScanResult } | { malformed: { line: number; byte: number } } | { unknownColumn: true };

/** The scans to make of one generated CSV: count, stats of everything, and random -c selections. */
export function queriesFor(generated: GeneratedCsv, seed: number): Query[] {
  return queriesOver(generated.width, generated.columnNames, new SeededRandom(seed * 7919 + 1));
}

/** queriesFor() of a CSV of `width` columns named `names`, drawing from `random`. */
export function queriesOver(width: number, names: string[] | undefined, random: SeededRandom): Query[] {
  const candidates: string[] = [];
  for (let index = 1; index <= width; index++) candidates.push(String(index));
  if (names) candidates.push(...names);
  const selection = (): string[] => Array.from({ length: random.int(1, 3) }, () => random.pick(candidates));

  const queries: Query[] = [
    { mode: 'count', columns: null },
    { mode: 'stats', columns: null },
    { mode: 'sum', columns: selection() },
    { mode: 'stats', columns: selection() },
    { mode: 'stats', columns: selection(), profile: true },
  ];
  if (random.chance(0.1)) {
    // A column that does not exist: both must refuse it.
    queries.push({ mode: 'sum', columns: [random.pick(['nope', '0', String(width + 5)])] });
  }
  return queries;
}

export function referenceOutcome(input: Input, query: Query): Outcome {
  try {
    return {
      result: referenceScan(input.bytes, {
        mode: query.mode,
        columns: query.columns,
        header: input.header,
        delimiter: input.delimiter,
        quote: input.quote,
        file: FILE_NAME,
        distinct: query.profile ?? false,
        quantiles: query.profile ?? false,
      }),
    };
  } catch (error) {
    if (error instanceof ReferenceMalformed) return { malformed: { line: error.line, byte: error.byte } };
    if (error instanceof ReferenceUnknownColumn) return { unknownColumn: true };
    throw error;
  }
}

/** The product's scan of a generated input for `query`, by `engine` at `window` (undefined: the default). */
export function scanInput(input: Input, query: Query, engine: EngineName, window?: number): Promise<ScanResult> {
  const options = { ...queryOptions(query), header: input.header, delimiter: input.delimiter, quote: input.quote, engine };
  return scanBytes(input.bytes, window === undefined ? options : { ...options, window }, FILE_NAME);
}

/** A query's scan options: its mode and columns, and with `profile` stats --all. */
export function queryOptions(query: Query): { mode: ScanMode; columns: string[] | null; distinct?: boolean; quantiles?: boolean } {
  return { mode: query.mode, columns: query.columns, ...(query.profile ? { distinct: true, quantiles: true } : {}) };
}

const MALFORMED_MESSAGE = /line (\d+) \(byte (\d+)\): quoted field never closed$/;

/**
 * The outcome of a product scan: its result (named FILE_NAME whatever it scanned), or the error
 * docs/spec.md defines for malformed input or an unknown column. Any other failure is rethrown.
 */
export async function productOutcome(scan: () => Promise<ScanResult> | ScanResult): Promise<Outcome> {
  try {
    return { result: { ...(await scan()), file: FILE_NAME } };
  } catch (error) {
    if (!(error instanceof CsvscanError)) throw error;
    const match = MALFORMED_MESSAGE.exec(error.message);
    if (error.exitCode === 1 && match) return { malformed: { line: Number(match[1]), byte: Number(match[2]) } };
    if (error.exitCode === 2 && /unknown column/.test(error.message)) return { unknownColumn: true };
    throw error;
  }
}

export function outcomeKind(outcome: Outcome): 'result' | 'malformed' | 'unknownColumn' {
  return 'result' in outcome ? 'result' : 'malformed' in outcome ? 'malformed' : 'unknownColumn';
}

/** JSON as the CLI prints it: non-finite numbers (and the sign of zero) never reach the comparison. */
export function asJson(outcome: unknown): string {
  return JSON.stringify(outcome, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
}

/** JSON with every object's keys in sorted order: equal for equal values, whatever the order they were set in. */
function sortedJson(value: unknown): string {
  return asJson(sortedKeys(value));
}

function sortedKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(object).sort().map((key) => [key, sortedKeys(object[key])]));
}

/** The outcome as `--json` prints it (without the `partial` of a shard), or its error. */
export function printedOutcome(outcome: Outcome): string {
  if (!('result' in outcome)) return JSON.stringify(outcome);
  const { partial: _partial, ...result } = outcome.result;
  return toJsonLine(result);
}

export function sameNumber(actual: number | null, expected: number | null): boolean {
  if (actual === null || expected === null) return actual === expected;
  return actual === expected || (Number.isNaN(actual) && Number.isNaN(expected));
}

/** Within `tolerance` relative; infinities, NaN and null must be the same. */
export function withinRelative(actual: number | null, expected: number | null, tolerance: number): boolean {
  if (actual === null || expected === null || !Number.isFinite(actual) || !Number.isFinite(expected)) {
    return sameNumber(actual, expected);
  }
  return Math.abs(actual - expected) <= tolerance * Math.max(Math.abs(actual), Math.abs(expected));
}

/** Field-by-field comparison, exact where docs/spec.md promises exactness. Returns the differences. */
export function columnDifferences(actual: ColumnResult, expected: ColumnResult): string[] {
  const differences: string[] = [];
  const check = (key: keyof ColumnResult, ok: boolean): void => {
    if (!ok) differences.push(`${key}: product ${asJson(actual[key])}, reference ${asJson(expected[key])}`);
  };
  for (const key of ['name', 'index', 'count', 'empty', 'invalid', 'sum_text', 'type', 'min_length', 'max_length'] as const) {
    check(key, actual[key] === expected[key]);
  }
  check('first_invalid', JSON.stringify(actual.first_invalid) === JSON.stringify(expected.first_invalid));
  check('min', sameNumber(actual.min, expected.min));
  check('max', sameNumber(actual.max, expected.max));
  // the profile: exact while SPEC.md says so; an estimate within 3% (3.7 standard errors of 0.81%);
  // quartiles within SPEC.md's 0.5% of the exact nearest-rank values
  check('distinct_exact', actual.distinct_exact === expected.distinct_exact);
  check('distinct', expected.distinct_exact === false ? withinRelative(actual.distinct, expected.distinct, 0.03) : actual.distinct === expected.distinct);
  for (const key of ['q1', 'median', 'q3'] as const) check(key, withinRelative(actual[key], expected[key], 0.005));
  if (expected.sum_text !== null) {
    // Every number exact: each value is the exact rational rounded once, on both sides.
    check('sum', sameNumber(actual.sum, expected.sum));
    check('mean', sameNumber(actual.mean, expected.mean));
    check('stddev', sameNumber(actual.stddev, expected.stddev));
  } else {
    // A number outside the exact domain: doubles, within docs/spec.md's tolerances.
    check('sum', withinRelative(actual.sum, expected.sum, 1e-12));
    check('mean', withinRelative(actual.mean, expected.mean, 1e-12));
    check('stddev', withinRelative(actual.stddev, expected.stddev, 1e-9));
  }
  return differences;
}

/** How the product's outcome differs from the reference's; empty when it is the same answer. */
export function outcomeDifferences(actual: Outcome, expected: Outcome): string[] {
  if (!('result' in expected) || !('result' in actual)) {
    const [shown, wanted] = [JSON.stringify(actual).slice(0, 500), JSON.stringify(expected).slice(0, 500)];
    return shown === wanted ? [] : [`product ${shown}, reference ${wanted}`];
  }
  const { columns: actualColumns, partial: _partial, ...actualTop } = actual.result;
  const { columns: expectedColumns, ...expectedTop } = expected.result;
  const differences: string[] = [];
  if (sortedJson(actualTop) !== sortedJson(expectedTop)) differences.push(`product ${asJson(actualTop)}, reference ${asJson(expectedTop)}`);
  if (actualColumns?.length !== expectedColumns?.length) {
    differences.push(`columns: product ${actualColumns?.length}, reference ${expectedColumns?.length}`);
    return differences;
  }
  (expectedColumns ?? []).forEach((column, i) => {
    for (const difference of columnDifferences(actualColumns![i]!, column)) differences.push(`column ${i + 1}: ${difference}`);
  });
  return differences;
}

/**
 * The JSON line of `actual` to compare byte for byte with `expected`'s, across threads and ranges.
 * A column with a number outside the exact domain may differ there in the last bits of sum, mean
 * and stddev (docs/spec.md): those are checked within docs/spec.md's tolerances, then taken from `expected`.
 */
export function comparableJson(actual: ScanResult, expected: ScanResult): string {
  const columns = actual.columns?.map((column, i): ColumnResult => {
    const wanted = expected.columns?.[i];
    if (!wanted || column.sum_text !== null || wanted.sum_text !== null) return column;
    const ok =
      withinRelative(column.sum, wanted.sum, 1e-12) &&
      withinRelative(column.mean, wanted.mean, 1e-12) &&
      withinRelative(column.stddev, wanted.stddev, 1e-9);
    return ok ? { ...column, sum: wanted.sum, mean: wanted.mean, stddev: wanted.stddev } : column;
  });
  const { partial: _partial, ...rest } = actual;
  return toJsonLine({ ...rest, ...(columns ? { columns } : {}) });
}

/** comparableJson() for outcomes: an error is compared as it is. */
export function comparableOutcome(actual: Outcome, expected: Outcome): string {
  if (!('result' in actual) || !('result' in expected)) return JSON.stringify(actual);
  return comparableJson(actual.result, expected.result);
}

/** Bytes shown in a failure message, so a failing case can be read without rerunning it. */
export function describeInput(input: Input, limit = 3000): string {
  const text = JSON.stringify(new TextDecoder('utf-8', { ignoreBOM: true }).decode(input.bytes));
  const shown = text.length > limit ? text.slice(0, limit) + '…' : text;
  return `${describeDialect(input)} bytes=${shown}`;
}

export function describeDialect(input: Omit<Input, 'bytes'>): string {
  const delimiter = JSON.stringify(String.fromCharCode(input.delimiter));
  const quote = JSON.stringify(String.fromCharCode(input.quote));
  return `header=${input.header} delimiter=${delimiter} quote=${quote}`;
}
