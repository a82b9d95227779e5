// Spilling groups to disk (`--by` past `--memory`): when the engine's group table no longer fits in
// the budget, its groups are written to temporary files partitioned by a hash of the key
// (GroupSpill, the engines' GroupSink) and the table is emptied; at the end, each partition of every
// spill is read back alone and its groups merged per key (gatherSpilled).
//
// A temporary file is unlinked as soon as it is opened: only its descriptor remains, so nothing is
// left in the temporary directory whatever ends the process (an error, Ctrl-C, kill -9). Descriptors
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
import { addGroupValues, groupOrder } from '../results/groups.js';
import type { RawColumn, RawScan, SpilledGroups } from '../types.js';
import type { RangeQuery } from './range.js';

export const SPILL_PARTITIONS = 64;
const BUFFER_BYTES = 16384;
const SEEDS = [0x811c9dc5, 0x9e3779b9, 0x7f4a7c15];
/** A RawColumn's numbers written as doubles, in this order. */
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
  private readonly used: Int32Array;
  private readonly stem: string;
  private scratch = new Uint8Array(BUFFER_BYTES);

  /**
   * `seed`: 0 for a scan's spills, 1 and 2 for a partition split again (another hash) into
   * `partitions` (at most SPILL_PARTITIONS)
   */
  constructor(
    dir: string,
    private readonly seed = 0,
    private readonly partitions = SPILL_PARTITIONS,
  ) {
    this.fds = new Array<number>(partitions).fill(-1);
    this.buffers = new Array<Uint8Array | null>(partitions).fill(null);
    this.used = new Int32Array(partitions);
    this.stem = join(dir, `csvscan-${process.pid}-${randomBytes(6).toString('hex')}-`);
  }

  write(groups: Iterable<[string, GroupValue]>): void {
    for (const [key, value] of groups) this.add(key, value);
  }

  add(key: string, value: GroupValue): void {
    const p = partitionOf(key, this.partitions, SEEDS[this.seed]!);
    const components = key.split(KEY_SEPARATOR);
    const columns = typeof value === 'number' ? [] : value.columns;
    const sums = columns.map((column) => [column.exactSum.toString(), column.exactSquares.toString()] as const);
    let size = 4 + 4 + 8 + 4;
    for (const component of components) size += 4 + component.length;
    columns.forEach((column, c) => {
      size += 8 * (COLUMN_DOUBLES.length + 1) + 4 + (column.firstInvalid?.value.length ?? 0) + 8 + sums[c]![0].length + sums[c]![1].length;
    });
    let buffer = this.buffers[p];
    if (!buffer) buffer = this.buffers[p] = new Uint8Array(BUFFER_BYTES);
    if (this.used[p]! + size > buffer.length) this.flush(p);
    let target = buffer;
    let at = this.used[p]!;
    if (size > buffer.length) {
      if (this.scratch.length < size) this.scratch = new Uint8Array(size);
      target = this.scratch;
      at = 0;
    }
    const view = new DataView(target.buffer, target.byteOffset);
    const text = (chars: string): void => {
      view.setUint32(at, chars.length, true);
      at += 4;
      for (let i = 0; i < chars.length; i++) target[at++] = chars.charCodeAt(i);
    };
    const double = (x: number): void => {
      view.setFloat64(at, x, true);
      at += 8;
    };
    view.setUint32(at, size - 4, true);
    view.setUint32(at + 4, components.length, true);
    at += 8;
    for (const component of components) text(component);
    double(typeof value === 'number' ? value : value.records);
    view.setUint32(at, columns.length, true);
    at += 4;
    columns.forEach((column, c) => {
      for (const name of COLUMN_DOUBLES) double(column[name]);
      double(column.firstInvalid?.line ?? 0);
      view.setUint32(at, column.firstInvalid?.value.length ?? 0, true);
      at += 4;
      if (column.firstInvalid) {
        target.set(column.firstInvalid.value, at);
        at += column.firstInvalid.value.length;
      }
      text(sums[c]![0]);
      text(sums[c]![1]);
    });
    if (target === buffer) this.used[p] = at;
    else this.writeOut(p, target.subarray(0, at));
  }

  private flush(p: number): void {
    if (this.used[p] === 0) return;
    this.writeOut(p, this.buffers[p]!.subarray(0, this.used[p]));
    this.used[p] = 0;
  }

  private writeOut(p: number, bytes: Uint8Array): void {
    if (this.fds[p] === -1) {
      const path = `${this.stem}${p}`;
      this.fds[p] = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
    }
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

/** Each group of one spilled partition file, read in chunks; `lineOffset` is added to its lines. */
function forEachGroup(fd: number, lineOffset: number, visit: (key: string, value: GroupValue) => void): void {
  if (fd === -1) return;
  const size = fstatSync(fd).size;
  let chunk = new Uint8Array(READ_BYTES);
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
      readGroup(chunk, view, at + 4, lineOffset, visit);
      at = end;
    }
    if (at === 0 && position >= size && held > 0) throw new Error('csvscan: a spill file was cut short');
    chunk.copyWithin(0, at, held);
    held -= at;
  }
}

