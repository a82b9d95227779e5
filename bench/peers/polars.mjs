// polars through nodejs-polars: a lazy scanCSV (header, quoting and types inferred from the first
// 100 rows, as polars does by default) collected by polars' streaming engine, with the expressions a
// polars user writes: pl.len(), and per column count(), sum(), min(), max(), mean(), std() (sample
// standard deviation). A column polars typed as text (e.g. a score holding NA) is cast to Float64
// non-strictly (NA becomes null), as DuckDB's runner uses TRY_CAST. Sums stay in the inferred type:
// Float64 sums in floating point, Int64 sums in Int64, which wraps around past 2^63 without a word.
// `count-by FILE KEY` is groupBy(KEY).len() and `sum-by FILE COLUMN KEY` groupBy(KEY).agg(len, count,
// sum), with the key read as text (its value as written, unquoted) and an empty field as the empty
// key (missingUtf8IsEmptyString), the groups sorted by key here: polars' order changes from run to run.
// `profile FILE` is what Python polars' `LazyFrame.describe()` computes (nodejs-polars 0.25.2's own
// `describe()` gives only mean, std, min, max and median: no count, no quartiles), with its expressions:
// scanCSV with polars' defaults (an empty field is null), the numeric columns sorted, then one select of
// per column count (non-null), null_count, mean, std, min, the 25/50/75% quantiles with describe's
// default interpolation 'nearest' (0-based index round((n - 1) * p)) and max; min and max of a text
// column as text. Collected by the default engine, as describe does.
// Usage: node bench/peers/polars.mjs count|sum|stats|count-by|sum-by|profile FILE [COLUMN ...] [--threads N]
// --threads N sets POLARS_MAX_THREADS=N in this process before polars starts its thread pool; without
// it polars uses its default (every core). The size of the pool it started is reported as `threads`.

import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { importPeer, parseRunnerArguments } from './common.mjs';

const { benchCase, file, columns, threads } = parseRunnerArguments(process.argv.slice(2));
// polars reads POLARS_MAX_THREADS once, when its thread pool starts (the first query), so it must be
// set before then; setting it here, in the runner's own process, is what a user's shell would do.
if (threads !== null) process.env.POLARS_MAX_THREADS = String(threads);

/**
 * npm leaves the binary out where it is not served for the platform, and on Node 20, since
 * nodejs-polars 0.25.2's binaries say `engines: node >= 22` (they load and run on Node 20).
 */
const POLARS_REMEDY =
  `install its binary without saving it: npm install --no-save nodejs-polars-${process.platform}-${process.arch}` +
  `${process.platform === 'linux' ? '-gnu' : ''}@0.25.2 (bench/README.md, "polars")`;
const pl = (await importPeer('nodejs-polars', POLARS_REMEDY)).default;

const INTEGER_TYPES = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64']);
const NUMERIC_TYPES = new Set([...INTEGER_TYPES, 'Float32', 'Float64']);
/** A polars DataType's name: DataType(Int64) -> Int64. */
const typeName = (dtype) => String(dtype.variant ?? dtype).replace(/^DataType\((.*)\)$/, '$1');

const SCAN_OPTIONS = { hasHeader: true, missingUtf8IsEmptyString: true };
/** The schema polars infers (from the first 100 rows; nothing else is read). */
const inferred = pl.scanCSV(file, SCAN_OPTIONS).head(0).collectSync().schema;
for (const name of columns) {
  if (!(name in inferred)) {
    process.stderr.write(`no column ${name} in ${file} (polars sees ${Object.keys(inferred).join(',')})\n`);
    process.exit(2);
  }
}

/** Runs a lazy query on the file with the streaming engine; `key`: that column read as text. */
function collect(query, key = null) {
  const schema = key === null ? undefined : { ...inferred, [key]: pl.String };
  return query(pl.scanCSV(file, schema === undefined ? SCAN_OPTIONS : { ...SCAN_OPTIONS, schema })).collectSync({ engine: 'streaming' });
}

/** A column as a number: as inferred when polars typed it as one, else cast non-strictly (text -> null). */
function numberExpression(name) {
  return NUMERIC_TYPES.has(typeName(inferred[name])) ? pl.col(name) : pl.col(name).cast(pl.Float64, false);
}

/**
 * A sum as text: an integer sum is cast to text by polars (a JavaScript number would lose digits past
 * 2^53), a floating-point one is printed in its shortest round-trip form.
 */
function sumExpression(name, alias) {
  const sum = numberExpression(name).sum();
  return (INTEGER_TYPES.has(typeName(inferred[name])) ? sum.cast(pl.String) : sum).alias(alias);
}
const sumText = (value) => (value === null || value === undefined ? null : String(value));
const numberOrNull = (value) => (value === null || value === undefined || Number.isNaN(value) ? null : Number(value));

/** The size of polars' thread pool, from the names of this process's threads (polars-0, polars-1, ...). */
function poolThreads() {
  try {
    const names = readdirSync('/proc/self/task').map((task) => readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim());
    const pool = names.filter((name) => /^polars-\d+$/.test(name)).length;
    if (pool > 0) return pool;
  } catch {
    // not Linux: fall back to what polars was told, or its default
  }
  return threads ?? availableParallelism();
}

