// Groups (`--by`) in the JavaScript engine, as assembly/groups.ts does them in the kernel: the key
// fields' bytes gathered as the byte machine scans them, and each record's key counted at its end.
// The groups are a Map from the key (src/kernel/groups.ts) to its records; the kernel's table and
// arena are not built, but their sizes are kept with the same arithmetic at the same points, so that
// both engines refuse (or spill, given a sink) at the same points for the same --memory (the budget
// is the limit).
//
// Sum and stats by key: the slots hold one record's fields (the engine's accumulators, as for a
// one-record scan); at the record's end the fields touched are merged into the group's columns and
// the slots cleared. The arena the kernel would use for a group's columns is counted as the kernel
// counts it, but for the blocks it widens a column into, counted only for numbers outside the exact
// domain (the kernel also widens on 64-bit overflow): the engines may spill at other points, never
// to other results.

import {
  GROUP_COLUMN_SIZE, GROUP_ENTRY_SIZE, GROUP_INITIAL_CAPACITY, GROUP_INVALID_HEADER, GROUP_WIDE_SIZE,
} from '../../../assembly/layout.js';
import { emptyColumn, mergeColumns } from '../merge-columns.js';
import type { ColumnGroup, GroupValue, RawColumn } from '../../types.js';
import { binaryString, groupsDoNotFit, KEY_SEPARATOR, resultKey, spillAtEnd, type KernelKeys } from '../groups.js';
import type { GroupSink } from '../types.js';
import { encodeGroup } from '../group-record.js';

/** The engine's slots as one record's fields (sum and stats by key). */
export interface RecordFields {
  /** slots in use */
  slots: number;
  /** slot s's field of the record ended (its records count is 1) */
  read(slot: number): RawColumn;
  clear(slot: number): void;
}

export class JsGroups {
  readonly groups = new Map<string, GroupValue>();
  /** slots that took a field in the current record */
  private touched: number[] = [];
  /** the current record's key bytes, in field order */
  buffer = new Uint8Array(256);
  tip = 0;
  fieldStart = 0;
  ordinal = 0;
  nextKeyField: number;
  inKey = false;
  readonly lengths: Int32Array;
  // the kernel's table and arena, by size only
  private capacity = GROUP_INITIAL_CAPACITY;
  private arenaUsed = 0;

  constructor(
    readonly keys: KernelKeys,
    private readonly budget: number,
    private readonly spill: GroupSink | null = null,
    private readonly fields: RecordFields | null = null,
  ) {
    this.lengths = new Int32Array(keys.fields.length);
    this.nextKeyField = keys.fields[0]!;
  }

  private get slack(): number {
    return 4 + 4 * this.keys.fields.length;
  }

  private get arena(): number {
    return this.capacity * GROUP_ENTRY_SIZE;
  }

  /** assembly/groups.ts roomForWindow(): spills, or throws, when the kernel would need more than the budget. */
  roomForWindow(remaining: number): void {
    if (this.windowFits(remaining)) return;
    this.spillOrRefuse();
    if (!this.windowFits(remaining)) this.spillOrRefuse();
  }

  private windowFits(remaining: number): boolean {
    return this.arena + this.arenaUsed + 4 + this.tip + remaining + this.slack <= this.budget;
  }

  /** The kernel's STATUS_GROUPS_FULL past the budget: the groups go to the sink and the table empties. */
  private spillOrRefuse(): void {
    if (!this.spill || this.groups.size === 0) throw groupsDoNotFit(this.budget, this.groups.size, this.spill !== null);
    for (const [key, value] of this.results()) this.spill.add(encodeGroup(key, value));
    this.groups.clear();
    this.capacity = GROUP_INITIAL_CAPACITY;
    this.arenaUsed = 0;
  }

  /** assembly/groups.ts countKey() for a new group of `size` bytes (and `extra` for its columns): false when it does not fit. */
  private place(size: number, remaining: number, extra = 0): boolean {
    if ((this.groups.size + 1) * 2 > this.capacity) {
      const newArena = 2 * this.capacity * GROUP_ENTRY_SIZE;
      const moved = this.arenaUsed + size;
      if (Math.max(newArena + moved + this.capacity * GROUP_ENTRY_SIZE, newArena + moved + remaining + this.slack) > this.budget) {
        return false;
      }
      this.capacity *= 2;
    }
    return this.arena + this.arenaUsed + size + extra + remaining + this.slack <= this.budget;
  }

  /** Slot `slot` took a field of the current record. */
  touch(slot: number): void {
    this.touched.push(slot);
  }

  beginField(field: number): void {
    this.inKey = field === this.nextKeyField;
    if (this.inKey) this.fieldStart = this.tip;
  }

  bytes(source: Uint8Array, from: number, to: number): void {
    const length = to - from;
    if (this.tip + length > this.buffer.length) this.grow(this.tip + length);
    this.buffer.set(source.subarray(from, to), this.tip);
    this.tip += length;
  }

