// Host side of the kernel ABI: instantiate the .wasm, write CONFIG and COLUMN_MAP, hand out the
// window view, read RESULTS and SLOTS back into a RawScan (slot mapping and RawColumns as every
// engine does them: raw-columns.ts). Layout constants come from assembly/layout.ts, the one place
// the ABI is defined.
//
// No Node API here: browsers and other hosts construct a WasmKernel from a compiled
// WebAssembly.Module (or register one per variant); under Node, kernel-module.ts reads the build.

import * as L from '../../assembly/layout.js';
import type { BucketCounts, DistinctSketch, GroupValue, ProfileRequest, QuantileSketch, RawColumn, RawScan } from '../types.js';
import { noBuckets, trimBuckets } from './profile.js';
import { usageError } from '../errors.js';
import { binaryString, groupsDoNotFit, kernelKeys, resultKey, spillAtEnd, type KernelKeys } from './groups.js';
import { NO_SLOTS, rawColumn, rawColumns, slotMap, type SlotMap, type SlotValues } from './raw-columns.js';
import type { Engine, GroupSink, KernelConfig, KernelVariant } from './types.js';
import { GroupRecordWriter, powerOfTen } from './group-record.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  reset(): void;
  scan(length: number): number;
  finish(): number;
  clearGroups(): void;
  layoutVersion(): number;
  _start?(): void;
}

const moduleCache = new Map<KernelVariant, WebAssembly.Module>();

// Loaded only under Node (a dynamic import, so browsers never fetch node: modules).
const loadFromPackage: ((variant: KernelVariant) => WebAssembly.Module) | null =
  typeof process !== 'undefined' && process.versions?.node !== undefined
    ? (await import('./kernel-module.js')).loadKernelModule
    : null;

/**
 * Make `module` the kernel behind `variant` (and so behind createEngine('wasm') for 'simd',
 * 'wasm-scalar' for 'scalar'). Hosts without a file system call this before scanning.
 */
export function registerKernelModule(variant: KernelVariant, module: WebAssembly.Module): void {
  moduleCache.set(variant, module);
}

function kernelModule(variant: KernelVariant): WebAssembly.Module {
  let module = moduleCache.get(variant);
  if (!module) {
    if (!loadFromPackage) throw new Error(`csvscan: no compiled kernel for '${variant}': call registerKernelModule() first`);
    module = loadFromPackage(variant);
    moduleCache.set(variant, module);
  }
  return module;
}

const latin1 = new TextDecoder('latin1');
/** Memory window() adds for a group region; more is grown during the scan (the budget is at least this). */
const GROUP_RESERVE = 64 * 1024;

/**
 * The memory a window of `size` bytes needs: the fast path reads whole 8-byte words, up to 7 bytes
 * past the window, and the first 64 KiB of a group region after it, so that configure() need not
 * grow memory.
 */
function windowMemory(size: number): number {
  return L.WINDOW_OFFSET + size + L.WINDOW_SLACK + 16 + GROUP_RESERVE;
}

export class WasmKernel implements Engine {
  private readonly module: WebAssembly.Module;
  private readonly label: string;
  private exports!: KernelExports;
  private bytes!: Uint8Array;
  private view!: DataView;
  private slots: SlotMap = NO_SLOTS;
  private windowSize = L.DEFAULT_WINDOW;
  /** with groups: the key fields, the region's base and the budget */
  private keys: KernelKeys | null = null;
  private groupBase = 0;
  private groupBudget = 0;
  private spill: GroupSink | null = null;
  private readonly recordWriter = new GroupRecordWriter();
  private profile: ProfileRequest | null = null;

  /** A kernel of a packaged variant (Node, or after registerKernelModule), or of a compiled module. */
  constructor(kernel: KernelVariant | WebAssembly.Module = 'scalar') {
    this.module = kernel instanceof WebAssembly.Module ? kernel : kernelModule(kernel);
    this.label = kernel instanceof WebAssembly.Module ? 'the kernel module' : `${kernel}.wasm`;
    this.instantiate();
  }

