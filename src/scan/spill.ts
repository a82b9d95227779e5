// Spilling groups to disk (`--by` past `--memory`): when the engine's group table no longer fits in
// the budget, its groups are written as records (src/kernel/group-record.ts) to temporary files
// partitioned by a hash of the key (GroupSpill, the engines' GroupSink) and the table is emptied; at
// the end, each partition of every spill is read back alone into a GroupBatch (group-batch.ts), which
// merges the figures of each key, and ordered into sorted runs merged as they are read. Records stay
// bytes from the engine to the output: a string and an object are made only for a group printed.
//
// A temporary file has no name (Linux's O_TMPFILE; elsewhere it is unlinked as soon as it is
// opened): only its descriptor exists, so nothing is left in the temporary directory whatever ends
// the process (an error, Ctrl-C, kill -9). Descriptors belong to the process, so a worker thread's
// spills are read back by the main thread.

import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fstatSync, openSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { usageError } from '../errors.js';
import { compareRecordKeys, decodeGroup, encodeGroup, keyHash, recordComponents, recordRows, recordSize, recordValue, shiftLines } from '../kernel/group-record.js';
import type { GroupValue } from '../kernel/groups.js';
import type { GroupSink } from '../kernel/types.js';
import { groupOrder, orderedInMemory } from '../results/groups.js';
import type { OrderedRawGroups, RawScan, SpilledGroups } from '../types.js';
import { GroupBatch } from './group-batch.js';
import type { RangeQuery } from './range.js';

export const SPILL_PARTITIONS = 64;
const BUFFER_BYTES = 16384;
const SEEDS = [0x811c9dc5, 0x9e3779b9, 0x7f4a7c15];

let fullCollection: (() => void) | null | undefined;

/**
 * A full garbage collection. The group tables' Wasm memories given back by Engine.release() are
 * freed only when their instances are collected, and the spilled groups read back are typed arrays,
 * which rarely prompt a full collection: 2 million keys under `--memory 256M` peaked at 287-307 MiB
 * without one before ordering, 277 MiB with it.
 */
function collectGarbage(): void {
  if (fullCollection === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      fullCollection = runInNewContext('gc') as () => void;
    } catch {
      fullCollection = null;
    }
  }
  fullCollection?.();
}

/** The directory to spill to: `--temp-dir`, else the OS's; refused unless it is a writable directory. */
export function spillDirectory(tempDir: string | null | undefined): string {
  const dir = tempDir ?? tmpdir();
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch {
    throw usageError(`--temp-dir ${dir}: not a writable directory (groups past --memory are spilled there)`);
  }
  return dir;
}

/** The sink of a range scan's groups: none without groups or without a directory to spill to. */
export function groupSink(task: RangeQuery): GroupSpill | undefined {
  return task.groups?.tempDir ? new GroupSpill(task.groups.tempDir) : undefined;
}

export class GroupSpill implements GroupSink {
  private readonly fds: number[];
  private readonly buffers: (Uint8Array | null)[];
  private readonly used: Int32Array;
  private readonly stem: string;

  /**
   * `seed`: 0 for a scan's spills, 1 and 2 for a partition split again (another hash) into
   * `partitions` (at most SPILL_PARTITIONS)
   */
  constructor(
    private readonly dir: string,
    private readonly seed = 0,
    private readonly partitions = SPILL_PARTITIONS,
  ) {
    this.fds = new Array<number>(partitions).fill(-1);
    this.buffers = new Array<Uint8Array | null>(partitions).fill(null);
    this.used = new Int32Array(partitions);
    this.stem = join(dir, `csvscan-${process.pid}-${randomBytes(6).toString('hex')}-`);
  }

  /** Host groups, each as a record. */
  write(groups: Iterable<[string, GroupValue]>): void {
    for (const [key, value] of groups) this.add(encodeGroup(key, value));
  }

  /** The record `bytes[from..to)` (src/kernel/group-record.ts), to the partition of its key. */
  add(bytes: Uint8Array, from = 0, to = bytes.length): void {
    const p = this.partitions === 1 ? 0 : keyHash(bytes, from, SEEDS[this.seed]!) % this.partitions;
    const size = to - from;
    let buffer = this.buffers[p];
    if (!buffer) buffer = this.buffers[p] = new Uint8Array(BUFFER_BYTES);
    if (this.used[p]! + size > buffer.length) this.flush(p);
    if (size > buffer.length) {
      this.writeOut(p, bytes.subarray(from, to));
      return;
    }
    let at = this.used[p]!;
    // a few dozen bytes: a loop costs less than a subarray for set()
    if (size <= 64) for (let i = from; i < to; i++) buffer[at++] = bytes[i]!;
    else {
      buffer.set(bytes.subarray(from, to), at);
      at += size;
    }
    this.used[p] = at;
  }

