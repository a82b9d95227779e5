// How far a peer's answer is from csvscan's: rows, counts, min/max, and sums measured against
// csvscan's exact decimal sum_text with exact (BigInt) arithmetic, so that "exact" means exact and
// a relative error of 1e-17 is not lost to rounding while it is computed. (Whether two csvscan
// outputs agree is src/bench/agreement.ts's question, as in `csvscan bench`.)

import type { ColumnResult, ScanResult } from '../../src/types.js';

/** What a peer runner (bench/peers/*.mjs, or the awk program) prints. */
interface PeerColumn {
  name: string;
  /** numbers summed; absent when the tool adds every field (awk's sum) */
  count?: number | null;
  /** decimal text: a double's shortest form, %.17g, or an exact decimal */
  sum: string | null;
  min?: number | null;
  max?: number | null;
  mean?: number | null;
  stddev?: number | null;
}

export interface PeerResult {
  tool?: string;
  threads?: number;
  rows: number;
  columns: PeerColumn[];
  /** count-by: the key column and the groups as [key, rows] pairs; sum-by: [key, rows, count, sum text] */
  by?: string[];
  groups?: Array<[string, number, ...Array<number | string | null>]>;
  /** sum-by: the summed column */
  sum?: string;
}

/** A sum further than this from the exact sum is not rounding: the tool read other numbers. */
const WRONG_RELATIVE_ERROR = 1e-6;

/** value = units / 10^scale */
interface ExactDecimal {
  units: bigint;
  scale: number;
}

