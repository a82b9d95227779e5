// Peers benchmark: csvscan next to DuckDB, polars, uDSV, Papa Parse, csv-parse and awk on the same generated
// files, each a whole process under GNU time, with every answer compared to csvscan's, whose own
// answers are first checked against the independent reference (bench/independent-check.ts).
//
//   node build/host/bench/peers.js [--quick] [--size 1G] [--big] [--runs N] [--seed N]
//                                  [--tools csvscan,duckdb,...] [--cases count,sum,stats,count-by,sum-by,profile]
//                                  [--timeout SECONDS] [--out bench/PEERS.md]
//
// `npm run bench` (bench/run.ts) runs this after csvscan's own benchmark, on the same files, through
// runPeersBenchmark(). See bench/README.md ("Peers") for what is measured and how to read the table.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, delimiter, join, resolve } from 'node:path';
import { Failed, Mismatch, optionValue, positiveIntegerOption, reportError, runIfMain, takeFileOption, UsageError, type FileOptions } from './script.js';
import { DEFAULT_SEED, MIXED_HEADER, sizeLabel, type CsvKind } from '../src/bench/generate.js';
import { compareOutputs } from '../src/bench/agreement.js';
import { BENCH_COMMANDS, type BenchCommand } from '../src/bench/plan.js';
import type { ColumnResult, GroupResult, ScanResult } from '../src/types.js';
import { parseCsvscanResult, referenceDifference, type ColumnReference } from './independent-check.js';
import {
  addDecimalTexts,
  compareGroups,
  compareGroupSums,
  describeAgreement,
  groupColumn,
  relativeError,
  type GroupPairs,
  type GroupSums,
  type PeerResult,
} from './peers/agreement.js';
import {
  BIG_SIZE,
  CLI_PATH,
  DEFAULT_SIZE,
  KIND_HAS_QUOTES,
  REPO_ROOT,
  log,
  machineDescription,
  missingBuild,
  prepareGeneratedFile,
  QUICK_SIZE,
  type GeneratedFile,
} from './data-files.js';
import { clipNote, markdownTable } from './markdown.js';
import {
  compareProfile,
  DUCKDB_SUMMARIZE,
  parsePeerProfile,
  parseRankCounts,
  POLARS_DESCRIBE,
  profileProblems,
  rankRequest,
  type RankCounts,
} from './peers/profile.js';
import { warmPageCache } from '../src/bench/target.js';
import { bestTiming, firstLine, missingTimeBinary, runTimed, timingCells, type ProcessTiming, type TimedProcess } from './process-timing.js';


/** Exit code of a peer runner that cannot run here (bench/peers/common.mjs EXIT_SKIPPED). */
const EXIT_PEER_SKIPPED = 3;

export interface PeersOptions extends FileOptions {
  big: boolean;
  /** tool names to run besides csvscan --threads 1 (always run: it is what the others are compared with); null = all */
  tools: string[] | null;
  cases: PeerCase[];
  timeoutSeconds: number;
  out: string | null;
}


function usage(): string {
  return [
    'usage: node build/host/bench/peers.js [options]',
    "(npm run bench runs this too, after csvscan's own benchmark, on the same files)",
    `  --quick            ${sizeLabel(QUICK_SIZE).toUpperCase()} files, one run per row (smoke test, about 15 s)`,
    '  --size SIZE        size of the generated files (default 1G)',
    '  --big              the 10 GiB numeric file only',
    '  --runs N           runs per row, the fastest is reported (default 1)',
    '  --seed N           generator seed (default 1)',
    `  --tools LIST       comma-separated, from: ${TOOL_NAMES.join(', ')} (default: all)`,
    `  --cases LIST       comma-separated, from: ${PEER_CASES.join(', ')} (default: all; count-by, sum-by: on the mixed file only)`,
    '  --timeout SECONDS  a process running longer is stopped and shown as timed out (default 1800)',
    '  --out PATH         also write the markdown report to PATH (e.g. bench/PEERS.md)',
  ].join('\n');
}

const TOOL_NAMES = ['csvscan', 'duckdb', 'polars', 'udsv', 'papaparse', 'csv-parse', 'mawk', 'gawk', 'mlr', 'datamash'] as const;

/**
 * The cases: csvscan's three commands; `count-by`: `count --by KEY` for each key column of
 * GROUP_KEYS (a frequency table), run by the tools that group (csvscan, DuckDB, polars, Miller,
 * datamash); `sum-by`: `sum -c COLUMN --by KEY` (the file's summed column, for each key column of
 * GROUP_KEYS), run by csvscan, DuckDB and polars, and skipped while csvscan refuses it (CAN_BE_REFUSED);
 * `profile`: the column profile of every column, csvscan `stats --all` next to DuckDB's `SUMMARIZE`
 * and polars' `describe()` (bench/peers/profile.ts compares them), skipped while csvscan refuses `--all`.
 */
export const PEER_CASES = [...BENCH_COMMANDS, 'count-by', 'sum-by', 'profile'] as const;
export type PeerCase = (typeof PEER_CASES)[number];

/** The grouped cases: run once per key column of GROUP_KEYS. */
const GROUPED_CASES: readonly PeerCase[] = ['count-by', 'sum-by'];

/**
 * Cases this csvscan may refuse, with what its exit-2 message names: `sum -c C --by K` (issue 13's
 * next slice) and `stats --all` (issue 14's profile). While csvscan refuses one, its rows say so and
 * no peer runs it; once csvscan runs it, it is checked and compared like every other case.
 */
const CAN_BE_REFUSED: Partial<Record<PeerCase, RegExp>> = { 'sum-by': /--by/, profile: /--all|--distinct|--quantiles/ };

/**
 * Key columns of the grouped cases per kind (1-based index for datamash): on the mixed file `name`
 * (at most 3,200 keys: `First Last`, `"Last, First"` quoted with a comma, `"First ""Nick"" Last"`
 * with doubled quotes) and `date` (at most 10,950 keys). The numeric file has none.
 */