  private flush(p: number): void {
    if (this.used[p] === 0) return;
    this.writeOut(p, this.buffers[p]!.subarray(0, this.used[p]));
    this.used[p] = 0;
  }

  private writeOut(p: number, bytes: Uint8Array): void {
    if (this.fds[p] === -1) this.fds[p] = openTemporary(this.dir, `${this.stem}${p}`);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fds[p]!, bytes, done, bytes.length - done);
  }

  finish(): SpilledGroups | null {
    try {
      for (let p = 0; p < this.partitions; p++) this.flush(p);
    } catch (error) {
      this.discard();
      throw error;
    }
    this.buffers.fill(null);
    return this.fds.some((fd) => fd !== -1) ? { fds: [...this.fds], lineOffset: 0 } : null;
  }

  discard(): void {
    closeSpilled([{ fds: this.fds, lineOffset: 0 }]);
    this.fds.fill(-1);
    this.buffers.fill(null);
  }
}

/** Linux's O_TMPFILE: an unnamed file in a directory (a directory entry never exists). */
const O_TMPFILE = 0o20000000 | (constants.O_DIRECTORY ?? 0);
let unnamedFiles = process.platform === 'linux' && constants.O_DIRECTORY !== undefined;

/**
 * A temporary file that nothing has to remove: on Linux an unnamed one (O_TMPFILE), so that no
 * signal, not even SIGKILL, can leave it behind; elsewhere (or where the file system cannot) `path`
 * created and unlinked at once, which leaves a window between the two.
 */
function openTemporary(dir: string, path: string): number {
  if (unnamedFiles) {
    try {
      return openSync(dir, O_TMPFILE | constants.O_RDWR, 0o600);
    } catch {
      unnamedFiles = false;
    }
  }
  const fd = openSync(path, 'wx+', 0o600);
  unlinkSync(path);
  return fd;
}

/** Close the spills' files (each once: a closed descriptor becomes -1, its number may be reused). */
export function closeSpilled(spills: readonly SpilledGroups[] | undefined): void {
  for (const spill of spills ?? []) {
    spill.fds.forEach((fd, p) => {
      if (fd === -1) return;
      spill.fds[p] = -1;
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    });
  }
}

const READ_BYTES = 1 << 20;
/** a sorted run's chunk while runs are merged (one per run at once) */
const RUN_READ_BYTES = 1 << 16;
/**
 * a partition is read back into memory whole up to this share of the budget of its bytes on disk;
 * partitions are sorted into one run up to it too (the batch takes about twice its records' bytes
 * while it is ordered)
 */
const IN_MEMORY_SHARE = 8;
/** runs merged at once; more are first merged into fewer, in passes (descriptors and buffers stay few) */
const MAX_RUNS = 64;
/** --top up to this keeps the first groups in memory while partitions are read; a larger one (or none) writes sorted runs */
const TOP_IN_MEMORY = 65536;

/**
 * The records of one spilled file in file order, read in chunks (grown for a larger record): after
 * next() returns true, the record is `bytes[at..end)`, whole, until the next call.
 */
class RecordReader {
  bytes: Uint8Array;
  view: DataView;
  at = 0;
  end = 0;
  /** bytes of `bytes` read */
  private held = 0;
  private position = 0;
  private readonly size: number;

