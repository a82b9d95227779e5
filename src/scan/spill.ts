// Spilling groups to disk (`--by` past `--memory`): when the engine's group table no longer fits in
// the budget, its groups are written to temporary files partitioned by a hash of the key
// (GroupSpill, the engines' GroupSink) and the table is emptied; at the end, each partition of every
// spill is read back alone and its groups merged per key (gatherSpilled).
//
// A temporary file has no name (Linux's O_TMPFILE; elsewhere it is unlinked as soon as it is
// opened): only its descriptor exists, so nothing is left in the temporary directory whatever ends
// the process (an error, Ctrl-C, kill -9). Descriptors
// belong to the process, so a worker thread's spills are read back by the main thread. Record format,
// little-endian: u32 bytes of the rest of the record, u32 component count, per component u32 length
// and its bytes, f64 records, u32 columns (0: count --by), and per column the RawColumn: its doubles
// (COLUMN_DOUBLES), the first invalid field's line (0: none), u32 length and bytes of that field, and
// its two exact sums as u32 length and decimal text.

import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fstatSync, openSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { KEY_SEPARATOR, binaryString, type GroupValue, type RawGroups } from '../kernel/groups.js';
import type { GroupSink } from '../kernel/types.js';
import { addGroupValues, groupOrder, orderEntries, orderedInMemory } from '../results/groups.js';
import type { OrderedRawGroups, RawColumn, RawScan, SpilledGroups } from '../types.js';
import type { RangeQuery } from './range.js';

export const SPILL_PARTITIONS = 64;
const BUFFER_BYTES = 16384;
const SEEDS = [0x811c9dc5, 0x9e3779b9, 0x7f4a7c15];
const SEPARATOR_CODE = KEY_SEPARATOR.charCodeAt(0);
const NO_COLUMNS: RawColumn[] = [];
const NO_SUMS: (readonly [string, string])[] = [];
/** A RawColumn's numbers written as doubles, in this order (readGroup() reads them in it too). */
const COLUMN_DOUBLES = [
  'count', 'empty', 'invalid', 'outside', 'fsum', 'fsumComp', 'shift', 'fdev', 'fdevComp', 'fsq', 'fsqComp', 'min', 'max',
  'minLength', 'maxLength', 'forms',
] as const;

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

/** Partition of a key (components of one character per byte joined by KEY_SEPARATOR): FNV-1a, mixed. */
export function partitionOf(key: string, partitions = SPILL_PARTITIONS, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) % partitions;
}

/** The sink of a range scan's groups: none without groups or without a directory to spill to. */
export function groupSink(task: RangeQuery): GroupSpill | undefined {
  return task.groups?.tempDir ? new GroupSpill(task.groups.tempDir) : undefined;
}