export const GROUP_KEYS: Record<CsvKind, ColumnRef[]> = {
  numeric: [],
  mixed: ['name', 'date'].map((name) => ({ name, index: MIXED_HEADER.indexOf(name as (typeof MIXED_HEADER)[number]) + 1 })),
};

function commaList<T extends string>(text: string, allowed: readonly T[], what: string): T[] {
  const items = text.split(',').map((item) => item.trim()).filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new UsageError(`unknown ${what}: ${item} (one of ${allowed.join(', ')})`);
  }
  if (items.length === 0) throw new UsageError(`--${what}s needs at least one ${what}`);
  return items as T[];
}

export function parsePeersArguments(argv: string[]): PeersOptions {
  const options: PeersOptions = {
    quick: false,
    sizeBytes: DEFAULT_SIZE,
    big: false,
    seed: DEFAULT_SEED,
    runs: 1,
    tools: null,
    cases: [...PEER_CASES],
    timeoutSeconds: 1800,
    out: null,
  };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    const takeValue = (): string => optionValue(argv, ++i, name);
    if (name === '--help' || name === '-h') throw new UsageError(usage());
    else if (name === '--big') options.big = true;
    else if (name === '--timeout') options.timeoutSeconds = positiveIntegerOption(name, takeValue());
    else if (name === '--tools') options.tools = commaList(takeValue(), TOOL_NAMES, 'tool');
    else if (name === '--cases') options.cases = commaList(takeValue(), PEER_CASES, 'case');
    else if (name === '--out') options.out = takeValue();
    else if (!takeFileOption(name, takeValue, options, given)) throw new UsageError(`unknown option: ${name}\n${usage()}`);
  }
  if (options.quick && options.big) throw new UsageError('--quick and --big do not go together');
  if (options.quick && !given.has('--size')) options.sizeBytes = QUICK_SIZE;
  if (options.big && !given.has('--size')) options.sizeBytes = BIG_SIZE;
  return options;
}

// ---------------------------------------------------------------------------------------------
// Tools

/** A column as a peer is asked for it: by name (node runners) or 1-based field index (awk). */
export interface ColumnRef {
  name: string;
  index: number;
}

/** One row family of the table: a tool at a thread setting. */
interface ToolVariant {
  tool: (typeof TOOL_NAMES)[number];
  /** as shown; a peer reporting its thread count replaces it */
  threads: string;
  /** the tool parses RFC 4180 quoted fields (awk does not) */
  handlesQuotes: boolean;
  /** csvscan's own rows are checked, not compared with themselves */
  isCsvscan: boolean;
  /** the cases it runs (a grouping tool may run count-by alone) */
  cases: readonly PeerCase[];
  /** columns: the key column for count-by; the summed column and the key column for sum-by */
  command(benchCase: PeerCase, file: string, columns: ColumnRef[]): string[];
  /** count-by: its output as [key, rows] pairs (null when it is not one); default: parsePeerResult's groups */
  parseGroups?(stdout: string, key: string): { rows?: number; groups: GroupPairs } | null;
}

/** The directory on PATH holding an executable `name`, or null. */
export function findOnPath(name: string, pathVariable: string | undefined): string | null {
  for (const directory of (pathVariable ?? '').split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The version of an installed devDependency, or null when it is not installed. */
export function installedVersion(packageName: string, root = REPO_ROOT): string | null {
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'node_modules', packageName, 'package.json'), 'utf8')) as { version?: string };
    return manifest.version ?? null;
  } catch {
    return null;
  }
}

/** The package each node runner loads. */
const PEER_PACKAGES = {
  duckdb: '@duckdb/node-api',
  polars: 'nodejs-polars',
  udsv: 'udsv',
  papaparse: 'papaparse',
  'csv-parse': 'csv-parse',
} as const;

function csvscanCommand(threads: number) {
  return (benchCase: PeerCase, file: string, columns: ColumnRef[]): string[] => {
    const command = benchCase === 'count-by' ? 'count' : benchCase === 'sum-by' ? 'sum' : benchCase === 'profile' ? 'stats' : benchCase;
    const args = [process.execPath, CLI_PATH, command, file];
    if (benchCase === 'profile') args.push('--all');
    if (benchCase === 'sum' || benchCase === 'sum-by') args.push('-c', columns[0]!.name);
    if (benchCase === 'count-by' || benchCase === 'sum-by') args.push('--by', columns[columns.length - 1]!.name);
    return [...args, '--json', '--threads', String(threads), '--no-progress'];
  };
}

function runnerCommand(runner: string, threads: number | null) {
  return (benchCase: PeerCase, file: string, columns: ColumnRef[]): string[] => [
    process.execPath,
    join(REPO_ROOT, 'bench', 'peers', `${runner}.mjs`),
    benchCase,
    file,
    ...(benchCase === 'count' || benchCase === 'profile' ? [] : columns.map((column) => column.name)),
    ...(threads === null ? [] : ['--threads', String(threads)]),
  ];
}

/** Escapes text for the inside of an awk string used as a printf format. */
function awkFormatText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%');
}

/** A JSON string literal as awk printf format text: "name" -> \"name\". */
function awkJsonString(text: string): string {
  return awkFormatText(JSON.stringify(text));
}

/** docs/spec.md's number syntax, trimmed of spaces and tabs (and the CR of a CRLF line end awk leaves). */
const AWK_NUMBER_PATTERN = '^[ \\t]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[ \\t\\r]*$';

/**
 * The awk program for a case, printing the same JSON as the node runners. `sum` is the plain
 * one-liner users write (`NR>1{s+=$2} END{printf "%.17g\n", s}`: every field added, NR-1 rows);
 * `stats` keeps only fields that are numbers, with Welford's running variance.
 */
