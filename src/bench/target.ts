// The file a benchmark scans: the user's, or a sample written by the benchmark generator
// (generate.ts) into a temporary directory; and the columns `sum` adds when -c is not given.

import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFile } from '../file-scan.js';
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

/**
 * Stats of the records that start in the first PROBE_BYTES of the file (a range scan, so a record
 * that runs past them is read to its end): it checks the -c columns and the dialect before any
 * child runs, and finds a numeric column for `sum`.
 */
export function probeColumns(path: string, options: ScanOptions): Promise<ScanResult> {
  return scanFile(path, { ...options, mode: 'stats', threads: 1, range: [0, PROBE_BYTES] });
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
