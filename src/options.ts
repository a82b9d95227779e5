// The one place where scan options are checked and defaulted (docs/spec.md "Options shared by all
// commands"): the CLI parses its text into ScanOptions and calls resolveOptions(), the library
// calls it on what it is given, so both accept and refuse exactly the same things with the same
// messages (the CLI's name options `--window`, the library's `window`).
//
// No Node API here: the browser build and the stream scanner use it as it is.

import { DEFAULT_WINDOW } from '../assembly/layout.js';
import { usageError } from './errors.js';
import { ENGINE_NAMES, type Dialect, type EngineName, type IoMode, type ProfileRequest, type ScanMode } from './types.js';

export const SCAN_MODES: readonly ScanMode[] = ['count', 'sum', 'stats'];
export const IO_MODES: readonly IoMode[] = ['mmap', 'read'];
export const DEFAULT_ENGINE: EngineName = ENGINE_NAMES[0]!;
/**
 * The largest window: the kernel's linear memory holds the window after 6.25 MiB of fixed regions,
 * and wasm32 memory ends at 4 GiB; 1 GiB keeps the engines' memory well inside it (and a window
 * beyond a few MiB is no faster).
 */
export const MAX_WINDOW = 1024 * 1024 * 1024;
/** Below this many bytes per thread, starting workers costs more than it saves. */
/**
 * Bytes of data per thread below which a scan does not go parallel (docs/performance.md): starting a
 * worker costs about as much as scanning 30-60 MB of `count` or `sum` (measured on the project's
 * 2-core machine: 2 threads were slower up to 128 MiB, faster from 256 MiB), and far less than a
 * `stats` or grouped scan, which do several times the work per byte.
 */
export const MIN_BYTES_PER_THREAD_LIGHT = 128 * 1024 * 1024;
export const MIN_BYTES_PER_THREAD_HEAVY = 32 * 1024 * 1024;

export function defaultMinBytesPerThread(mode: ScanMode, grouped: boolean): number {
  return mode === 'stats' || grouped ? MIN_BYTES_PER_THREAD_HEAVY : MIN_BYTES_PER_THREAD_LIGHT;
}

const TAB = 9;
const LF = 10;
const CR = 13;

/** Options after resolveOptions(): every member checked, defaults filled in. */
export interface ResolvedOptions {
  mode: ScanMode;
  delimiter: number;
  quote: number;
  header: boolean;
  /** `-c` values; null = all columns (stats) or none (count) */
  columns: string[] | null;
  engine: EngineName;
  /** requested threads; undefined = available cores (see plannedThreads) */
  threads: number | undefined;
  minBytesPerThread: number;
  window: number;
  /** undefined: mmap where the addon is available, else read */
  io: IoMode | undefined;
  range: [number, number] | null;
  /** --by key columns (names or index texts); null: no groups */
  by: string[] | null;
  /** --top: groups kept; null: all */
  top: number | null;
  /** bytes the group table may use */
  memory: number;
  /** --temp-dir: where groups are spilled; null = the OS's temporary directory */
  tempDir: string | null;
  /** stats --distinct, --quantiles (--all: both); see profileOf() */
  distinct: boolean;
  quantiles: boolean;
  onProgress: ((bytesDone: number, totalBytes: number | null) => void) | undefined;
}

/** Who asked: option names are written as the CLI's flags or as the library's members. */
export type OptionNaming = 'cli' | 'library';

const KNOWN_OPTIONS = new Set([
  'mode', 'delimiter', 'quote', 'header', 'columns', 'engine', 'threads', 'minBytesPerThread', 'window', 'io',
  'range', 'by', 'top', 'memory', 'tempDir', 'distinct', 'quantiles', 'onProgress',
]);

/**
 * The default window of a grouped scan (--by): smaller than DEFAULT_WINDOW, so that copying a
 * window evicts less of the group table from the caches (1 GiB mixed file, one thread, three
 * alternating rounds: `count --by date` 1.16-1.20 s at 256K against 1.27-1.32 s at 1M).
 */
export const GROUPED_WINDOW = 256 * 1024;

/** --memory: the default budget of the group table, and the least one (its first table and window). */
export const DEFAULT_MEMORY = 1024 * 1024 * 1024;
export const MIN_MEMORY = 64 * 1024;

