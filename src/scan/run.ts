// The scan driver: read the header, plan the columns, then feed the source to the kernel one
// window at a time (one kernel call per window keeps V8 in its optimising tier), and turn the
// kernel's raw accumulators into the SPEC.md result.
//
// A scan covers the whole input, or a byte range of it (`scanRange`): the records that start in
// [start, stop). Ranges are what worker threads (threads.ts) and `--range` shards (partial.ts) scan;
// both load lazily from here, so this module stays free of Node APIs (stream.ts runs in browsers).

import { CsvscanError, displayName, EXIT_MALFORMED, usageError } from '../errors.js';
import type { ByteSource } from '../io/index.js';
import { createEngine, type Engine } from '../kernel/engine.js';
import { MAX_SLOTS, STATUS_STOPPED } from '../../assembly/layout.js';
import type { ResolvedOptions } from '../options.js';
import { finalizeColumn } from '../results/finalize.js';
import type { Dialect, RawScan, ScanMode, ScanResult } from '../types.js';
import { orderGroups } from '../results/groups.js';
import { planColumns, planKeys, unknownColumn, type ColumnPlan, type Header, type KeyPlan, type OutputColumn } from './columns.js';
import { FirstRecordParser, MAX_HEADER_BYTES } from './header.js';

const BOM = [0xef, 0xbb, 0xbf];
const LF = 10;
const PREFIX_CHUNK = 65536;
const PROGRESS_EVERY = 16 * 1024 * 1024;

export function dialectOf(options: ResolvedOptions): Dialect {
  return { delimiter: options.delimiter, quote: options.quote, header: options.header };
}

/** Where a scan reads bytes: a ByteSource, or bytes held in front of one. */
export interface ByteReader {
  /** Copy bytes from absolute offset `position` into dst; returns bytes copied (0 = end of input). */
  read(dst: Uint8Array, position: number): number;
  /** Bytes before `position` will not be read again. */
  release(position: number): void;
}

/**
 * The first bytes of the input, read once to find the BOM and the header. Sources are read at
 * increasing positions only (stdin cannot seek), so these bytes are replayed to the kernel. They are
 * at most the header (MAX_HEADER_BYTES).
 */
class Prefix implements ByteReader {
  private buffer = new Uint8Array(PREFIX_CHUNK);
  length = 0;
  atEnd = false;

  constructor(private readonly source: ByteSource) {}

  get bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /** Read at least `length` bytes (fewer at EOF). */
  fill(length: number): void {
    while (!this.atEnd && this.length < length) {
      if (this.buffer.length < length) {
        const grown = new Uint8Array(Math.max(length, 2 * this.buffer.length));
        grown.set(this.bytes);
        this.buffer = grown;
      }
      const got = this.source.read(this.buffer.subarray(this.length), this.length);
      if (got === 0) this.atEnd = true;
      this.length += got;
    }
  }

  /** Copy into dst from `position`, serving the prefix first; returns bytes copied. */
  read(dst: Uint8Array, position: number): number {
    if (position < this.length) {
      const part = this.buffer.subarray(position, Math.min(this.length, position + dst.length));
      dst.set(part);
      return part.length;
    }
    if (this.atEnd && this.source.size === null) return 0;
    return this.source.read(dst, position);
  }

  release(position: number): void {
    this.source.release(position);
  }
}

function hasBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

export function malformed(name: string, line: number, byte: number): CsvscanError {
  return new CsvscanError(`${displayName(name)}: line ${line} (byte ${byte}): quoted field never closed`, EXIT_MALFORMED);
}

