// Spilled groups read back into memory as records (src/kernel/group-record.ts), in one buffer: the
// partitions of spill files, one record per key (the figures of a key spilled several times added
// up), then ordered for a sorted run or the output, all without a string or an object per group.

import { fstatSync, readSync } from 'node:fs';
import { KEY_AT, compareRecordKeys, decodeGroup, encodeGroup, keyHash, keyLength, recordRows, recordSize, shiftLines } from '../kernel/group-record.js';
import { addGroupValues } from '../results/groups.js';
import { orderKeys } from '../results/key-sort.js';

/** The seed of the hash that finds equal keys in a batch: not the partitions' seeds, whose hashes agree within a partition. */
const TABLE_SEED = 0x5bd1e995;

export class GroupBatch {
  bytes = new Uint8Array(1 << 16);
  view = new DataView(this.bytes.buffer);
  /** bytes of `bytes` in use */
  used = 0;
  /** where each group's record begins: one per key */
  offsets = new Int32Array(1024);
  count = 0;

  reset(): void {
    this.used = 0;
    this.count = 0;
  }

  /**
   * Reads the files of one partition (`[fd, lineOffset]`: a later range's lines are shifted) whole and
   * adds their groups, one per key; `bytes`: their size on disk. The number of groups added.
   */
  addPartition(files: readonly (readonly [number, number])[], bytes: number): number {
    this.room(bytes);
    const start = this.used;
    let records = 0;
    for (const [fd, lineOffset] of files) {
      const size = fstatSync(fd).size;
      const from = this.used;
      let done = 0;
      while (done < size) {
        const got = readSync(fd, this.bytes, from + done, size - done, done);
        if (got === 0) throw new Error('csvscan: a spill file was cut short');
        done += got;
      }
      this.used += size;
      for (let at = from; at < this.used; at += recordSize(this.bytes, at)) {
        if (at + 8 > this.used || at + recordSize(this.bytes, at) > this.used) throw new Error('csvscan: a spill file was cut short');
        if (lineOffset !== 0) shiftLines(this.view, at, lineOffset);
        records++;
      }
    }
    this.ensureOffsets(this.count + records);
    // open addressing, a power of two at least twice the records: indexes into offsets, -1 empty
    const mask = 2 ** Math.ceil(Math.log2(2 * records + 2)) - 1;
    const table = new Int32Array(mask + 1).fill(-1);
    const end = this.used;
    const before = this.count;
    for (let at = start; at < end; at += recordSize(this.bytes, at)) {
      let h = keyHash(this.bytes, at, TABLE_SEED) & mask;
      for (;;) {
        const index = table[h]!;
        if (index === -1) {
          table[h] = this.count;
          this.offsets[this.count++] = at;
          break;
        }
        if (compareRecordKeys(this.bytes, this.offsets[index]!, this.bytes, at) === 0) {
          this.merge(index, at);
          break;
        }
        h = (h + 1) & mask;
      }
    }
    return this.count - before;
  }

  /** The group at `at` added into the batch's group `index` of the same key. */
  private merge(index: number, at: number): void {
    const earlier = this.offsets[index]!;
    const rowsAt = earlier + KEY_AT + keyLength(this.bytes, earlier);
    const columnsAt = rowsAt + 8;
    if (this.view.getUint32(columnsAt, true) === 0) {
      this.view.setFloat64(rowsAt, this.view.getFloat64(rowsAt, true) + recordRows(this.view, at), true);
      return;
    }
    // groups with columns: merged as objects, the merged record written at the end (keys spilled
    // more than once only)
    const [key, value] = decodeGroup(this.bytes, this.view, earlier);
    const record = encodeGroup(key, addGroupValues(value, decodeGroup(this.bytes, this.view, at)[1]));
    this.room(record.length);
    this.bytes.set(record, this.used);
    this.offsets[index] = this.used;
    this.used += record.length;
  }

  /**
   * The batch's records in their order (count: most records first, ties by key; sum and stats: by
   * key), the first `limit` of them at least in place: their offsets.
   */
  ordered(byRecords: boolean, limit = this.count): Int32Array {
    const n = this.count;
    const { bytes, offsets } = this;
    const starts = new Int32Array(n);
    const ends = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = offsets[i]! + KEY_AT;
      ends[i] = starts[i]! + keyLength(bytes, offsets[i]!);
    }
    let rows: Float64Array | null = null;
    if (byRecords) {
      rows = new Float64Array(n);
      for (let i = 0; i < n; i++) rows[i] = recordRows(this.view, offsets[i]!);
    }
    const order = orderKeys(bytes, starts, ends, rows, limit);
    for (let i = 0; i < n; i++) order[i] = offsets[order[i]!]!;
    return order;
  }

  private room(more: number): void {
    if (this.used + more <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.used + more));
    grown.set(this.bytes.subarray(0, this.used));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  private ensureOffsets(count: number): void {
    if (count <= this.offsets.length) return;
    const grown = new Int32Array(Math.max(2 * this.offsets.length, count));
    grown.set(this.offsets.subarray(0, this.count));
    this.offsets = grown;
  }
}