/** Shows a user's text inside a one-line message: quoted, control characters escaped, cut to 80 characters. */
export function quoteForMessage(text: string, limit = 80): string {
  return JSON.stringify(text.length > limit ? `${text.slice(0, limit)}...` : text);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return quoteForMessage(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Checks and defaults the options of a scan. Throws CsvscanError (exit 2) naming the option, what
 * it was given and what is allowed.
 */
export function resolveOptions(options: unknown, naming: OptionNaming = 'library'): ResolvedOptions {
  const name = (member: string): string => (naming === 'cli' ? `--${CLI_NAMES[member] ?? member}` : member);
  const refuse = (member: string, wanted: string, value: unknown): never => {
    throw usageError(`${name(member)} must be ${wanted}, got ${describeValue(value)}`);
  };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw usageError(`scan options must be an object such as { mode: 'count' }, got ${describeValue(options)}`);
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KNOWN_OPTIONS.has(key) && given[key] !== undefined) {
      throw usageError(`unknown scan option ${quoteForMessage(key)}; the options are: ${[...KNOWN_OPTIONS].join(', ')}`);
    }
  }

  const mode = given.mode;
  if (!SCAN_MODES.includes(mode as ScanMode)) refuse('mode', `one of ${SCAN_MODES.join(', ')}`, mode);
  const delimiter = byteOption(given.delimiter, 0x2c, name('delimiter'));
  const quote = byteOption(given.quote, 0x22, name('quote'));
  if (delimiter === quote) throw usageError('delimiter and quote must be different bytes');

  const header = given.header ?? true;
  if (typeof header !== 'boolean') return refuse('header', 'true or false', header);

  const engine = given.engine ?? DEFAULT_ENGINE;
  if (!ENGINE_NAMES.includes(engine as EngineName)) refuse('engine', `one of ${ENGINE_NAMES.join(', ')}`, engine);
  const io = given.io;
  if (io !== undefined && !IO_MODES.includes(io as IoMode)) refuse('io', `one of ${IO_MODES.join(', ')}`, io);

  const threads = given.threads;
  if (threads !== undefined && !isWhole(threads, 1)) refuse('threads', 'a whole number >= 1', threads);
  const minBytesPerThread = given.minBytesPerThread ?? defaultMinBytesPerThread(mode as ScanMode, given.by !== undefined && given.by !== null);
  if (!isWhole(minBytesPerThread, 1)) refuse('minBytesPerThread', 'a whole number >= 1', minBytesPerThread);
  const window = given.window ?? (given.by !== undefined && given.by !== null ? GROUPED_WINDOW : DEFAULT_WINDOW);
  if (!isWhole(window, 1) || (window as number) > MAX_WINDOW) {
    refuse('window', `a whole number of bytes from 1 to ${MAX_WINDOW} (1G)`, window);
  }

  const by = resolveBy(given.by, name('by'));
  const top = given.top ?? null;
  if (top !== null && !isWhole(top, 1)) refuse('top', 'a whole number >= 1', top);
  if (top !== null && by === null) throw usageError(`${name('top')} needs ${name('by')}`);
  const memory = given.memory ?? DEFAULT_MEMORY;
  if (!isWhole(memory, MIN_MEMORY)) refuse('memory', `a whole number of bytes >= ${MIN_MEMORY} (64K)`, memory);

  const tempDir = given.tempDir ?? null;
  if (tempDir !== null && (typeof tempDir !== 'string' || tempDir === '')) refuse('tempDir', 'a directory path', tempDir);

  const profile = resolveProfile(given, mode as ScanMode, by, name);

  const onProgress = given.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') refuse('onProgress', 'a function', onProgress);

  return {
    mode: mode as ScanMode,
    delimiter,
    quote,
    header,
    columns: resolveColumns(mode as ScanMode, given.columns, name('columns')),
    engine: engine as EngineName,
    threads: threads as number | undefined,
    minBytesPerThread: minBytesPerThread as number,
    window: window as number,
    io: io as IoMode | undefined,
    range: resolveRange(given.range, name('range'), naming === 'cli' ? 'START:END' : '[START, END)'),
    by,
    top: top as number | null,
    memory: memory as number,
    tempDir: tempDir as string | null,
    distinct: profile?.distinct ?? false,
    quantiles: profile?.quantiles ?? false,
    onProgress: onProgress as ResolvedOptions['onProgress'],
  };
}

const CLI_NAMES: Record<string, string> = { columns: 'column', minBytesPerThread: 'min-bytes-per-thread', tempDir: 'temp-dir' };

