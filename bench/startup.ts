// Start-up benchmark: how much longer a whole `node bin/csvscan.js count|sum|stats SMALL` process takes
// than `node -e ''` (node's own start-up), on a two-record file where the scan itself is nothing. The
// processes run in turn (node -e '', count, sum, stats, --version, node -e '', ...), so a busy
// moment of the machine touches every command alike; each figure is the median of the runs. Every
// command's output is checked before any time is printed.
//
//   node build/host/bench/startup.js [--runs 30] [--out PATH]
//
// Then one more table, from --runs processes that each run the CLI in-process and stamp its stages
// (bench/startup-stages.ts; performance.now(), since the process started): the CLI's modules
// imported, `main(--version)`, the first `count` (the scan's modules, the kernel compiled, the
// scan) and a second one (the scan alone), and, in fresh processes, the Wasm kernel read, compiled
// and instantiated alone.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from '../src/bench/statistics.js';
import { CLI_PATH, log, machineDescription, missingBuild, printReport, REPO_ROOT } from './data-files.js';
import { markdownTable } from './markdown.js';
import { Failed, Mismatch, optionValue, positiveIntegerOption, runIfMain, UsageError } from './script.js';

/** Two data records: header `a,b`, then `1,2` and `3,4.5`. */
const SMALL_CSV = 'a,b\n1,2\n3,4.5\n';
const WARMUP_RUNS = 2;

interface Options {
  runs: number;
  out: string | null;
}

interface TimedCommand {
  label: string;
  args: string[];
  /** null when the output is right, else what is wrong with it */
  check(stdout: string): string | null;
}

function usage(): string {
  return 'usage: node build/host/bench/startup.js [--runs N] [--out PATH]';
}

function parseOptions(argv: string[]): Options {
  const options: Options = { runs: 30, out: null };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    const value = (): string => optionValue(argv, ++i, name);
    if (name === '--runs') options.runs = positiveIntegerOption(name, value());
    else if (name === '--out') options.out = value();
    else if (name === '--help' || name === '-h') throw new UsageError(usage());
    else throw new UsageError(`unknown option ${name}\n${usage()}`);
  }
  return options;
}

function expectExactly(expected: string): (stdout: string) => string | null {
  return (stdout) => (stdout === expected ? null : `printed ${JSON.stringify(stdout)}, expected ${JSON.stringify(expected)}`);
}

/** The stats table's rows by column name: its cells split on runs of spaces. */
function checkStats(stdout: string): string | null {
  const rows = new Map(stdout.trim().split('\n').map((line) => {
    const cells = line.trim().split(/ +/);
    return [cells[0]!, cells] as const;
  }));
  const header = rows.get('column');
  const a = rows.get('a');
  const b = rows.get('b');
  if (!header || !a || !b) return `no table of columns a and b: ${JSON.stringify(stdout)}`;
  const cell = (row: readonly string[], name: string): string | undefined => row[header.indexOf(name)];
  for (const [row, count, sum] of [[a, '2', '4'], [b, '2', '6.5']] as const) {
    if (cell(row, 'count') !== count || cell(row, 'sum') !== sum) return `column ${row[0]}: count ${cell(row, 'count')}, sum ${cell(row, 'sum')}; expected ${count}, ${sum}`;
  }
  return null;
}

function commands(file: string): TimedCommand[] {
  const node: TimedCommand = { label: "node -e ''", args: ['-e', ''], check: expectExactly('') };
  const cli = (label: string, args: string[], check: TimedCommand['check']): TimedCommand => ({
    label: `csvscan ${label}`,
    args: [CLI_PATH, ...args],
    check,
  });
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return [
    node,
    cli('count SMALL', ['count', file], expectExactly('2\n')),
    cli('sum SMALL -c b', ['sum', file, '-c', 'b'], expectExactly('b\t6.5\n')),
    cli('stats SMALL', ['stats', file], checkStats),
    cli('--version', ['--version'], expectExactly(`${version}\n`)),
  ];
}

