// DuckDB through @duckdb/node-api: read_csv with its sniffer (types, dialect, header) and SQL
// aggregates, as a DuckDB user would write them. Columns the sniffer typed as text (e.g. a score
// holding NA) are read with TRY_CAST(... AS DOUBLE). Sums stay in the sniffed type: exact for integer
// and DECIMAL columns, floating point for DOUBLE ones.
// `count-by FILE KEY` is `SELECT key, count(*) ... GROUP BY key` with the key column read as VARCHAR
// (its text as written, unquoted; an empty field, which DuckDB reads as NULL, is the empty key);
// `sum-by FILE COLUMN KEY` adds `count(COLUMN), sum(COLUMN)` per key, the column as the sniffer typed it.
// `profile FILE` is `SUMMARIZE SELECT * FROM read_csv(FILE, header = true)`: per column its type, count
// (every record: count_star), null_percentage, min, max, approx_unique (HyperLogLog), avg, std and
// q25/q50/q75 (approx_quantile: a T-digest), as DuckDB gives them (text).
// Usage: node bench/peers/duckdb.mjs count|sum|stats|count-by|sum-by|profile FILE [COLUMN ...] [--threads N]
// Without --threads DuckDB uses its default (all cores); the thread count used is reported.
//
// Not a timed case: `ranks FILE THRESHOLDS` (THRESHOLDS: JSON {"COLUMN": [number, ...]}) prints
// {"rows","columns":[{"name","count","ranks":[[BELOW, UP_TO], ...]}]}: per column its count of numbers
// and, for each threshold, how many are below it and how many at most it (exact counts, one pass). It
// places approximate quantiles in the column's exact order (bench/peers.ts, the profile case).

import { EXIT_SKIPPED, importPeer, parseRunnerArguments } from './common.mjs';

/** `ranks FILE THRESHOLDS`, or null for a timed case. */
function parseRanksArguments(argv) {
  if (argv[0] !== 'ranks') return null;
  const [, file, json] = argv;
  let thresholds;
  try {
    thresholds = JSON.parse(json ?? '');
  } catch {
    thresholds = null;
  }
  const valid =
    typeof file === 'string' &&
    thresholds !== null &&
    typeof thresholds === 'object' &&
    !Array.isArray(thresholds) &&
    Object.values(thresholds).every((values) => Array.isArray(values) && values.every((value) => typeof value === 'number' && Number.isFinite(value)));
  if (!valid || argv.length !== 3) {
    process.stderr.write('usage: node bench/peers/duckdb.mjs ranks FILE \'{"COLUMN": [number, ...]}\'\n');
    process.exit(2);
  }
  return { file, thresholds };
}

const ranksRequest = parseRanksArguments(process.argv.slice(2));
const { benchCase, file, columns, threads } = ranksRequest
  ? { benchCase: 'ranks', file: ranksRequest.file, columns: Object.keys(ranksRequest.thresholds), threads: null }
  : parseRunnerArguments(process.argv.slice(2));
const { DuckDBInstance } = await importPeer('@duckdb/node-api');

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)\b/;

const sqlString = (text) => `'${text.replaceAll("'", "''")}'`;
const sqlIdentifier = (text) => `"${text.replaceAll('"', '""')}"`;

/** An exact decimal or integer keeps its digits; a double is printed in its shortest round-trip form. */
const sumText = (value) => (value === null || value === undefined ? null : value.toString());
/** min/max/avg/stddev as doubles (BIGINT and DECIMAL values arrive as bigint or a decimal object). */
const asDouble = (value) => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value.toDouble === 'function') return value.toDouble();
  return Number(value.toString());
};

let instance;
try {
  instance = await DuckDBInstance.create(':memory:');
} catch (error) {
  process.stderr.write(`skipped: DuckDB cannot start here (${error.message})\n`);
  process.exit(EXIT_SKIPPED);
}
const connection = await instance.connect();
const rowsOf = async (sql) => (await connection.runAndReadAll(sql)).getRowObjects();

if (threads !== null) await connection.run(`SET threads = ${threads}`);
const [{ threads: threadsUsed }] = await rowsOf("SELECT current_setting('threads') AS threads");

/** Runs a query on read_csv(FILE, OPTIONS), serially if DuckDB's parallel reader asks for it. */
async function queryFile(select, options = '') {
  // DuckDB's parallel CSV reader refuses some files with quoted line breaks ("does not support a
  // full read on this file") and asks for parallel = false: do what it asks rather than fail the row.
  try {
    return await rowsOf(select(`read_csv(${sqlString(file)}, header = true${options})`));
  } catch (error) {
    if (!/parallel = false/.test(String(error?.message))) throw error;
    const rows = await rowsOf(select(`read_csv(${sqlString(file)}, header = true${options}, parallel = false)`));
    process.stderr.write('note: DuckDB needed parallel = false for this file\n');
    return rows;
  }
}

const source = `read_csv(${sqlString(file)}, header = true)`;

/** Each column as a number: as the sniffer typed it when numeric, else TRY_CAST(... AS DOUBLE). */
async function numberExpressions(names) {
  const described = await rowsOf(`DESCRIBE SELECT * FROM ${source}`);
  return names.map((name) => {
    const column = described.find((row) => row.column_name === name);
    if (!column) {
      process.stderr.write(`no column ${name} in ${file} (DuckDB sees ${described.map((row) => row.column_name).join(',')})\n`);
      process.exit(2);
    }
    return NUMERIC_TYPE.test(String(column.column_type))
      ? sqlIdentifier(name)
      : `TRY_CAST(${sqlIdentifier(name)} AS DOUBLE)`;
  });
}

