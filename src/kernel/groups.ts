// What every engine shares for groups (`--by`, assembly/groups.ts): the key fields the kernel is
// given (distinct, ascending) and the order of the key's components in the result (the --by order),
// keys as host strings, and the refusal when the groups do not fit in the memory budget.
//
// A key on the host is one string: its components, each a "binary string" (one character per byte,
// so String comparison is bytewise unsigned), joined by KEY_SEPARATOR, a character no byte gives.

import { usageError, type CsvscanError } from '../errors.js';
import { MAX_KEYS } from '../../assembly/layout.js';
import type { GroupValue } from '../types.js';

export type { ColumnGroup, GroupValue } from '../types.js';

export const KEY_SEPARATOR = '\u0100';

/** Groups of a scan: key (in --by order) -> its figures. */
export type RawGroups = Map<string, GroupValue>;

export function groupRecords(value: GroupValue): number {
  return typeof value === 'number' ? value : value.records;
}

export interface KernelKeys {
  /** distinct key fields (0-based), ascending: the kernel's order */
  fields: number[];
  /** component i of the result's key is component order[i] of the kernel's */
  order: number[];
}

export function kernelKeys(by: readonly number[]): KernelKeys {
  const fields = [...new Set(by)].sort((a, b) => a - b);
  if (fields.length > MAX_KEYS) throw usageError(`--by takes at most ${MAX_KEYS} distinct columns, got ${fields.length}`);
  return { fields, order: by.map((field) => fields.indexOf(field)) };
}

/** The key of the result from the kernel's components (field order). */
export function resultKey(components: string[], keys: KernelKeys): string {
  return keys.order.map((component) => components[component]!).join(KEY_SEPARATOR);
}

/** Bytes as a string of one character per byte (not TextDecoder's 'latin1', which is windows-1252). */
export function binaryString(bytes: Uint8Array, from: number, to: number): string {
  let text = '';
  // a key of a few bytes: a loop costs half of apply() on a subarray
  if (to - from <= 16) {
    for (let at = from; at < to; at++) text += String.fromCharCode(bytes[at]!);
    return text;
  }
  for (let at = from; at < to; at += 8192) {
    text += String.fromCharCode.apply(null, bytes.subarray(at, Math.min(to, at + 8192)) as unknown as number[]);
  }
  return text;
}

/**
 * Bytes a group takes as host objects while its groups are ordered, generously: its Map entry and
 * key, its value and its place in the ordering's arrays (the 64 MiB mixed file's 942,866 groups of
 * `count --by id` peaked at 348 MiB before keys were sorted as bytes, 400 MiB after, node's own
 * included); and per column its RawColumn and two BigInts. Spilled groups are no slower.
 */
const HOST_GROUP_BYTES = 384;
const HOST_COLUMN_BYTES = 320;

/**
 * Whether the groups left in a table when its scan ends go to the spill sink rather than into host
 * objects: when, as objects, they would take more than half the budget. A table that fits the
 * budget in the kernel's compact form can take several times it as objects (14.8 million keys:
 * 4.5 GB); spilled, they are read back a partition at a time.
 */
export function spillAtEnd(groups: number, columns: number, budget: number): boolean {
  return groups * (HOST_GROUP_BYTES + columns * HOST_COLUMN_BYTES) > budget / 2;
}

/** The budget is too small even with spilling (one key and a window do not fit), or there is no disk to spill to. */
export function groupsDoNotFit(budget: number, groups: number, spilling = false): CsvscanError {
  return usageError(
    spilling
      ? `a key does not fit in --memory ${sizeText(budget)} with the window: raise --memory or lower --window`
      : `the groups do not fit in --memory ${sizeText(budget)} (${groups} groups so far): raise --memory ` +
          '(groups are spilled to disk only under Node)',
  );
}

function sizeText(bytes: number): string {
  for (const [unit, shift] of [['G', 30], ['M', 20], ['K', 10]] as const) {
    if (bytes % 2 ** shift === 0) return `${bytes / 2 ** shift}${unit}`;
  }
  return String(bytes);
}
