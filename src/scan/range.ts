// Scanning one byte range of the input: the records that start in [start, stop), fed to an engine
// one window at a time (one kernel call per window keeps V8 in its optimising tier). Every scan is
// one or more ranges: the whole input (run.ts), the ranges of worker threads (threads.ts, worker.ts)
// and `--range` shards (partial.ts). No Node API here: the browser worker scans through it too.

import { CsvscanError, displayName, EXIT_MALFORMED } from '../errors.js';
import type { Engine } from '../kernel/engine.js';
import type { GroupSink } from '../kernel/types.js';
import { STATUS_STOPPED } from '../../assembly/layout.js';
import type { Dialect, ProfileRequest, RawScan, ScanMode } from '../types.js';

const LF = 10;

/** Where a scan reads bytes: a ByteSource, or bytes held in front of one. */
export interface ByteReader {
  /** Copy bytes from absolute offset `position` into dst; returns bytes copied (0 = end of input). */
  read(dst: Uint8Array, position: number): number;
  /** Bytes before `position` will not be read again. */
  release(position: number): void;
}

export function malformed(name: string, line: number, byte: number): CsvscanError {
  return new CsvscanError(`${displayName(name)}: line ${line} (byte ${byte}): quoted field never closed`, EXIT_MALFORMED);
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
  /**
   * --by: the key fields (0-based, --by order), the group table's memory budget, and (under Node) the
   * directory groups past it are spilled to (src/scan/spill.ts; without it, they are refused)
   */
  groups?: { by: number[]; memory: number; tempDir?: string } | null;
  /** stats --distinct, --quantiles */
  profile?: ProfileRequest | null;
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
 * Scan the records that start in [task.start, task.stop) of `input` (docs/spec.md, Shards and merge). The
 * result's lines are relative to `start` (line 1 holds it), as mergeRawScans expects.
 *
 * A range that starts after the data start and not right after an LF starts mid-file: the kernel
 * guesses it is inside an unquoted field, skips to the first record boundary and counts from
 * there; the range before verifies the guess. It is told the expected record width, which it
 * cannot see, so its short and long counts match a whole-file scan.
 *
 * With a `sink`, groups past the budget are spilled to it: the result's raw.spilled holds them.
 */
export function scanRange(
  input: ByteReader,
  engine: Engine,
  task: RangeTask,
  onRead?: (bytes: number) => void,
  sink?: GroupSink,
): RangeScan {
  if (!sink) return scanRangeWith(input, engine, task, onRead, null);
  let scanned: RangeScan;
  try {
    scanned = scanRangeWith(input, engine, task, onRead, sink);
  } catch (error) {
    sink.discard();
    throw error;
  }
  const spilled = sink.finish();
  if (spilled) scanned.raw.spilled = [spilled];
  return scanned;
}

function scanRangeWith(
  input: ByteReader,
  engine: Engine,
  task: RangeTask,
  onRead: ((bytes: number) => void) | undefined,
  spill: GroupSink | null,
): RangeScan {
  const window = engine.window(task.windowSize);
  const groups = task.groups ? { ...task.groups, spill } : null;
  const columns = { slotFields: task.slotFields, allFields: task.allFields, mode: task.mode, groups, profile: task.profile ?? null };
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