  /** A fresh instance of the module, with its own (small) memory. */
  private instantiate(): void {
    // Rare numbers (over 19 significant digits, huge exponents) are rounded by Number(), which is
    // correctly rounded; the kernel passes their normalised text here.
    const imports = {
      env: {
        // (a view of the memory as it is now: the kernel may have grown it for the profile in this call)
        parseNumberText: (pointer: number, length: number): number =>
          Number(latin1.decode(new Uint8Array(this.exports.memory.buffer, pointer, length))),
      },
    };
    const instance = new WebAssembly.Instance(this.module, imports);
    this.exports = instance.exports as unknown as KernelExports;
    if (typeof this.exports.layoutVersion !== 'function' || this.exports.layoutVersion() !== L.LAYOUT_VERSION) {
      const version = typeof this.exports.layoutVersion === 'function' ? this.exports.layoutVersion() : 'none';
      throw new Error(`${this.label} has layout ${version}, host ${L.LAYOUT_VERSION}: rebuild`);
    }
    // AssemblyScript's start function (exported as _start by asconfig's exportStart) initialises globals.
    this.exports._start?.();
    this.bytes = new Uint8Array(this.exports.memory.buffer);
    this.view = new DataView(this.exports.memory.buffer);
  }

  /** A memory grown past the window (groups, profile) is dropped for a fresh instance's. */
  release(): void {
    if (this.exports.memory.buffer.byteLength > windowMemory(this.windowSize)) this.instantiate();
  }

  /**
   * The window region, grown to hold `size` bytes. Growing detaches old views: call it once per scan,
   * and again when the view is detached (length 0), as it is after scan() grew memory for groups.
   */
  window(size: number): Uint8Array {
    this.windowSize = size;
    this.growMemory(windowMemory(size));
    return this.bytes.subarray(L.WINDOW_OFFSET, L.WINDOW_OFFSET + size);
  }

  /** Memory of at least `needed` bytes; growing detaches the views, so they are taken again. */
  private growMemory(needed: number): boolean {
    const memory = this.exports.memory;
    if (memory.buffer.byteLength < needed) {
      try {
        memory.grow(Math.ceil((needed - memory.buffer.byteLength) / L.PAGE_SIZE));
      } catch {
        return false; // past the 4 GiB of wasm32
      }
    }
    this.bytes = new Uint8Array(memory.buffer);
    this.view = new DataView(memory.buffer);
    return true;
  }

  configure(config: KernelConfig): void {
    this.keys = config.groups ? kernelKeys(config.groups.by) : null;
    if (config.groups) {
      // the group region follows the window: a first MiB (or the budget), grown as groups come
      this.groupBase = Math.ceil((L.WINDOW_OFFSET + this.windowSize + L.WINDOW_SLACK) / 16) * 16;
      this.groupBudget = config.groups.memory;
    }
    this.spill = config.groups?.spill ?? null;
    const { view, bytes } = this;
    const c = L.CONFIG_OFFSET;
    bytes.fill(0, c, c + 1024);
    view.setInt32(c + L.CONFIG_DELIMITER, config.dialect.delimiter, true);
    view.setInt32(c + L.CONFIG_QUOTE, config.dialect.quote, true);
    let flags = 0;
    if (config.dialect.header && !config.midFile) flags |= L.FLAG_HEADER;
    // sum reports the same column object as stats (stddev included), so both accumulate squares
    if (config.mode !== 'count') flags |= L.FLAG_SQUARES;
    if (config.midFile) flags |= L.FLAG_MID_FILE;
    this.profile = config.profile ?? null;
    if (this.profile?.distinct) flags |= L.FLAG_DISTINCT;
    if (this.profile?.quantiles) flags |= L.FLAG_QUANTILES;
    view.setInt32(c + L.CONFIG_FLAGS, flags, true);
    // the profile's heap follows the window; the kernel grows memory for it (not with groups)
    view.setInt32(c + L.CONFIG_PROFILE_BASE, Math.ceil((L.WINDOW_OFFSET + this.windowSize + L.WINDOW_SLACK) / L.PROFILE_BLOCK_MIN) * L.PROFILE_BLOCK_MIN, true);
    view.setBigInt64(c + L.CONFIG_START_OFFSET, BigInt(config.startOffset), true);
    view.setBigInt64(c + L.CONFIG_STOP_OFFSET, BigInt(config.stopOffset), true);
    view.setBigInt64(c + L.CONFIG_EXPECTED_FIELDS, BigInt(config.expectedFields ?? 0), true);

    const slots = slotMap(config);
    this.slots = slots;
    const map = new Int16Array(this.exports.memory.buffer, L.COLUMN_MAP_OFFSET, L.MAX_FIELDS);
    map.fill(-1);
    map.set(slots.fieldSlots.subarray(0, L.MAX_FIELDS));
    view.setInt32(c + L.CONFIG_MAPPED_FIELDS, slots.mappedFields, true);
    view.setInt32(c + L.CONFIG_SLOT_COUNT, slots.slotCount, true);
    if (this.keys) {
      view.setInt32(c + L.CONFIG_KEY_COUNT, this.keys.fields.length, true);
      this.keys.fields.forEach((field, k) => view.setInt32(c + L.CONFIG_KEY_FIELDS + 4 * k, field, true));
      view.setInt32(c + L.CONFIG_GROUP_BASE, this.groupBase, true);
      view.setInt32(c + L.CONFIG_GROUP_LIMIT, Math.min(this.exports.memory.buffer.byteLength, this.groupBase + this.groupBudget), true);
    }
    this.exports.reset();
  }

