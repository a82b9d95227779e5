// Command-line pieces shared by the benchmark scripts (run.ts, peers.ts, io.ts, kernel.ts): one
// usage-error class (exit 2 in every script) and the options they have in common.

import { parseSizeOption } from '../src/cli/options.js';

export class UsageError extends Error {}

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