const DECIMAL_TEXT = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** Parses a decimal text (exponent allowed, as `String(double)` and %.17g print) exactly; null if it is not one. */
export function parseExactDecimal(text: string): ExactDecimal | null {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return null;
  const whole = match[2] ?? '';
  const fraction = match[3] ?? '';
  if (whole.length + fraction.length === 0) return null;
  let units = BigInt(whole + fraction);
  if (match[1] === '-') units = -units;
  let scale = fraction.length - Number(match[4] ?? 0);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/** The exact sum of decimal texts, as a decimal text (trailing zeros of the fraction dropped); null if one is not a number. */
export function addDecimalTexts(texts: readonly string[]): string | null {
  let units = 0n;
  let scale = 0;
  for (const text of texts) {
    const value = parseExactDecimal(text);
    if (!value) return null;
    if (value.scale > scale) {
      units *= 10n ** BigInt(value.scale - scale);
      scale = value.scale;
    }
    units += value.units * 10n ** BigInt(scale - value.scale);
  }
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale--;
  }
  const digits = absolute(units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${units < 0n ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

function absolute(value: bigint): bigint {
  return value < 0n ? -value : value;
}

/** Digits kept in the quotient |a - b| / |b| before it becomes a double. */
const QUOTIENT_DIGITS = 60n;

/**
 * |value - exact| / |exact|, computed exactly and rounded once at the end. 0 means equal as decimals
 * ("1.50" equals "1.5"); Infinity when exact is 0 and value is not; null when either is not a number.
 */
export function relativeError(valueText: string, exactText: string): number | null {
  const value = parseExactDecimal(valueText);
  const exact = parseExactDecimal(exactText);
  if (!value || !exact) return null;
  const scale = Math.max(value.scale, exact.scale);
  const valueUnits = value.units * 10n ** BigInt(scale - value.scale);
  const exactUnits = exact.units * 10n ** BigInt(scale - exact.scale);
  const difference = absolute(valueUnits - exactUnits);
  if (difference === 0n) return 0;
  if (exactUnits === 0n) return Infinity;
  const scaledQuotient = (difference * 10n ** QUOTIENT_DIGITS) / absolute(exactUnits);
  // Below 10^-60 the quotient truncates to 0; it is still not equal.
  return scaledQuotient === 0n ? 1e-60 : Number(scaledQuotient) / 10 ** Number(QUOTIENT_DIGITS);
}

/** A relative error in two significant digits: 3.2e-9, 4.4e-16, 0.43 for gross ones. */
export function formatRelative(error: number): string {
  if (error === 0) return '0';
  if (!Number.isFinite(error)) return 'infinitely';
  if (error >= 0.01) return String(Number(error.toPrecision(2)));
  return error.toExponential(1).replace('e+', 'e');
}

/** |a - b| / max(|a|, |b|) for two doubles (mean and stddev, which csvscan reports as doubles). */
function relativeDifference(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

interface SumComparison {
  /** relative error against the exact sum; null when the peer gave no number */
  error: number | null;
  /** the peer's value is the double nearest the exact sum */
  correctlyRounded: boolean;
  text: string;
}

/** A peer's sum against csvscan's exact sum_text: "exact", "off by 3.2e-9 relative", ... */
export function compareSum(peerSum: string | null, exactSumText: string): SumComparison {
  if (peerSum === null) return { error: null, correctlyRounded: false, text: 'no sum' };
  const error = relativeError(peerSum, exactSumText);
  if (error === null) return { error: null, correctlyRounded: false, text: `sum ${JSON.stringify(peerSum)} is not a number` };
  if (error === 0) return { error, correctlyRounded: true, text: 'exact' };
  if (error === Infinity) return { error, correctlyRounded: false, text: `${peerSum} where the exact sum is 0` };
  const correctlyRounded = Number(peerSum) === Number(exactSumText);
  return {
    error,
    correctlyRounded,
    text: `off by ${formatRelative(error)} relative${correctlyRounded ? ' (correctly rounded)' : ''}`,
  };
}

interface AgreementContext {
  /** the file has quoted fields (delimiters, line breaks inside) */
  quotedFile: boolean;
  /** the tool parses quoted fields (awk does not) */
  toolHandlesQuotes: boolean;
}

/** csvscan's exact sum of a column: sum_text, or its (compensated) double outside the exact domain. */
function exactSumOf(column: ColumnResult): string | null {
  return column.sum_text ?? (column.sum === null ? null : String(column.sum));
}

/**
 * One line saying how a peer's result compares with csvscan's (checked) result for the same case:
 * rows, then per column count, min/max, sum (against the exact sum), mean and stddev. Starts with
 * "wrong" when the peer read different records or numbers, not merely rounded differently.
 */
export function describeAgreement(peer: PeerResult, expected: ScanResult, context: AgreementContext): string {
  const wrong: string[] = [];
  if (peer.rows !== expected.rows) wrong.push(`rows ${peer.rows} (csvscan ${expected.rows})`);

  const countDiffers: string[] = [];
  const minMaxDiffers: string[] = [];
  const sums: SumComparison[] = [];
  let worstMean = 0;
  let worstStddev = 0;
  for (const column of peer.columns) {
    const reference = expected.columns?.find((candidate) => candidate.name === column.name);
    if (!reference) {
      wrong.push(`csvscan has no column ${column.name}`);
      continue;
    }
    if (column.count !== undefined && column.count !== null && column.count !== reference.count) {
      countDiffers.push(`${column.name} ${column.count} (csvscan ${reference.count})`);
    }
    if (column.min !== undefined && (column.min !== reference.min || column.max !== reference.max)) {
      minMaxDiffers.push(column.name);
    }
    const exact = exactSumOf(reference);
    if (exact !== null) {
      const comparison = compareSum(column.sum, exact);
      sums.push(comparison);
      if (comparison.error === null || comparison.error > WRONG_RELATIVE_ERROR) {
        wrong.push(`${peer.columns.length > 1 ? `${column.name} ` : ''}sum ${comparison.text}`);
      }
    }
    if (column.mean !== undefined && column.mean !== null && reference.mean !== null) {
      worstMean = Math.max(worstMean, relativeDifference(column.mean, reference.mean));
    }
    if (column.stddev !== undefined && column.stddev !== null && reference.stddev !== null) {
      worstStddev = Math.max(worstStddev, relativeDifference(column.stddev, reference.stddev));
    }
  }
  if (countDiffers.length > 0) wrong.push(`count ${countDiffers.join(', ')}`);
  if (minMaxDiffers.length > 0) wrong.push(`min/max differ in ${minMaxDiffers.join(', ')}`);
  if (wrong.length > 0) {
    const reason = context.quotedFile && !context.toolHandlesQuotes ? 'wrong (quoted fields)' : 'wrong';
    return `${reason}: ${wrong.join('; ')}`;
  }

  // Everything compared agrees up to rounding: say how closely.
  const equal = ['rows'];
  if (peer.columns.length > 1 && peer.columns.some((column) => column.count !== undefined && column.count !== null)) equal.push('counts');
  if (peer.columns.some((column) => column.min !== undefined)) equal.push('min/max');
  const notes = [`${equal.length > 1 ? `${equal.slice(0, -1).join(', ')} and ${equal[equal.length - 1]}` : equal[0]} equal`];
  if (sums.length === 1) notes.push(`sum ${sums[0]!.text}`);
  else if (sums.length > 1) notes.push(describeSums(sums));
  if (peer.columns.some((column) => column.mean !== undefined)) {
    const closeness = (worst: number): string => (worst === 0 ? 'equal' : `off by ≤${formatRelative(worst)} relative`);
    if (worstMean === 0 && worstStddev === 0) notes.push('mean and stddev equal');
    else notes.push(`mean ${closeness(worstMean)}, stddev ${closeness(worstStddev)}`);
  }
  return notes.join('; ');
}

/** "sums exact", or "sums exact in 2 of 7 columns, the others off by ≤3.1e-16 relative". */
function describeSums(comparisons: SumComparison[]): string {
  const exact = comparisons.filter((comparison) => comparison.error === 0).length;
  if (exact === comparisons.length) return 'sums exact';
  const worst = Math.max(...comparisons.map((comparison) => comparison.error ?? 0));
  const prefix = exact === 0 ? 'sums' : `sums exact in ${exact} of ${comparisons.length} columns, the others`;
  return `${prefix} off by ≤${formatRelative(worst)} relative`;
}

/** A grouped answer: [key, rows] pairs in any order (one key column: keys are UTF-8 strings); more items are ignored. */
export type GroupPairs = ReadonlyArray<readonly [string, number, ...unknown[]]>;

/** Keys in UTF-8 byte order (bytewise, as csvscan orders ties), not UTF-16 code unit order. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Up to `limit` examples, JSON-quoted, with "..." when there are more. */
function examples(items: string[], limit = 2): string {
  return items.slice(0, limit).join(', ') + (items.length > limit ? ', ...' : '');
}

/** What differs between a peer's groups and csvscan's: keys missing, keys extra, counts, keys listed twice, rows. */
function groupDifferences(peer: GroupPairs, peerRows: number | undefined, expected: ScanResult): { wrong: string[]; keys: number } {
  const expectedMap = new Map<string, number>();
  for (const group of expected.groups ?? []) expectedMap.set(group.key.join('\u0000'), group.rows);
  const peerMap = new Map<string, number>();
  const duplicated: string[] = [];
  for (const [key, rows] of peer) {
    if (peerMap.has(key)) duplicated.push(JSON.stringify(key));
    peerMap.set(key, (peerMap.get(key) ?? 0) + rows);
  }
  const keys = [...new Set([...expectedMap.keys(), ...peerMap.keys()])].sort(byUtf8);
  const missing: string[] = [];
  const extra: string[] = [];
  const countsDiffer: string[] = [];
  for (const key of keys) {
    const want = expectedMap.get(key);
    const got = peerMap.get(key);
    if (got === undefined) missing.push(JSON.stringify(key));
    else if (want === undefined) extra.push(JSON.stringify(key));
    else if (got !== want) countsDiffer.push(`${JSON.stringify(key)} ${got} (csvscan ${want})`);
  }
  const wrong: string[] = [];
  if (peerRows !== undefined && peerRows !== expected.rows) wrong.push(`rows ${peerRows} (csvscan ${expected.rows})`);
  if (missing.length > 0) wrong.push(`${missing.length} of csvscan's ${expectedMap.size} keys missing (${examples(missing)})`);
  if (extra.length > 0) wrong.push(`${extra.length} keys csvscan does not have (${examples(extra)})`);
  if (countsDiffer.length > 0) wrong.push(`${countsDiffer.length} counts differ (${examples(countsDiffer)})`);
  if (duplicated.length > 0) wrong.push(`${duplicated.length} keys listed twice (${examples(duplicated)})`);
  return { wrong, keys: expectedMap.size };
}

function wrongText(wrong: string[], context: AgreementContext): string {
  const reason = context.quotedFile && !context.toolHandlesQuotes ? 'wrong (quoted fields)' : 'wrong';
  return `${reason}: ${wrong.join('; ')}`;
}

/**
 * A peer's groups against csvscan's (checked) groups for the same key: both as key -> count maps
 * sorted by key (UTF-8 bytes), compared exactly. "groups equal (N keys, same counts)", or
 * "wrong: ..." naming keys missing from the peer, keys csvscan does not have, counts that differ
 * and keys the peer lists twice, with examples.
 */
export function compareGroups(peer: GroupPairs, peerRows: number | undefined, expected: ScanResult, context: AgreementContext): string {
  const { wrong, keys } = groupDifferences(peer, peerRows, expected);
  return wrong.length > 0 ? wrongText(wrong, context) : `groups equal (${keys} keys, same counts)`;
}

/** A grouped sum (sum-by): per key its records, the numbers summed and their sum as text. */
export type GroupSums = ReadonlyArray<readonly [string, number, number, string | null]>;

/**
 * How far a peer's sum of a group may be from csvscan's exact one: a double summing a few thousand
 * values of a few digits is off by about 1e-15; 1e-9 leaves room for any order of addition, and a
 * value read wrongly or a record in the wrong group moves a group's sum by far more.
 */
export const GROUP_SUM_TOLERANCE = 1e-9;

/** One group of a grouped csvscan result with its columns (`sum -c C --by K --json`, docs/spec.md §10). */
interface GroupWithColumns {
  key: string[];
  rows: number;
  columns?: ColumnResult[];
}

/** csvscan's result for `column` in one group, or undefined. */
export function groupColumn(group: GroupWithColumns, column: string): ColumnResult | undefined {
  return group.columns?.find((candidate) => candidate.name === column);
}

/**
 * A peer's grouped sums against csvscan's (checked) ones: the keys and records of each key exactly
 * (as compareGroups), the count of numbers of each key exactly, and each key's sum against
 * csvscan's exact sum_text within GROUP_SUM_TOLERANCE relative. "groups equal (N keys, same counts);
 * sums exact in K of N groups, the others off by ≤X relative", or "wrong: ...".
 */
export function compareGroupSums(peer: GroupSums, peerRows: number | undefined, expected: ScanResult, column: string, context: AgreementContext): string {
  const { wrong, keys } = groupDifferences(peer, peerRows, expected);
  const expectedColumns = new Map<string, ColumnResult | undefined>();
  for (const group of (expected.groups ?? []) as GroupWithColumns[]) expectedColumns.set(group.key.join('\u0000'), groupColumn(group, column));
  const countsDiffer: string[] = [];
  const sumsOff: string[] = [];
  let exact = 0;
  let compared = 0;
  let worst = 0;
  for (const [key, , count, sum] of peer) {
    if (!expectedColumns.has(key)) continue; // named above as a key csvscan does not have
    const reference = expectedColumns.get(key);
    if (reference === undefined) {
      sumsOff.push(`${JSON.stringify(key)}: csvscan has no ${column}`);
      continue;
    }
    if (count !== reference.count) countsDiffer.push(`${JSON.stringify(key)} ${count} (csvscan ${reference.count})`);
    const exactSum = exactSumOf(reference);
    if (exactSum === null) continue;
    const comparison = compareSum(sum, exactSum);
    compared++;
    if (comparison.error === 0) exact++;
    if (comparison.error === null || comparison.error > GROUP_SUM_TOLERANCE) {
      sumsOff.push(`${JSON.stringify(key)} ${comparison.text} (csvscan ${exactSum})`);
    } else worst = Math.max(worst, comparison.error);
  }
  if (countsDiffer.length > 0) wrong.push(`${countsDiffer.length} counts of ${column} differ (${examples(countsDiffer)})`);
  if (sumsOff.length > 0) wrong.push(`${sumsOff.length} sums of ${column} off by more than ${GROUP_SUM_TOLERANCE} relative (${examples(sumsOff)})`);
  if (wrong.length > 0) return wrongText(wrong, context);
  const sums =
    exact === compared
      ? 'sums exact'
      : `sums exact in ${exact} of ${compared} groups, the others off by ≤${formatRelative(worst)} relative`;
  return `groups equal (${keys} keys, same counts); ${sums}`;
}