  /** Scan `length` bytes already copied into the window. */
  scan(length: number): number {
    let status = this.exports.scan(length);
    while (status === L.STATUS_GROUPS_FULL) {
      this.makeRoomForGroups();
      status = this.exports.scan(length);
    }
    if (this.profile) this.afterProfiling();
    return status;
  }

  finish(): number {
    let status = this.exports.finish();
    while (status === L.STATUS_GROUPS_FULL) {
      this.makeRoomForGroups();
      status = this.exports.finish();
    }
    if (this.profile) this.afterProfiling();
    return status;
  }

  /** The kernel may have grown memory for the profile (views detached), or failed to. */
  private afterProfiling(): void {
    if (this.bytes.buffer !== this.exports.memory.buffer) this.growMemory(0);
    if (this.view.getInt32(L.RESULTS_OFFSET + L.RESULT_PROFILE_FAILED, true) !== 0) {
      throw usageError('the column profile does not fit in the 4 GiB of wasm32 memory: profile fewer columns at once (-c)');
    }
  }

  /**
   * STATUS_GROUPS_FULL: grow memory (at least doubling the region) up to the budget; beyond it, spill
   * the groups and empty the table, or refuse.
   */
  private makeRoomForGroups(): void {
    const r = L.RESULTS_OFFSET;
    const need = Number(this.view.getBigInt64(r + L.RESULT_GROUP_NEED, true));
    const end = this.groupBase + this.groupBudget;
    const groups = Number(this.view.getBigInt64(r + L.RESULT_GROUP_COUNT, true));
    const limit = Math.min(end, Math.max(need, this.groupBase + 2 * (this.exports.memory.buffer.byteLength - this.groupBase)));
    if (need > end || (!this.growMemory(limit) && !this.growMemory(need))) {
      const spill = this.spill;
      if (!spill || groups === 0) throw groupsDoNotFit(this.groupBudget, groups, spill !== null);
      this.spillGroups(spill);
      this.exports.clearGroups();
      return;
    }
    const grown = Math.min(end, this.exports.memory.buffer.byteLength);
    this.view.setInt32(L.CONFIG_OFFSET + L.CONFIG_GROUP_LIMIT, grown, true);
  }