/** The header record, read into the prefix (it is replayed to the kernel); refused beyond MAX_HEADER_BYTES. */
function readHeader(prefix: Prefix, dataStart: number, dialect: Dialect, name: string): Header {
  const parser = new FirstRecordParser(dialect.delimiter, dialect.quote, dataStart, true);
  const limit = dataStart + MAX_HEADER_BYTES;
  for (;;) {
    const parsedTo = parser.consumed;
    if (parsedTo >= limit) throw headerTooLong(name);
    prefix.fill(Math.min(parsedTo + PREFIX_CHUNK, limit));
    const parsed = prefix.length > parsedTo ? parser.push(prefix.bytes.subarray(parsedTo)) : parser.end();
    if (!parsed) continue;
    if (parsed.kind === 'unterminated') throw malformed(name, parsed.line, parsed.byte);
    // no record at all: the header is empty, and the data starts after the blank lines
    if (parsed.kind === 'none') return { names: [], width: 0, start: parser.consumed };
    return { names: parsed.names, width: parsed.width, start: parsed.start };
  }
}

/** The first record's width, read straight from a file without keeping its bytes (any length). */
function firstRecordWidth(input: ByteReader, dataStart: number, dialect: Dialect, name: string): number {
  const parser = new FirstRecordParser(dialect.delimiter, dialect.quote, dataStart, false);
  const chunk = new Uint8Array(PREFIX_CHUNK);
  for (;;) {
    const got = input.read(chunk, parser.consumed);
    const parsed = got > 0 ? parser.push(chunk.subarray(0, got)) : parser.end();
    if (!parsed) continue;
    if (parsed.kind === 'unterminated') throw malformed(name, parsed.line, parsed.byte);
    return parsed.kind === 'complete' ? parsed.width : 0;
  }
}

export function headerTooLong(name: string): CsvscanError {
  return usageError(
    `${displayName(name)}: the header record does not end within its first ${MAX_HEADER_BYTES / 1024 / 1024} MiB, ` +
      'the most csvscan reads for a header; with --no-header it is read as data and columns are chosen by index',
  );
}

export interface ScanPlan {
  dialect: Dialect;
  plan: ColumnPlan;
  /** the header's names (at most MAX_FIELDS of them) and width; null without a header */
  header: Header | null;
  /** first byte after a BOM */
  dataStart: number;
  /** --by: the key columns; null without groups */
  keys: KeyPlan | null;
}

/** What a range scan needs besides its bounds (serializable: worker threads receive it). */
export interface RangeQuery {
  dialect: Dialect;
  slotFields: number[];
  allFields: boolean;
  mode: ScanMode;
  windowSize: number;
  dataStart: number;
  /**
   * With a header: where the header record begins (after any blank lines); the range that starts at
   * the data start reads at least up to it, so the header is never taken for data by a later range.
   */
  headerAt: number;
  /**
   * Fields a record is expected to have: the header's, or without a header the file's first
   * record's (0 = the file has no record). A range that starts mid-file cannot see that record, so
   * it is told, for its short and long counts to match a whole-file scan.
   */
  expectedFields: number;
  /** --by: the key fields (0-based, --by order) and the group table's memory budget */
  groups?: { by: number[]; memory: number } | null;
}

export interface RangeTask extends RangeQuery {
  /** first byte of the range; <= dataStart for the first range */
  start: number;
  /** records starting at or after this offset belong to the next range (-1: none, scan to EOF) */
  stop: number;
  /** `start` is known to be where a record starts (a boundary found by the range before) */
  startIsRecordStart: boolean;
}

export interface RangeScan {
  raw: RawScan;
  /**
   * The start was inside a record by the byte before it (not LF): the kernel guessed that byte was
   * in an unquoted field and skipped to the record after it. The range before verifies the guess.
   */
  midFile: boolean;
}

/**
 * Scan the records that start in [task.start, task.stop) of `input` (SPEC.md `--range`). The
 * result's lines are relative to `start` (line 1 holds it), as mergeRawScans expects.
 *
 * A range that starts after the data start and not right after an LF starts mid-file: the kernel
 * guesses it is inside an unquoted field, skips to the first record boundary and counts from
 * there; the range before verifies the guess. It is told the expected record width, which it
 * cannot see, so its short and long counts match a whole-file scan.
 */