export class GroupSpill implements GroupSink {
  private readonly fds: number[];
  private readonly buffers: (Uint8Array | null)[];
  private readonly views: (DataView | null)[];
  private readonly used: Int32Array;
  private readonly stem: string;
  private scratch = new Uint8Array(BUFFER_BYTES);

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
    this.views = new Array<DataView | null>(partitions).fill(null);
    this.used = new Int32Array(partitions);
    this.stem = join(dir, `csvscan-${process.pid}-${randomBytes(6).toString('hex')}-`);
  }

  write(groups: Iterable<[string, GroupValue]>): void {
    for (const [key, value] of groups) this.add(key, value);
  }

  add(key: string, value: GroupValue): void {
    const p = this.partitions === 1 ? 0 : partitionOf(key, this.partitions, SEEDS[this.seed]!);
    let components = 1;
    for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === SEPARATOR_CODE) components++;
    const columns = typeof value === 'number' ? NO_COLUMNS : value.columns;
    const sums = columns.length === 0 ? NO_SUMS : columns.map((column) => [column.exactSum.toString(), column.exactSquares.toString()] as const);
    // the key's bytes (one per character but the separators) and a length per component
    let size = 4 + 4 + 8 + 4 + key.length - (components - 1) + 4 * components;
    for (let c = 0; c < columns.length; c++) {
      size += 8 * (COLUMN_DOUBLES.length + 1) + 4 + (columns[c]!.firstInvalid?.value.length ?? 0) + 8 + sums[c]![0].length + sums[c]![1].length;
    }
    let buffer = this.buffers[p];
    if (!buffer) {
      buffer = this.buffers[p] = new Uint8Array(BUFFER_BYTES);
      this.views[p] = new DataView(buffer.buffer);
    }
    if (this.used[p]! + size > buffer.length) this.flush(p);
    let target = buffer;
    let view = this.views[p]!;
    let at = this.used[p]!;
    if (size > buffer.length) {
      if (this.scratch.length < size) this.scratch = new Uint8Array(size);
      target = this.scratch;
      view = new DataView(target.buffer);
      at = 0;
    }
    view.setUint32(at, size - 4, true);
    view.setUint32(at + 4, components, true);
    at += 8;
    // each component: its length (filled in when it ends), then its bytes
    let lengthAt = at;
    at += 4;
    for (let i = 0; i < key.length; i++) {
      const code = key.charCodeAt(i);
      if (code !== SEPARATOR_CODE) {
        target[at++] = code;
        continue;
      }
      view.setUint32(lengthAt, at - lengthAt - 4, true);
      lengthAt = at;
      at += 4;
    }
    view.setUint32(lengthAt, at - lengthAt - 4, true);
    view.setFloat64(at, typeof value === 'number' ? value : value.records, true);
    view.setUint32(at + 8, columns.length, true);
    at += 12;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      for (const name of COLUMN_DOUBLES) {
        view.setFloat64(at, column[name], true);
        at += 8;
      }
      view.setFloat64(at, column.firstInvalid?.line ?? 0, true);
      view.setUint32(at + 8, column.firstInvalid?.value.length ?? 0, true);
      at += 12;
      if (column.firstInvalid) {
        target.set(column.firstInvalid.value, at);
        at += column.firstInvalid.value.length;
      }
      for (const text of sums[c]!) {
        view.setUint32(at, text.length, true);
        at += 4;
        for (let i = 0; i < text.length; i++) target[at++] = text.charCodeAt(i);
      }
    }
    if (target === buffer) this.used[p] = at;
    else this.writeOut(p, target.subarray(0, at));
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
    this.views.fill(null);
    return this.fds.some((fd) => fd !== -1) ? { fds: [...this.fds], lineOffset: 0 } : null;
  }

  discard(): void {
    closeSpilled([{ fds: this.fds, lineOffset: 0 }]);
    this.fds.fill(-1);
    this.buffers.fill(null);
    this.views.fill(null);
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
/** a partition is read back into memory whole up to this share of the budget of its bytes on disk */
const IN_MEMORY_SHARE = 8;
/**
 * partitions are sorted into one run up to this share of the budget of their bytes on disk (as
 * objects, with the arrays that sort them, a group of count --by takes about six times its bytes)
 */
const RUN_SHARE = 32;
/** runs merged at once; more are first merged into fewer, in passes (descriptors and buffers stay few) */
const MAX_RUNS = 64;
/** --top up to this keeps the first groups in memory while partitions are read; a larger one (or none) writes sorted runs */
const TOP_IN_MEMORY = 65536;

/** Each group of one spilled file, in file order, read in chunks (grown for a larger group); `lineOffset` is added to its lines. */
function* spilledGroups(fd: number, lineOffset: number, chunkBytes = READ_BYTES): Generator<[string, GroupValue]> {
  if (fd === -1) return;
  const size = fstatSync(fd).size;
  let chunk = new Uint8Array(chunkBytes);
  let held = 0; // bytes of chunk not parsed yet, at its start
  let position = 0;
  while (position < size || held > 0) {
    if (position < size) {
      if (held === chunk.length) {
        const grown = new Uint8Array(2 * chunk.length);
        grown.set(chunk);
        chunk = grown;
      }
      const got = readSync(fd, chunk, held, Math.min(chunk.length - held, size - position), position);
      if (got === 0) throw new Error('csvscan: a spill file was cut short');
      position += got;
      held += got;
    }
    const view = new DataView(chunk.buffer, 0, held);
    let at = 0;
    while (at + 4 <= held && at + 4 + view.getUint32(at, true) <= held) {
      const end = at + 4 + view.getUint32(at, true);
      yield readGroup(chunk, view, at + 4, lineOffset);
      at = end;
    }
    if (at === 0 && position >= size && held > 0) throw new Error('csvscan: a spill file was cut short');
    chunk.copyWithin(0, at, held);
    held -= at;
  }
}

/** The group GroupSpill.add() wrote at `from` (after the record's length). */
function readGroup(chunk: Uint8Array, view: DataView, from: number, lineOffset: number): [string, GroupValue] {
  let at = from;
  const text = (): string => {
    const length = view.getUint32(at, true);
    const chars = binaryString(chunk, at + 4, at + 4 + length);
    at += 4 + length;
    return chars;
  };
  const double = (): number => {
    at += 8;
    return view.getFloat64(at - 8, true);
  };
  const count = view.getUint32(at, true);
  at += 4;
  let key = '';
  for (let k = 0; k < count; k++) key += (k === 0 ? '' : KEY_SEPARATOR) + text();
  const records = double();
  const columnCount = view.getUint32(at, true);
  at += 4;
  if (columnCount === 0) return [key, records];
  const columns: RawColumn[] = [];
  for (let c = 0; c < columnCount; c++) {
    // one object literal, members in COLUMN_DOUBLES order (evaluated in source order): every column
    // read has one shape, which keeps reading millions of groups fast
    const column: RawColumn = {
      count: double(),
      empty: double(),
      invalid: double(),
      outside: double(),
      fsum: double(),
      fsumComp: double(),
      shift: double(),
      fdev: double(),
      fdevComp: double(),
      fsq: double(),
      fsqComp: double(),
      min: double(),
      max: double(),
      minLength: double(),
      maxLength: double(),
      forms: double(),
      exactSum: 0n,
      exactSquares: 0n,
      firstInvalid: null,
    };
    const line = double();
    const length = view.getUint32(at, true);
    if (line !== 0) column.firstInvalid = { line: line + lineOffset, value: chunk.slice(at + 4, at + 4 + length) };
    at += 4 + length;
    column.exactSum = BigInt(text());
    column.exactSquares = BigInt(text());
    columns.push(column);
  }
  return [key, { records, columns }];
}

/**
 * The partitions of `spills`, each read back whole, with the bytes it had on disk: split again by
 * another hash when one has more than an eighth of `budget` bytes on disk (as objects, groups take
 * several times their bytes on disk), up to twice; then refused past `budget`.
 */
function eachPartition(spills: SpilledGroups[], dir: string, budget: number, depth: number, visit: (partition: RawGroups, bytes: number) => void): void {
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
        for (const [fd, lineOffset] of fds) split.write(spilledGroups(fd, lineOffset));
        parts = split.finish();
      } catch (error) {
        split.discard();
        throw error;
      }
      if (parts) {
        try {
          eachPartition([parts], dir, budget, depth + 1, visit);
        } finally {
          closeSpilled([parts]);
        }
      }
      continue;
    }
    const partition: RawGroups = new Map();
    for (const [fd, lineOffset] of fds) {
      for (const [key, value] of spilledGroups(fd, lineOffset)) {
        const earlier = partition.get(key);
        partition.set(key, earlier === undefined ? value : addGroupValues(earlier, value));
      }
    }
    if (partition.size > 0) visit(partition, bytes);
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
    const groups: RawGroups = new Map();
    eachPartition(spills, dir, budget, 0, (partition) => {
      for (const [key, value] of partition) groups.set(key, value);
    });
    const { spilled: _spilled, ...rest } = raw;
    return { ...rest, groups };
  } finally {
    closeSpilled(spills);
  }
}

