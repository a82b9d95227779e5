// docs/spec.md "Output": the `--json` line and the text forms of count, sum and stats. Every function
// returns its text without a final newline; the caller ends it.
//
// Numbers print in the shortest form that reads back to the same double (String(x)). JSON cannot hold
// Infinity or NaN, so they are written as the strings "Infinity", "-Infinity" and "NaN" (see the
// decisions at the top of finalize.ts); text output prints the same spellings. -0 prints as 0.

import type { ColumnResult, GroupResult, OrderedGroups, ProfileRequest, ScanResult } from '../types.js';

const NO_PROFILE: ProfileRequest = { distinct: false, quantiles: false };

/** One JSON object on one line, keys in docs/spec.md order; `columns` only when the result has them. */
export function toJsonLine(result: ScanResult): string {
  const ordered: Record<string, unknown> = {
    file: result.file,
    rows: result.rows,
    bytes: result.bytes,
    ragged: { short: result.ragged.short, long: result.ragged.long },
  };
  if (result.by !== undefined) {
    ordered['by'] = result.by;
    ordered['group_count'] = result.group_count;
    ordered['groups'] = (result.groups ?? []).map(groupJson);
  }
  if (result.columns !== undefined) ordered['columns'] = result.columns.map(orderColumn);
  // a shard's raw accumulators, already in JSON form (scan/partial.ts)
  if (result.partial !== undefined) ordered['partial'] = result.partial;
  return jsonText(ordered);
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => (typeof member === 'number' && !Number.isFinite(member) ? String(member) : member));
}

function groupJson(group: GroupResult): Record<string, unknown> {
  return group.columns === undefined ? { key: group.key, rows: group.rows } : { key: group.key, rows: group.rows, columns: group.columns.map(orderColumn) };
}

function orderColumn(column: ColumnResult): Record<string, unknown> {
  return {
    name: column.name,
    index: column.index,
    count: column.count,
    empty: column.empty,
    invalid: column.invalid,
    first_invalid:
      column.first_invalid === null ? null : { line: column.first_invalid.line, value: column.first_invalid.value },
    sum: column.sum,
    sum_text: column.sum_text,
    min: column.min,
    max: column.max,
    mean: column.mean,
    stddev: column.stddev,
    type: column.type,
    min_length: column.min_length,
    max_length: column.max_length,
    distinct: column.distinct,
    distinct_exact: column.distinct_exact,
    q1: column.q1,
    median: column.median,
    q3: column.q3,
  };
}

/** A number as text: shortest round trip; null as empty; -0 as 0. */
export function numberText(value: number | null): string {
  if (value === null) return '';
  return String(value); // String(-0) is "0"; non-finite values print as Infinity, -Infinity, NaN
}

/** The exact decimal sum when there is one, else the double sum. */
export function sumText(column: ColumnResult): string {
  return column.sum_text ?? numberText(column.sum);
}

/** Tabs and line breaks inside a column name would break the line/column layout: show them escaped. */
function visibleName(name: string): string {
  return name.replace(/[\t\n\r]/g, (character) => (character === '\t' ? '\\t' : character === '\n' ? '\\n' : '\\r'));
}

const STATS_HEADINGS = ['column', 'type', 'count', 'empty', 'invalid', 'sum', 'min', 'max', 'mean', 'stddev', 'min_length', 'max_length'] as const;

/**
 * A column's row of the stats table: a profile. A text or empty column shows its lengths, not the
 * numeric cells (its invalid count would read as a failure to parse it; --json keeps them all).
 */
function statsCells(column: ColumnResult, name: (text: string) => string): string[] {
  const numeric = column.type !== 'text' && column.type !== 'empty';
  return [
    name(column.name),
    column.type,
    numeric ? String(column.count) : '',
    String(column.empty),
    numeric ? String(column.invalid) : '',
    numeric ? sumText(column) : '',
    numberText(column.min),
    numberText(column.max),
    numberText(column.mean),
    numberText(column.stddev),
    numberText(column.min_length),
    numberText(column.max_length),
  ].map((cell, index) => (numeric || index < 4 || index >= 10 ? cell : ''));
}

/**
 * The stats table's rows; with the profile, its columns after the others: `distinct` (in text a
 * `~` marks an estimate; CSV has a `distinct_exact` column instead) and the quartiles.
 */
