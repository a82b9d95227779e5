// A group as bytes: how groups past the memory budget travel from an engine's table to spill files,
// sorted runs and back (src/scan/spill.ts), without a string or an object per group on the way.
//
// Record, little-endian: u32 bytes of the rest, u32 bytes of the key, the key, f64 records, u32
// columns (0: count --by), and per column the RawColumn: a u32 mask, its doubles (COLUMN_DOUBLES)
// that are not 0 (a bit each), then as the mask's flags say, the first invalid field (f64 line, u32
// length and bytes) and each exact sum not 0 (u8 trailing zeros dropped, u16 length, decimal digits).
// Millions of groups of a value or two each spill in a third of the bytes of a fixed layout.
//
// The key is encoded so that comparing encoded keys bytewise (a prefix first) is the key order of
// docs/spec.md (component by component, bytewise unsigned, a prefix first): components are joined by
// 00 00 and a zero byte inside a component is written 00 FF. Equal keys have equal bytes, so keys are
// hashed, compared and radix-sorted as plain byte strings.

import type { GroupValue, RawColumn } from '../types.js';
import { KEY_SEPARATOR, binaryString } from './groups.js';

const SEPARATOR_CODE = KEY_SEPARATOR.charCodeAt(0);
/** The second byte of a zero byte inside a component (the first is 0; 00 00 separates components). */
const ZERO_BYTE = 0xff;
/** Where a record's key begins (after the two lengths). */
export const KEY_AT = 8;
const NO_COLUMNS: RawColumn[] = [];
/** A column's flags after its doubles' (one bit each, set when the double is not 0): a first invalid field, exact sums not 0. */
const HAS_INVALID = 1 << 16;
const HAS_SUM = 1 << 17;
const HAS_SQUARES = 1 << 18;
/** A RawColumn's numbers written as doubles, in this order (recordValue() reads them in it too), those not 0. */
const COLUMN_DOUBLES = [
  'count', 'empty', 'invalid', 'outside', 'fsum', 'fsumComp', 'shift', 'fdev', 'fdevComp', 'fsq', 'fsqComp', 'min', 'max',
  'minLength', 'maxLength', 'forms',
] as const;

/** Builds one record at a time in a buffer of its own, grown as needed (a key may be long). */
export class GroupRecordWriter {
  /** the record being written, then written: `bytes[0..size)` after value() (grown as needed) */
  bytes = new Uint8Array(256);
  private view = new DataView(this.bytes.buffer);
  private at = KEY_AT;

  /** Begin a record: its key's components follow, then value(). */
  begin(): void {
    this.at = KEY_AT;
  }

  /** The next component of the key from bytes (`first`: no separator before it). */
  component(source: Uint8Array, from: number, to: number, first: boolean): void {
    this.room(2 * (to - from) + 2);
    const bytes = this.bytes;
    let at = this.at;
    if (!first) {
      bytes[at++] = 0;
      bytes[at++] = 0;
    }
    for (let i = from; i < to; i++) {
      const byte = source[i]!;
      bytes[at++] = byte;
      if (byte === 0) bytes[at++] = ZERO_BYTE;
    }
    this.at = at;
  }

  /** The whole key from a host key (components of one character per byte joined by KEY_SEPARATOR). */
  key(key: string): void {
    this.room(2 * key.length);
    this.at = writeKey(key, this.bytes, this.at);
  }

  /** End the record with its figures; its size: the record is `bytes[0..size)` until the next begin(). */
  value(value: GroupValue): number {
    const keyBytes = this.at - KEY_AT;
    const columns = typeof value === 'number' ? NO_COLUMNS : value.columns;
    this.room(12);
    this.view.setFloat64(this.at, typeof value === 'number' ? value : value.records, true);
    this.view.setUint32(this.at + 8, columns.length, true);
    this.at += 12;
    for (const column of columns) this.column(column);
    this.view.setUint32(0, this.at - 4, true);
    this.view.setUint32(4, keyBytes, true);
    return this.at;
  }