  constructor(
    private readonly fd: number,
    private readonly lineOffset: number,
    chunkBytes = READ_BYTES,
  ) {
    this.size = fd === -1 ? 0 : fstatSync(fd).size;
    this.bytes = new Uint8Array(chunkBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  next(): boolean {
    this.at = this.end;
    while (this.at + 8 > this.held || this.at + recordSize(this.bytes, this.at) > this.held) {
      if (this.position >= this.size) {
        if (this.at < this.held) throw new Error('csvscan: a spill file was cut short');
        return false;
      }
      this.refill();
    }
    this.end = this.at + recordSize(this.bytes, this.at);
    if (this.lineOffset !== 0) shiftLines(this.view, this.at, this.lineOffset);
    return true;
  }

  /** Keep the bytes from `at` on at the start, read more after them (the chunk grown when full). */
  private refill(): void {
    this.bytes.copyWithin(0, this.at, this.held);
    this.held -= this.at;
    this.at = 0;
    if (this.held === this.bytes.length) {
      const grown = new Uint8Array(2 * this.bytes.length);
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const got = readSync(this.fd, this.bytes, this.held, Math.min(this.bytes.length - this.held, this.size - this.position), this.position);
    if (got === 0) throw new Error('csvscan: a spill file was cut short');
    this.position += got;
    this.held += got;
  }
}

/**
 * The partitions of `spills`, each read back whole into `batch` (added to what it holds; `visit` is
 * given the number of its groups): split again by another hash when one has more than an eighth of `budget`
 * bytes on disk, up to twice; then refused past `budget`.
 */
function eachPartition(spills: SpilledGroups[], dir: string, budget: number, depth: number, batch: GroupBatch, visit: (groups: number) => void): void {
  const partitions = Math.max(...spills.map((spill) => spill.fds.length));
  const most = budget / IN_MEMORY_SHARE;
  for (let p = 0; p < partitions; p++) {
    const fds = spills.map((spill): [number, number] => [spill.fds[p] ?? -1, spill.lineOffset]).filter(([fd]) => fd !== -1);
    const bytes = fds.reduce((total, [fd]) => total + fstatSync(fd).size, 0);
    // split twice at most: a key spilled many times stays in one partition whatever the hash, so
    // the last level takes up to the whole budget of bytes on disk (duplicates merge as it is read)
    if (bytes > (depth >= 2 ? budget : most)) {
      if (depth >= 2) {
        throw usageError(`a partition of the spilled groups (${bytes} bytes on disk) does not fit in --memory ${budget}: raise --memory`);
      }
      const split = new GroupSpill(dir, depth + 1, Math.min(SPILL_PARTITIONS, 2 * Math.ceil(bytes / most)));
      let parts: SpilledGroups | null = null;
      try {
        for (const [fd, lineOffset] of fds) {
          const reader = new RecordReader(fd, lineOffset);
          while (reader.next()) split.add(reader.bytes, reader.at, reader.end);
        }
        parts = split.finish();
      } catch (error) {
        split.discard();
        throw error;
      }
      if (parts) {
        try {
          eachPartition([parts], dir, budget, depth + 1, batch, visit);
        } finally {
          closeSpilled([parts]);
        }
      }
      continue;
    }
    if (bytes === 0) continue;
    visit(batch.addPartition(fds, bytes));
  }
}

/** The scan's in-memory groups spilled too (after the others), so that every group is on disk. */
function spillTheRest(raw: RawScan, dir: string, spills: SpilledGroups[]): void {
  const last = new GroupSpill(dir);
  last.write(raw.groups ?? new Map());
  const tail = last.finish();
  if (tail) spills.push(tail);
}

/**
 * Every group of a scan whose groups were spilled, in one map (a partial carries all of its
 * shard's): each partition is read back alone and its figures added per key. Closes the spills.
 */
export function gatherSpilled(raw: RawScan, dir: string, budget: number): RawScan {
  const spills = raw.spilled;
  if (!spills || spills.length === 0) return raw;
  try {
    spillTheRest(raw, dir, spills);
    const groups = new Map<string, GroupValue>();
    const batch = new GroupBatch();
    eachPartition(spills, dir, budget, 0, batch, () => {
      for (let i = 0; i < batch.count; i++) {
        const [key, value] = decodeGroup(batch.bytes, batch.view, batch.offsets[i]!);
        groups.set(key, value);
      }
      batch.reset();
    });
    const { spilled: _spilled, ...rest } = raw;
    return { ...rest, groups };
  } finally {
    closeSpilled(spills);
  }
}

/** The order of records in bytes (count: most records first, ties by key; else by key); 0 when equal. */
function recordOrder(byRecords: boolean): (a: Uint8Array, aView: DataView, aAt: number, b: Uint8Array, bView: DataView, bAt: number) => number {
  return byRecords
    ? (a, aView, aAt, b, bView, bAt) => recordRows(bView, bAt) - recordRows(aView, aAt) || compareRecordKeys(a, aAt, b, bAt)
    : (a, _aView, aAt, b, _bView, bAt) => compareRecordKeys(a, aAt, b, bAt);
}

/**
 * A scan's groups in their order when some were spilled (`ordered`), in memory bounded by the
 * budget: each partition is read back alone and its figures added per key (a partition larger than
 * an eighth of `budget` is split again by a second hash and a third, then refused past `budget`). With a small `top`, the first groups are
 * kept as partitions come; otherwise partitions are sorted into runs on disk (several partitions a
 * run, up to an eighth of the budget of their spilled bytes), merged as they are read. Closes the spills.
 */
export function orderSpilled(raw: RawScan, dir: string, top: number | null, budget: number, byRecords: boolean): RawScan {
  const spills = raw.spilled;
  if (!spills || spills.length === 0) return raw;
  collectGarbage();
  const runs: number[] = [];
  const batch = new GroupBatch();
  try {
    spillTheRest(raw, dir, spills);
    let groupCount = 0;
    const { spilled: _spilled, groups: _groups, ...rest } = raw;
    if (top !== null && top <= TOP_IN_MEMORY) {
      const order = groupOrder(byRecords);
      let kept: [string, GroupValue][] = [];
      eachPartition(spills, dir, budget, 0, batch, (groups) => {
        groupCount += groups;
        const first = batch.ordered(byRecords, top);
        for (let i = 0; i < Math.min(top, batch.count); i++) kept.push(decodeGroup(batch.bytes, batch.view, first[i]!));
        kept = kept.sort(order).slice(0, top);
        batch.reset();
      });
      return { ...rest, ordered: orderedInMemory(new Map(kept), top, byRecords, groupCount) };
    }
    const writeBatch = (): void => {
      if (batch.count === 0) return;
      // partitions hold distinct keys: ordered together, one run
      const run = new GroupSpill(dir, 0, 1);
      try {
        for (const at of batch.ordered(byRecords)) run.add(batch.bytes, at, at + recordSize(batch.bytes, at));
        runs.push(run.finish()?.fds[0] ?? -1);
      } catch (error) {
        run.discard();
        throw error;
      }
      batch.reset();
    };
    eachPartition(spills, dir, budget, 0, batch, (groups) => {
      groupCount += groups;
      if (batch.used > budget / IN_MEMORY_SHARE) writeBatch();
    });
    writeBatch();
    const order = recordOrder(byRecords);
    while (runs.length > MAX_RUNS) {
      const merged: number[] = [];
      for (let from = 0; from < runs.length; from += MAX_RUNS) {
        const some = runs.slice(from, from + MAX_RUNS);
        merged.push(some.length === 1 ? some[0]! : mergeRunsInto(dir, some, order));
        if (some.length > 1) closeRuns(some);
      }
      runs.splice(0, runs.length, ...merged);
    }
    return { ...rest, ordered: orderedRuns(runs, groupCount, top, order) };
  } catch (error) {
    closeRuns(runs);
    throw error;
  } finally {
    closeSpilled(spills);
  }
}

type RecordOrder = ReturnType<typeof recordOrder>;

/** Sorted runs merged into one more run; its descriptor. */
function mergeRunsInto(dir: string, runs: readonly number[], order: RecordOrder): number {
  const run = new GroupSpill(dir, 0, 1);
  try {
    mergeRuns(runs, order, (reader) => run.add(reader.bytes, reader.at, reader.end));
    return run.finish()?.fds[0] ?? -1;
  } catch (error) {
    run.discard();
    throw error;
  }
}

function closeRuns(runs: number[]): void {
  closeSpilled([{ fds: runs, lineOffset: 0 }]);
}

/** Sorted runs as OrderedRawGroups: merged (the first `top` groups) each time they are read. */
function orderedRuns(runs: number[], count: number, top: number | null, order: RecordOrder): OrderedRawGroups {
  return {
    count,
    *entries() {
      const limit = top ?? Infinity;
      if (limit === 0) return;
      // groups are decoded a chunk at a time: a generator's yield per group from inside the merge's callback is not possible
      const decoded: [string[], GroupValue][] = [];
      let left = limit;
      const merge = mergeRunsStepwise(runs, order);
      for (;;) {
        decoded.length = 0;
        const more = merge((reader) => {
          decoded.push([recordComponents(reader.bytes, reader.at), recordValue(reader.bytes, reader.view, reader.at)]);
          return --left > 0 && decoded.length < 4096;
        });
        yield* decoded;
        if (!more || left === 0) return;
      }
    },
    close: () => closeRuns(runs),
  };
}

/** The records of sorted runs in one order, each given to `visit`: a k-way merge over a binary heap of each run's reader. */
function mergeRuns(runs: readonly number[], order: RecordOrder, visit: (reader: RecordReader) => void): void {
  const step = mergeRunsStepwise(runs, order);
  while (step((reader) => (visit(reader), true)));
}

/**
 * A k-way merge of sorted runs that can pause: each call gives records to `visit` in order until it
 * returns false (then true: more may follow) or the runs end (then false).
 */
function mergeRunsStepwise(runs: readonly number[], order: RecordOrder): (visit: (reader: RecordReader) => boolean) => boolean {
  const heap: RecordReader[] = [];
  const below = (i: number, j: number): boolean => {
    const a = heap[i]!;
    const b = heap[j]!;
    return order(a.bytes, a.view, a.at, b.bytes, b.view, b.at) < 0;
  };
  const siftDown = (from: number): void => {
    let i = from;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) return;
      const child = left + 1 < heap.length && below(left + 1, left) ? left + 1 : left;
      if (!below(child, i)) return;
      [heap[i], heap[child]] = [heap[child]!, heap[i]!];
      i = child;
    }
  };
  for (const fd of runs) {
    const reader = new RecordReader(fd, 0, RUN_READ_BYTES);
    if (reader.next()) heap.push(reader);
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
  return (visit) => {
    while (heap.length > 0) {
      const head = heap[0]!;
      const goOn = visit(head);
      if (!head.next()) {
        const last = heap.pop()!;
        if (heap.length > 0) heap[0] = last;
      }
      if (heap.length > 0) siftDown(0);
      if (!goOn) return heap.length > 0;
    }
    return false;
  };
}