export function awkProgram(benchCase: BenchCommand, columns: ColumnRef[]): string {
  if (benchCase === 'count') return 'END { printf "{\\"rows\\":%.0f,\\"columns\\":[]}\\n", NR - 1 }';
  if (benchCase === 'sum') {
    const column = columns[0]!;
    return (
      `NR > 1 { s += $${column.index} } ` +
      `END { printf "{\\"rows\\":%.0f,\\"columns\\":[{\\"name\\":${awkJsonString(column.name)},\\"sum\\":\\"%.17g\\"}]}\\n", NR - 1, s }`
    );
  }
  const perRecord = columns
    .map(
      (column, i) =>
        `  v = $${column.index}; if (v ~ number) { x = v + 0; n${i}++; s${i} += x; ` +
        `if (n${i} == 1 || x < lo${i}) lo${i} = x; if (n${i} == 1 || x > hi${i}) hi${i} = x; ` +
        `d = x - m${i}; m${i} += d / n${i}; q${i} += d * (x - m${i}) }`,
    )
    .join('\n');
  const printColumns = columns
    .map(
      (column, i) =>
        `  printf "${i > 0 ? ',' : ''}{\\"name\\":${awkJsonString(column.name)},\\"count\\":%.0f,\\"sum\\":\\"%.17g\\",` +
        `\\"min\\":%s,\\"max\\":%s,\\"mean\\":%s,\\"stddev\\":%s}", n${i}, s${i}, ` +
        `(n${i} > 0 ? g(lo${i}) : "null"), (n${i} > 0 ? g(hi${i}) : "null"), (n${i} > 0 ? g(s${i} / n${i}) : "null"), ` +
        `(n${i} > 1 ? g(sqrt(q${i} / (n${i} - 1))) : "null")`,
    )
    .join('\n');
  return [
    'function g(x) { return sprintf("%.17g", x) }',
    `BEGIN { number = "${AWK_NUMBER_PATTERN}" }`,
    'NR > 1 {',
    perRecord,
    '}',
    'END {',
    '  printf "{\\"rows\\":%.0f,\\"columns\\":[", NR - 1',
    printColumns,
    '  printf "]}\\n"',
    '}',
  ].join('\n');
}

function awkCommand(awkPath: string) {
  return (benchCase: PeerCase, file: string, columns: ColumnRef[]): string[] => [
    awkPath,
    '-F',
    ',',
    awkProgram(benchCase as BenchCommand, columns),
    file,
  ];
}

/** Miller: `mlr --icsv --ojsonl count -g KEY FILE` (RFC 4180 quotes parsed), one JSON object per group. */
function millerCommand(path: string) {
  return (_benchCase: PeerCase, file: string, columns: ColumnRef[]): string[] => [path, '--icsv', '--ojsonl', 'count', '-g', columns[0]!.name, file];
}

/** Miller's JSON lines `{"KEY": key, "count": n}` as pairs; null when they are not that. */
export function parseMillerGroups(stdout: string, key: string): { groups: GroupPairs } | null {
  const groups: Array<[string, number]> = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      if (!(key in record) || typeof record.count !== 'number') return null;
      groups.push([String(record[key]), record.count]);
    } catch {
      return null;
    }
  }
  return { groups };
}

/** GNU datamash: `datamash -t, --header-in -s -g N count N FILE` (splits every comma: no quote parsing). */
function datamashCommand(path: string) {
  return (_benchCase: PeerCase, file: string, columns: ColumnRef[]): string[] => {
    const field = String(columns[0]!.index);
    return [path, '-t', ',', '--header-in', '-s', '-g', field, 'count', field, file];
  };
}

/** datamash's `key,count` lines as pairs (the count after the last comma); null when they are not that. */
export function parseDatamashGroups(stdout: string): { groups: GroupPairs } | null {
  const groups: Array<[string, number]> = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const match = /^(.*),(\d+)$/s.exec(line);
    if (!match) return null;
    groups.push([match[1]!, Number(match[2])]);
  }
  return { groups };
}

interface ToolSetup {
  variants: ToolVariant[];
  /** tools that cannot run here, with the reason */
  notRun: string[];
  /** "name version" of each tool that runs */
  versions: string[];
}

/** The package holding nodejs-polars's native binary for a platform (napi-rs's naming, glibc on Linux). */
export function polarsBinaryPackage(platform: string = process.platform, arch: string = process.arch): string {
  return `nodejs-polars-${platform}-${arch}${platform === 'linux' ? '-gnu' : platform === 'win32' ? '-msvc' : ''}`;
}

/**
 * Why a package that is installed cannot be loaded (its first error line), or null when it loads:
 * imported in a child process, so that a native binary is not loaded into this one. nodejs-polars
 * needs this: npm installs it but leaves its native binary out where that is not served for the
 * platform, and on Node 20, since 0.25.2's binaries say `engines: node >= 22` and npm skips an
 * optional package whose engines do not match (they load and run on Node 20).
 */
export function loadProblem(packageName: string, root = REPO_ROOT): string | null {
  const script =
    `import(${JSON.stringify(packageName)}).then(() => {}, (error) => {` +
    " process.stderr.write(String(error?.message ?? error).split('\\n')[0]); process.exit(3); })";
  const result = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
  if (result.status === 0) return null;
  return firstLine(result.stderr ?? '') || `exit ${result.status ?? 'by signal'}`;
}

function commandVersion(argv: string[]): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return firstLine(`${result.stdout ?? ''}\n${result.stderr ?? ''}`) || 'version unknown';
}

/**
 * Which tools run, at which thread settings, and what is skipped (and why) before running anything.
 * `canLoad` says why an installed package cannot be loaded (polars' native binary), or null.
 */
