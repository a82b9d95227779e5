// Before any speed is shown, every engine and thread count must have printed the same result
// (docs/spec.md: byte-identical --json for every engine and thread count). The one exception: a column
// with a number outside the exact domain (sum_text null) may differ in the last bits of sum, mean
// and stddev between thread counts. Between engines at one thread count, bytes must match.

import type { Agreement, CaseMeasurement, MeasuredCase } from './measurement.js';
import { caseLabel, type BenchCommand } from './plan.js';

interface AgreementReport {
  /** per command, the parsed result every case agrees with (the fewest threads, js first) */
  results: Partial<Record<BenchCommand, unknown>>;
  /** one per measurement, in the same order; null for a skipped case */
  agreement: (Agreement | null)[];
  /** one line per disagreement, naming the engines and thread counts; empty when all agree */
  mismatches: string[];
}

/** docs/spec.md bounds each result against the exact value; two results may each be off by that much. */
const SUM_TOLERANCE = 2e-12;
const STDDEV_TOLERANCE = 2e-9;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseOutput(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** Where two parsed results first differ, as `path: a vs b`; null when they hold the same values. */
export function firstDifference(a: Json, b: Json, path = ''): string | null {
  if (a === b) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path || 'result'}: ${a.length} items vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const difference = firstDifference(a[i]!, b[i]!, `${path}[${i}]`);
      if (difference !== null) return difference;
    }
    return null;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const childPath = path ? `${path}.${key}` : key;
      if (!(key in a) || !(key in b)) return `${childPath}: ${key in a ? 'present vs missing' : 'missing vs present'}`;
      const difference = firstDifference(a[key]!, b[key]!, childPath);
      if (difference !== null) return difference;
    }
    return null;
  }
  return `${path || 'result'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

function relativelyClose(a: Json | undefined, b: Json | undefined, tolerance: number): boolean {
  if (typeof a !== 'number' || typeof b !== 'number') return a === b;
  return a === b || Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
}

const TOLERANT_FIELDS: readonly [string, number][] = [
  ['sum', SUM_TOLERANCE],
  ['mean', SUM_TOLERANCE],
  ['stddev', STDDEV_TOLERANCE],
];

/**
 * The difference between two results beyond what docs/spec.md allows between thread counts, or null.
 * Columns outside the exact domain have their inexact fields checked for closeness, then blanked.
 */
function differenceBeyondLastBits(a: Json, b: Json): string | null {
  if (!isRecord(a) || !isRecord(b) || !Array.isArray(a['columns']) || !Array.isArray(b['columns'])) {
    return firstDifference(a, b);
  }
  const columnsA = a['columns'].map((column) => (isRecord(column) ? { ...column } : column));
  const columnsB = b['columns'].map((column) => (isRecord(column) ? { ...column } : column));
  for (let i = 0; i < Math.min(columnsA.length, columnsB.length); i++) {
    const columnA = columnsA[i];
    const columnB = columnsB[i];
    if (!isRecord(columnA) || !isRecord(columnB) || columnA['sum_text'] !== null || columnB['sum_text'] !== null) continue;
    for (const [field, tolerance] of TOLERANT_FIELDS) {
      if (!relativelyClose(columnA[field], columnB[field], tolerance)) {
        return `columns[${i}].${field}: ${JSON.stringify(columnA[field])} vs ${JSON.stringify(columnB[field])} (more than the last bits)`;
      }
      columnA[field] = null;
      columnB[field] = null;
    }
  }
  return firstDifference({ ...a, columns: columnsA }, { ...b, columns: columnsB });
}

/** How `actual` agrees with `expected`, or a string saying how it differs. */
export function compareOutputs(
  expected: string,
  actual: string,
  tolerateLastBits: boolean,
): { agreement: Agreement } | { difference: string } {
  if (expected === actual) return { agreement: 'identical' };
  const a = parseOutput(expected);
  const b = parseOutput(actual);
  if (a === undefined || b === undefined) return { difference: 'output is not JSON' };
  const difference = tolerateLastBits ? differenceBeyondLastBits(a, b) : firstDifference(a, b);
  if (difference !== null) return { difference };
  // The same values in other bytes (key order, number spelling) still break "byte-identical".
  return tolerateLastBits ? { agreement: 'last bits' } : { difference: 'same values, different bytes' };
}

export function checkAgreement(measurements: readonly CaseMeasurement[]): AgreementReport {
  const measured = measurements.filter((measurement): measurement is MeasuredCase => measurement.status === 'measured');
  const report: AgreementReport = { results: {}, agreement: measurements.map(() => null), mismatches: [] };

  for (const measurement of measured) {
    // Repeated runs at one thread count split the file the same way.
    const first = measurement.outputs[0]!;
    measurement.outputs.forEach((output, run) => {
      const comparison = compareOutputs(first, output, measurement.benchCase.threads > 1);
      if ('difference' in comparison) {
        report.mismatches.push(`${caseLabel(measurement.benchCase)} run ${run + 1} differs from run 1: ${comparison.difference}`);
      }
    });
  }

  for (const measurement of measured) {
    const { command, threads } = measurement.benchCase;
    const sameCommand = measured.filter((other) => other.benchCase.command === command);
    const fewestThreads = Math.min(...sameCommand.map((other) => other.benchCase.threads));
    const reference = sameCommand.find((other) => other.benchCase.threads === fewestThreads)!;
    const sameThreads = sameCommand.find((other) => other.benchCase.threads === threads)!;
    // Engines at one thread count: bytes; each thread count's first case against the reference: SPEC tolerance.
    const against = measurement === sameThreads ? reference : sameThreads;
    const comparison = compareOutputs(against.outputs[0]!, measurement.outputs[0]!, against.benchCase.threads !== threads);
    const index = measurements.indexOf(measurement);
    if ('difference' in comparison) {
      report.mismatches.push(`${caseLabel(measurement.benchCase)} differs from ${caseLabel(against.benchCase)}: ${comparison.difference}`);
      continue;
    }
    // Shown against the command's reference, so an engine matching a 'last bits' case is 'last bits' too.
    const againstReference = compareOutputs(reference.outputs[0]!, measurement.outputs[0]!, reference.benchCase.threads !== threads);
    report.agreement[index] = 'agreement' in againstReference ? againstReference.agreement : comparison.agreement;
    if (measurement === reference) report.results[command] = parseOutput(measurement.outputs[0]!);
  }
  return report;
}
