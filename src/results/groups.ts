// Groups of a `--by` scan on the host: merging the groups of ranges and threads (counts of equal keys
// add up), their order (most records first, ties by key: component by component, bytewise unsigned,
// a prefix first), --top, keys as UTF-8 text, and the groups of a partial as JSON (keys as base64).
//
// Keys are the strings of src/kernel/groups.ts: components of one character per byte joined by
// KEY_SEPARATOR, so comparing components as strings compares their bytes.

import { KEY_SEPARATOR, type RawGroups } from '../kernel/groups.js';
import type { GroupResult, GroupsJson } from '../types.js';

export type { GroupsJson } from '../types.js';

/** The groups of two parts of one scan, as one (a new map; the parts are not changed). */
export function mergeGroups(before: RawGroups | undefined, after: RawGroups | undefined): RawGroups | undefined {
  if (before === undefined && after === undefined) return undefined;
  const merged = new Map(before ?? []);
  for (const [key, records] of after ?? []) merged.set(key, (merged.get(key) ?? 0) + records);
  return merged;
}

function compareComponents(a: string[], b: string[]): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

/** The order of count --by: most records first, ties by key. */
export function compareGroups(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] === b[0] ? 0 : compareComponents(a[0].split(KEY_SEPARATOR), b[0].split(KEY_SEPARATOR)));
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

/** count --by: most records first, ties by key; the first `top` of them (null: all). */
export function orderGroups(groups: RawGroups, top: number | null): { group_count: number; groups: GroupResult[] } {
  const limit = top ?? groups.size;
  const ordered = hasZeroByte(groups) ? orderByComparator(groups, limit) : orderByBuckets(groups, limit);
  return {
    group_count: groups.size,
    groups: ordered.map(([key, rows]) => ({ key: key.split(KEY_SEPARATOR).map(keyText), rows })),
  };
}

function hasZeroByte(groups: RawGroups): boolean {
  for (const key of groups.keys()) if (key.includes('\u0000')) return true;
  return false;
}

/**
 * Without a zero byte in any key, a key with its components joined by U+0000 (below every byte)
 * sorts as its tuple does, a prefix first: groups are bucketed by records, most first, and each
 * bucket needed sorted natively.
 */
function orderByBuckets(groups: RawGroups, limit: number): [string, number][] {
  const buckets = new Map<number, string[]>();
  for (const [key, rows] of groups) {
    const sortable = key.includes(KEY_SEPARATOR) ? key.replaceAll(KEY_SEPARATOR, '\u0000') : key;
    let bucket = buckets.get(rows);
    if (!bucket) buckets.set(rows, (bucket = []));
    bucket.push(sortable);
  }
  const ordered: [string, number][] = [];
  for (const rows of [...buckets.keys()].sort((a, b) => b - a)) {
    if (ordered.length >= limit) break;
    for (const sortable of buckets.get(rows)!.sort()) {
      if (ordered.length >= limit) break;
      ordered.push([sortable.includes('\u0000') ? sortable.replaceAll('\u0000', KEY_SEPARATOR) : sortable, rows]);
    }
  }
  return ordered;
}

function orderByComparator(groups: RawGroups, limit: number): [string, number][] {
  const entries = [...groups].map(([key, rows]) => ({ key, rows, parts: key.split(KEY_SEPARATOR) }));
  entries.sort((a, b) => b.rows - a.rows || compareComponents(a.parts, b.parts));
  return entries.slice(0, limit).map(({ key, rows }): [string, number] => [key, rows]);
}


export function encodeGroups(groups: RawGroups): GroupsJson {
  return [...groups].map(([key, records]) => [key.split(KEY_SEPARATOR).map((component) => btoa(component)), records]);
}

/** null when the JSON is not groups of `width` components. */
export function decodeGroups(json: unknown, width: number): RawGroups | null {
  if (!Array.isArray(json)) return null;
  const groups: RawGroups = new Map();
  for (const item of json as unknown[]) {
    if (!Array.isArray(item) || item.length !== 2) return null;
    const [components, records] = item as [unknown, unknown];
    if (!Array.isArray(components) || components.length !== width || !components.every((c) => typeof c === 'string')) return null;
    if (typeof records !== 'number' || !Number.isSafeInteger(records) || records < 1) return null;
    let key: string;
    try {
      key = (components as string[]).map((component) => atob(component)).join(KEY_SEPARATOR);
    } catch {
      return null;
    }
    if (groups.has(key)) return null;
    groups.set(key, records);
  }
  return groups;
}