function statsRows(result: ScanResult, name: (text: string) => string, profile: ProfileRequest, csv = false): string[][] {
  const headings: string[] = [...STATS_HEADINGS];
  if (profile.distinct) headings.push('distinct', ...(csv ? ['distinct_exact'] : []));
  if (profile.quantiles) headings.push('q1', 'median', 'q3');
  const rows = (result.columns ?? []).map((column) => {
    const cells = statsCells(column, name);
    if (profile.distinct) {
      const estimate = column.distinct_exact === false;
      cells.push(column.distinct === null ? '' : `${estimate && !csv ? '~' : ''}${column.distinct}`);
      if (csv) cells.push(column.distinct_exact === null ? '' : String(column.distinct_exact));
    }
    if (profile.quantiles) cells.push(numberText(column.q1), numberText(column.median), numberText(column.q3));
    return cells;
  });
  return [headings, ...rows];
}

/**
 * The heading of the groups' rows, key columns first: count --by `rows`; sum --by `rows` and one
 * sum per column (headed by its name, from the first group); stats --by the stats table's.
 */
function groupHeading(result: ScanResult, mode: 'count' | 'sum' | 'stats', first: GroupResult | undefined, name: (text: string) => string): string[] {
  const by = (result.by ?? []).map(name);
  if (mode === 'stats') return [...by, ...STATS_HEADINGS];
  const summed = mode === 'sum' ? (first?.columns ?? []).map((column) => name(column.name)) : [];
  return [...by, 'rows', ...summed];
}

/** One group's rows: one (count, sum), or one per column (stats, as the stats table's). */
function groupRows(group: GroupResult, mode: 'count' | 'sum' | 'stats', name: (text: string) => string): string[][] {
  // loops, not spreads: millions of groups come through here
  const key: string[] = [];
  for (const component of group.key) key.push(name(component));
  if (mode === 'stats') return (group.columns ?? []).map((column) => key.concat(statsCells(column, name)));
  key.push(String(group.rows));
  if (mode === 'sum') for (const column of group.columns ?? []) key.push(sumText(column));
  return [key];
}

/** Aligned table, one row per column: name left-aligned, numbers right-aligned, two spaces apart;
 *  a missing value (null) is an empty cell. */
export function formatStatsTable(result: ScanResult, profile: ProfileRequest = NO_PROFILE): string {
  return alignedTable(statsRows(result, visibleName, profile), 1);
}

/** Rows as an aligned table: the first `left` cells left-aligned, the rest right-aligned. */
function alignedTable(rows: string[][], left: number): string {
  const widths = rows[0]!.map(() => 0);
  for (const row of rows) widenTo(widths, row);
  return rows.map((row) => alignedLine(row, widths, left)).join('\n');
}

function widenTo(widths: number[], row: string[]): void {
  // (a loop: spreading millions of rows into Math.max overflows the stack)
  row.forEach((text, cell) => (widths[cell] = Math.max(widths[cell]!, displayWidth(text))));
}

function alignedLine(row: string[], widths: number[], left: number): string {
  return row
    .map((text, cell) => {
      const padding = ' '.repeat(widths[cell]! - displayWidth(text));
      return cell < left ? text + padding : padding + text;
    })
    .join('  ')
    .trimEnd();
}

/** --by: the key columns (left-aligned), then the figures (groupRows), one line per group (stats: per group and column). */
export function formatGroupsTable(result: ScanResult, mode: 'count' | 'sum' | 'stats' = 'count'): string {
  return Array.from(groupedOutput(result, groupsOf(result), mode, {})).join('').slice(0, -1);
}

/** A result's groups (already in it) as OrderedGroups. */
function groupsOf(result: ScanResult): OrderedGroups {
  const groups = result.groups ?? [];
  return { count: groups.length, each: () => groups, close: () => {} };
}

/** Text is handed out in pieces of about this many characters. */
const PIECE_CHARS = 1 << 16;

/**
 * A grouped result's output, --json, --csv or the text table (each line ending in a newline), in
 * pieces, its groups read from `groups` one at a time: the text table reads them twice, for the
 * columns' widths, then for its lines, unless its rows take at most about `keepBytes` of memory
 * (then they are kept from the first reading). Nothing else grows with the number of groups.
 */
