// Groups (`--by`) in the JavaScript engine, as assembly/groups.ts does them in the kernel: the key
// fields' bytes gathered as the byte machine scans them, and each record's key counted at its end.
// The groups are a Map from the key (src/kernel/groups.ts) to its records; the kernel's table and
// arena are not built, but their sizes are kept with the same arithmetic at the same points, so that
// both engines refuse (or spill, given a sink) at the same points for the same --memory (the budget
// is the limit).

import { GROUP_ENTRY_SIZE, GROUP_INITIAL_CAPACITY } from '../../../assembly/layout.js';
import { binaryString, groupsDoNotFit, KEY_SEPARATOR, resultKey, type KernelKeys } from '../groups.js';
import type { GroupSink } from '../types.js';

export class JsGroups {
  readonly groups = new Map<string, number>();
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
    this.spill.write(this.inOrder() ? this.groups : this.results());
    this.groups.clear();
    this.capacity = GROUP_INITIAL_CAPACITY;
    this.arenaUsed = 0;
  }

  /** assembly/groups.ts countKey() for a new group of `size` bytes: false when it does not fit. */
  private place(size: number, remaining: number): boolean {
    if ((this.groups.size + 1) * 2 > this.capacity) {
      const newArena = 2 * this.capacity * GROUP_ENTRY_SIZE;
      const moved = this.arenaUsed + size;
      if (Math.max(newArena + moved + this.capacity * GROUP_ENTRY_SIZE, newArena + moved + remaining + this.slack) > this.budget) {
        return false;
      }
      this.capacity *= 2;
    }
    return this.arena + this.arenaUsed + size + remaining + this.slack <= this.budget;
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
    const records = this.groups.get(key);
    if (records !== undefined) {
      this.groups.set(key, records + 1);
    } else {
      const size = 4 + this.tip + 4 * count;
      if (!this.place(size, remaining)) {
        this.spillOrRefuse();
        if (!this.place(size, remaining)) this.spillOrRefuse();
      }
      this.groups.set(key, 1);
      this.arenaUsed += size;
    }
    this.ordinal = 0;
    this.nextKeyField = this.keys.fields[0]!;
    this.tip = 0;
  }

  /** The keys' components are in --by order already. */
  private inOrder(): boolean {
    return this.keys.order.every((component, i) => component === i) && this.keys.order.length === this.keys.fields.length;
  }

  /** Keys with their components in --by order. */
  results(): Map<string, number> {
    if (this.inOrder()) return new Map(this.groups);
    const groups = new Map<string, number>();
    for (const [key, records] of this.groups) groups.set(resultKey(key.split(KEY_SEPARATOR), this.keys), records);
    return groups;
  }
}
