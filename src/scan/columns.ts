// Resolving `-c COL` (SPEC.md): a header name; an integer that is not a header name is a 1-based
// index. The kernel accumulates one slot per distinct field; output columns point at slots.

import { usageError } from '../errors.js';
import { MAX_FIELDS, MAX_SLOTS } from '../../assembly/layout.js';
import type { ScanMode } from '../types.js';

export interface OutputColumn {
  name: string;
  /** 1-based field index */
  index: number;
  slot: number;
}

export interface ColumnPlan {
  /** field index (0-based) of each kernel slot */
  slotFields: number[];
  /** every field i < MAX_SLOTS is its own slot: stats of all columns without a header */
  allFields: boolean;
  /** output columns, known before the scan (empty when allFields) */
  outputs: OutputColumn[];
  /** requested 1-based indexes to check against the widest record after a --no-header scan */
  indexesToCheck: { requested: string; index: number }[];
}

const INDEX = /^[0-9]+$/;

export function planColumns(
  mode: ScanMode,
  requested: string[] | null | undefined,
  headerNames: string[] | null,
): ColumnPlan {
  const plan: ColumnPlan = { slotFields: [], allFields: false, outputs: [], indexesToCheck: [] };
  if (mode === 'count') return plan;
  const slotOf = new Map<number, number>();
  const addField = (field: number, name: string): void => {
    let slot = slotOf.get(field);
    if (slot === undefined) {
      slot = plan.slotFields.length;
      slotOf.set(field, slot);
      plan.slotFields.push(field);
    }
    plan.outputs.push({ name, index: field + 1, slot });
  };

  if (!requested || requested.length === 0) {
    if (headerNames) {
      if (headerNames.length > MAX_SLOTS) {
        throw usageError(`the header has ${headerNames.length} columns; stats of all columns handles at most ${MAX_SLOTS}: choose some with -c`);
      }
      headerNames.forEach((name, field) => addField(field, name));
    } else {
      plan.allFields = true;
    }
    return plan;
  }

  for (const column of requested) {
    const byName = headerNames ? headerNames.indexOf(column) : -1;
    if (byName >= 0) {
      addField(byName, column);
      continue;
    }
    const index = INDEX.test(column) ? Number(column) : NaN;
    const width = headerNames ? headerNames.length : MAX_FIELDS;
    if (!(index >= 1 && index <= width)) {
      throw unknownColumn(column, headerNames);
    }
    addField(index - 1, headerNames ? headerNames[index - 1] : String(index));
    if (!headerNames) plan.indexesToCheck.push({ requested: column, index });
  }
  return plan;
}

export function unknownColumn(column: string, headerNames: string[] | null, widest?: number): Error {
  if (headerNames) {
    const listed = headerNames.length ? headerNames.map((n) => JSON.stringify(n)).join(', ') : '(none: the file is empty)';
    return usageError(`unknown column ${JSON.stringify(column)}; the columns are: ${listed}`);
  }
  const range = widest === undefined ? 'columns are numbered from 1 (--no-header)' : widest ? `the columns are 1 to ${widest} (--no-header)` : 'the file has no columns';
  return usageError(`unknown column ${JSON.stringify(column)}; ${range}`);
}