  /** Results so far (in all-fields mode, the slots of the fields seen). */
  results(): RawScan {
    const view = this.view;
    const r = L.RESULTS_OFFSET;
    const i64 = (offset: number): number => Number(view.getBigInt64(r + offset, true));
    const status = view.getInt32(r + L.RESULT_STATUS, true);
    const records = i64(L.RESULT_RECORDS);
    // grouped, the slots hold the stash: the columns are the groups'
    const columns = this.keys ? [] : rawColumns(this.slots, i64(L.RESULT_MAX_FIELDS), (slot) => this.readSlot(slot, records));
    return {
      records,
      lines: i64(L.RESULT_LINES),
      bytes: i64(L.RESULT_BYTES),
      short: i64(L.RESULT_SHORT),
      long: i64(L.RESULT_LONG),
      maxFields: i64(L.RESULT_MAX_FIELDS),
      expectedFields: i64(L.RESULT_EXPECTED_FIELDS),
      headerFields: i64(L.RESULT_HEADER_FIELDS),
      firstRecord: i64(L.RESULT_FIRST_RECORD),
      linesBeforeFirst: i64(L.RESULT_LINES_AT_FIRST),
      stopPosition: i64(L.RESULT_STOP_POSITION),
      unterminatedQuote:
        status === L.STATUS_UNTERMINATED_QUOTE
          ? { line: i64(L.RESULT_QUOTE_LINE), byte: i64(L.RESULT_QUOTE_BYTE) }
          : null,
      columns,
      ...(this.keys ? { groups: this.readGroups() } : {}),
    };
  }

  /**
   * The table's groups: keys (components in --by order) -> records (and columns); none when they
   * went to the spill sink instead (spillAtEnd()).
   */
  private readGroups(): Map<string, GroupValue> {
    const groups = Number(this.view.getBigInt64(L.RESULTS_OFFSET + L.RESULT_GROUP_COUNT, true));
    if (this.spill && groups > 0 && spillAtEnd(groups, this.slots.slotCount, this.groupBudget)) {
      const spill = this.spill;
      this.spillGroups(spill);
      this.exports.clearGroups();
      return new Map();
    }
    const read = new Map<string, GroupValue>();
    this.eachGroup((key, value) => read.set(key, value));
    return read;
  }

  /** The table's groups one by one as host keys and figures (no iterator: millions of them). */
  private eachGroup(visit: (key: string, value: GroupValue) => void): void {
    const { view, bytes } = this;
    const keys = this.keys!;
    const count = keys.fields.length;
    this.eachTableGroup((record, length, records, arena) => {
      const components: string[] = [];
      let at = record + 4;
      for (let k = 0; k < count; k++) {
        const size = view.getUint32(record + 4 + length + 4 * k, true);
        components.push(binaryString(bytes, at, at + size));
        at += size;
      }
      visit(resultKey(components, keys), this.groupValue(record, length, records, arena));
    });
  }

  /** The table's groups to `sink` as records, their keys copied from the table's bytes (no string per group). */
  private spillGroups(sink: GroupSink): void {
    const { view, bytes } = this;
    const keys = this.keys!;
    const count = keys.fields.length;
    const starts = new Int32Array(count + 1);
    const writer = this.recordWriter;
    this.eachTableGroup((record, length, records, arena) => {
      starts[0] = record + 4;
      for (let k = 0; k < count; k++) starts[k + 1] = starts[k]! + view.getUint32(record + 4 + length + 4 * k, true);
      writer.begin();
      for (let i = 0; i < count; i++) {
        const k = keys.order[i]!;
        writer.component(bytes, starts[k]!, starts[k + 1]!, i === 0);
      }
      // the record's bytes and size, not a subarray: no object per group of millions
      const size = writer.value(this.groupValue(record, length, records, arena));
      sink.add(writer.bytes, 0, size);
    });
  }

  /** Each group of the table: its key record's offset in memory, the key's bytes, its records, and where the arena begins. */
  private eachTableGroup(visit: (record: number, length: number, records: number, arena: number) => void): void {
    const view = this.view;
    const r = L.RESULTS_OFFSET;
    const capacity = Number(view.getBigInt64(r + L.RESULT_GROUP_CAPACITY, true));
    const arena = Number(view.getBigInt64(r + L.RESULT_GROUP_ARENA, true));
    for (let e = 0; e < capacity; e++) {
      const entry = this.groupBase + e * L.GROUP_ENTRY_SIZE;
      // an i64, read as two words: a BigInt per entry of millions costs more than the rest of the loop
      const records = view.getUint32(entry + 8, true) + view.getUint32(entry + 12, true) * 2 ** 32;
      if (records === 0) continue;
      const record = arena + view.getUint32(entry + 4, true);
      visit(record, view.getUint32(record, true), records, arena);
    }
  }