export function* groupedOutput(
  result: ScanResult,
  groups: OrderedGroups,
  mode: 'count' | 'sum' | 'stats',
  output: { json?: boolean | undefined; csv?: boolean | undefined },
  keepBytes = 0,
): Generator<string> {
  let piece = '';
  for (const text of output.json ? groupedJson(result, groups) : groupedLines(result, groups, mode, output.csv === true, keepBytes)) {
    piece += text;
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  if (piece !== '') yield piece;
}

/** toJsonLine() of the result with its groups, a group at a time. */
function* groupedJson(result: ScanResult, groups: OrderedGroups): Generator<string> {
  const head = toJsonLine({ ...result, groups: [] });
  const empty = '"groups":[]';
  const at = head.indexOf(empty);
  yield head.slice(0, at + empty.length - 1);
  let first = true;
  for (const group of groups.each()) {
    yield (first ? '' : ',') + jsonText(groupJson(group));
    first = false;
  }
  yield `${head.slice(at + empty.length - 1)}\n`;
}

/** The groups as CSV lines or as an aligned table's lines. */
function* groupedLines(result: ScanResult, groups: OrderedGroups, mode: 'count' | 'sum' | 'stats', csv: boolean, keepBytes: number): Generator<string> {
  const name = csv ? (text: string): string => text : visibleName;
  let first: GroupResult | undefined;
  for (const group of groups.each()) {
    first = group;
    break;
  }
  const heading = groupHeading(result, mode, first, name);
  if (csv) {
    yield csvLine(heading);
    for (const group of groups.each()) for (const row of groupRows(group, mode, name)) yield csvLine(row);
    return;
  }
  const left = (result.by ?? []).length + (mode === 'stats' ? 1 : 0);
  const widths = heading.map(() => 0);
  widenTo(widths, heading);
  let kept: string[][] | null = [];
  let keptBytes = 0;
  for (const group of groups.each()) {
    for (const row of groupRows(group, mode, name)) {
      widenTo(widths, row);
      if (kept === null) continue;
      keptBytes += rowBytes(row);
      if (keptBytes <= keepBytes) kept.push(row);
      else kept = null;
    }
  }
  yield `${alignedLine(heading, widths, left)}\n`;
  if (kept) {
    for (const row of kept) yield `${alignedLine(row, widths, left)}\n`;
    return;
  }
  for (const group of groups.each()) for (const row of groupRows(group, mode, name)) yield `${alignedLine(row, widths, left)}\n`;
}

/** Memory a row of cells takes, about: the array, and each string's header and UTF-16 units. */
function rowBytes(row: string[]): number {
  let bytes = 32 + 8 * row.length;
  for (const cell of row) bytes += 24 + 2 * cell.length;
  return bytes;
}

const CSV_SPECIAL = /[",\r\n]/;

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
export function csvField(text: string): string {
  return CSV_SPECIAL.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(row: string[]): string {
  let line = csvField(row[0]!);
  for (let i = 1; i < row.length; i++) line += `,${csvField(row[i]!)}`;
  return `${line}\r\n`;
}

function csvLines(rows: string[][]): string {
  return rows.map(csvLine).join('');
}

/** --csv: count (`rows`), sum (`column,sum`), stats (the table's columns), or with --by the groups' table. */
export function formatCsv(result: ScanResult, mode: 'count' | 'sum' | 'stats', profile: ProfileRequest = NO_PROFILE): string {
  if (result.by !== undefined) return Array.from(groupedOutput(result, groupsOf(result), mode, { csv: true })).join('');
  if (mode === 'count') return csvLines([['rows'], [String(result.rows)]]);
  if (mode === 'sum') return csvLines([['column', 'sum'], ...(result.columns ?? []).map((column) => [column.name, sumText(column)])]);
  return csvLines(statsRows(result, (name) => name, profile, true));
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Characters as a terminal counts them, roughly: code points, not UTF-16 units. */
function displayWidth(text: string): number {
  return SURROGATE.test(text) ? Array.from(text).length : text.length;
}

/** One `name<TAB>sum` line per column, the exact decimal sum when there is one. */
export function formatSumLines(result: ScanResult): string {
  return (result.columns ?? []).map((column) => `${visibleName(column.name)}\t${sumText(column)}`).join('\n');
}

/** The number of data records alone. */
export function formatCount(result: ScanResult): string {
  return String(result.rows);
}
