// What the peer runners share: their command line, the per-column accumulators and the one JSON
// line each prints for bench/peers.ts. Plain JavaScript so that a runner starts without a build.
//
//   node bench/peers/TOOL.mjs count|sum|stats|count-by|sum-by|profile FILE [COLUMN ...] [--threads N]
//
// Output: {"tool","threads","rows","columns":[{"name","count","sum","min","max","mean","stddev"}]}
// with `sum` as text (a double's shortest round-trip form, or an exact decimal when the tool has one).
// The grouped cases (the DuckDB and polars runners only), sorted by key:
// - `count-by FILE KEY` prints {"tool","threads","rows","columns":[],"by":[KEY],"groups":[[KEY_TEXT, ROWS], ...]};
// - `sum-by FILE COLUMN KEY` prints {"tool","threads","rows","columns":[],"by":[KEY],"sum":COLUMN,
//   "groups":[[KEY_TEXT, ROWS, COUNT, SUM_TEXT], ...]}: per key its records, the numbers of COLUMN
//   summed and their sum as text.
// The column profile (the DuckDB and polars runners only), every column of the file:
// - `profile FILE` prints {"tool","threads","rows","columns":[{"name","type","count","nulls",
//   "null_percentage","min","max","mean","stddev","q1","median","q3","distinct"}]}: the tool's own type
//   name, its count (DuckDB SUMMARIZE's is every record, polars describe's the non-null values), the
//   figures as text as the tool gives them (null where it gives none), distinct as a number or null.

const CASES = ['count', 'sum', 'stats', 'count-by', 'sum-by', 'profile'];

/** Exit code for "this tool cannot run here" (e.g. its package is not installed): shown as skipped. */
export const EXIT_SKIPPED = 3;

/** Chunk size for streaming readers: large enough that per-chunk overhead does not dominate. */
export const STREAM_CHUNK_BYTES = 1 << 20;

/**
 * @returns {{ benchCase: 'count' | 'sum' | 'stats' | 'count-by' | 'sum-by' | 'profile', file: string, columns: string[], threads: number | null }}
 * (sum-by: columns is [COLUMN, KEY])
 */
export function parseRunnerArguments(argv) {
  const positional = [];
  let threads = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--threads') {
      threads = Number(argv[++i]);
      if (!Number.isInteger(threads) || threads < 1) usage(`--threads must be a positive integer, got ${argv[i]}`);
    } else positional.push(argv[i]);
  }
  const [benchCase, file, ...columns] = positional;
  if (!CASES.includes(benchCase)) usage(`the case must be one of ${CASES.join(', ')}, got ${benchCase}`);
  if (!file) usage('no FILE given');
  if ((benchCase === 'count' || benchCase === 'profile') && columns.length > 0) usage(`${benchCase} takes no columns`);
  if (benchCase !== 'count' && benchCase !== 'profile' && columns.length === 0) usage(`${benchCase} needs at least one COLUMN`);
  if (benchCase === 'sum' && columns.length !== 1) usage('sum takes exactly one COLUMN');
  if (benchCase === 'count-by' && columns.length !== 1) usage('count-by takes exactly one key COLUMN');
  if (benchCase === 'sum-by' && columns.length !== 2) usage('sum-by takes a COLUMN to sum and a KEY column');
  return { benchCase, file, columns, threads };
}

function usage(message) {
  process.stderr.write(`${message}\nusage: node bench/peers/TOOL.mjs count|sum|stats|count-by|sum-by|profile FILE [COLUMN ...] [--threads N]\n`);
  process.exit(2);
}

/**
 * Loads a peer's package, or exits as skipped when it is not installed (or cannot be loaded: a
 * native package whose binary for this platform is missing). `remedy` is what to run about it.
 */
export async function importPeer(packageName, remedy = `npm install --save-dev ${packageName}`) {
  try {
    return await import(packageName);
  } catch (error) {
    process.stderr.write(`skipped: cannot load ${packageName} (${String(error?.message ?? error).split('\n')[0]}); ${remedy}\n`);
    process.exit(EXIT_SKIPPED);
  }
}

/** 0-based field index of each requested column in a header row; exits when one is missing. */
export function columnIndexes(header, columns) {
  return columns.map((name) => {
    const index = header.indexOf(name);
    if (index < 0) {
      process.stderr.write(`no column ${name} in header ${header.join(',')}\n`);
      process.exit(2);
    }
    return index;
  });
}

/**
 * Adds a column in doubles, as a JavaScript user would: parseFloat of the field, NaN (empty, NA, ...)
 * skipped. `sum` is a plain running sum, so its distance from csvscan's exact sum is what users get.
 */
class SumAccumulator {
  constructor(name) {
    this.name = name;
    this.count = 0;
    this.sum = 0;
  }

  add(text) {
    const value = parseFloat(text);
    if (value !== value) return; // NaN: not a number
    this.count++;
    this.sum += value;
  }

  toJSON() {
    return { name: this.name, count: this.count, sum: String(this.sum) };
  }
}

/** SumAccumulator plus min, max and Welford's running variance (one pass, on the fly). */
class StatsAccumulator extends SumAccumulator {
  constructor(name) {
    super(name);
    this.min = Infinity;
    this.max = -Infinity;
    this.runningMean = 0;
    this.squaredDeviations = 0;
  }

  add(text) {
    const value = parseFloat(text);
    if (value !== value) return;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const delta = value - this.runningMean;
    this.runningMean += delta / this.count;
    this.squaredDeviations += delta * (value - this.runningMean);
  }

  toJSON() {
    const some = this.count > 0;
    return {
      ...super.toJSON(),
      min: some ? this.min : null,
      max: some ? this.max : null,
      mean: some ? this.sum / this.count : null,
      stddev: this.count > 1 ? Math.sqrt(this.squaredDeviations / (this.count - 1)) : null,
    };
  }
}

/** The accumulators a case needs, one per requested column. */
function accumulatorsFor(benchCase, columns) {
  if (benchCase === 'count-by' || benchCase === 'sum-by' || benchCase === 'profile') usage(`${benchCase} is run by the DuckDB and polars runners only`);
  if (benchCase === 'count') return [];
  return columns.map((name) => (benchCase === 'sum' ? new SumAccumulator(name) : new StatsAccumulator(name)));
}

/**
 * How a streaming runner starts: its command line, its peer's package (exiting as skipped when it is
 * not installed) and the accumulators of its case.
 */
export async function startRunner(packageName) {
  const { benchCase, file, columns, threads } = parseRunnerArguments(process.argv.slice(2));
  const peer = await importPeer(packageName);
  return { benchCase, file, columns, threads, peer, accumulators: accumulatorsFor(benchCase, columns) };
}

/** Prints the one result line bench/peers.ts parses. */
export function printResult(tool, threads, rows, accumulators) {
  process.stdout.write(JSON.stringify({ tool, threads, rows, columns: accumulators.map((a) => a.toJSON()) }) + '\n');
}
