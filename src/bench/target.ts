// The file a benchmark scans: the user's, or a sample written by the benchmark generator
// (generate.ts) into a temporary directory; and the columns `sum` adds when -c is not given.

import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanBytes, scanFile } from '../api.js';
import { CsvscanError, EXIT_USAGE } from '../errors.js';
import type { ScanOptions, ScanResult } from '../types.js';
import { DEFAULT_SEED, generateCsvFile, sizeLabel, type CsvKind } from './generate.js';

/** How much of a file is scanned to choose the column for `sum`. */
export const PROBE_BYTES = 1 << 20;

export interface Sample {
  path: string;
  /** the temporary directory holding it: remove it when done */
  directory: string;
  kind: CsvKind;
  sizeBytes: number;
  seed: number;
}

export async function createSample(kind: CsvKind, sizeBytes: number): Promise<Sample> {
  const directory = mkdtempSync(join(tmpdir(), 'csvscan-bench-'));
  const path = join(directory, `sample-${kind}-${sizeLabel(sizeBytes)}.csv`);
  try {
    await generateCsvFile(path, { kind, sizeBytes, seed: DEFAULT_SEED });
  } catch (error) {
    removeSample(directory);
    throw error;
  }
  return { path, directory, kind, sizeBytes, seed: DEFAULT_SEED };
}

export function removeSample(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
}

function isUnavailable(error: unknown): boolean {
  return error instanceof CsvscanError && error.exitCode === EXIT_USAGE && /not available/.test(error.message);
}

/** The first bytes of the file up to its last LF, read on their own when range scans are missing. */
function readPrefix(path: string, bytes: number): Uint8Array {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync(path, 'r');
  let length = 0;
  try {
    while (length < bytes) {
      const read = readSync(fd, buffer, length, bytes - length, length);
      if (read === 0) break;
      length += read;
    }
  } finally {
    closeSync(fd);
  }
  const end = length < bytes ? length : buffer.lastIndexOf(10, length - 1) + 1;
  return buffer.subarray(0, end > 0 ? end : length);
}

/**
 * Stats of the records that start in the first PROBE_BYTES of the file: it checks the -c columns
 * and the dialect before any child runs, and finds a numeric column for `sum`.
 */
export async function probeColumns(path: string, options: ScanOptions): Promise<ScanResult> {
  const probe: ScanOptions = { ...options, mode: 'stats', threads: 1, range: [0, PROBE_BYTES] };
  try {
    return await scanFile(path, probe);
  } catch (error) {
    if (!isUnavailable(error)) throw error;
  }
  try {
    return await scanBytes(readPrefix(path, PROBE_BYTES), { ...probe, range: null }, path);
  } catch (error) {
    // A prefix cut inside a quoted field is malformed though the file is not: scan it all then.
    if (!(error instanceof CsvscanError) || error.exitCode === EXIT_USAGE) throw error;
    return scanFile(path, { ...probe, range: null });
  }
}

/**
 * The `-c` value naming the first column that holds numbers: its header name when that finds it,
 * else its 1-based index; null when no column has a number.
 */
export function firstNumericColumn(result: ScanResult): string | null {
  const columns = result.columns ?? [];
  const column = columns.find((candidate) => candidate.count > 0);
  if (!column) return null;
  const byName = columns.find((candidate) => candidate.name === column.name);
  if (byName === column) return column.name;
  const indexText = String(column.index);
  return columns.some((candidate) => candidate.name === indexText) ? column.name : indexText;
}

/** Reads the file once so that the first engine measured does not pay for the disk. */
export function warmPageCache(path: string): void {
  const buffer = Buffer.allocUnsafe(4 << 20);
  const fd = openSync(path, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0) {
      // reading is the point
    }
  } finally {
    closeSync(fd);
  }
}
