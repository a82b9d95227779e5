// `npm run bench:gzip`: csvscan on a gzip file next to `gzip -dc FILE > /dev/null` (issue 15's target:
// at least 90% of its speed). The generated numeric file is compressed with gzip -6 once (kept in
// bench/data/ beside it); every csvscan run is checked first: its answer on the .gz file (and on
// the .gz bytes piped to standard input) must be the plain file's, and the plain file's must equal
// the independent reference. Only then are speeds printed.

import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_SEED } from '../src/bench/generate.js';
import { formatMiB, formatSpeed } from '../src/bench/table.js';
import type { ScanResult } from '../src/types.js';
import { CLI_PATH, log, machineDescription, missingBuild, prepareGeneratedFile, printReport, REPO_ROOT, type GeneratedFile } from './data-files.js';
import { parseCsvscanResult, referenceDifference } from './independent-check.js';
import { markdownTable } from './markdown.js';
import { bestTiming, firstLine, missingTimeBinary, runTimed, type ProcessTiming } from './process-timing.js';
import { Failed, Mismatch, parseTimedFileArguments, runIfMain, UsageError, type TimedFileOptions } from './script.js';

/** issue 15: csvscan on a .gz file at no less than this fraction of `gzip -dc`'s speed */
export const TARGET_FRACTION = 0.9;
const DEFAULT_SIZE = 256 * 2 ** 20;
const QUICK_SIZE = 32 * 2 ** 20;
const LEVEL = 6;

type GzipOptions = TimedFileOptions;

function usage(): string {
  return 'usage: npm run bench:gzip -- [--quick] [--size 256M] [--runs 3] [--seed N] [--timeout SECONDS] [--out FILE]';
}

export function parseGzipArguments(argv: string[]): GzipOptions {
  return parseTimedFileArguments(argv, { quick: false, sizeBytes: DEFAULT_SIZE, runs: 3, seed: DEFAULT_SEED, timeoutSeconds: 600, out: null }, QUICK_SIZE, usage);
}

