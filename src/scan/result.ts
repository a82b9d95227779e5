// From the kernel's raw accumulators (one range, or merged ranges) to the result object of
// docs/spec.md (Output): the columns planned from the header, finalized.

import { MAX_SLOTS } from '../../assembly/layout.js';
import { usageError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import { finalizeColumn } from '../results/finalize.js';
import type { ColumnGroup, Dialect, GroupResult, OrderedGroups, RawScan, ScanResult } from '../types.js';
import { orderedInMemory } from '../results/groups.js';
import { groupRecords } from '../kernel/groups.js';
import { unknownColumn, type ColumnPlan, type Header, type KeyPlan, type OutputColumn } from './columns.js';

export interface ScanPlan {
  dialect: Dialect;
  plan: ColumnPlan;
  /** the header's names (at most MAX_FIELDS of them) and width; null without a header */
  header: Header | null;
  /** first byte after a BOM */
  dataStart: number;
  /** --by: the key columns; null without groups */
  keys: KeyPlan | null;
}

/** A result, and its groups to be read in order (null without --by); `result.groups` is not set. */
export interface ScanOutcome {
  result: ScanResult;
  groups: OrderedGroups | null;
}

/**
 * Build the result from (merged) raw results. A shard (one range of a file) is not checked
 * against column indexes beyond its widest record: a later shard may hold wider records.
 */
export function toResult(
  name: string,
  raw: RawScan,
  scan: ScanPlan,
  options: Pick<ResolvedOptions, 'mode'> & Partial<Pick<ResolvedOptions, 'top'>>,
  shard = false,
): ScanResult {
  return withGroups(toOutcome(name, raw, scan, options, shard));
}

/** The outcome's result with every group in it (`groups`), its groups closed. */
export function withGroups(outcome: ScanOutcome): ScanResult {
  const { result, groups } = outcome;
  if (groups) {
    try {
      result.groups = Array.from(groups.each());
    } finally {
      groups.close();
    }
  }
  return result;
}

/** toResult(), its groups left to be read one at a time (the CLI prints them so: memory does not grow with them). */
export function toOutcome(
  name: string,
  raw: RawScan,
  scan: ScanPlan,
  options: Pick<ResolvedOptions, 'mode'> & Partial<Pick<ResolvedOptions, 'top'>>,
  shard = false,
): ScanOutcome {
  const result: ScanResult = {
    file: name,
    rows: raw.records,
    bytes: raw.bytes + scan.dataStart,
    ragged: { short: raw.short, long: raw.long },
  };
  if (scan.keys) {
    try {
      checkIndexes(scan.keys.indexesToCheck, raw, shard);
      if (options.mode !== 'count') checkIndexes(scan.plan.indexesToCheck, raw, shard);
    } catch (error) {
      raw.ordered?.close();
      throw error;
    }
    const ordered = raw.ordered ?? orderedInMemory(raw.groups ?? new Map(), options.top ?? null, options.mode === 'count');
    result.by = [...scan.keys.names];
    result.group_count = ordered.count;
    const outputs = scan.plan.outputs;
    const counted = options.mode === 'count';
    function* each(): Iterable<GroupResult> {
      for (const [key, value] of ordered.entries()) {
        if (counted) {
          yield { key, rows: groupRecords(value) };
          continue;
        }
        const { records, columns } = value as ColumnGroup;
        yield {
          key,
          rows: records,
          columns: outputs.map((column) => finalizeColumn(columns[column.slot]!, column.name, column.index)),
        };
      }
    }
    return { result, groups: { count: ordered.count, each, close: () => ordered.close() } };
  }
  return { result: ungroupedResult(result, raw, scan, options, shard), groups: null };
}

function checkIndexes(indexes: ColumnPlan['indexesToCheck'], raw: RawScan, shard: boolean): void {
  if (shard) return;
  for (const { requested, index } of indexes) {
    if (index > raw.maxFields) throw unknownColumn(requested, null, raw.maxFields);
  }
}

function ungroupedResult(
  result: ScanResult,
  raw: RawScan,
  scan: ScanPlan,
  options: Pick<ResolvedOptions, 'mode'>,
  shard: boolean,
): ScanResult {
  if (options.mode === 'count') return result;

  let outputs: OutputColumn[] = scan.plan.outputs;
  if (scan.plan.allFields) {
    if (raw.maxFields > MAX_SLOTS) {
      throw usageError(`records have up to ${raw.maxFields} fields; stats of all columns handles at most ${MAX_SLOTS}: choose some with -c`);
    }
    outputs = Array.from({ length: raw.maxFields }, (_, field) => ({ name: String(field + 1), index: field + 1, slot: field }));
  }
  checkIndexes(scan.plan.indexesToCheck, raw, shard);
  result.columns = outputs.map((column) => finalizeColumn(raw.columns[column.slot], column.name, column.index));
  return result;
}