function isWhole(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/**
 * A delimiter or quote: one byte, given as the byte's number (0-255) or as a one-byte string;
 * `\t` (backslash, t) and `tab` in any case mean TAB. Line breaks end records and are refused.
 */
export function byteOption(value: unknown, fallback: number, label: string): number {
  let byte: number;
  if (value === undefined) {
    byte = fallback;
  } else if (typeof value === 'number') {
    if (!(Number.isInteger(value) && value >= 0 && value <= 255)) {
      throw usageError(`${label} must be one byte (a number from 0 to 255 or a one-byte string), got ${value}`);
    }
    byte = value;
  } else if (typeof value === 'string') {
    if (value === '\\t' || value.toLowerCase() === 'tab') return TAB;
    const bytes = new TextEncoder().encode(value);
    if (bytes.length !== 1) throw usageError(`${label} must be one byte, got ${quoteForMessage(value)}`);
    byte = bytes[0]!;
  } else {
    throw usageError(`${label} must be one byte (a number from 0 to 255 or a one-byte string), got ${describeValue(value)}`);
  }
  if (byte === LF || byte === CR) throw usageError(`${label} cannot be a line break`);
  return byte;
}

function resolveColumns(mode: ScanMode, columns: unknown, label: string): string[] | null {
  if (columns === undefined || columns === null) return null;
  if (!Array.isArray(columns)) {
    throw usageError(`${label} must be an array of column names or 1-based indexes, got ${describeValue(columns)}`);
  }
  const names = columns.map((column: unknown) => {
    if (typeof column === 'string') return column;
    if (isWhole(column, 1)) return String(column);
    throw usageError(`${label} must hold column names (strings) or 1-based indexes, got ${describeValue(column)}`);
  });
  // count reports records only: a column given to it selects nothing and is not looked up.
  return mode === 'count' || names.length === 0 ? null : names;
}

/** --distinct and --quantiles: stats only, and not by key (a profile is of whole columns). */
function resolveProfile(given: Record<string, unknown>, mode: ScanMode, by: string[] | null, name: (member: string) => string): ProfileRequest | null {
  const request: ProfileRequest = { distinct: false, quantiles: false };
  for (const member of ['distinct', 'quantiles'] as const) {
    const value = given[member] ?? false;
    if (typeof value !== 'boolean') throw usageError(`${name(member)} must be true or false, got ${describeValue(value)}`);
    request[member] = value;
  }
  if (!request.distinct && !request.quantiles) return null;
  const asked = request.distinct ? name('distinct') : name('quantiles');
  if (mode !== 'stats') throw usageError(`${asked} is a stats option (the column profile), not one of ${mode}`);
  if (by !== null) throw usageError(`${asked} does not combine with ${name('by')}: the profile is of whole columns`);
  return request;
}

function resolveBy(by: unknown, label: string): string[] | null {
  if (by === undefined || by === null) return null;
  const list = typeof by === 'string' || typeof by === 'number' ? [by] : by;
  if (!Array.isArray(list) || list.length === 0) {
    throw usageError(`${label} must be a column name or 1-based index, or an array of them, got ${describeValue(by)}`);
  }
  return list.map((column: unknown) => {
    if (typeof column === 'string') return column;
    if (isWhole(column, 1)) return String(column);
    throw usageError(`${label} must hold column names (strings) or 1-based indexes, got ${describeValue(column)}`);
  });
}

function resolveRange(range: unknown, label: string, form: string): [number, number] | null {
  if (range === undefined || range === null) return null;
  const pair = Array.isArray(range) && range.length === 2 ? (range as unknown[]) : null;
  if (!pair || !isWhole(pair[0], 0) || !isWhole(pair[1], 0) || pair[0] >= pair[1]) {
    throw usageError(`${label} must be ${form} byte offsets with 0 <= START < END, got ${Array.isArray(range) ? range.join(':') : describeValue(range)}`);
  }
  return [pair[0], pair[1]];
}

/**
 * Threads a scan of `length` bytes uses: what was asked (default: the cores), never more than the
 * cores (a scan is CPU-bound: more threads only cost memory) nor than the file has room for at
 * `minBytesPerThread` bytes each. 1 = scan on the calling thread.
 */
export function plannedThreads(requested: number | undefined, cores: number, length: number, minBytesPerThread: number): number {
  return Math.max(1, Math.min(requested ?? cores, cores, Math.floor(length / minBytesPerThread)));
}

/** The column profile asked for (stats --distinct, --quantiles), null for none. */
export function profileOf(options: ResolvedOptions): ProfileRequest | null {
  return options.distinct || options.quantiles ? { distinct: options.distinct, quantiles: options.quantiles } : null;
}

/** The dialect part of the options, as the kernel takes it. */
export function dialectOf(options: ResolvedOptions): Dialect {
  return { delimiter: options.delimiter, quote: options.quote, header: options.header };
}
