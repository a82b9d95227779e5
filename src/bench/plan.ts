// What `csvscan bench` runs: every command with every engine at each thread count, each as a
// `csvscan` child process, in an order that keeps the runs of one command together.

import type { EngineName } from '../types.js';

export type BenchCommand = 'count' | 'sum' | 'stats';
export const BENCH_COMMANDS: readonly BenchCommand[] = ['count', 'sum', 'stats'];
/** js first: it is the baseline of the speed-ups. */
export const BENCH_ENGINES: readonly EngineName[] = ['js', 'wasm-scalar', 'wasm'];
export const BASELINE_ENGINE: EngineName = 'js';

/** One configuration, measured `runs` times. */
export interface BenchCase {
  command: BenchCommand;
  engine: EngineName;
  threads: number;
}

/** One thread, then all of them (or the count asked for); just one when that is all there is. */
export function threadCounts(allThreads: number): number[] {
  return allThreads > 1 ? [1, allThreads] : [1];
}

/** Every command x thread count x engine, engines side by side within a command and thread count. */
export function planCases(
  commands: readonly BenchCommand[],
  engines: readonly EngineName[],
  threads: readonly number[],
): BenchCase[] {
  return commands.flatMap((command) =>
    threads.flatMap((threadCount) => engines.map((engine) => ({ command, engine, threads: threadCount }))),
  );
}

/** What a case's children are given besides the case itself. */
export interface ChildTarget {
  file: string;
  /** `-c` values for sum (at least one, else sum is not run) */
  sumColumns: readonly string[];
  /** `-c` values for stats; empty = all columns */
  statsColumns: readonly string[];
  /** the user's dialect and reading options, as they typed them (-d, --quote, --no-header, --window, --io) */
  passThrough: readonly string[];
}

/** The arguments of `csvscan` for one run of `benchCase`. */
export function childArguments(benchCase: BenchCase, target: ChildTarget): string[] {
  const columns = benchCase.command === 'sum' ? target.sumColumns : benchCase.command === 'stats' ? target.statsColumns : [];
  return [
    benchCase.command,
    ...columns.flatMap((column) => ['-c', column]),
    '--engine',
    benchCase.engine,
    '--threads',
    String(benchCase.threads),
    '--json',
    '--no-progress',
    ...target.passThrough,
    // after `--`, a file name starting with `-` is still a file name
    '--',
    target.file,
  ];
}

export function caseLabel(benchCase: BenchCase): string {
  return `${benchCase.command} ${benchCase.engine} threads=${benchCase.threads}`;
}

/** `[3/18] sum wasm-scalar threads=1 run 2/3` */
export function progressLabel(caseNumber: number, caseCount: number, benchCase: BenchCase, run: number, runs: number): string {
  return `[${caseNumber}/${caseCount}] ${caseLabel(benchCase)} run ${run}/${runs}`;
}