export function scanRange(
  input: ByteReader,
  engine: Engine,
  task: RangeTask,
  onRead?: (bytes: number) => void,
): RangeScan {
  const window = engine.window(task.windowSize);
  const columns = { slotFields: task.slotFields, allFields: task.allFields, mode: task.mode, groups: task.groups };
  const header = task.dialect.header;
  if (task.start <= task.dataStart) {
    // Blank lines may come before the header: this range reads the header whatever its end.
    const stop = header && task.stop >= 0 ? Math.max(task.stop, task.headerAt + 1) : task.stop;
    engine.configure({ dialect: task.dialect, ...columns, startOffset: task.dataStart, stopOffset: stop, midFile: false });
    feed(input, engine, window, task.dataStart, onRead);
    return { raw: engine.results(), midFile: false };
  }

  // A range starting in the blank lines before the header starts inside the header instead (the
  // first range reads it): its records begin after the header.
  const start = header && task.start <= task.headerAt ? task.headerAt + 1 : task.start;
  const midFile = !task.startIsRecordStart && (start !== task.start || !followsLineFeed(input, start));
  engine.configure({
    dialect: { ...task.dialect, header: false },
    ...columns,
    startOffset: start,
    stopOffset: task.stop,
    midFile,
    expectedFields: task.expectedFields,
  });
  feed(input, engine, window, start, onRead);
  return { raw: engine.results(), midFile };
}

/** Whether the byte before `position` is LF: then a record starts at `position` (unless it is quoted). */
function followsLineFeed(input: ByteReader, position: number): boolean {
  const before = new Uint8Array(1);
  return input.read(before, position - 1) === 1 && before[0] === LF;
}

/**
 * Feed the kernel from `from` until it stops or the input ends, then finish. Returns the offset and
 * length of the last window fed.
 */
function feed(
  input: ByteReader,
  engine: Engine,
  window: Uint8Array,
  from: number,
  onRead?: (bytes: number) => void,
): { at: number; length: number } {
  let position = from;
  let lastAt = from;
  let lastLength = 0;
  const size = window.length;
  for (;;) {
    // scan() may grow the engine's memory for groups, which detaches the view (its length is then 0)
    if (window.length === 0) window = engine.window(size);
    const got = input.read(window, position);
    if (got === 0) break;
    const status = engine.scan(got);
    lastAt = position;
    lastLength = got;
    position += got;
    input.release(position);
    onRead?.(got);
    if (status === STATUS_STOPPED) break;
  }
  engine.finish();
  return { at: lastAt, length: lastLength };
}

/** Where the source of a scan came from, when the library opened it. */
export interface ScanOrigin {
  /** the path of a file the source reads: worker threads open it themselves */
  path?: string;
}

/**
 * Scan `source` per `options`: the whole input on this thread or on worker threads, or one range
 * of it (`options.range`: a partial result, see partial.ts).
 */