  byte(c: number): void {
    if (this.tip + 1 > this.buffer.length) this.grow(this.tip + 1);
    this.buffer[this.tip++] = c;
  }

  private grow(needed: number): void {
    const grown = new Uint8Array(Math.max(needed, 2 * this.buffer.length));
    grown.set(this.buffer.subarray(0, this.tip));
    this.buffer = grown;
  }

  endField(): void {
    this.lengths[this.ordinal] = this.tip - this.fieldStart;
    this.ordinal++;
    this.nextKeyField = this.ordinal < this.keys.fields.length ? this.keys.fields[this.ordinal]! : -1;
    this.inKey = false;
  }

  /** The record ended; `remaining` bytes of the window follow (0 at the end of input). */
  endRecord(remaining: number): void {
    const count = this.keys.fields.length;
    for (let k = this.ordinal; k < count; k++) this.lengths[k] = 0;
    const components: string[] = [];
    let at = 0;
    for (let k = 0; k < count; k++) {
      components.push(binaryString(this.buffer, at, at + this.lengths[k]!));
      at += this.lengths[k]!;
    }
    const key = count === 1 ? components[0]! : components.join(KEY_SEPARATOR);
    if (this.fields) this.addFields(key, remaining);
    else this.count(key, remaining);
    this.ordinal = 0;
    this.nextKeyField = this.keys.fields[0]!;
    this.tip = 0;
  }

  private count(key: string, remaining: number): void {
    const records = this.groups.get(key) as number | undefined;
    if (records !== undefined) {
      this.groups.set(key, records + 1);
      return;
    }
    this.placeNew(remaining, 0);
    this.groups.set(key, 1);
  }

  /** A new group: room for its key (and `extra` bytes), spilling the groups first if need be. */
  private placeNew(remaining: number, extra: number): void {
    const size = 4 + this.tip + 4 * this.keys.fields.length;
    if (!this.place(size, remaining, extra)) {
      this.spillOrRefuse();
      if (!this.place(size, remaining, extra)) this.spillOrRefuse();
    }
    this.arenaUsed += size + extra;
  }

  /** Sum and stats by key: the record's fields into its group's columns. */
  private addFields(key: string, remaining: number): void {
    const fields = this.fields!;
    const read = this.touched.map((slot): [number, RawColumn] => [slot, fields.read(slot)]);
    for (const slot of this.touched) fields.clear(slot);
    this.touched = [];
    let group = this.groups.get(key) as ColumnGroup | undefined;
    if (group) {
      const need = arenaNeed(group.columns, read);
      if (need > 0 && !this.place(0, remaining, need)) {
        this.spillOrRefuse();
        group = undefined;
      } else {
        this.arenaUsed += need;
      }
    }
    if (!group) {
      group = { records: 0, columns: Array.from({ length: fields.slots }, () => emptyColumn()) };
      this.placeNew(remaining, fields.slots * GROUP_COLUMN_SIZE + arenaNeed(group.columns, read));
      this.groups.set(key, group);
    }
    group.records++;
    for (const [slot, column] of read) group.columns[slot] = mergeColumns(group.columns[slot]!, column, 0);
  }

  /** The keys' components are in --by order already. */
  private inOrder(): boolean {
    return this.keys.order.every((component, i) => component === i) && this.keys.order.length === this.keys.fields.length;
  }

  /**
   * At the end of a scan: results(), or, when they would take much memory (spillAtEnd(), as the
   * kernel does), none, the groups gone to the spill sink.
   */
  finalResults(): Map<string, GroupValue> {
    if (!this.spill || this.groups.size === 0 || !spillAtEnd(this.groups.size, this.fields?.slots ?? 0, this.budget)) return this.results();
    this.spillOrRefuse();
    return new Map();
  }

  /** Keys with their components in --by order; columns with their empty fields counted. */
  results(): Map<string, GroupValue> {
    const groups = new Map<string, GroupValue>();
    const inOrder = this.inOrder();
    for (const [key, value] of this.groups) {
      const resultValue: GroupValue = typeof value === 'number' ? value : {
        records: value.records,
        columns: value.columns.map((column) => ({ ...column, empty: value.records - column.count - column.invalid })),
      };
      groups.set(inOrder ? key : resultKey(key.split(KEY_SEPARATOR), this.keys), resultValue);
    }
    return groups;
  }
}

/** Arena bytes the kernel takes for these fields of a record in a group with these columns (see the top). */
function arenaNeed(columns: RawColumn[], fields: [number, RawColumn][]): number {
  let need = 0;
  for (const [slot, field] of fields) {
    const column = columns[slot]!;
    if (field.invalid > 0 && column.invalid === 0) need += GROUP_INVALID_HEADER + field.firstInvalid!.value.length;
    if (field.outside > 0 && column.outside === 0) need += GROUP_WIDE_SIZE;
  }
  return need;
}