/**
 * A scan's groups in their order when some were spilled (`ordered`), in memory bounded by the
 * budget: each partition is read back alone and its figures added per key (a partition larger than
 * an eighth of `budget` is split again by a second hash and a third, then refused past `budget`). With a small `top`, the first groups are
 * kept as partitions come; otherwise partitions are sorted into runs on disk (several partitions a
 * run, up to a 32nd of the budget of their spilled bytes), merged as they are read. Closes the spills.
 */
export function orderSpilled(raw: RawScan, dir: string, top: number | null, budget: number, byRecords: boolean): RawScan {
  const spills = raw.spilled;
  if (!spills || spills.length === 0) return raw;
  const order = groupOrder(byRecords);
  const runs: number[] = [];
  try {
    spillTheRest(raw, dir, spills);
    let groupCount = 0;
    const { spilled: _spilled, groups: _groups, ...rest } = raw;
    if (top !== null && top <= TOP_IN_MEMORY) {
      let kept: [string, GroupValue][] = [];
      eachPartition(spills, dir, budget, 0, (partition) => {
        groupCount += partition.size;
        const last = kept.length === top ? kept[top - 1]! : null;
        for (const entry of partition) if (last === null || order(entry, last) < 0) kept.push(entry);
        kept = kept.sort(order).slice(0, top);
      });
      return { ...rest, ordered: orderedInMemory(new Map(kept), top, byRecords, groupCount) };
    }
    let pending: RawGroups[] = [];
    let pendingBytes = 0;
    const writePending = (): void => {
      if (pending.length === 0) return;
      // partitions hold distinct keys: ordered together without a map of them all
      const size = pending.reduce((total, partition) => total + partition.size, 0);
      const batch = orderEntries(eachOf(pending), size, size, byRecords);
      pending = [];
      pendingBytes = 0;
      runs.push(writeRun(dir, batch));
    };
    eachPartition(spills, dir, budget, 0, (partition, bytes) => {
      groupCount += partition.size;
      if (pendingBytes + bytes > budget / RUN_SHARE) writePending();
      pending.push(partition);
      pendingBytes += bytes;
    });
    writePending();
    while (runs.length > MAX_RUNS) {
      const merged: number[] = [];
      for (let from = 0; from < runs.length; from += MAX_RUNS) {
        const some = runs.slice(from, from + MAX_RUNS);
        merged.push(some.length === 1 ? some[0]! : writeRun(dir, mergeRuns(some, order)));
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

function* eachOf(partitions: readonly RawGroups[]): Generator<[string, GroupValue]> {
  for (const partition of partitions) yield* partition;
}

/** Groups, already in order, written as one sorted run; its descriptor. */
function writeRun(dir: string, groups: Iterable<[string, GroupValue]>): number {
  const run = new GroupSpill(dir, 0, 1);
  try {
    run.write(groups);
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
function orderedRuns(runs: number[], count: number, top: number | null, order: (a: [string, GroupValue], b: [string, GroupValue]) => number): OrderedRawGroups {
  return {
    count,
    *entries() {
      let left = top ?? Infinity;
      if (left === 0) return;
      for (const entry of mergeRuns(runs, order)) {
        yield entry;
        if (--left === 0) return;
      }
    },
    close: () => closeRuns(runs),
  };
}

/** The groups of sorted runs in one order: a k-way merge over a binary heap of each run's next group. */
function* mergeRuns(runs: readonly number[], order: (a: [string, GroupValue], b: [string, GroupValue]) => number): Generator<[string, GroupValue]> {
  interface Head {
    entry: [string, GroupValue];
    rest: Iterator<[string, GroupValue]>;
  }
  const heap: Head[] = [];
  const below = (i: number, j: number): boolean => order(heap[i]!.entry, heap[j]!.entry) < 0;
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
    const rest = spilledGroups(fd, 0, RUN_READ_BYTES);
    const first = rest.next();
    if (!first.done) heap.push({ entry: first.value, rest });
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
  while (heap.length > 0) {
    const head = heap[0]!;
    yield head.entry;
    const next = head.rest.next();
    if (next.done) {
      const last = heap.pop()!;
      if (heap.length === 0) return;
      heap[0] = last;
    } else {
      head.entry = next.value;
    }
    siftDown(0);
  }
}