export async function runScan(source: ByteSource, options: ResolvedOptions, origin: ScanOrigin = {}): Promise<ScanResult> {
  const windowSize = options.window;
  const dialect = dialectOf(options);
  const name = source.name;
  const prefix = new Prefix(source);
  prefix.fill(3);
  const dataStart = hasBom(prefix.bytes) ? 3 : 0;
  const header = dialect.header ? readHeader(prefix, dataStart, dialect, name) : null;
  const plan = planColumns(options.mode, options.columns, header);
  const keys = options.by ? planKeys(options.by, header) : null;
  const scan: ScanPlan = { dialect, plan, header, dataStart, keys };
  const wholeQuery: RangeQuery = {
    dialect,
    slotFields: plan.slotFields,
    allFields: plan.allFields,
    mode: options.mode,
    windowSize,
    dataStart,
    headerAt: header ? header.start : -1,
    expectedFields: 0, // a scan from the data start sees the first record itself
    groups: keys ? { by: keys.fields, memory: options.memory } : null,
  };
  // Ranges that start mid-file are told the width; without a header, the first record gives it.
  const query = (): RangeQuery => ({
    ...wholeQuery,
    expectedFields: header ? header.width : firstRecordWidth(prefix, dataStart, dialect, name),
  });

  if (options.range) {
    if (source.size === null) {
      throw usageError(`${displayName(name)}: --range needs a file of known size (a pipe, or a file whose size reads 0 as in /proc, cannot be cut into shards)`);
    }
    const { scanShard } = await import('./partial.js');
    return scanShard(source, prefix, scan, query(), options);
  }

  const length = source.size === null ? 0 : source.size - dataStart;
  // Worth a second thread only with room for two; threads.ts decides how many (plannedThreads).
  if (origin.path !== undefined && options.threads !== 1 && length >= 2 * options.minBytesPerThread) {
    const { scanInParallel } = await import('./threads.js');
    const raw = await scanInParallel({
      path: origin.path,
      io: options.io,
      engine: options.engine,
      size: source.size!,
      threads: options.threads,
      minBytesPerThread: options.minBytesPerThread,
      query: query(),
      onProgress: options.onProgress,
      mainSource: source,
    });
    if (raw) {
      if (raw.unterminatedQuote) throw malformed(name, raw.unterminatedQuote.line, raw.unterminatedQuote.byte);
      return toResult(name, raw, scan, options);
    }
  }

  const engine = createEngine(options.engine);
  const total = source.size;
  let position = dataStart;
  let sinceProgress = 0;
  const onRead = options.onProgress
    ? (bytes: number): void => {
        position += bytes;
        sinceProgress += bytes;
        if (sinceProgress >= PROGRESS_EVERY) {
          sinceProgress = 0;
          options.onProgress!(position, total);
        }
      }
    : undefined;
  const { raw } = scanRange(prefix, engine, { ...wholeQuery, start: dataStart, stop: -1, startIsRecordStart: true }, onRead);
  options.onProgress?.(position, total);
  if (raw.unterminatedQuote) throw malformed(name, raw.unterminatedQuote.line, raw.unterminatedQuote.byte);
  return toResult(name, raw, scan, options);
}

/**
 * Build the SPEC.md result from (merged) raw results. A shard (one range of a file) is not checked
 * against column indexes beyond its widest record: a later shard may hold wider records.
 */
export function toResult(
  name: string,
  raw: RawScan,
  scan: ScanPlan,
  options: Pick<ResolvedOptions, 'mode'> & Partial<Pick<ResolvedOptions, 'top'>>,
  shard = false,
): ScanResult {
  const result: ScanResult = {
    file: name,
    rows: raw.records,
    bytes: raw.bytes + scan.dataStart,
    ragged: { short: raw.short, long: raw.long },
  };
  if (scan.keys) {
    if (!shard) {
      for (const { requested, index } of scan.keys.indexesToCheck) {
        if (index > raw.maxFields) throw unknownColumn(requested, null, raw.maxFields);
      }
    }
    const ordered = orderGroups(raw.groups ?? new Map<string, number>(), options.top ?? null);
    result.by = [...scan.keys.names];
    result.group_count = ordered.group_count;
    result.groups = ordered.groups;
  }
  if (options.mode === 'count') return result;

  let outputs: OutputColumn[] = scan.plan.outputs;
  if (scan.plan.allFields) {
    if (raw.maxFields > MAX_SLOTS) {
      throw usageError(`records have up to ${raw.maxFields} fields; stats of all columns handles at most ${MAX_SLOTS}: choose some with -c`);
    }
    outputs = Array.from({ length: raw.maxFields }, (_, field) => ({ name: String(field + 1), index: field + 1, slot: field }));
  }
  if (!shard) {
    for (const { requested, index } of scan.plan.indexesToCheck) {
      if (index > raw.maxFields) throw unknownColumn(requested, null, raw.maxFields);
    }
  }
  result.columns = outputs.map((column) => finalizeColumn(raw.columns[column.slot], column.name, column.index));
  return result;
}