/** FILE compressed with `gzip -6` beside it, made again when FILE is newer. */
function compressed(file: GeneratedFile): string {
  const path = file.path.replace(/\.csv$/, `.gzip${LEVEL}.csv.gz`);
  if (existsSync(path) && statSync(path).mtimeMs >= statSync(file.path).mtimeMs) {
    log(`reusing ${basename(path)}`);
    return path;
  }
  log(`compressing ${basename(file.path)} with gzip -${LEVEL} ...`);
  const run = spawnSync('sh', ['-c', `gzip -${LEVEL} -c "$1" > "$2"`, 'sh', file.path, path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Failed(`gzip -${LEVEL} ${file.path}: ${firstLine(run.stderr)}`);
  return path;
}

/** A shell command line measured as one process (`sh -c`, for its redirections). */
function shell(script: string, ...args: string[]): string[] {
  return ['sh', '-c', script, 'sh', ...args];
}

interface Row {
  label: string;
  argv: string[];
  /** csvscan's --json result must equal this (the plain file's, with `file` set alike); null: gzip itself */
  expected: ScanResult | null;
}

/** Runs `argv` `runs` times; checks every csvscan run's answer; the fastest timing. */
function measure(row: Row, runs: number, timeoutSeconds: number): ProcessTiming {
  const timings: ProcessTiming[] = [];
  for (let run = 0; run < runs; run++) {
    const finished = runTimed(row.argv, { cwd: REPO_ROOT, timeoutSeconds });
    if (finished.timedOut) throw new Failed(`${row.label}: timed out after ${timeoutSeconds} s`);
    if (finished.status !== 0 || !finished.timing) throw new Failed(`${row.label}: exit ${finished.status}: ${firstLine(finished.stderr)}`);
    if (row.expected) {
      const result = { ...parseCsvscanResult(row.label, finished.stdout), file: row.expected.file };
      if (JSON.stringify(result) !== JSON.stringify(row.expected)) {
        throw new Mismatch(`${row.label}: printed ${finished.stdout.trim()}\nthe plain file gave ${JSON.stringify(row.expected)}`);
      }
    }
    timings.push(finished.timing);
  }
  return bestTiming(timings);
}

/** csvscan's --json answer on the plain file, checked against the independent reference. */
function plainAnswer(file: GeneratedFile, args: string[]): ScanResult {
  const run = spawnSync(process.execPath, [CLI_PATH, ...args, file.path, '--json'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 2 ** 26 });
  if (run.status !== 0) throw new Failed(`csvscan ${args.join(' ')} ${file.path}: exit ${run.status}: ${firstLine(run.stderr)}`);
  const result = parseCsvscanResult(`csvscan ${args.join(' ')}`, run.stdout);
  const difference = file.reference ? referenceDifference(result, file.reference) : null;
  if (difference !== null) throw new Mismatch(`csvscan ${args.join(' ')} ${basename(file.path)}: ${difference}`);
  return { ...result, file: 'input' };
}

async function main(): Promise<number> {
  const options = parseGzipArguments(process.argv.slice(2));
  const environmentProblem = missingTimeBinary() ?? missingBuild();
  if (environmentProblem) throw new UsageError(environmentProblem);
  const file = await prepareGeneratedFile('numeric', options.sizeBytes, options.seed, true);
  const gz = compressed(file);
  const commands = [['count'], ['sum', '-c', file.sumColumn], ['stats']];
  const cli = `"${process.execPath}" "${CLI_PATH}"`;
  const rows: Row[] = [{ label: 'gzip -dc FILE.gz > /dev/null', argv: shell('gzip -dc "$1" > /dev/null', gz), expected: null }];
  for (const args of commands) {
    const expected = plainAnswer(file, args);
    rows.push({ label: `csvscan ${args.join(' ')} FILE.gz`, argv: [process.execPath, CLI_PATH, ...args, gz, '--json'], expected });
    rows.push({ label: `csvscan ${args.join(' ')} < FILE.gz`, argv: shell(`${cli} ${args.join(' ')} --json < "$1"`, gz), expected });
  }
  rows.push({
    label: `csvscan sum -c ${file.sumColumn} FILE (plain, --threads 1)`,
    argv: [process.execPath, CLI_PATH, 'sum', '-c', file.sumColumn, file.path, '--json', '--threads', '1'],
    expected: plainAnswer(file, ['sum', '-c', file.sumColumn]),
  });
  // (the page cache holds both files before the first timing)
  spawnSync('sh', ['-c', 'cat "$1" "$2" > /dev/null', 'sh', file.path, gz]);
  const timings: ProcessTiming[] = [];
  for (const row of rows) {
    log(row.label);
    timings.push(measure(row, options.runs, options.timeoutSeconds));
  }

  const startUp = runTimed([process.execPath, '-e', ''], { cwd: REPO_ROOT, timeoutSeconds: 60 }).timing;

  // Every csvscan answer has been checked by now: only now are speeds printed.
  const gzipSeconds = timings[0]!.seconds;
  const table = markdownTable(
    ['command', 'seconds', 'MB/s (decompressed)', 'speed vs gzip -dc', 'peak RSS MiB', 'check'],
    ['left', 'right', 'right', 'right', 'right', 'left'],
    rows.map((row, k) => [
      row.label,
      timings[k]!.seconds.toFixed(2),
      formatSpeed(file.bytes / 1e6 / timings[k]!.seconds),
      `${((gzipSeconds / timings[k]!.seconds) * 100).toFixed(0)}%`,
      formatMiB(timings[k]!.maxRssKiB),
      row.expected ? '= plain file, = reference' : '-',
    ]),
  );
  const gzipRows = rows.map((row, k) => ({ row, timing: timings[k]! })).filter(({ row }) => row.expected && row.label.includes('.gz'));
  const slowest = gzipRows.reduce((worst, entry) => (entry.timing.seconds > worst.timing.seconds ? entry : worst));
  const fraction = gzipSeconds / slowest.timing.seconds;
  const report = [
    '## csvscan on gzip input next to gzip -dc',
    '',
    ...machineDescription(),
    `- file: ${basename(file.path)}: ${file.bytes} bytes, ${file.rows} records (numeric kind); ${basename(gz)}: ` +
      `${statSync(gz).size} bytes (gzip -${LEVEL}); both in the page cache`,
    `- runs: ${options.runs === 1 ? 'one per row' : `fastest of ${options.runs} per row`}; whole processes (node start-up included: ` +
      `\`node -e ''\` alone took ${startUp ? `${startUp.seconds.toFixed(2)} s` : 'an unknown time'}, so on small files start-up dominates)`,
    '',
    ...table,
    '',
    `Target (issue 15): every csvscan row on FILE.gz at >= ${TARGET_FRACTION * 100}% of gzip -dc's speed: ` +
      `${fraction >= TARGET_FRACTION ? 'met' : 'MISSED'} (slowest: ${slowest.row.label}, ${(fraction * 100).toFixed(0)}%).`,
  ];
  printReport(report, options.out);
  return 0;
}

runIfMain(import.meta.url, 'bench:gzip', main);
