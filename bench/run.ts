// Benchmark runner: times the csvscan CLI as a user runs it (a whole `node bin/csvscan.js` process)
// on generated files, and refuses to print a speed unless every result has been checked first.
// Then it runs the peers benchmark (bench/peers.ts) on the same files and prints its table too.
//
//   node build/host/bench/run.js [--quick] [--size 1G] [--runs N] [--seed N] [--big]
//                                [--file PATH [--column COL]] [--no-peers]
//                                [--tools LIST] [--cases LIST] [--timeout SECONDS] [--out PATH]
//                                [-- extra csvscan options]
//
// See bench/README.md for what is checked and how to read the tables.

import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DEFAULT_SEED, sizeLabel, type CsvKind } from '../src/bench/generate.js';
import { parseCsvscanResult, referenceDifference, type ColumnReference } from './independent-check.js';
import { clipNote, markdownTable } from './markdown.js';
import { parsePeersArguments, runPeersBenchmark, type PeersOptions } from './peers.js';
import { compareOutputs } from '../src/bench/agreement.js';
import { BENCH_COMMANDS, type BenchCommand } from '../src/bench/plan.js';
import { formatMiB } from '../src/bench/table.js';
import { firstNumericColumn, warmPageCache } from '../src/bench/target.js';
import type { ColumnResult, ScanResult } from '../src/types.js';
import { Failed, Mismatch, optionValue, runIfMain, takeFileOption, UsageError, type FileOptions } from './script.js';
import {
  BIG_SIZE,
  CLI_PATH,
  DEFAULT_SIZE,
  QUICK_SIZE,
  REPO_ROOT,
  log,
  machineDescription,
  missingBuild,
  prepareGeneratedFile,
} from './data-files.js';
import { bestTiming, firstLine, missingTimeBinary, runTimed, timingCells, type ProcessTiming } from './process-timing.js';

const SPEC_MEMORY_TARGET_MIB = 256;

interface RunnerOptions extends FileOptions {
  big: boolean;
  file: string | null;
  column: string | null;
  /** passed to every csvscan invocation of csvscan's own benchmark (after `--`), not to the peers' */
  extraArgs: string[];
  /** the peers benchmark run afterwards on the same files; null with --no-peers or --file */
  peers: PeersOptions | null;
}

/** Options of this runner alone; all others (--quick, --big, --size, --runs, --seed) go on to the peers part too. */
const RUNNER_ONLY_OPTIONS = ['--no-peers', '--file', '--column'];
/** Options only the peers part knows: passed on, and refused when the peers part does not run. */
const PEERS_ONLY_VALUE_OPTIONS = ['--tools', '--cases', '--timeout', '--out'];

/** One benchmark input: a generated file (with its independent reference) or a user's file. */
interface Target {
  path: string;
  bytes: number;
  kind: CsvKind | null;
  /** column for `sum`; null = pick the first numeric column from `stats` (user files) */
  sumColumn: string | null;
  reference: ColumnReference | null;
  description: string;
}

/** A variant re-runs a command with extra options; its JSON must match the default's. */
interface Variant {
  name: string;
  args: string[];
  /** thread count may change the last bits of columns outside the exact domain (docs/spec.md) */
  tolerantOutsideExactDomain: boolean;
}

const VARIANTS: Variant[] = [
  { name: '--io read', args: ['--io', 'read'], tolerantOutsideExactDomain: false },
  { name: '--window 64K', args: ['--window', '64K'], tolerantOutsideExactDomain: false },
  { name: '--engine js', args: ['--engine', 'js'], tolerantOutsideExactDomain: false },
  { name: '--threads 1', args: ['--threads', '1'], tolerantOutsideExactDomain: true },
];


interface Measurement {
  timing: ProcessTiming;
  stdout: string;
}

interface TableRow {
  command: string;
  file: string;
  variant: string;
  runs: number;
  bytes: number;
  /** the fastest run's seconds, the largest peak RSS */
  timing: ProcessTiming;
  check: string;
}

function usage(): string {
  return [
    'usage: node build/host/bench/run.js [options] [-- csvscan options]',
    "csvscan's own benchmark, then the peers benchmark (bench/peers.js) on the same files.",
    `  --quick          1 run on ${sizeLabel(QUICK_SIZE).toUpperCase()} files (smoke test: both tables in under a minute)`,
    '  --size SIZE      size of the generated files (default 1G; 64K, 256M, 10G ...)',
    '  --runs N         timed runs per command, best is reported (default 3; 1 with --quick or --big;',
    '                   the peers part: 1 unless given)',
    '  --seed N         generator seed (default 1)',
    '  --big            the 10 GiB numeric file only (peak memory record)',
    '  --file PATH      benchmark a user file (cross-run agreement checks only; no peers table)',
    '  --column COL     column for `sum` with --file (default: first numeric column)',
    "  --no-peers       csvscan's own table only",
    '  --tools, --cases, --timeout, --out   passed to the peers part only (see bench/peers.js --help)',
    '  -- OPTIONS       anything after a second `--` goes to every csvscan call of the first table',
  ].join('\n');
}