export function setUpTools(
  selected: readonly string[] | null,
  cores: number,
  pathVariable: string | undefined,
  canLoad: (packageName: string) => string | null = loadProblem,
): ToolSetup {
  const wanted = (tool: string): boolean => selected === null || selected.includes(tool);
  const setup: ToolSetup = { variants: [], notRun: [], versions: [] };
  setup.versions.push(`csvscan ${readOwnVersion()}`);
  setup.variants.push({ tool: 'csvscan', threads: '1', handlesQuotes: true, isCsvscan: true, cases: PEER_CASES, command: csvscanCommand(1) });
  if (wanted('csvscan') && cores > 1) {
    setup.variants.push({
      tool: 'csvscan',
      threads: `${cores} (all cores)`,
      handlesQuotes: true,
      isCsvscan: true,
      cases: PEER_CASES,
      command: csvscanCommand(cores),
    });
  }
  for (const tool of ['duckdb', 'polars', 'udsv', 'papaparse', 'csv-parse'] as const) {
    if (!wanted(tool)) continue;
    const packageName = PEER_PACKAGES[tool];
    const version = installedVersion(packageName);
    if (version === null) {
      setup.notRun.push(`${tool}: ${packageName} is not installed (npm install --save-dev ${packageName})`);
      continue;
    }
    if (tool === 'polars') {
      const problem = canLoad(packageName);
      if (problem !== null) {
        setup.notRun.push(
          `polars: not installed (${packageName} ${version} cannot be loaded: ${problem}; ` +
            `to run it: npm install --no-save ${polarsBinaryPackage()}@${version}, see bench/README.md)`,
        );
        continue;
      }
    }
    setup.versions.push(`${packageName} ${version}`);
    const base = { tool, handlesQuotes: true, isCsvscan: false, cases: tool === 'duckdb' || tool === 'polars' ? PEER_CASES : BENCH_COMMANDS } as const;
    if (tool === 'duckdb') {
      setup.variants.push({ ...base, threads: '1', command: runnerCommand(tool, 1) });
      setup.variants.push({ ...base, threads: 'default', command: runnerCommand(tool, null) });
    } else if (tool === 'polars') {
      // POLARS_MAX_THREADS (set by the runner from --threads) at csvscan's two settings.
      setup.variants.push({ ...base, threads: '1', command: runnerCommand(tool, 1) });
      if (cores > 1) setup.variants.push({ ...base, threads: `${cores} (all cores)`, command: runnerCommand(tool, cores) });
    } else setup.variants.push({ ...base, threads: '1', command: runnerCommand(tool, null) });
  }
  for (const tool of ['mawk', 'gawk'] as const) {
    if (!wanted(tool)) continue;
    const path = findOnPath(tool, pathVariable);
    if (path === null) {
      setup.notRun.push(`${tool}: not on PATH`);
      continue;
    }
    setup.versions.push(commandVersion(tool === 'mawk' ? [path, '-W', 'version'] : [path, '--version']));
    setup.variants.push({ tool, threads: '1', handlesQuotes: false, isCsvscan: false, cases: BENCH_COMMANDS, command: awkCommand(path) });
  }
  for (const tool of ['mlr', 'datamash'] as const) {
    if (!wanted(tool)) continue;
    const path = findOnPath(tool, pathVariable);
    if (path === null) {
      setup.notRun.push(`${tool}: not on PATH`);
      continue;
    }
    setup.versions.push(commandVersion([path, '--version']));
    setup.variants.push(
      tool === 'mlr'
        ? { tool, threads: 'default', handlesQuotes: true, isCsvscan: false, cases: ['count-by'], command: millerCommand(path), parseGroups: parseMillerGroups }
        : { tool, threads: '1', handlesQuotes: false, isCsvscan: false, cases: ['count-by'], command: datamashCommand(path), parseGroups: parseDatamashGroups },
    );
  }
  return setup;
}

function readOwnVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

export type Outcome =
  | { kind: 'ok' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'timeout' };

/**
 * What a finished process means for its row: a peer runner exiting EXIT_PEER_SKIPPED (its package
 * is not installed) is skipped; any other non-zero exit failed.
 */
export function classifyOutcome(process: TimedProcess): Outcome {
  if (process.timedOut) return { kind: 'timeout' };
  const message = firstLine(process.stderr);
  if (process.status === EXIT_PEER_SKIPPED) return { kind: 'skipped', reason: message.replace(/^skipped:\s*/, '') };
  if (process.status !== 0) {
    return { kind: 'failed', reason: `exit ${process.status ?? 'by signal'}${message ? `: ${message}` : ''}` };
  }
  if (process.timing === null) return { kind: 'failed', reason: 'GNU time printed no figures' };
  return { kind: 'ok' };
}

/**
 * csvscan's refusal of a case it does not support yet (CAN_BE_REFUSED: exit 2 with a message naming
 * the option, --by or --all), as its message; null for any other outcome, which is a failure as usual.
 */
export function csvscanRefusal(benchCase: PeerCase, outcome: Outcome): string | null {
  const names = CAN_BE_REFUSED[benchCase];
  if (names === undefined || outcome.kind !== 'failed') return null;
  const match = /^exit 2: (.*)$/s.exec(outcome.reason);
  return match && names.test(match[1]!) ? match[1]! : null;
}

interface Measurement {
  outcome: Outcome;
  /** fastest run's seconds, largest peak RSS and the fastest run's faults; null unless ok */
  timing: ProcessTiming | null;
  /** the first run's output */
  stdout: string;
  runsDiffer: boolean;
}

/** Runs a command `runs` times (stopping at the first run that is not ok). */
function measure(argv: string[], runs: number, timeoutSeconds: number): Measurement {
  const processes: TimedProcess[] = [];
  for (let run = 0; run < runs; run++) {
    const finished = runTimed(argv, { cwd: REPO_ROOT, timeoutSeconds });
    const outcome = classifyOutcome(finished);
    if (outcome.kind !== 'ok') return { outcome, timing: null, stdout: finished.stdout, runsDiffer: false };
    processes.push(finished);
  }
  return {
    outcome: { kind: 'ok' },
    timing: bestTiming(processes.map((finished) => finished.timing!)),
    stdout: processes[0]!.stdout,
    runsDiffer: processes.some((finished) => finished.stdout !== processes[0]!.stdout),
  };
}

/** A peer runner's output line, or null when it is not one. */
export function parsePeerResult(stdout: string): PeerResult | null {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as PeerResult;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.rows !== 'number' || !Array.isArray(parsed.columns)) return null;
    return parsed;
  } catch {
    return null;
  }
}

/**
 * csvscan --threads 1 against the independent reference: bytes, rows, and count, empty, invalid and
 * sum_text of the summed column. Returns the agreement text for its row.
 */
