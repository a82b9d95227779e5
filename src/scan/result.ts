// From the kernel's raw accumulators (one range, or merged ranges) to the result object of
// docs/spec.md (Output): the columns planned from the header, finalized.

import { MAX_SLOTS } from '../../assembly/layout.js';
import { usageError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import { finalizeColumn } from '../results/finalize.js';
import type { ColumnGroup, Dialect, RawScan, ScanResult } from '../types.js';
import { countedGroups, keyComponents, orderGroups } from '../results/groups.js';
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
  const result: ScanResult = {
    file: name,
    rows: raw.records,
    bytes: raw.bytes + scan.dataStart,
    ragged: { short: raw.short, long: raw.long },
  };
  if (scan.keys) {
    if (!shard) {
      for (const { requested, index } of scan.keys.indexesToCheck) {
        if (index > raw.maxFields) throw unknownColumn(requested, null, raw.maxFields);
      }
    }
    const { group_count, ordered } = orderGroups(raw.groups ?? new Map(), options.top ?? null, options.mode === 'count');
    result.by = [...scan.keys.names];
    result.group_count = raw.groupCount ?? group_count;
    if (options.mode === 'count') {
      result.groups = countedGroups(ordered);
      return result;
    }
    const outputs = scan.plan.outputs;
    if (!shard) {
      for (const { requested, index } of scan.plan.indexesToCheck) {
        if (index > raw.maxFields) throw unknownColumn(requested, null, raw.maxFields);
      }
    }
    result.groups = ordered.map(([key, value]) => {
      const { records, columns } = value as ColumnGroup;
      return {
        key: keyComponents(key),
        rows: records,
        columns: outputs.map((column) => finalizeColumn(columns[column.slot]!, column.name, column.index)),
      };
    });
    return result;
  }
  if (options.mode === 'count') return result;

  let outputs: OutputColumn[] = scan.plan.outputs;
  if (scan.plan.allFields) {
    if (raw.maxFields > MAX_SLOTS) {
      throw usageError(`records have up to ${raw.maxFields} fields; stats of all columns handles at most ${MAX_SLOTS}: choose some with -c`);
    }
    outputs = Array.from({ length: raw.maxFields }, (_, field) => ({ name: String(field + 1), index: field + 1, slot: field }));
  }
  if (!shard) {
    for (const { requested, index } of scan.plan.indexesToCheck) {
      if (index > raw.maxFields) throw unknownColumn(requested, null, raw.maxFields);
    }
  }
  result.columns = outputs.map((column) => finalizeColumn(raw.columns[column.slot], column.name, column.index));
  return result;
}
