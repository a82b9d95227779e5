// Differential test: the product against the reference implementation (test/reference) on seeded
// random CSVs. Each case runs over many window sizes, so a record, a field, a quote or a CRLF split
// across windows must give the same answer as when it is whole.
//
// CSVSCAN_DIFF_SEEDS=N runs seeds 1..N (default 200).

import { describe, expect, it } from 'vitest';
import { scanBytes } from '../src/api.js';
import { CsvscanError } from '../src/errors.js';
import { ENGINE_NAMES, type ColumnResult, type EngineName, type ScanMode, type ScanResult } from '../src/types.js';
import { generateCsv, generateUnterminated, SeededRandom, type GeneratedCsv } from './reference/generate.js';
import { ReferenceMalformed, referenceScan, ReferenceUnknownColumn } from './reference/reference.js';

const SEEDS = Number(process.env.CSVSCAN_DIFF_SEEDS ?? 200);
const UNTERMINATED_SEEDS = Math.max(1, Math.floor(SEEDS / 4));
const WINDOWS: (number | undefined)[] = [1, 2, 3, 7, 64, 4096, undefined];
const FILE_NAME = 'generated.csv';

/** Engines to compare: all of them. */
const ENGINES = ENGINE_NAMES;

interface Query {
  mode: ScanMode;
  columns: string[] | null;
}

/** The scans to make of one generated CSV: count, stats of everything, and random -c selections. */
function queriesFor(generated: GeneratedCsv, seed: number): Query[] {
  const random = new SeededRandom(seed * 7919 + 1);
  const candidates: string[] = [];
  for (let index = 1; index <= generated.width; index++) candidates.push(String(index));
  if (generated.columnNames) candidates.push(...generated.columnNames);
  const selection = (): string[] => Array.from({ length: random.int(1, 3) }, () => random.pick(candidates));

  const queries: Query[] = [
    { mode: 'count', columns: null },
    { mode: 'stats', columns: null },
    { mode: 'sum', columns: selection() },
    { mode: 'stats', columns: selection() },
  ];
  if (random.chance(0.1)) {
    // A column that does not exist: both must refuse it.
    queries.push({ mode: 'sum', columns: [random.pick(['nope', '0', String(generated.width + 5)])] });
  }
  return queries;
}

type Outcome = { result: ScanResult } | { malformed: { line: number; byte: number } } | { unknownColumn: true };

/** A CSV and its dialect: a generated case or a hand-written one. */
interface Input {
  bytes: Uint8Array;
  header: boolean;
  delimiter: number;
  quote: number;
}

function referenceOutcome(generated: Input, query: Query): Outcome {
  try {
    return {
      result: referenceScan(generated.bytes, {
        mode: query.mode,
        columns: query.columns,
        header: generated.header,
        delimiter: generated.delimiter,
        quote: generated.quote,
        file: FILE_NAME,
      }),
    };
  } catch (error) {
    if (error instanceof ReferenceMalformed) return { malformed: { line: error.line, byte: error.byte } };
    if (error instanceof ReferenceUnknownColumn) return { unknownColumn: true };
    throw error;
  }
}

const MALFORMED_MESSAGE = /line (\d+) \(byte (\d+)\): quoted field never closed$/;

async function productOutcome(
  generated: Input,
  query: Query,
  window: number | undefined,
  engine: EngineName,
): Promise<Outcome> {
  try {
    const result = await scanBytes(
      generated.bytes,
      {
        mode: query.mode,
        columns: query.columns,
        header: generated.header,
        delimiter: generated.delimiter,
        quote: generated.quote,
        engine,
        ...(window === undefined ? {} : { window }),
      },
      FILE_NAME,
    );
    return { result };
  } catch (error) {
    if (!(error instanceof CsvscanError)) throw error;
    const match = MALFORMED_MESSAGE.exec(error.message);
    if (error.exitCode === 1 && match) return { malformed: { line: Number(match[1]), byte: Number(match[2]) } };
    if (error.exitCode === 2 && /unknown column/.test(error.message)) return { unknownColumn: true };
    throw error;
  }
}

