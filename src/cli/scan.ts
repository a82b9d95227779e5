// What count, sum and stats share: validate the options, run the library scan with an optional
// progress line, and print the result.

import { formatCount, formatCsv, formatGroupsTable, formatStatsTable, formatSumLines, groupedOutput, toJsonLine } from '../results/format.js';
import type { StreamedScan } from '../file-scan.js';
import { DEFAULT_MEMORY } from '../options.js';
import type { ScanMode, ScanResult } from '../types.js';
import type { CliIo } from './io.js';
import { toScanOptions, type RawScanOptions } from './options.js';
import { createProgressReporter } from './progress.js';

/** A scan's result and groups (scanFileStreamed()), and the --memory it was given. */
export type CliScan = StreamedScan & { memory: number };

/** FILE omitted or `-` reads standard input. */
export const STDIN_PATH = '-';

/** The FILE argument of count, sum and stats in --help. */
export const FILE_ARGUMENT =
  'CSV file, plain or gzip-compressed (recognised by its first bytes, not its name; zstd is refused); - or omitted reads standard input';

export async function runScan(
  io: CliIo,
  mode: ScanMode,
  file: string | undefined,
  raw: RawScanOptions,
): Promise<CliScan> {
  const options = toScanOptions(mode, raw);
  // Loaded only now, so that --help and usage errors answer without loading the scan's modules
  // (one import: in the CLI's bundle, each module imported on its own is a file of its own).
  const { scanFileStreamed, mmapUnavailableReason } = await import('../file-scan.js');
  if (options.io === undefined && file !== undefined && file !== STDIN_PATH) noteWhenNotMapping(io, mmapUnavailableReason());
  const showProgress = raw.progress ?? io.stderrIsTTY;
  const progress = showProgress ? createProgressReporter(io.stderr) : null;
  try {
    const scanned = await scanFileStreamed(file ?? STDIN_PATH, { ...options, onProgress: progress?.update });
    return { ...scanned, memory: options.memory ?? DEFAULT_MEMORY };
  } finally {
    // Blank the progress line before anything else (result or error message) is printed.
    progress?.finish();
  }
}

/** Says once why files are read rather than mapped, when the mmap addon is not available (`reason`). */
function noteWhenNotMapping(io: CliIo, reason: string | null): void {
  if (reason !== null) io.stderr(`csvscan: note: reading files instead of mapping them: ${reason}\n`);
}

/**
 * Prints a scan's output: with groups, a piece at a time as they are read (waiting while standard
 * output is full), so that memory does not grow with the groups; then closes them.
 */
export async function printScan(io: CliIo, scanned: CliScan, command: ScanMode, options: OutputOptions): Promise<void> {
  const { result, groups, memory } = scanned;
  if (groups === null) {
    printOutput(io, formatResult(result, command, options));
    return;
  }
  try {
    // the text table keeps its rows for its second reading while they take a quarter of --memory
    for (const piece of groupedOutput(result, groups, command, options, memory / 4)) {
      // a reader that went away (`| head`) needs no more: the rest is not formatted
      if (io.closed?.()) break;
      io.stdout(piece);
      await io.drain?.();
    }
  } finally {
    groups.close();
  }
}

/** Prints `text` as the command's output, ending it with exactly one newline. */
export function printOutput(io: CliIo, text: string): void {
  io.stdout(text.endsWith('\n') ? text : `${text}\n`);
}

/** The result as --json, --csv or the command's text (count, count --by, sum lines, stats table). */
/** How a result is printed: --json, --csv, and the profile's columns of the stats table. */
export type OutputOptions = Pick<RawScanOptions, 'json' | 'csv' | 'distinct' | 'quantiles' | 'all'>;

export function formatResult(result: ScanResult, command: ScanMode, options: OutputOptions): string {
  if (options.json) return toJsonLine(result);
  const profile = { distinct: Boolean(options.distinct || options.all), quantiles: Boolean(options.quantiles || options.all) };
  if (options.csv) return formatCsv(result, command, profile);
  if (result.by !== undefined) return formatGroupsTable(result, command);
  return command === 'count' ? formatCount(result) : command === 'sum' ? formatSumLines(result) : formatStatsTable(result, profile);
}