  /** A group's figures: its records, and with columns, the columns after its key record. */
  private groupValue(record: number, length: number, records: number, arena: number): GroupValue {
    const slots = this.slots.slotCount;
    if (slots === 0) return records;
    const columnsAt = record + 4 + length + 4 * this.keys!.fields.length;
    const columns: RawColumn[] = [];
    for (let s = 0; s < slots; s++) columns.push(this.readGroupColumn(columnsAt + s * L.GROUP_COLUMN_SIZE, arena, records));
    return { records, columns };
  }

  /** A group's column (assembly/group-columns.ts): the compact sums at their scale plus the wide block's. */
  private readGroupColumn(column: number, arena: number, records: number): RawColumn {
    const view = this.view;
    const wide = view.getUint32(column + L.GC_WIDE, true);
    const values: SlotValues = wide === 0 ? { ...NO_WIDE_VALUES } : this.slotValuesAt(arena + wide);
    values.count = Number(view.getBigInt64(column + L.GC_COUNT, true));
    values.invalid = Number(view.getBigInt64(column + L.GC_INVALID, true));
    values.min = view.getFloat64(column + L.GC_MIN, true);
    values.max = view.getFloat64(column + L.GC_MAX, true);
    values.minLength = lengthOrNone(Number(view.getBigInt64(column + L.GC_MIN_LENGTH, true)));
    values.maxLength = Number(view.getBigInt64(column + L.GC_MAX_LENGTH, true));
    values.forms = view.getInt32(column + L.GC_FORMS, true);
    const scale = view.getInt32(column + L.GC_SCALE, true);
    if (scale !== L.GC_SCALE_NONE) {
      values.exactSum += view.getBigInt64(column + L.GC_SUM, true) * powerOfTen(scale + 35);
      values.exactSquares += view.getBigInt64(column + L.GC_SQUARES, true) * powerOfTen(2 * scale + 70);
    }
    const invalidAt = view.getUint32(column + L.GC_INVALID_AT, true);
    const invalid = arena + invalidAt;
    values.invalidLine = invalidAt === 0 ? 0 : Number(view.getBigInt64(invalid, true));
    const kept = invalidAt === 0 ? 0 : view.getInt32(invalid + 12, true);
    const captured = invalid + L.GROUP_INVALID_HEADER;
    return rawColumn(records, values, () => this.bytes.slice(captured, captured + kept));
  }

  private readSlot(slotIndex: number, records: number): RawColumn {
    const base = L.SLOTS_OFFSET + slotIndex * L.SLOT_SIZE;
    const captured = base + L.SLOT_INVALID_BYTES;
    const length = this.view.getInt32(base + L.SLOT_INVALID_LENGTH, true);
    const values = this.slotValuesAt(base);
    if (this.profile?.distinct) values.distinct = this.readDistinct(base);
    if (this.profile?.quantiles) values.quantiles = this.readQuantiles(base);
    return rawColumn(records, values, () => this.bytes.slice(captured, captured + length));
  }

  /** A slot's exact set (its hashes, in table order) and registers (assembly/profile.ts). */
  private readDistinct(base: number): DistinctSketch {
    const view = this.view;
    const registersAt = view.getUint32(base + L.SLOT_HLL, true);
    const registers = registersAt === 0 ? null : this.bytes.slice(registersAt, registersAt + L.HLL_REGISTERS);
    if (view.getInt32(base + L.SLOT_DISTINCT_OVER, true) !== 0) return { hashes: null, registers };
    const table = view.getUint32(base + L.SLOT_DISTINCT_TABLE, true);
    const capacity = view.getUint32(base + L.SLOT_DISTINCT_CAPACITY, true);
    const hashes = new Uint32Array(view.getUint32(base + L.SLOT_DISTINCT_COUNT, true) * 4);
    const words = new Uint32Array(this.exports.memory.buffer, table, table === 0 ? 0 : capacity * 4);
    let n = 0;
    for (let at = 0; at < words.length; at += 4) {
      if (words[at + 3] === 0) continue;
      hashes.set(words.subarray(at, at + 4), n);
      n += 4;
    }
    return { hashes, registers };
  }