/** count-by and sum-by: GROUP BY the key (as VARCHAR), with count and sum of the summed column. */
async function groupedResult() {
  const key = columns[columns.length - 1];
  const summed = benchCase === 'sum-by' ? columns[0] : null;
  const sums = summed === null ? '' : await numberExpressions([summed]).then(([value]) => `, count(${value}) AS c, sum(${value}) AS s`);
  const groups = await queryFile(
    (from) => `SELECT ${sqlIdentifier(key)} AS k, count(*) AS n${sums} FROM ${from} GROUP BY ALL`,
    `, types = {${sqlString(key)}: 'VARCHAR'}`,
  );
  let rows = 0;
  const pairs = groups.map((group) => {
    rows += Number(group.n);
    const pair = [group.k ?? '', Number(group.n)];
    // sum() of a group without numbers is NULL in SQL; csvscan's (and the other runners') is 0.
    if (summed !== null) pair.push(Number(group.c), sumText(group.s) ?? '0');
    return pair;
  });
  // GROUP BY's order changes from run to run with threads: the pairs are sorted here (a few thousand:
  // about a millisecond) so that runs print the same bytes and `runs differ` means other groups.
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { tool: 'duckdb', threads: Number(threadsUsed), rows, columns: [], by: [key], ...(summed === null ? {} : { sum: summed }), groups: pairs };
}

/** count, sum and stats: one SELECT of aggregates over the file. */
async function columnsResult() {
  const expressions = benchCase === 'count' ? [] : await numberExpressions(columns);
  const selections = ['count(*) AS rows'];
  expressions.forEach((expression, i) => {
    selections.push(`count(${expression}) AS count_${i}`, `sum(${expression}) AS sum_${i}`);
    if (benchCase === 'stats') {
      selections.push(
        `min(${expression}) AS min_${i}`,
        `max(${expression}) AS max_${i}`,
        `avg(${expression}) AS mean_${i}`,
        `stddev_samp(${expression}) AS stddev_${i}`,
      );
    }
  });
  const [result] = await queryFile((from) => `SELECT ${selections.join(', ')} FROM ${from}`);
  return {
    tool: 'duckdb',
    threads: Number(threadsUsed),
    rows: Number(result.rows),
    columns: columns.map((name, i) => {
      const column = { name, count: Number(result[`count_${i}`]), sum: sumText(result[`sum_${i}`]) };
      if (benchCase !== 'stats') return column;
      return {
        ...column,
        min: asDouble(result[`min_${i}`]),
        max: asDouble(result[`max_${i}`]),
        mean: asDouble(result[`mean_${i}`]),
        stddev: asDouble(result[`stddev_${i}`]),
      };
    }),
  };
}

/** A figure of SUMMARIZE as text (its VARCHAR columns), a DECIMAL as a number; null stays null. */
const summaryText = (value) => (value === null || value === undefined ? null : String(value));

/** profile: SUMMARIZE of every column of the file, as a DuckDB user asks for a profile. */
async function profileResult() {
  const summary = await queryFile((from) => `SUMMARIZE SELECT * FROM ${from}`);
  return {
    tool: 'duckdb',
    threads: Number(threadsUsed),
    // SUMMARIZE's count is count(*) for every column: the records.
    rows: summary.length > 0 ? Number(summary[0].count) : 0,
    columns: summary.map((row) => ({
      name: row.column_name,
      type: row.column_type,
      count: Number(row.count),
      nulls: null,
      null_percentage: asDouble(row.null_percentage),
      min: summaryText(row.min),
      max: summaryText(row.max),
      mean: summaryText(row.avg),
      stddev: summaryText(row.std),
      q1: summaryText(row.q25),
      median: summaryText(row.q50),
      q3: summaryText(row.q75),
      distinct: row.approx_unique === null ? null : Number(row.approx_unique),
    })),
  };
}

/** ranks: exact counts below and up to each threshold, per column, in one pass over the file. */
async function ranksResult() {
  const names = Object.keys(ranksRequest.thresholds);
  const expressions = await numberExpressions(names);
  const selections = ['count(*) AS rows'];
  names.forEach((name, i) => {
    const value = expressions[i];
    selections.push(`count(${value}) AS n_${i}`);
    ranksRequest.thresholds[name].forEach((threshold, j) => {
      const literal = `CAST(${sqlString(String(threshold))} AS DOUBLE)`;
      selections.push(`count_if(${value} < ${literal}) AS below_${i}_${j}`, `count_if(${value} <= ${literal}) AS upto_${i}_${j}`);
    });
  });
  const [result] = await queryFile((from) => `SELECT ${selections.join(', ')} FROM ${from}`);
  return {
    tool: 'duckdb',
    threads: Number(threadsUsed),
    rows: Number(result.rows),
    columns: names.map((name, i) => ({
      name,
      count: Number(result[`n_${i}`]),
      ranks: ranksRequest.thresholds[name].map((_, j) => [Number(result[`below_${i}_${j}`]), Number(result[`upto_${i}_${j}`])]),
    })),
  };
}

// The process ends by itself once the line is written, never by process.exit(), which could cut a
// long line (10,950 groups are about 500 kB) that a pipe has not taken yet.
const grouped = benchCase === 'count-by' || benchCase === 'sum-by';
const result = benchCase === 'ranks' ? ranksResult() : benchCase === 'profile' ? profileResult() : grouped ? groupedResult() : columnsResult();
process.stdout.write(JSON.stringify(await result) + '\n');