/** Groups sorted by key (UTF-16 order, as the DuckDB runner sorts), so that runs print the same bytes. */
const byKey = ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Prints the one result line. The process then ends by itself, never by process.exit(): that could
 * cut a long line (10,950 groups are about 500 kB) that a pipe has not taken yet.
 */
function print(output) {
  const used = poolThreads();
  if (threads !== null && used !== threads) {
    process.stderr.write(`polars started ${used} threads where POLARS_MAX_THREADS was ${threads}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(JSON.stringify({ tool: 'polars', threads: used, ...output }) + '\n');
}

/** count-by and sum-by: groupBy(KEY) with len, and count and sum of the summed column; groups sorted by key. */
function groupedResult() {
  const key = columns[columns.length - 1];
  const summed = benchCase === 'sum-by' ? columns[0] : null;
  const aggregations = [pl.len().alias('rows')];
  if (summed !== null) aggregations.push(numberExpression(summed).count().alias('count'), sumExpression(summed, 'sum'));
  const result = collect((frame) => frame.groupBy(key).agg(...aggregations), key);
  const keys = result.getColumn(key).toArray();
  const rows = result.getColumn('rows').toArray().map(Number);
  const counts = summed === null ? null : result.getColumn('count').toArray().map(Number);
  const sums = summed === null ? null : result.getColumn('sum').toArray();
  const groups = keys.map((value, i) => {
    const group = [value ?? '', rows[i]];
    if (summed !== null) group.push(counts[i], sumText(sums[i]));
    return group;
  });
  groups.sort(byKey);
  const total = rows.reduce((sum, n) => sum + n, 0);
  return { rows: total, columns: [], by: [key], ...(summed === null ? {} : { sum: summed }), groups };
}

/** count, sum and stats: one select over the file. */
function columnsResult() {
  const selections = [pl.len().alias('rows')];
  columns.forEach((name, i) => {
    const value = numberExpression(name);
    selections.push(value.count().alias(`count_${i}`), sumExpression(name, `sum_${i}`));
    if (benchCase === 'stats') {
      selections.push(
        value.min().cast(pl.Float64).alias(`min_${i}`),
        value.max().cast(pl.Float64).alias(`max_${i}`),
        value.mean().alias(`mean_${i}`),
        value.std().alias(`stddev_${i}`),
      );
    }
  });
  const [result] = collect((frame) => frame.select(...selections)).toRecords();
  return {
    rows: Number(result.rows),
    columns: columns.map((name, i) => {
      const count = Number(result[`count_${i}`]);
      const column = { name, count, sum: sumText(result[`sum_${i}`]) };
      if (benchCase !== 'stats') return column;
      return {
        ...column,
        min: numberOrNull(result[`min_${i}`]),
        max: numberOrNull(result[`max_${i}`]),
        mean: numberOrNull(result[`mean_${i}`]),
        stddev: numberOrNull(result[`stddev_${i}`]),
      };
    }),
  };
}

/** A figure as text (a number in its shortest round-trip form); null stays null. */
const figureText = (value) => (value === null || value === undefined || Number.isNaN(value) ? null : String(value));

/** profile: Python polars' describe() of the whole file (percentiles 0.25, 0.5, 0.75; interpolation 'nearest'). */
function profileResult() {
  const frame = pl.scanCSV(file, { hasHeader: true });
  const schema = frame.head(0).collectSync().schema;
  const names = Object.keys(schema);
  const numeric = names.filter((name) => NUMERIC_TYPES.has(typeName(schema[name])));
  const metrics = [];
  names.forEach((name, i) => {
    const column = pl.col(name);
    metrics.push(column.count().alias(`count_${i}`), column.nullCount().alias(`nulls_${i}`));
    if (numeric.includes(name)) {
      metrics.push(
        column.mean().alias(`mean_${i}`),
        column.std().alias(`std_${i}`),
        column.min().cast(pl.Float64).alias(`min_${i}`),
        column.quantile(0.25, 'nearest').alias(`q1_${i}`),
        column.quantile(0.5, 'nearest').alias(`median_${i}`),
        column.quantile(0.75, 'nearest').alias(`q3_${i}`),
        column.max().cast(pl.Float64).alias(`max_${i}`),
      );
    } else metrics.push(column.min().alias(`min_${i}`), column.max().alias(`max_${i}`));
  });
  // describe() sorts the columns whose quantiles it takes first, so that each quantile is a lookup.
  const sorted = numeric.length > 0 ? frame.withColumns(...numeric.map((name) => pl.col(name).sort())) : frame;
  const [result] = sorted.select(...metrics).collectSync().toRecords();
  const columns = names.map((name, i) => ({
    name,
    type: typeName(schema[name]),
    count: Number(result[`count_${i}`]),
    nulls: Number(result[`nulls_${i}`]),
    null_percentage: null,
    min: figureText(result[`min_${i}`]),
    max: figureText(result[`max_${i}`]),
    mean: figureText(result[`mean_${i}`]),
    stddev: figureText(result[`std_${i}`]),
    q1: figureText(result[`q1_${i}`]),
    median: figureText(result[`median_${i}`]),
    q3: figureText(result[`q3_${i}`]),
    distinct: null,
  }));
  return { rows: columns.length > 0 ? columns[0].count + columns[0].nulls : 0, columns };
}

print(benchCase === 'profile' ? profileResult() : benchCase === 'count-by' || benchCase === 'sum-by' ? groupedResult() : columnsResult());