export function parseArguments(argv: string[]): RunnerOptions {
  const options: RunnerOptions = {
    quick: false,
    sizeBytes: DEFAULT_SIZE,
    runs: 3,
    seed: DEFAULT_SEED,
    big: false,
    file: null,
    column: null,
    extraArgs: [],
    peers: null,
  };
  const given = new Set<string>();
  let noPeers = false;
  /** what the peers part is given: the shared options and the peers-only ones, in order */
  const peersArgv: string[] = [];
  const peersOnlyGiven: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    const start = i;
    const takeValue = (): string => optionValue(argv, ++i, name);
    if (name === '--') {
      options.extraArgs = argv.slice(i + 1);
      break;
    } else if (name === '--help' || name === '-h') throw new UsageError(usage());
    else if (name === '--no-peers') noPeers = true;
    else if (name === '--file') options.file = takeValue();
    else if (name === '--column') options.column = takeValue();
    else if (name === '--big') options.big = true;
    else if (PEERS_ONLY_VALUE_OPTIONS.includes(name)) {
      takeValue();
      peersOnlyGiven.push(name);
    } else if (!takeFileOption(name, takeValue, options, given)) throw new UsageError(`unknown option: ${name}\n${usage()}`);
    if (!RUNNER_ONLY_OPTIONS.includes(name)) peersArgv.push(...argv.slice(start, i + 1));
  }
  if (options.big && options.file) throw new UsageError('--big and --file do not go together');
  if (options.quick && options.big) throw new UsageError('--quick and --big do not go together');
  if (options.column && !options.file) throw new UsageError('--column goes with --file');
  if (options.quick && !given.has('--size')) options.sizeBytes = QUICK_SIZE;
  if (options.big && !given.has('--size')) options.sizeBytes = BIG_SIZE;
  if ((options.quick || options.big) && !given.has('--runs')) options.runs = 1;

  const peersLeftOut = noPeers ? '--no-peers' : options.file !== null ? '--file' : null;
  if (peersLeftOut !== null) {
    if (peersOnlyGiven.length > 0) {
      throw new UsageError(`${peersOnlyGiven.join(', ')}: for the peers benchmark, which ${peersLeftOut} leaves out`);
    }
  } else {
    options.peers = parsePeersArguments(peersArgv);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Data files: generated once, reused while their sidecar says the same kind/size/seed/generator.

async function prepareGeneratedTarget(kind: CsvKind, sizeBytes: number, seed: number): Promise<Target> {
  const file = await prepareGeneratedFile(kind, sizeBytes, seed, true);
  const reference = file.reference!;
  return {
    path: file.path,
    bytes: file.bytes,
    kind,
    sumColumn: file.sumColumn,
    reference,
    description:
      `${basename(file.path)}: ${file.bytes} bytes, ${file.rows} rows, ${kind}, seed ${seed}; ` +
      `reference ${file.sumColumn} sum ${reference.sumText}`,
  };
}

function prepareUserTarget(path: string, column: string | null): Target {
  const absolutePath = resolve(path);
  let bytes: number;
  try {
    const stat = statSync(absolutePath);
    if (!stat.isFile()) throw new UsageError(`${path}: not a regular file`);
    bytes = stat.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
  return {
    path: absolutePath,
    bytes,
    kind: null,
    sumColumn: column,
    reference: null,
    description: `${basename(absolutePath)}: ${bytes} bytes, user file`,
  };
}

// ---------------------------------------------------------------------------------------------
// Running the CLI

/** Runs `node bin/csvscan.js ARGS` under GNU time (process-timing.ts, as the peers table): wall seconds and peak RSS of the process. */
function runCli(args: string[]): Measurement {
  const finished = runTimed([process.execPath, CLI_PATH, ...args], { cwd: REPO_ROOT, timeoutSeconds: 0 });
  const command = `csvscan ${args.join(' ')}`;
  // Exit 2: csvscan refused the options, which come from the user (after a second `--`).
  if (finished.status === 2) throw new UsageError(`${command}: ${firstLine(finished.stderr) || 'exit 2'}`);
  if (finished.status !== 0 || !finished.timing) {
    throw new Failed(`${command} exited with ${finished.status}:\n${finished.stderr.trimEnd()}`);
  }
  return { timing: finished.timing, stdout: finished.stdout.trim() };
}

function commandArgs(command: BenchCommand, target: Target, sumColumn: string | null, extra: string[]): string[] {
  const args: string[] = [command, target.path];
  if (command === 'sum') args.push('-c', sumColumn ?? '');
  return [...args, '--json', ...extra];
}

// ---------------------------------------------------------------------------------------------
// Checks

function expectEqual(label: string, what: string, expected: unknown, actual: unknown): void {
  if (JSON.stringify(expected) !== JSON.stringify(actual)) {
    throw new Mismatch(`${label}: ${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

/** The fields a `sum` column and a `stats` column must agree on when both report them. */
const SHARED_COLUMN_FIELDS: (keyof ColumnResult)[] = ['name', 'index', 'count', 'empty', 'invalid', 'first_invalid', 'sum', 'sum_text'];
const OPTIONAL_SHARED_FIELDS: (keyof ColumnResult)[] = ['min', 'max', 'mean', 'stddev'];

function checkTargetResults(target: Target, outputs: Map<BenchCommand, string>, sumColumn: string | null): void {
  const file = basename(target.path);
  const results = new Map<BenchCommand, ScanResult>();
  for (const [command, stdout] of outputs) results.set(command, parseCsvscanResult(`${command} ${file}`, stdout));

  const count = results.get('count');
  for (const [command, result] of results) {
    const label = `${command} ${file}`;
    expectEqual(label, 'bytes', target.bytes, result.bytes);
    if (count) {
      expectEqual(label, 'rows (vs count)', count.rows, result.rows);
      expectEqual(label, 'ragged (vs count)', count.ragged, result.ragged);
    }
  }

  const sum = results.get('sum');
  const stats = results.get('stats');
  if (sum && stats && sumColumn !== null) {
    const summed = sum.columns?.[0];
    const statsColumn = stats.columns?.find((column) => column.name === summed?.name);
    if (!summed || !statsColumn) throw new Mismatch(`sum ${file}: column ${sumColumn} missing from sum or stats output`);
    for (const field of SHARED_COLUMN_FIELDS) {
      expectEqual(`sum ${file}`, `${field} of ${summed.name} (vs stats)`, statsColumn[field], summed[field]);
    }
    for (const field of OPTIONAL_SHARED_FIELDS) {
      if (summed[field] !== null && summed[field] !== undefined && statsColumn[field] !== null) {
        expectEqual(`sum ${file}`, `${field} of ${summed.name} (vs stats)`, statsColumn[field], summed[field]);
      }
    }
  }

  if (target.reference) {
    for (const [command, result] of results) {
      const difference = referenceDifference(result, target.reference);
      if (difference !== null) throw new Mismatch(`${command} ${file}: ${difference}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------

async function benchmarkTarget(target: Target, options: RunnerOptions): Promise<TableRow[]> {
  const file = basename(target.path);
  log(`warming the page cache with ${file} ...`);
  warmPageCache(target.path);

  const rows: TableRow[] = [];
  const defaultOutputs = new Map<BenchCommand, string>();
  let sumColumn = target.sumColumn;
  // stats first on a user file: it picks the column `sum` adds when none was given.
  const order: readonly BenchCommand[] = target.kind === null && sumColumn === null ? ['count', 'stats', 'sum'] : BENCH_COMMANDS;

  for (const command of order) {
    if (command === 'sum' && sumColumn === null) {
      // The first column that holds numbers (for `sum` on a user file).
      sumColumn = firstNumericColumn(JSON.parse(defaultOutputs.get('stats') ?? '{}') as ScanResult);
      if (sumColumn === null) {
        log(`skipping sum: ${file} has no numeric column`);
        continue;
      }
    }
    const baseArgs = commandArgs(command, target, sumColumn, options.extraArgs);
    const label = `${command}${command === 'sum' ? ` -c ${sumColumn}` : ''}`;

    const measurements: Measurement[] = [];
    for (let run = 1; run <= options.runs; run++) {
      log(`${label} ${file}: run ${run}/${options.runs}`);
      measurements.push(runCli(baseArgs));
    }
    const expected = measurements[0].stdout;
    measurements.forEach((measurement, i) => {
      if (measurement.stdout !== expected) {
        throw new Mismatch(`${label} ${file}: run ${i + 1} printed\n  ${clipNote(measurement.stdout, 1500)}\nrun 1 printed\n  ${clipNote(expected, 1500)}`);
      }
    });
    defaultOutputs.set(command, expected);
    rows.push(tableRow(label, file, 'default', target.bytes, measurements, 'runs agree'));

    for (const variant of VARIANTS) {
      log(`${label} ${file}: ${variant.name}`);
      const measurement = runCli([...baseArgs, ...variant.args]);
      const comparison = compareOutputs(expected, measurement.stdout, variant.tolerantOutsideExactDomain);
      if ('difference' in comparison) {
        throw new Mismatch(
          `${label} ${file} ${variant.name} differs from the default (${comparison.difference}):\n  ${clipNote(measurement.stdout, 1500)}\n` +
            `default:\n  ${clipNote(expected, 1500)}`,
        );
      }
      rows.push(tableRow(label, file, variant.name, target.bytes, [measurement], '= default'));
    }
  }

  checkTargetResults(target, defaultOutputs, sumColumn);
  // Table order is count, sum, stats whatever order they ran in (sort is stable).
  rows.sort((a, b) => BENCH_COMMANDS.indexOf(commandOf(a)) - BENCH_COMMANDS.indexOf(commandOf(b)));
  const checked = target.reference ? 'runs agree, = other commands, = reference' : 'runs agree, = other commands';
  for (const row of rows) if (row.variant === 'default') row.check = checked;
  return rows;
}

function commandOf(row: TableRow): BenchCommand {
  return row.command.split(' ')[0] as BenchCommand;
}

function tableRow(
  command: string,
  file: string,
  variant: string,
  bytes: number,
  measurements: Measurement[],
  check: string,
): TableRow {
  return {
    command,
    file,
    variant,
    runs: measurements.length,
    bytes,
    timing: bestTiming(measurements.map((measurement) => measurement.timing)),
    check,
  };
}

function formatTable(rows: TableRow[]): string[] {
  return markdownTable(
    ['command', 'file', 'variant', 'runs', 'MB/s', 'peak RSS MiB', 'check'],
    ['left', 'left', 'left', 'right', 'right', 'right', 'left'],
    rows.map((row) => [
      row.command,
      row.file,
      row.variant,
      String(row.runs),
      ...timingCells(row.bytes, row.timing),
      row.check,
    ]),
  );
}

async function main(): Promise<number> {
  const options = parseArguments(process.argv.slice(2));
  const environmentProblem = missingTimeBinary() ?? missingBuild();
  if (environmentProblem) throw new UsageError(environmentProblem);
  // Taken once, before anything runs: the peers report repeats it (its load average is the machine's, not ours).
  const machine = machineDescription();
  const header = ['## csvscan benchmark', '', ...machine];

  const targets: Target[] = [];
  if (options.file) targets.push(prepareUserTarget(options.file, options.column));
  else if (options.big) targets.push(await prepareGeneratedTarget('numeric', options.sizeBytes, options.seed));
  else {
    for (const kind of ['numeric', 'mixed'] as const) {
      targets.push(await prepareGeneratedTarget(kind, options.sizeBytes, options.seed));
    }
  }

  const rows: TableRow[] = [];
  for (const target of targets) rows.push(...(await benchmarkTarget(target, options)));

  // Every result has been checked by now: only from here on are speeds printed.
  const peakRssKiB = Math.max(...rows.map((row) => row.timing.maxRssKiB));
  const output = [
    ...header,
    ...targets.map((target) => `- file: ${target.description}`),
    `- runs: best of ${options.runs} for the default; 1 for each variant${options.extraArgs.length ? `; csvscan options: ${options.extraArgs.join(' ')}` : ''}`,
    '- MB/s: file bytes / 10^6 / wall seconds of the whole process (node start included)',
    '',
    ...formatTable(rows),
    '',
    `Peak RSS over all runs: ${formatMiB(peakRssKiB)} MiB (docs/spec.md target: under ${SPEC_MEMORY_TARGET_MIB} MiB with two threads${peakRssKiB / 1024 > SPEC_MEMORY_TARGET_MIB ? ' - OVER TARGET' : ''}).`,
  ];
  process.stdout.write(output.join('\n') + '\n');

  if (options.peers === null) {
    if (options.file !== null) log('the peers benchmark runs on generated files only: not run with --file');
    return 0;
  }
  // csvscan's own table is out (and checked); the peers part prints its own checks and table.
  process.stdout.write('\n');
  log('peers benchmark (npm run bench:peers) on the same files ...');
  return runPeersBenchmark(options.peers, machine);
}

runIfMain(import.meta.url, 'bench', main);