  /** A column, compactly: most of its doubles are 0 and its exact sums end in many zeros (units of 10^-35 and 10^-70). */
  private column(column: RawColumn): void {
    const sum = column.exactSum === 0n ? '' : column.exactSum.toString();
    const squares = column.exactSquares === 0n ? '' : column.exactSquares.toString();
    const invalid = column.firstInvalid;
    this.room(4 + 8 * COLUMN_DOUBLES.length + (invalid ? 12 + invalid.value.length : 0) + 6 + sum.length + squares.length);
    const { bytes, view } = this;
    const maskAt = this.at;
    let at = maskAt + 4;
    let mask = 0;
    for (let d = 0; d < COLUMN_DOUBLES.length; d++) {
      const number = column[COLUMN_DOUBLES[d]!];
      if (number === 0 && !Object.is(number, -0)) continue;
      mask |= 1 << d;
      view.setFloat64(at, number, true);
      at += 8;
    }
    if (invalid) {
      mask |= HAS_INVALID;
      view.setFloat64(at, invalid.line, true);
      view.setUint32(at + 8, invalid.value.length, true);
      bytes.set(invalid.value, at + 12);
      at += 12 + invalid.value.length;
    }
    for (const [text, bit] of [[sum, HAS_SUM], [squares, HAS_SQUARES]] as const) {
      if (text === '') continue;
      mask |= bit;
      // the digits without their trailing zeros (at most 255 of them dropped), then how many
      let end = text.length;
      while (end > 1 && text.length - end < 255 && text.charCodeAt(end - 1) === 0x30) end--;
      bytes[at] = text.length - end;
      view.setUint16(at + 1, end, true);
      at += 3;
      for (let i = 0; i < end; i++) bytes[at++] = text.charCodeAt(i);
    }
    view.setUint32(maskAt, mask, true);
    this.at = at;
  }

  private room(more: number): void {
    if (this.at + more <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.at + more));
    grown.set(this.bytes.subarray(0, this.at));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** A host key written at `at` (room for twice its length); where it ends. */
function writeKey(key: string, bytes: Uint8Array, at: number): number {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code === SEPARATOR_CODE) {
      bytes[at++] = 0;
      bytes[at++] = 0;
      continue;
    }
    bytes[at++] = code;
    if (code === 0) bytes[at++] = ZERO_BYTE;
  }
  return at;
}

/** Host keys encoded one after another, key i at `bytes[starts[i]..ends[i])` (sortRecordsByKey() sorts them). */
export function encodeKeys(keys: readonly string[]): { bytes: Uint8Array; starts: Int32Array; ends: Int32Array } {
  let size = 0;
  for (const key of keys) size += 2 * key.length;
  const bytes = new Uint8Array(size);
  const starts = new Int32Array(keys.length);
  const ends = new Int32Array(keys.length);
  let at = 0;
  for (let i = 0; i < keys.length; i++) {
    starts[i] = at;
    at = ends[i] = writeKey(keys[i]!, bytes, at);
  }
  return { bytes, starts, ends };
}

const writer = new GroupRecordWriter();

/** A host group as a record (valid until the next call). */
export function encodeGroup(key: string, value: GroupValue): Uint8Array {
  writer.begin();
  writer.key(key);
  // value() may grow the buffer: read it after
  const size = writer.value(value);
  return writer.bytes.subarray(0, size);
}

/** Bytes of the record at `at` (its length included). */
export function recordSize(bytes: Uint8Array, at: number): number {
  return 4 + u32(bytes, at);
}

/** The records of the group at `at`. */
export function recordRows(view: DataView, at: number): number {
  return view.getFloat64(at + KEY_AT + view.getUint32(at + 4, true), true);
}

/** The u32 at `at` (little-endian): records are read where no DataView is at hand. */
function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** Bytes of the key of the record at `at`. */
export function keyLength(bytes: Uint8Array, at: number): number {
  return u32(bytes, at + 4);
}