  /** A slot's numbers by bucket (assembly/profile.ts), without zero counts at either end. */
  private readQuantiles(base: number): QuantileSketch {
    const buckets = (at: number): BucketCounts => {
      const counts = this.view.getUint32(at, true);
      if (counts === 0) return noBuckets();
      const first = this.view.getInt32(at + L.BUCKETS_FIRST, true);
      const length = this.view.getInt32(at + L.BUCKETS_LENGTH, true);
      const held = new BigInt64Array(this.exports.memory.buffer, counts, length);
      return trimBuckets(first, Float64Array.from(held, Number));
    };
    return {
      zeros: Number(this.view.getBigInt64(base + L.SLOT_ZEROS, true)),
      negative: buckets(base + L.SLOT_NEGATIVE_BUCKETS),
      positive: buckets(base + L.SLOT_POSITIVE_BUCKETS),
    };
  }

  /** The accumulators of a slot's layout at `base`. */
  private slotValuesAt(base: number): SlotValues {
    const view = this.view;
    const i64 = (offset: number): number => Number(view.getBigInt64(base + offset, true));
    const f64 = (offset: number): number => view.getFloat64(base + offset, true);
    return {
      count: i64(L.SLOT_COUNT),
      invalid: i64(L.SLOT_INVALID),
      outside: i64(L.SLOT_OUTSIDE),
      exactSum: sumBuckets(view, base + L.SLOT_SUMS, L.SUM_BUCKETS, L.SUM_EXP_MIN, 35),
      exactSquares: sumBuckets(view, base + L.SLOT_SQUARES, L.SQ_BUCKETS, L.SQ_EXP_MIN, 70),
      fsum: f64(L.SLOT_FSUM),
      fsumComp: f64(L.SLOT_FSUM_COMP),
      shift: f64(L.SLOT_SHIFT),
      fdev: f64(L.SLOT_FDEV),
      fdevComp: f64(L.SLOT_FDEV_COMP),
      fsq: f64(L.SLOT_FSQ),
      fsqComp: f64(L.SLOT_FSQ_COMP),
      min: f64(L.SLOT_MIN),
      max: f64(L.SLOT_MAX),
      invalidLine: i64(L.SLOT_INVALID_LINE),
      minLength: lengthOrNone(i64(L.SLOT_MIN_LENGTH)),
      maxLength: i64(L.SLOT_MAX_LENGTH),
      forms: view.getInt32(base + L.SLOT_FORMS, true),
    };
  }
}

/** A group column without a wide block: no bucket, no number outside the exact domain. */
const NO_WIDE_VALUES: SlotValues = {
  count: 0, invalid: 0, outside: 0, exactSum: 0n, exactSquares: 0n, fsum: 0, fsumComp: 0, shift: 0, fdev: 0,
  fdevComp: 0, fsq: 0, fsqComp: 0, min: Infinity, max: -Infinity, invalidLine: 0, minLength: Infinity, maxLength: 0, forms: 0,
};

/** A minimum length as the kernel keeps it (2^63 - 1: none, read as a Number) as RawColumn's (Infinity). */
function lengthOrNone(length: number): number {
  return length >= 2 ** 62 ? Infinity : length;
}

/** Sum 128-bit buckets (bucket b in units of 10^(b + minExponent)) into units of 10^-scale. */
function sumBuckets(view: DataView, offset: number, count: number, minExponent: number, scale: number): bigint {
  let total = 0n;
  for (let b = 0; b < count; b++) {
    const low = view.getBigUint64(offset + b * 16, true);
    const high = view.getBigInt64(offset + b * 16 + 8, true);
    if (low === 0n && high === 0n) continue;
    const value = (high << 64n) | low;
    total += value * 10n ** BigInt(b + minExponent + scale);
  }
  return total;
}
