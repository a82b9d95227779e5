// Groups of a `--by` scan on the host: merging the groups of ranges and threads (counts of equal keys
// add up, their columns merge), their order (count: most records first, ties by key; sum and stats:
// by key; keys compare component by component, bytewise unsigned, a prefix first), --top, keys as
// UTF-8 text, and the groups of a partial as JSON (keys as base64).
//
// Keys are the strings of src/kernel/groups.ts: components of one character per byte joined by
// KEY_SEPARATOR, so comparing components as strings compares their bytes.

import { KEY_SEPARATOR, groupRecords, type GroupValue, type RawGroups } from '../kernel/groups.js';
import type { GroupsJson, OrderedRawGroups, PartialColumnJson, RawColumn } from '../types.js';
import { mergeColumns } from '../kernel/merge-columns.js';
import { orderKeys } from './key-sort.js';
import { encodeKeys } from '../kernel/group-record.js';

export type { GroupsJson } from '../types.js';

/**
 * The groups of two parts of one scan, as one (a new map; the parts are not changed). `lineOffset`
 * makes the second part's lines the first's (src/results/merge.ts).
 */
export function mergeGroups(before: RawGroups | undefined, after: RawGroups | undefined, lineOffset = 0): RawGroups | undefined {
  if (before === undefined && after === undefined) return undefined;
  const merged = new Map(before ?? []);
  for (const [key, value] of after ?? []) {
    const earlier = merged.get(key);
    merged.set(key, earlier === undefined ? shiftLines(value, lineOffset) : addGroupValues(earlier, value, lineOffset));
  }
  return merged;
}

/** One group's figures from two parts (or two spills) of a scan. */
export function addGroupValues(a: GroupValue, b: GroupValue, lineOffset = 0): GroupValue {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'number' || typeof b === 'number') throw new RangeError('addGroupValues: a counted group and a group with columns');
  return { records: a.records + b.records, columns: a.columns.map((column, s) => mergeColumns(column, b.columns[s]!, lineOffset)) };
}

function shiftLines(value: GroupValue, lineOffset: number): GroupValue {
  if (typeof value === 'number' || lineOffset === 0) return value;
  const columns = value.columns.map((column): RawColumn =>
    column.firstInvalid === null ? column : { ...column, firstInvalid: { line: column.firstInvalid.line + lineOffset, value: column.firstInvalid.value } },
  );
  return { records: value.records, columns };
}

const SEPARATOR_CODE = KEY_SEPARATOR.charCodeAt(0);

/** The order of count --by: most records first, ties by key. */
export function compareGroups(a: [string, GroupValue], b: [string, GroupValue]): number {
  return groupRecords(b[1]) - groupRecords(a[1]) || compareKeys(a[0], b[0]);
}

/**
 * The order of sum and stats --by: by key, component by component, bytewise, a prefix first. Keys
 * of one scan have as many components: at the first character that differs, a separator means
 * that key's component ended first (a prefix of the other's).
 */
export function compareKeys(a: string, b: string): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x === SEPARATOR_CODE ? -1 : y === SEPARATOR_CODE ? 1 : x - y;
  }
  return a.length - b.length;
}