/** A hash of the key of the record at `at` (FNV-1a, mixed); another `seed` gives another hash. */
export function keyHash(bytes: Uint8Array, at: number, seed: number): number {
  const from = at + KEY_AT;
  const to = from + u32(bytes, at + 4);
  let h = seed;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** The keys of two records in key order (negative: a's first); 0 when equal. */
export function compareRecordKeys(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): number {
  const aLength = u32(a, aAt + 4);
  const bLength = u32(b, bAt + 4);
  const shared = Math.min(aLength, bLength);
  for (let i = 0; i < shared; i++) {
    const d = a[aAt + KEY_AT + i]! - b[bAt + KEY_AT + i]!;
    if (d !== 0) return d;
  }
  return aLength - bLength;
}

/** The host key (components of one character per byte joined by KEY_SEPARATOR) of the record at `at`. */
export function recordKey(bytes: Uint8Array, view: DataView, at: number): string {
  const from = at + KEY_AT;
  const to = from + view.getUint32(at + 4, true);
  let key = '';
  let start = from;
  for (let i = from; i < to; i++) {
    if (bytes[i] !== 0) continue;
    key += binaryString(bytes, start, i) + (bytes[i + 1] === 0 ? KEY_SEPARATOR : '\u0000');
    start = ++i + 1;
  }
  return key + binaryString(bytes, start, to);
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** One component's bytes as UTF-8 text, an invalid sequence as U+FFFD (docs/spec.md "Groups"). */
function componentText(bytes: Uint8Array, from: number, to: number): string {
  let ascii = true;
  for (let i = from; i < to && ascii; i++) ascii = bytes[i]! < 0x80;
  return ascii ? binaryString(bytes, from, to) : utf8.decode(bytes.subarray(from, to));
}

/** The components of the key of the record at `at` as the result shows them: UTF-8 text. */
export function recordComponents(bytes: Uint8Array, at: number): string[] {
  const from = at + KEY_AT;
  const to = from + u32(bytes, at + 4);
  const components: string[] = [];
  // a component's bytes with its zero bytes (00 FF) unescaped, when it has any
  let unescaped: number[] | null = null;
  let start = from;
  for (let i = from; i < to; i++) {
    if (bytes[i] !== 0) {
      unescaped?.push(bytes[i]!);
      continue;
    }
    if (bytes[i + 1] === ZERO_BYTE) {
      unescaped ??= Array.from(bytes.subarray(start, i));
      unescaped.push(0);
      i++;
      continue;
    }
    components.push(unescaped ? componentText(Uint8Array.from(unescaped), 0, unescaped.length) : componentText(bytes, start, i));
    unescaped = null;
    start = ++i + 1;
  }
  components.push(unescaped ? componentText(Uint8Array.from(unescaped), 0, unescaped.length) : componentText(bytes, start, to));
  return components;
}

/** The group of the record at `at` as a host key and figures. */
export function decodeGroup(bytes: Uint8Array, view: DataView, at: number): [string, GroupValue] {
  return [recordKey(bytes, view, at), recordValue(bytes, view, at)];
}

/** The figures of the group of the record at `at`. */
export function recordValue(bytes: Uint8Array, view: DataView, at: number): GroupValue {
  let p = at + KEY_AT + view.getUint32(at + 4, true);
  const records = view.getFloat64(p, true);
  const columnCount = view.getUint32(p + 8, true);
  p += 12;
  if (columnCount === 0) return records;
  let mask = 0;
  const double = (bit: number): number => {
    if ((mask & (1 << bit)) === 0) return 0;
    p += 8;
    return view.getFloat64(p - 8, true);
  };
  const exact = (flag: number): bigint => {
    if ((mask & flag) === 0) return 0n;
    const zeros = bytes[p]!;
    const length = view.getUint16(p + 1, true);
    p += 3 + length;
    const digits = BigInt(binaryString(bytes, p - length, p));
    return zeros === 0 ? digits : digits * powerOfTen(zeros);
  };
  const columns: RawColumn[] = [];
  for (let c = 0; c < columnCount; c++) {
    mask = view.getUint32(p, true);
    p += 4;
    // one object literal, members in COLUMN_DOUBLES order (evaluated in source order): every column
    // read has one shape, which keeps reading millions of groups fast
    const column: RawColumn = {
      count: double(0),
      empty: double(1),
      invalid: double(2),
      outside: double(3),
      fsum: double(4),
      fsumComp: double(5),
      shift: double(6),
      fdev: double(7),
      fdevComp: double(8),
      fsq: double(9),
      fsqComp: double(10),
      min: double(11),
      max: double(12),
      minLength: double(13),
      maxLength: double(14),
      forms: double(15),
      exactSum: 0n,
      exactSquares: 0n,
      firstInvalid: null,
    };
    if ((mask & HAS_INVALID) !== 0) {
      const length = view.getUint32(p + 8, true);
      column.firstInvalid = { line: view.getFloat64(p, true), value: bytes.slice(p + 12, p + 12 + length) };
      p += 12 + length;
    }
    column.exactSum = exact(HAS_SUM);
    column.exactSquares = exact(HAS_SQUARES);
    columns.push(column);
  }
  return { records, columns };
}

const POWERS_OF_TEN: bigint[] = [];

/** 10^n as a BigInt, each made once (spilled sums, and the kernel's compact sums at their scale). */
export function powerOfTen(n: number): bigint {
  return (POWERS_OF_TEN[n] ??= 10n ** BigInt(n));
}

/** Adds `lineOffset` to the lines of the first invalid fields of the record at `at` (a later range's spill). */
export function shiftLines(view: DataView, at: number, lineOffset: number): void {
  let p = at + KEY_AT + view.getUint32(at + 4, true) + 8;
  const columnCount = view.getUint32(p, true);
  p += 4;
  for (let c = 0; c < columnCount; c++) {
    const mask = view.getUint32(p, true);
    p += 4;
    for (let d = 0; d < COLUMN_DOUBLES.length; d++) if ((mask & (1 << d)) !== 0) p += 8;
    if ((mask & HAS_INVALID) !== 0) {
      view.setFloat64(p, view.getFloat64(p, true) + lineOffset, true);
      p += 12 + view.getUint32(p + 8, true);
    }
    for (const flag of [HAS_SUM, HAS_SQUARES]) if ((mask & flag) !== 0) p += 3 + view.getUint16(p + 1, true);
  }
}