/** One process's wall milliseconds (spawn to exit); throws Failed or Mismatch. */
function timeOnce(command: TimedCommand): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, command.args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CSVSCAN_DEBUG: '' } });
  const elapsed = performance.now() - start;
  if (run.error) throw new Failed(`${command.label}: ${run.error.message}`);
  if (run.status !== 0) throw new Failed(`${command.label} exited ${run.status ?? run.signal}: ${run.stderr.trim()}`);
  const wrong = command.check(run.stdout);
  if (wrong !== null) throw new Mismatch(`${command.label} ${wrong}`);
  if (run.stderr !== '') throw new Mismatch(`${command.label} wrote to stderr: ${run.stderr.trim()}`);
  return elapsed;
}

const ms = (value: number): string => value.toFixed(1);

function processTable(timed: TimedCommand[], times: number[][]): string[] {
  const base = median(times[0]!);
  const rows = timed.map((command, i) => {
    const values = times[i]!;
    const middle = median(values);
    return [command.label, ms(middle), ms(Math.min(...values)), ms(Math.max(...values)), i === 0 ? '' : `+${ms(middle - base)}`];
  });
  return markdownTable(['command', 'median ms', 'min ms', 'max ms', "median - node -e ''"], ['left', 'right', 'right', 'right', 'right'], rows);
}

/** The module bin/csvscan.js takes main() from (`require('...')` or `import { main } from '...'`), as a file URL. */
function cliEntry(): string {
  const bin = readFileSync(CLI_PATH, 'utf8');
  const match = /\bmain\b[^}]*\}\s*(?:=\s*require\(|from\s*)'([^']+)'/.exec(bin);
  if (!match) throw new Failed(`cannot find the module ${CLI_PATH} takes main() from`);
  return new URL(match[1]!, pathToFileURL(CLI_PATH)).href;
}

type Stages = Record<string, number>;

/** bench/startup-stages.ts with `args`: its JSON (it imports no module of ours but the CLI's). */
function childJson(args: string[]): Stages {
  const script = fileURLToPath(new URL('./startup-stages.js', import.meta.url));
  const run = spawnSync(process.execPath, [script, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Failed(`stage child ${args.join(' ')}: ${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout) as Stages;
}

function stageTable(runs: number, file: string): string[] {
  const stamps: Stages[] = [];
  const wasm: Stages[] = [];
  for (let i = 0; i < runs; i++) {
    stamps.push(childJson(['cli', cliEntry(), CLI_PATH, file]));
    wasm.push(childJson(['wasm', join(REPO_ROOT, 'build', 'kernel', 'simd.wasm')]));
  }
  const labels = Object.keys(stamps[0]!);
  const rows = labels.map((label, k) => {
    const at = median(stamps.map((s) => s[label]!));
    const step = median(stamps.map((s) => s[label]! - (k === 0 ? 0 : s[labels[k - 1]!]!)));
    return [label, ms(at), ms(step)];
  });
  for (const label of Object.keys(wasm[0]!)) rows.push([`(fresh process) ${label}`, '', ms(median(wasm.map((w) => w[label]!)))]);
  return markdownTable(['stage', 'at ms (median)', 'this stage ms (median)'], ['left', 'right', 'right'], rows);
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const missing = missingBuild();
  if (missing) throw new UsageError(missing);
  const dir = mkdtempSync(join(tmpdir(), 'csvscan-startup-'));
  try {
    const file = join(dir, 'small.csv');
    writeFileSync(file, SMALL_CSV);
    const timed = commands(file);
    const header = machineDescription();
    // Checked first, then warmed: the page cache holds node, the modules and the kernel.
    for (let i = 0; i < WARMUP_RUNS; i++) for (const command of timed) timeOnce(command);
    const times: number[][] = timed.map(() => []);
    log(`timing ${timed.length} commands × ${options.runs} runs, in turn`);
    for (let run = 0; run < options.runs; run++) {
      timed.forEach((command, i) => times[i]!.push(timeOnce(command)));
    }
    log(`stages: ${options.runs} in-process runs`);
    const stages = stageTable(options.runs, file);
    printReport([
      ...header,
      `- command: npm run bench:startup -- --runs ${options.runs} (SMALL: ${JSON.stringify(SMALL_CSV)}, ${Buffer.byteLength(SMALL_CSV)} bytes)`,
      '',
      ...processTable(timed, times),
      '',
      ...stages,
    ], options.out);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'bench:startup', () => main(process.argv.slice(2)));
