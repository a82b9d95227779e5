// The options every command shares (docs/spec.md "Options shared by all commands"): their commander
// declarations, and the conversion of their raw text into the library's ScanOptions.
//
// Values are parsed here rather than with commander argParsers so that a bad value gives one short
// `csvscan: ...` line instead of commander's "option '...' argument '...' is invalid." wording.

import { Option, type Command } from 'commander';
import { usageError } from '../errors.js';
import { byteOption, quoteForMessage, resolveOptions, type ResolvedOptions } from '../options.js';
import { ENGINE_NAMES, type EngineName, type IoMode, type ScanMode, type ScanOptions } from '../types.js';

export { quoteForMessage } from '../options.js';

/** What commander hands an action for the shared options, before validation. */
export interface RawScanOptions {
  delimiter: string;
  quote: string;
  header: boolean;
  column: string[];
  engine?: EngineName;
  threads?: string;
  window?: string;
  io?: IoMode;
  range?: string;
  by?: string[];
  top?: string;
  memory?: string;
  tempDir?: string;
  /** stats only: the column profile */
  distinct?: boolean;
  quantiles?: boolean;
  all?: boolean;
  json: boolean;
  csv?: boolean;
  /** undefined unless --progress or --no-progress was given */
  progress?: boolean;
}

function collectColumn(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Declares the shared options on `command`. */
export function addScanOptions(command: Command): Command {
  return command
    .option('-d, --delimiter <C>', 'field delimiter, one byte; \\t or tab mean TAB', ',')
    .option('--quote <C>', 'quote byte', '"')
    .option('--no-header', 'the first record is data; columns are named 1, 2, ...')
    .option(
      '-c, --column <COL>',
      'a header name, or a 1-based index when no header has that name (repeatable)',
      collectColumn,
      [] as string[],
    )
    .addOption(
      new Option('--engine <name>', 'scanning engine: wasm (SIMD), wasm-scalar or js (default: wasm)').choices(ENGINE_NAMES),
    )
    .option('--threads <N>', 'worker threads, at most the available cores (more are not used); 1 scans on the main thread (default: available cores; gzip input: 1, and more is refused)')
    .option('--window <SIZE>', 'bytes per window copied into the kernel: 65536, 64K, 4M, 1G (1K = 1024) (default: 1M; 256K with --by)')
    .addOption(new Option('--io <mode>', 'how a regular file is read (default: mmap; gzip input is read, and mmap refused)').choices(['mmap', 'read']))
    .option('--range <START:END>', 'scan only the records that start in these bytes (a shard; not for standard input or gzip input)')
    .option('--by <KEY>', 'group by this key column, named as -c does (repeatable: a composite key); count: most frequent first, sum and stats: by key', collectColumn, [] as string[])
    .option('--top <N>', 'with --by: only the first N groups of that order')
    .option('--memory <SIZE>', 'memory for the group table of --by, per scanning thread: 64K or more (default: 1G); past it, groups are spilled to disk')
    .option('--temp-dir <DIR>', 'with --by: where groups past --memory are spilled (default: the OS temporary directory)')
    .option('--json', 'print one JSON object on one line', false)
    .option('--csv', 'print the result as CSV (RFC 4180) with a header row', false)
    .option('--progress', 'show bytes done, MB/s and ETA on stderr (default: when stderr is a terminal)')
    .option('--no-progress', 'never show progress');
}

/** A delimiter or quote option as its byte: exactly one byte, `\t` and `tab` meaning TAB. */
export function parseByteOption(text: string, name: 'delimiter' | 'quote'): number {
  return byteOption(text, 0, name);
}

const SIZE_PATTERN = /^(\d+)\s*(?:([kmgt])(?:i?b)?|b)?$/i;
const UNIT_SHIFT: Record<string, number> = { k: 10, m: 20, g: 30, t: 40 };

/**
 * A byte count such as `65536`, `64K`, `4M`, `1G`, `64KiB` or `64kb` (binary units: 1K = 1024).
 * Returns null when the text is not a size.
 */
export function parseSize(text: string): number | null {
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) return null;
  const unit = match[2]?.toLowerCase();
  const value = Number(match[1]) * 2 ** (unit ? UNIT_SHIFT[unit]! : 0);
  return Number.isSafeInteger(value) ? value : null;
}

/** The value of a size option (`--window`, `--size`, ...): at least 1 byte; a usage error otherwise. */
export function parseSizeOption(name: string, text: string): number {
  const size = parseSize(text);
  if (size === null || size < 1) {
    throw usageError(`${name} must be a number of bytes >= 1, optionally with K, M or G (1K = 1024), got ${quoteForMessage(text)}`);
  }
  return size;
}

/** Text to a number of bytes; resolveOptions() checks its range, as it does the library's. */
export function parseWindow(text: string): number {
  const size = parseSize(text);
  if (size === null) {
    throw usageError(`--window must be a number of bytes, optionally with K, M or G (1K = 1024), got ${quoteForMessage(text)}`);
  }
  return size;
}

/** Text to a number; resolveOptions() checks its range, as it does the library's. */
export function parseThreads(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`--threads must be a whole number >= 1, got ${quoteForMessage(text)}`);
  return Number(text);
}

/** `START:END`, byte offsets or sizes (`0:1G`); resolveOptions() checks START < END. */
export function parseRange(text: string): [number, number] {
  const parts = text.split(':');
  const start = parts.length === 2 ? parseSize(parts[0]!) : null;
  const end = parts.length === 2 ? parseSize(parts[1]!) : null;
  if (start === null || end === null) {
    throw usageError(
      `--range must be START:END, byte offsets or sizes like 1G with START < END, got ${quoteForMessage(text)}`,
    );
  }
  return [start, end];
}

function parseWholeOption(text: string, name: string): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`${name} must be a whole number >= 1, got ${quoteForMessage(text)}`);
  return Number(text);
}

function parseMemory(text: string): number {
  const size = parseSize(text);
  if (size === null) throw usageError(`--memory must be a number of bytes, optionally with K, M or G (1K = 1024), got ${quoteForMessage(text)}`);
  return size;
}

/** Parses the shared options' text and checks them with the library's resolver (one set of rules for both). */
export function toScanOptions(mode: ScanMode, raw: RawScanOptions): ResolvedOptions {
  const options: ScanOptions = {
    mode,
    delimiter: raw.delimiter,
    quote: raw.quote,
    header: raw.header,
    columns: raw.column,
    engine: raw.engine,
    threads: raw.threads === undefined ? undefined : parseThreads(raw.threads),
    window: raw.window === undefined ? undefined : parseWindow(raw.window),
    io: raw.io,
    range: raw.range === undefined ? null : parseRange(raw.range),
    by: raw.by && raw.by.length > 0 ? raw.by : null,
    top: raw.top === undefined ? null : parseWholeOption(raw.top, '--top'),
    memory: raw.memory === undefined ? undefined : parseMemory(raw.memory),
    tempDir: raw.tempDir,
    distinct: raw.distinct || raw.all ? true : undefined,
    quantiles: raw.quantiles || raw.all ? true : undefined,
  };
  if (raw.json && raw.csv) throw usageError('--json and --csv cannot be given together');
  return resolveOptions(options, 'cli');
}