/** JSON as the CLI prints it: non-finite numbers (and the sign of zero) never reach the comparison. */
function asJson(outcome: unknown): string {
  return JSON.stringify(outcome, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
}

function sameNumber(actual: number | null, expected: number | null): boolean {
  if (actual === null || expected === null) return actual === expected;
  return actual === expected || (Number.isNaN(actual) && Number.isNaN(expected));
}

function withinRelative(actual: number | null, expected: number | null, tolerance: number): boolean {
  if (actual === null || expected === null || !Number.isFinite(actual) || !Number.isFinite(expected)) {
    return sameNumber(actual, expected);
  }
  return Math.abs(actual - expected) <= tolerance * Math.max(Math.abs(actual), Math.abs(expected));
}

/** Field-by-field comparison, exact where SPEC.md promises exactness. Returns the differences. */
function columnDifferences(actual: ColumnResult, expected: ColumnResult, _mode: ScanMode): string[] {
  const differences: string[] = [];
  const check = (key: keyof ColumnResult, ok: boolean): void => {
    if (!ok) differences.push(`${key}: product ${asJson(actual[key])}, reference ${asJson(expected[key])}`);
  };
  for (const key of ['name', 'index', 'count', 'empty', 'invalid', 'sum_text'] as const) {
    check(key, actual[key] === expected[key]);
  }
  check('first_invalid', JSON.stringify(actual.first_invalid) === JSON.stringify(expected.first_invalid));
  check('min', sameNumber(actual.min, expected.min));
  check('max', sameNumber(actual.max, expected.max));
  if (expected.sum_text !== null) {
    // Every number exact: each value is the exact rational rounded once, on both sides.
    check('sum', sameNumber(actual.sum, expected.sum));
    check('mean', sameNumber(actual.mean, expected.mean));
    check('stddev', sameNumber(actual.stddev, expected.stddev));
  } else {
    // A number outside the exact domain: doubles, within SPEC.md's tolerances.
    check('sum', withinRelative(actual.sum, expected.sum, 1e-12));
    check('mean', withinRelative(actual.mean, expected.mean, 1e-12));
    check('stddev', withinRelative(actual.stddev, expected.stddev, 1e-9));
  }

  return differences;
}

function expectMatchesReference(actual: Outcome, expected: Outcome, mode: ScanMode, context: string): void {
  if (!('result' in expected) || !('result' in actual)) {
    expect(actual, context).toEqual(expected);
    return;
  }
  const { columns: actualColumns, ...actualTop } = actual.result;
  const { columns: expectedColumns, ...expectedTop } = expected.result;
  expect(actualTop, context).toEqual(expectedTop);
  expect(actualColumns?.length, context).toBe(expectedColumns?.length);
  const differences = (expectedColumns ?? []).flatMap((column, i) =>
    columnDifferences(actualColumns![i]!, column, mode).map((difference) => `column ${i + 1}: ${difference}`),
  );
  expect(differences, context).toEqual([]);
}

/** Bytes shown in a failure message, so a failing seed can be read without rerunning it. */
function describeInput(input: Input): string {
  const text = JSON.stringify(new TextDecoder('utf-8', { ignoreBOM: true }).decode(input.bytes));
  const delimiter = JSON.stringify(String.fromCharCode(input.delimiter));
  const quote = JSON.stringify(String.fromCharCode(input.quote));
  const shown = text.length > 3000 ? text.slice(0, 3000) + '…' : text;
  return `header=${input.header} delimiter=${delimiter} quote=${quote} bytes=${shown}`;
}

describe(`product (${ENGINES.join(', ')}) matches the reference on generated CSVs`, () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}`, async () => {
      const generated = generateCsv(seed);
      for (const query of queriesFor(generated, seed)) {
        const expected = referenceOutcome(generated, query);
        for (const engine of ENGINES) {
          let firstJson: string | undefined;
          for (const window of WINDOWS) {
            const asked = `${query.mode} -c ${JSON.stringify(query.columns)}`;
            const context = `seed ${seed} ${engine} ${asked} window ${window ?? 'default'}\n${describeInput(generated)}`;
            const actual = await productOutcome(generated, query, window, engine);
            // (a) every window size (and engine) gives the same JSON, byte for byte
            const json = asJson(actual);
            firstJson ??= json;
            expect(json, context).toBe(firstJson);
            // (b) and it is the reference's answer
            expectMatchesReference(actual, expected, query.mode, context);
          }
        }
      }
    });
  }
});

describe('product reports unterminated quotes like the reference', () => {
  for (let seed = 1; seed <= UNTERMINATED_SEEDS; seed++) {
    it(`seed ${seed}`, async () => {
      const generated = generateUnterminated(seed);
      const expected: Outcome = { malformed: generated.expected };
      for (const query of [
        { mode: 'count', columns: null },
        { mode: 'stats', columns: null },
      ] satisfies Query[]) {
        expect(referenceOutcome(generated, query)).toEqual(expected);
        for (const engine of ENGINES) {
          for (const window of WINDOWS) {
            const context = `seed ${seed} ${engine} ${query.mode} window ${window ?? 'default'}\n${describeInput(generated)}`;
            expect(await productOutcome(generated, query, window, engine), context).toEqual(expected);
          }
        }
      }
    });
  }
});

describe('regressions', () => {
  // Outside the exact domain a variance from (sum of squares - sum^2/n) in doubles cancels
  // catastrophically for large, close values: 1e19 and 1e19 + 4096 have stddev 2896.309...
  it('stddev of large, close values outside the exact domain', async () => {
    const generated: Input = {
      bytes: new TextEncoder().encode('x\n10000000000000000000\n10000000000000004096\n'),
      header: true,
      delimiter: 0x2c,
      quote: 0x22,
    };
    const query: Query = { mode: 'stats', columns: null };
    const actual = await productOutcome(generated, query, undefined, 'wasm');
    expectMatchesReference(actual, referenceOutcome(generated, query), 'stats', 'cancellation');
  });
});