export function checkCsvscanAgainstReference(benchCase: PeerCase, result: ScanResult, file: GeneratedFile): string {
  const label = `csvscan ${benchCase} ${basename(file.path)}`;
  if (result.bytes !== file.bytes) throw new Mismatch(`${label}: bytes is ${result.bytes}, the file has ${file.bytes}`);
  if (!file.reference) throw new Error(`${label}: no independent reference`);
  const difference = referenceDifference(result, file.reference);
  if (difference !== null) throw new Mismatch(`${label}: ${difference}`);
  if (benchCase === 'count-by' || benchCase === 'sum-by') {
    const groups = result.groups;
    if (!Array.isArray(groups)) throw new Mismatch(`${label}: no groups in csvscan's output`);
    if (result.group_count !== groups.length) throw new Mismatch(`${label}: group_count ${result.group_count} but ${groups.length} groups listed`);
    const grouped = groups.reduce((total, group) => total + group.rows, 0);
    if (grouped !== result.rows) throw new Mismatch(`${label}: the groups hold ${grouped} rows, the file ${result.rows}`);
    if (benchCase === 'count-by') return '= independent reference (rows); groups add up to rows';
    return checkGroupSumsAgainstReference(label, groups, file.reference);
  }
  if (benchCase === 'profile') {
    const problems = profileProblems(result);
    if (problems.length > 0) throw new Mismatch(`${label}: ${problems.join('; ')}`);
  }
  return benchCase === 'count' ? '= independent reference (rows)' : `= independent reference (rows, ${file.reference.column} count and sum_text)`;
}

/**
 * sum -c C --by K: every group holds column C, and their counts, empties, invalid values and exact
 * sums (sum_text, added exactly) add up to the independent reference's for the whole file.
 */
function checkGroupSumsAgainstReference(label: string, groups: GroupResult[], reference: ColumnReference): string {
  const column = reference.column;
  const columns = groups.map((group) => groupColumn(group, column));
  const missing = columns.findIndex((found) => found === undefined);
  if (missing >= 0) throw new Mismatch(`${label}: group ${JSON.stringify(groups[missing]!.key)} has no column ${column} in csvscan's output`);
  const found = columns as ColumnResult[];
  for (const what of ['count', 'empty', 'invalid'] as const) {
    const total = found.reduce((sum, result) => sum + result[what], 0);
    if (total !== reference[what]) throw new Mismatch(`${label}: the groups' ${what} of ${column} add up to ${total}, the independent reference says ${reference[what]}`);
  }
  const texts = found.map((result) => result.sum_text);
  if (texts.some((text) => text === null)) throw new Mismatch(`${label}: a group's sum_text of ${column} is null (outside the exact domain) in a generated file`);
  const total = addDecimalTexts(texts as string[]);
  if (total === null || relativeError(total, reference.sumText) !== 0) {
    throw new Mismatch(`${label}: the groups' sum_text of ${column} add up to ${total}, the independent reference says ${reference.sumText}`);
  }
  return `= independent reference (rows; groups add up to rows and to the ${column} count and sum_text)`;
}

export interface TableRow {
  tool: string;
  threads: string;
  benchCase: string;
  file: string;
  bytes: number;
  timing: ProcessTiming | null;
  agreement: string;
}

export function renderPeersTable(rows: TableRow[]): string[] {
  return markdownTable(
    ['tool', 'threads', 'case', 'file', 'MB/s', 'peak RSS MiB', 'agreement with csvscan'],
    ['left', 'left', 'left', 'left', 'right', 'right', 'left'],
    rows.map((row) => [
      row.tool,
      row.threads,
      row.benchCase,
      row.file,
      ...timingCells(row.bytes, row.timing),
      row.agreement,
    ]),
  );
}

function caseLabel(benchCase: PeerCase, columns: ColumnRef[]): string {
  if (benchCase === 'count') return 'count';
  if (benchCase === 'count-by') return `count --by ${columns[0]!.name}`;
  if (benchCase === 'sum-by') return `sum ${columns[0]!.name} --by ${columns[1]!.name}`;
  if (benchCase === 'sum') return `sum ${columns[0]!.name}`;
  if (benchCase === 'profile') return columns.length > 1 ? `profile (${columns.length} columns)` : 'profile';
  return `stats (${columns.length} columns)`;
}

function outcomeNote(outcome: Outcome, timeoutSeconds: number): string {
  if (outcome.kind === 'skipped') return `skipped: ${clipNote(outcome.reason)}`;
  if (outcome.kind === 'failed') return `failed: ${clipNote(outcome.reason)}`;
  if (outcome.kind === 'timeout') return `timed out after ${timeoutSeconds} s`;
  return '';
}

/** Columns of a csvscan result that hold numbers: the ones `stats` asks the peers for. */
function numericColumns(stats: ScanResult): ColumnRef[] {
  return (stats.columns ?? [])
    .filter((column) => column.count > 0)
    .map((column) => ({ name: column.name, index: column.index }));
}

/** One case on one file: a command, with its key column for count-by and sum-by. */
interface CaseRun {
  benchCase: PeerCase;
  key: ColumnRef | null;
}

/** The case runs on a file of a kind: the grouped cases once per key column of GROUP_KEYS (none on numeric). */
export function caseRuns(cases: readonly PeerCase[], kind: CsvKind): CaseRun[] {
  return cases.flatMap((benchCase): CaseRun[] =>
    GROUPED_CASES.includes(benchCase) ? GROUP_KEYS[kind].map((key) => ({ benchCase, key })) : [{ benchCase, key: null }],
  );
}

/** A grouped peer's [key, rows] pairs: its own parser, else the runner's JSON line. */
function peerGroups(variant: ToolVariant, stdout: string, key: string): { rows?: number; groups: GroupPairs } | null {
  if (variant.parseGroups) return variant.parseGroups(stdout, key);
  const peer = parsePeerResult(stdout);
  return peer && Array.isArray(peer.groups) ? { rows: peer.rows, groups: peer.groups } : null;
}

/**
 * A runner's sum-by line (bench/peers/common.mjs) as [key, rows, count, sum text] groups, or null when
 * it is not one: the key and summed column must be the ones asked for.
 */