/** The order of the groups of a scan in `mode` (count: most records first; sum, stats: by key). */
export function groupOrder(byRecords: boolean): (a: [string, GroupValue], b: [string, GroupValue]) => number {
  return byRecords ? compareGroups : (a, b) => compareKeys(a[0], b[0]);
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A byte past ASCII (components hold one character per byte). */
const NOT_ASCII = /[\u0080-\u00ff]/;

/** A component's bytes (one character per byte) as UTF-8 text, an invalid sequence as U+FFFD. */
export function keyText(component: string): string {
  if (!NOT_ASCII.test(component)) return component;
  const bytes = new Uint8Array(component.length);
  for (let i = 0; i < component.length; i++) bytes[i] = component.charCodeAt(i);
  return utf8.decode(bytes);
}

/**
 * The groups in their order (count: most records first, ties by key; sum and stats: by key); the
 * first `top` of them (null: all).
 */
export function orderGroups(
  groups: RawGroups,
  top: number | null,
  byRecords = true,
): { group_count: number; ordered: [string, GroupValue][] } {
  return { group_count: groups.size, ordered: orderEntries(groups, groups.size, top ?? groups.size, byRecords) };
}

/** Groups in memory in their order, as OrderedRawGroups; `count`: the scan's groups when `groups` holds only some. */
export function orderedInMemory(groups: RawGroups, top: number | null, byRecords: boolean, count = groups.size): OrderedRawGroups {
  let ordered: [string, GroupValue][] | null = orderGroups(groups, top, byRecords).ordered;
  return {
    count,
    *entries() {
      for (const [key, value] of ordered ?? []) yield [keyComponents(key), value];
    },
    close: () => {
      ordered = null;
    },
  };
}

/** A group's key as the result shows it: its components as UTF-8 text. */
export function keyComponents(key: string): string[] {
  return key.split(KEY_SEPARATOR).map(keyText);
}

/**
 * The first `limit` of `size` groups (distinct keys) in their order (key-sort.ts: count most records
 * first, ties by key; sum and stats by key), their keys sorted as bytes.
 */
export function orderEntries(entries: Iterable<[string, GroupValue]>, size: number, limit: number, byRecords: boolean): [string, GroupValue][] {
  const keys = new Array<string>(size);
  const values = new Array<GroupValue>(size);
  let n = 0;
  for (const [key, value] of entries) {
    keys[n] = key;
    values[n++] = value;
  }
  keys.length = n;
  const { bytes, starts, ends } = encodeKeys(keys);
  const order = orderKeys(bytes, starts, ends, byRecords ? Float64Array.from(values.slice(0, n), groupRecords) : null, limit);
  const ordered: [string, GroupValue][] = [];
  for (let i = 0; i < Math.min(limit, n); i++) ordered.push([keys[order[i]!]!, values[order[i]!]!]);
  return ordered;
}

/** The groups of a partial as JSON; `encodeColumn` writes a column (src/scan/partial.ts). */
export function encodeGroups(groups: RawGroups, encodeColumn: (column: RawColumn) => PartialColumnJson): GroupsJson {
  return [...groups].map(([key, value]) => {
    const components = key.split(KEY_SEPARATOR).map((component) => btoa(component));
    return typeof value === 'number' ? [components, value] : [components, value.records, value.columns.map(encodeColumn)];
  });
}

/**
 * null when the JSON is not groups of `width` components with `columns` columns each (0: count);
 * `decodeColumn` reads a column (null when it is damaged).
 */
export function decodeGroups(json: unknown, width: number, columns: number, decodeColumn: (json: unknown) => RawColumn | null): RawGroups | null {
  if (!Array.isArray(json)) return null;
  const groups: RawGroups = new Map();
  for (const item of json as unknown[]) {
    if (!Array.isArray(item) || item.length !== (columns === 0 ? 2 : 3)) return null;
    const [components, records, columnsJson] = item as [unknown, unknown, unknown];
    if (!Array.isArray(components) || components.length !== width || !components.every((c) => typeof c === 'string')) return null;
    if (typeof records !== 'number' || !Number.isSafeInteger(records) || records < 1) return null;
    let key: string;
    try {
      key = (components as string[]).map((component) => atob(component)).join(KEY_SEPARATOR);
    } catch {
      return null;
    }
    if (groups.has(key)) return null;
    if (columns === 0) {
      groups.set(key, records);
      continue;
    }
    if (!Array.isArray(columnsJson) || columnsJson.length !== columns) return null;
    const decoded: RawColumn[] = [];
    for (const column of columnsJson as unknown[]) {
      const raw = decodeColumn(column);
      if (raw === null || raw.count + raw.empty + raw.invalid !== records) return null;
      decoded.push(raw);
    }
    groups.set(key, { records, columns: decoded });
  }
  return groups;
}
