// What the benchmark scripts (run.ts, peers.ts, io.ts, kernel.ts, generate.ts) share as scripts:
// the options they have in common, their three kinds of failure and how each is reported and exits.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSizeOption } from '../src/cli/options.js';

/** Bad options or a missing build: on stderr, exit 2. */
export class UsageError extends Error {}
/** A result that disagrees (with the reference, another run, engine or variant): `MISMATCH: ...` on stdout, exit 1. */
export class Mismatch extends Error {}
/** csvscan, or a process being measured, failed: `FAILED: ...` on stdout, exit 1. */
export class Failed extends Error {}

/**
 * Reports an error of script `name` (`bench`, `bench:peers`, ...) and returns the exit code. A check
 * or a process that failed goes to stdout, where the table would have been; anything unexpected
 * goes to stderr with its stack.
 */
export function reportError(name: string, error: unknown): number {
  if (error instanceof Mismatch || error instanceof Failed) {
    process.stdout.write(`${error instanceof Mismatch ? 'MISMATCH' : 'FAILED'}: ${error.message}\n`);
    return 1;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`${name}: ${error.message}\n`);
    return 2;
  }
  process.stderr.write(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

/** Runs a script's `main` when its module is the one node was started with (not when a test imports it). */
export function runIfMain(moduleUrl: string, name: string, main: () => Promise<number | void>): void {
  if (process.argv[1] === undefined || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  // (a main that throws before its first await is reported the same way)
  Promise.resolve().then(main).then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      process.exitCode = reportError(name, error);
    },
  );
}

/** The value of option `name`: the argument at `index` (the one after the option's name). */
export function optionValue(argv: readonly string[], index: number, name: string): string {
  const value = argv[index];
  if (value === undefined) throw new UsageError(`${name} needs a value`);
  return value;
}

/** A size option (`--size`, `--window`): bytes, with K, M, G or T (1K = 1024), by the CLI's rules. */
export function sizeOption(name: string, text: string): number {
  try {
    return parseSizeOption(name, text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The options of every script that measures generated files (all but kernel.ts's `--seed` and `--quick`). */
export interface FileOptions {
  quick: boolean;
  sizeBytes: number;
  runs: number;
  seed: number;
}

/**
 * Takes `--quick`, `--size`, `--runs` or `--seed` into `options` and notes it in `given` (a script's
 * defaults for `--quick` leave what was given alone); false for any other option. `value` reads the
 * option's value.
 */
export function takeFileOption(name: string, value: () => string, options: FileOptions, given: Set<string>): boolean {
  if (name === '--quick') options.quick = true;
  else if (name === '--size') options.sizeBytes = sizeOption(name, value());
  else if (name === '--runs') options.runs = positiveIntegerOption(name, value());
  else if (name === '--seed') options.seed = seedOption(value());
  else return false;
  given.add(name);
  return true;
}

/** The options of a script that times commands on one generated file and may write its report. */
export interface TimedFileOptions extends FileOptions {
  /** a command running longer is stopped and shown as timed out */
  timeoutSeconds: number;
  out: string | null;
}

/**
 * The arguments of such a script (bench:io, bench:gzip): the file options, `--timeout`, `--out`;
 * `--quick` means `quickSize` bytes and one run unless they were given.
 */
export function parseTimedFileArguments(
  argv: string[],
  defaults: TimedFileOptions,
  quickSize: number,
  usage: () => string,
): TimedFileOptions {
  const options = { ...defaults };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    const takeValue = (): string => optionValue(argv, ++i, name);
    if (name === '--help' || name === '-h') throw new UsageError(usage());
    else if (name === '--timeout') options.timeoutSeconds = positiveIntegerOption(name, takeValue());
    else if (name === '--out') options.out = takeValue();
    else if (!takeFileOption(name, takeValue, options, given)) throw new UsageError(`unknown option: ${name}\n${usage()}`);
  }
  if (options.quick && !given.has('--size')) options.sizeBytes = quickSize;
  if (options.quick && !given.has('--runs')) options.runs = 1;
  return options;
}

/** `--runs`, `--timeout`: a whole number >= 1. */
export function positiveIntegerOption(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${name} must be a positive integer, got ${text}`);
  return value;
}

/** `--seed`: a whole number >= 0. */
export function seedOption(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError('--seed must be an integer >= 0');
  return value;
}