/** The group GroupSpill.add() wrote at `from` (after the record's length). */
function readGroup(chunk: Uint8Array, view: DataView, from: number, lineOffset: number, visit: (key: string, value: GroupValue) => void): void {
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
  if (columnCount === 0) {
    visit(key, records);
    return;
  }
  const columns: RawColumn[] = [];
  for (let c = 0; c < columnCount; c++) {
    const values = {} as Record<(typeof COLUMN_DOUBLES)[number], number>;
    for (const name of COLUMN_DOUBLES) values[name] = double();
    const line = double();
    const length = view.getUint32(at, true);
    const invalid = chunk.slice(at + 4, at + 4 + length);
    at += 4 + length;
    const exactSum = BigInt(text());
    const exactSquares = BigInt(text());
    columns.push({ ...values, exactSum, exactSquares, firstInvalid: line === 0 ? null : { line: line + lineOffset, value: invalid } });
  }
  visit(key, { records, columns });
}

/** The partitions of `spills`, each read back whole: split again by another hash when one is larger than `budget` bytes. */
function eachPartition(spills: SpilledGroups[], dir: string, budget: number, depth: number, visit: (partition: RawGroups) => void): void {
  const partitions = Math.max(...spills.map((spill) => spill.fds.length));
  for (let p = 0; p < partitions; p++) {
    const fds = spills.map((spill): [number, number] => [spill.fds[p] ?? -1, spill.lineOffset]).filter(([fd]) => fd !== -1);
    const bytes = fds.reduce((total, [fd]) => total + fstatSync(fd).size, 0);
    if (bytes > budget) {
      if (depth >= 2) {
        throw usageError(`a partition of the spilled groups (${bytes} bytes) does not fit in --memory ${budget}: raise --memory`);
      }
      const split = new GroupSpill(dir, depth + 1, Math.min(SPILL_PARTITIONS, 2 * Math.ceil(bytes / budget)));
      let parts: SpilledGroups | null = null;
      try {
        for (const [fd, lineOffset] of fds) forEachGroup(fd, lineOffset, (key, value) => split.add(key, value));
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
      forEachGroup(fd, lineOffset, (key, value) => {
        const earlier = partition.get(key);
        partition.set(key, earlier === undefined ? value : addGroupValues(earlier, value));
      });
    }
    visit(partition);
  }
}

/**
 * A scan's groups when some were spilled: the in-memory groups are spilled too, then each partition
 * is read back alone and its counts added per key (a partition larger than `budget` is split again
 * by a second hash, then refused). With `top`, only the first `top` groups of the order are kept
 * (memory bounded by a partition), and `groupCount` tells how many there were. Closes the spills.
 */
export function gatherSpilled(raw: RawScan, dir: string, top: number | null, budget: number, byRecords = true): RawScan {
  const spills = raw.spilled;
  if (!spills || spills.length === 0) return raw;
  try {
    const last = new GroupSpill(dir);
    last.write(raw.groups ?? new Map());
    const tail = last.finish();
    if (tail) spills.push(tail);
    let groupCount = 0;
    let kept: RawGroups = new Map();
    const order = groupOrder(byRecords);
    eachPartition(spills, dir, budget, 0, (partition) => {
      groupCount += partition.size;
      if (top === null) {
        for (const [key, value] of partition) kept.set(key, value);
      } else {
        const entries = [...kept];
        const last = kept.size === top ? entries[top - 1]! : null;
        for (const entry of partition) if (last === null || order(entry, last) < 0) entries.push(entry);
        entries.sort(order);
        kept = new Map(entries.slice(0, top));
      }
    });
    const { spilled: _spilled, ...rest } = raw;
    return { ...rest, groups: kept, groupCount };
  } finally {
    closeSpilled(spills);
  }
}