export function parseGroupSums(stdout: string, column: string, key: string): { rows: number; groups: GroupSums } | null {
  const peer = parsePeerResult(stdout);
  if (peer === null || !Array.isArray(peer.groups) || peer.sum !== column || peer.by?.length !== 1 || peer.by[0] !== key) return null;
  const wellFormed = (peer.groups as unknown[]).every(
    (group) =>
      Array.isArray(group) &&
      group.length === 4 &&
      typeof group[0] === 'string' &&
      typeof group[1] === 'number' &&
      typeof group[2] === 'number' &&
      (typeof group[3] === 'string' || group[3] === null),
  );
  return wellFormed ? { rows: peer.rows, groups: peer.groups as unknown as GroupSums } : null;
}

/**
 * DuckDB's exact ranks of the thresholds of a profile check (bench/peers/duckdb.mjs `ranks`: one
 * untimed pass over the file); runs asking the same thresholds of a file are answered once.
 */
function exactRanks(file: string, request: Record<string, number[]>, timeoutSeconds: number, cache: Map<string, RankCounts | string>): RankCounts | string {
  const key = `${file}\u0000${JSON.stringify(request)}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  log(`duckdb ranks (untimed: DuckDB's quartiles and csvscan's placed in ${basename(file)}'s exact order)`);
  const finished = spawnSync(process.execPath, [join(REPO_ROOT, 'bench', 'peers', 'duckdb.mjs'), 'ranks', file, JSON.stringify(request)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: timeoutSeconds * 1000,
    maxBuffer: 64 << 20,
  });
  const ranks = finished.status === 0 ? parseRankCounts(finished.stdout) : null;
  const answer = ranks ?? `exit ${finished.status ?? finished.signal ?? 'unknown'}: ${clipNote(firstLine(finished.stderr ?? '') || finished.stdout || '', 120)}`;
  cache.set(key, answer);
  return answer;
}

/**
 * A profile row's agreement (the profile case): the peer's SUMMARIZE or describe against csvscan's
 * `stats --all`, DuckDB's quartiles placed by exactRanks(). `mismatch` is true when they disagree
 * beyond the tolerances: that row then shows no speed, and the run fails.
 */
function profileAgreement(
  variant: ToolVariant,
  stdout: string,
  expected: ScanResult,
  file: string,
  timeoutSeconds: number,
  cache: Map<string, RankCounts | string>,
): { agreement: string; mismatch: boolean; threads?: number } | { failed: string } {
  const profile = parsePeerProfile(stdout);
  if (profile === null) return { failed: `output is not a profile: ${clipNote(stdout, 80)}` };
  const rules = variant.tool === 'duckdb' ? DUCKDB_SUMMARIZE : POLARS_DESCRIBE;
  let ranks: RankCounts | null = null;
  if (rules.quantiles === 't-digest') {
    const request = rankRequest(profile, expected);
    if (Object.keys(request).length > 0) {
      const answer = exactRanks(file, request, timeoutSeconds, cache);
      if (typeof answer === 'string') return { failed: `exact ranks of DuckDB's quartiles: ${answer}` };
      ranks = answer;
    }
  }
  const agreement = compareProfile(profile, expected, rules, ranks);
  return { agreement, mismatch: agreement.startsWith('wrong'), threads: profile.threads };
}

async function benchmarkFile(file: GeneratedFile, setup: ToolSetup, options: PeersOptions, mismatches: string[]): Promise<TableRow[]> {
  const fileName = basename(file.path);
  log(`warming the page cache with ${fileName} ...`);
  warmPageCache(file.path);
  const [reference, ...others] = setup.variants;
  const runs = caseRuns(options.cases, file.kind);
  const csvscanOutputs = new Map<CaseRun, { stdout: string; result: ScanResult; columns: ColumnRef[] }>();
  /** the runs csvscan refused (CAN_BE_REFUSED): their only row says so, and nothing else runs them */
  const refused = new Set<CaseRun>();
  const rowsByCase = new Map<CaseRun, TableRow[]>(runs.map((run) => [run, []]));
  const rankCache = new Map<string, RankCounts | string>();
  const row = (variant: ToolVariant, benchCase: PeerCase, columns: ColumnRef[], timing: ProcessTiming | null, agreement: string, threads = variant.threads): TableRow => ({
    tool: variant.tool,
    threads,
    benchCase: caseLabel(benchCase, columns),
    file: fileName,
    bytes: file.bytes,
    timing,
    agreement,
  });

  // csvscan --threads 1 first: every other row is compared with it, so it is checked before anything else.
  for (const run of runs) {
    const { benchCase } = run;
    const summed: ColumnRef[] = benchCase === 'sum' || benchCase === 'sum-by' ? [{ name: file.sumColumn, index: 0 }] : [];
    const requested: ColumnRef[] = [...summed, ...(run.key ? [run.key] : [])];
    const label = `${caseLabel(benchCase, requested.length > 0 ? requested : [{ name: '', index: 0 }])} ${fileName}`;
    log(`csvscan --threads 1 ${label}`);
    const measurement = measure(reference!.command(benchCase, file.path, requested), options.runs, options.timeoutSeconds);
    const refusal = csvscanRefusal(benchCase, measurement.outcome);
    if (refusal !== null) {
      log(`csvscan refuses ${label}: the case is skipped (${refusal})`);
      refused.add(run);
      rowsByCase.get(run)!.push(row(reference!, benchCase, requested, null, `skipped: csvscan refuses it for now, so no tool runs it (${clipNote(refusal)})`));
      continue;
    }
    if (measurement.outcome.kind !== 'ok') {
      throw new Failed(`csvscan ${label} --threads 1: ${outcomeNote(measurement.outcome, options.timeoutSeconds)}`);
    }
    if (measurement.runsDiffer) throw new Mismatch(`csvscan ${label}: runs printed different results`);
    const result = parseCsvscanResult(`csvscan ${label}`, measurement.stdout);
    const agreement = checkCsvscanAgainstReference(benchCase, result, file);
    const columns =
      benchCase === 'count-by' || benchCase === 'sum-by'
        ? requested
        : benchCase === 'count'
          ? []
          : benchCase === 'sum' || benchCase === 'profile'
            ? result.columns!.map((column) => ({ name: column.name, index: column.index }))
            : numericColumns(result);
    csvscanOutputs.set(run, { stdout: measurement.stdout, result, columns });
    rowsByCase.get(run)!.push(row(reference!, benchCase, columns, measurement.timing, agreement));
  }

  for (const run of runs) {
    if (refused.has(run)) continue;
    const { benchCase } = run;
    const expected = csvscanOutputs.get(run)!;
    const label = `${caseLabel(benchCase, expected.columns)} ${fileName}`;
    for (const variant of others) {
      if (!variant.cases.includes(benchCase)) continue;
      log(`${variant.tool} threads ${variant.threads} ${label}`);
      const measurement = measure(variant.command(benchCase, file.path, expected.columns), options.runs, options.timeoutSeconds);
      const rows = rowsByCase.get(run)!;
      if (measurement.outcome.kind !== 'ok') {
        if (variant.isCsvscan) {
          throw new Failed(`csvscan ${label} threads ${variant.threads}: ${outcomeNote(measurement.outcome, options.timeoutSeconds)}`);
        }
        rows.push(row(variant, benchCase, expected.columns, null, outcomeNote(measurement.outcome, options.timeoutSeconds)));
        continue;
      }
      if (variant.isCsvscan) {
        // Thread counts may differ in the last bits of columns outside the exact domain (docs/spec.md);
        // grouped counts are integers and must be identical.
        const comparison = compareOutputs(expected.stdout.trim(), measurement.stdout.trim(), true);
        if ('difference' in comparison) {
          throw new Mismatch(
            `csvscan ${label} threads ${variant.threads} differs from --threads 1 (${comparison.difference}):\n` +
              `  ${clipNote(measurement.stdout, 1500)}\n--threads 1:\n  ${clipNote(expected.stdout, 1500)}`,
          );
        }
        rows.push(row(variant, benchCase, expected.columns, measurement.timing, '= --threads 1'));
        continue;
      }
      const context = { quotedFile: KIND_HAS_QUOTES[file.kind], toolHandlesQuotes: variant.handlesQuotes };
      let agreement: string;
      let threads = variant.threads;
      if (benchCase === 'profile') {
        const compared = profileAgreement(variant, measurement.stdout, expected.result, file.path, options.timeoutSeconds, rankCache);
        if ('failed' in compared) {
          rows.push(row(variant, benchCase, expected.columns, null, `failed: ${compared.failed}`));
          continue;
        }
        if (variant.threads === 'default' && typeof compared.threads === 'number') threads = `${compared.threads} (default)`;
        if (compared.mismatch) {
          // Beyond the stated errors either tool may be wrong: no speed is printed for the row, and the run fails.
          const text = compared.agreement.replace(/^wrong: /, '');
          mismatches.push(`${variant.tool} threads ${threads} ${label}: ${text}`);
          rows.push(row(variant, benchCase, expected.columns, null, `MISMATCH: ${clipNote(text, 400)}`, threads));
          continue;
        }
        agreement = compared.agreement;
      } else if (benchCase === 'sum-by') {
        const [column, key] = expected.columns;
        const grouped = parseGroupSums(measurement.stdout, column!.name, key!.name);
        if (grouped === null) {
          rows.push(row(variant, benchCase, expected.columns, null, `failed: output is not a grouped sum: ${clipNote(measurement.stdout, 80)}`));
          continue;
        }
        agreement = compareGroupSums(grouped.groups, grouped.rows, expected.result, column!.name, context);
        const peer = parsePeerResult(measurement.stdout);
        if (variant.threads === 'default' && typeof peer?.threads === 'number') threads = `${peer.threads} (default)`;
      } else if (benchCase === 'count-by') {
        const grouped = peerGroups(variant, measurement.stdout, expected.columns[0]!.name);
        if (grouped === null) {
          rows.push(row(variant, benchCase, expected.columns, null, `failed: output is not a grouped result: ${clipNote(measurement.stdout, 80)}`));
          continue;
        }
        agreement = compareGroups(grouped.groups, grouped.rows, expected.result, context);
        const peer = variant.parseGroups ? null : parsePeerResult(measurement.stdout);
        if (variant.threads === 'default' && typeof peer?.threads === 'number') threads = `${peer.threads} (default)`;
      } else {
        const peer = parsePeerResult(measurement.stdout);
        if (peer === null) {
          rows.push(row(variant, benchCase, expected.columns, null, `failed: output is not a result: ${clipNote(measurement.stdout, 80)}`));
          continue;
        }
        agreement = describeAgreement(peer, expected.result, context);
        if (variant.threads === 'default' && typeof peer.threads === 'number') threads = `${peer.threads} (default)`;
      }
      if (measurement.runsDiffer) agreement += '; runs differ';
      rows.push(row(variant, benchCase, expected.columns, measurement.timing, agreement, threads));
    }
  }
  return runs.flatMap((run) => rowsByCase.get(run)!);
}

function fileDescription(file: GeneratedFile): string {
  return (
    `- file: ${basename(file.path)}: ${file.bytes} bytes, ${file.rows} rows, ${file.kind}` +
    `${KIND_HAS_QUOTES[file.kind] ? ' (quoted fields with commas and line breaks)' : ''}; ` +
    `exact ${file.sumColumn} sum ${file.reference?.sumText ?? 'unknown'}`
  );
}

const PEERS_NOTES = [
  '- MB/s: file bytes / 10^6 / wall seconds of the whole process (`/usr/bin/time %e`), node, DuckDB or polars start-up included;',
  '  peak RSS: `%M` of that process (each peer runs in its own process, DuckDB too).',
  "- agreement: against csvscan `--threads 1`, whose rows and summed column (count, empty, invalid, sum_text) equal the",
  '  independent reference. `exact`: the same decimal value as csvscan\'s sum_text; `off by X relative`:',
  '  |peer - exact| / |exact|, computed exactly; `(correctly rounded)`: the double nearest the exact sum, the best a',
  '  double can do; `wrong`: other records or numbers were read.',
  '- udsv, papaparse, csv-parse: streaming parsers; the column is summed in JavaScript with `parseFloat` and `+=` (NaN',
  '  skipped), stats with min/max and Welford\'s running variance. DuckDB: `read_csv` with its sniffer, SQL `count`,',
  '  `sum`, `min`, `max`, `avg`, `stddev_samp`; DOUBLE columns sum in floating point, BIGINT columns exactly.',
  '- awk (`-F,`) splits every comma and every line: on a file with quoted fields (the mixed kind) it reads other records',
  '  and fields, shown as `wrong (quoted fields)`. Its `sum` is the one-liner `NR>1{s+=$N} END{printf "%.17g", s}`.',
  '- count --by KEY (mixed file): csvscan `count --by KEY --json`; DuckDB `SELECT KEY, count(*) ... GROUP BY ALL` with the',
  '  key read as VARCHAR (NULL, its empty field, as the empty key); Miller `count -g`, datamash `-s -g N count N` when on',
  '  PATH. `groups equal`: the same keys (UTF-8 text, unquoted) with the same counts, compared as sorted key -> count maps.',
  '- polars (nodejs-polars): lazy `scanCSV` (types inferred from the first 100 rows) collected by the streaming engine,',
  '  `pl.len()` and per column `count`, `sum`, `min`, `max`, `mean`, `std`, a text column cast to Float64 non-strictly;',
  '  Float64 columns sum in floating point, Int64 columns in Int64, which wraps around past 2^63 (shown as `wrong`);',
  '  `groupBy(KEY).len()` / `.agg(count, sum)` with the key read as text; threads set by POLARS_MAX_THREADS.',
  '- sum C --by KEY (mixed file): csvscan `sum -c C --by KEY --json`, DuckDB `count(C), sum(C) ... GROUP BY ALL`, polars',
  '  `groupBy`; the keys and each key\'s records and count of numbers compared exactly, each key\'s sum against csvscan\'s',
  '  exact sum_text within 1e-9 relative. Skipped, with the reason in csvscan\'s row, while csvscan refuses `sum --by`.',
  '- profile (every column): csvscan `stats --all --json`; DuckDB `SUMMARIZE SELECT * FROM read_csv(FILE)`; polars what Python',
  "  polars' `describe()` computes (count, null_count, mean, std, min, 25/50/75% with interpolation 'nearest', max) on",
  '  `scanCSV` (nodejs-polars\' own describe() has no count and no quartiles). Compared per column: rows, counts and nulls',
  '  exactly, types (integer: BIGINT/Int64; decimal, float: DOUBLE, DECIMAL/Float64; text: VARCHAR, DATE/String, or a number',
  '  column with invalid fields), min/max exactly, mean and stddev within 1e-9 relative; quartiles within 0.5% of polars\'',
  "  exact ones; DuckDB's (a T-digest, compression 100) within 2π·sqrt(p(1-p))/100 of their rank and csvscan's within 0.5%",
  "  of the exact values, both placed by an untimed exact count in DuckDB; distinct within 3 standard errors of DuckDB's",
  '  HyperLogLog (64 registers: 13%). Beyond any of these the row says MISMATCH, shows no speed, and the run exits 1.',
];

/**
 * The whole peers benchmark: prepares the files, measures, checks, and prints the report (also to
 * `--out`). `machine` replaces the machine description taken now: `npm run bench` passes the one it
 * took before csvscan's own benchmark, so the load average is the machine's, not that of the run.
 */
async function runPeers(options: PeersOptions, machine: string[] | null): Promise<void> {
  const environmentProblem = missingTimeBinary() ?? missingBuild();
  if (environmentProblem) throw new UsageError(environmentProblem);
  const cores = availableParallelism();
  const setup = setUpTools(options.tools, cores, process.env.PATH);
  const header = ['## csvscan and its peers', '', ...(machine ?? machineDescription())];

  // A kind none of the cases runs on (the numeric file for `--cases count-by,sum-by`) is not generated.
  const kinds = (options.big ? ['numeric'] : ['numeric', 'mixed']).filter((kind) => caseRuns(options.cases, kind as CsvKind).length > 0) as CsvKind[];
  if (kinds.length === 0) throw new UsageError(`--cases ${options.cases.join(',')} runs on no file${options.big ? ' with --big (count-by and sum-by are on the mixed file only)' : ''}`);
  const files: GeneratedFile[] = [];
  for (const kind of kinds) files.push(await prepareGeneratedFile(kind, options.sizeBytes, options.seed, true));

  const rows: TableRow[] = [];
  const mismatches: string[] = [];
  for (const file of files) rows.push(...(await benchmarkFile(file, setup, options, mismatches)));

  // csvscan's results have all been checked by now: only from here on are speeds printed.
  const report = [
    ...header,
    ...files.map(fileDescription),
    `- tools: ${setup.versions.join(', ')}`,
    ...(setup.notRun.length > 0 ? [`- not run: ${setup.notRun.join('; ')}`] : []),
    `- runs: ${options.runs === 1 ? 'one per row' : `best of ${options.runs} per row`}; page cache warm`,
    '',
    ...renderPeersTable(rows),
    '',
    ...PEERS_NOTES,
  ];
  const text = report.join('\n') + '\n';
  process.stdout.write(text);
  if (options.out) {
    writeFileSync(resolve(options.out), text);
    log(`written to ${options.out}`);
  }
  // The table is printed with these rows' speeds left out; the run still fails.
  if (mismatches.length > 0) throw new Mismatch(`column profile beyond the stated errors:\n  ${mismatches.join('\n  ')}`);
}

/**
 * Runs the peers benchmark and returns its exit code: 0 done, 1 csvscan failed or disagreed
 * (`FAILED:` / `MISMATCH:` on stdout, no speed printed), 2 bad options or nothing built (on stderr).
 */
export async function runPeersBenchmark(options: PeersOptions, machine: string[] | null = null): Promise<number> {
  try {
    await runPeers(options, machine);
    return 0;
  } catch (error) {
    return reportError('bench:peers', error);
  }
}

runIfMain(import.meta.url, 'bench:peers', () => runPeersBenchmark(parsePeersArguments(process.argv.slice(2))));
