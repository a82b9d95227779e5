// Resolving `-c COL` (docs/spec.md): a header name; an integer that is not a header name is a 1-based
// index. The kernel accumulates one slot per distinct field; output columns point at slots.

import { usageError } from '../errors.js';
import { quoteForMessage } from '../options.js';
import { MAX_FIELDS, MAX_SLOTS } from '../../assembly/layout.js';
import type { KeyPlan, OutputColumn, ScanMode } from '../types.js';

export type { KeyPlan, OutputColumn } from '../types.js';

/** The header record as the host keeps it. */
export interface Header {
  /** the names of its first min(width, MAX_FIELDS) fields: only those can be selected */
  names: string[];
  /** its fields */
  width: number;
  /** offset of its first byte (after blank lines before it) */
  start: number;
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

/**
 * The slots and output columns of `-c` (`requested`). Without -c, stats takes every column of the
 * header, but the key columns when grouped (`keys`); grouped stats of all columns needs a header.
 */
export function planColumns(mode: ScanMode, requested: string[] | null | undefined, header: Header | null, keys: KeyPlan | null = null): ColumnPlan {
  const headerNames = header ? header.names : null;
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
    if (header) {
      if (header.width > MAX_SLOTS) {
        throw usageError(`the header has ${header.width} columns; stats of all columns handles at most ${MAX_SLOTS}: choose some with -c`);
      }
      header.names.forEach((name, field) => {
        if (!keys?.fields.includes(field)) addField(field, name);
      });
      if (keys && plan.outputs.length === 0) throw usageError('stats --by: every column is a key column; name the columns to summarize with -c');
    } else if (keys) {
      throw usageError('stats --by without a header needs its columns named: add -c 1 -c 2 ... (the key columns are named by --by)');
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
    if (!(index >= 1 && (header === null || index <= header.width))) {
      throw unknownColumn(column, header);
    }
    // The kernel maps fields up to MAX_FIELDS to slots; fields past it cannot be selected.
    if (index > MAX_FIELDS) throw beyondFieldLimit(column, index);
    addField(index - 1, headerNames ? headerNames[index - 1]! : String(index));
    if (!headerNames) plan.indexesToCheck.push({ requested: column, index });
  }
  return plan;
}

/** The key columns of --by: their fields in --by order, their names, and indexes to check later. */

/** --by KEY names a column as -c does: a header name, else a 1-based index. */
export function planKeys(requested: string[], header: Header | null): KeyPlan {
  const plan: KeyPlan = { fields: [], names: [], indexesToCheck: [] };
  for (const column of requested) {
    const byName = header ? header.names.indexOf(column) : -1;
    if (byName >= 0) {
      plan.fields.push(byName);
      plan.names.push(column);
      continue;
    }
    const index = INDEX.test(column) ? Number(column) : NaN;
    if (!(index >= 1 && (header === null || index <= header.width))) throw unknownColumn(column, header);
    if (index > MAX_FIELDS) throw beyondFieldLimit(column, index);
    plan.fields.push(index - 1);
    plan.names.push(header ? header.names[index - 1]! : String(index));
    if (!header) plan.indexesToCheck.push({ requested: column, index });
  }
  return plan;
}

/** How much of a list of names an error message shows. */
const LISTED_NAMES_LIMIT = 400;

/** A column that is not there; the message lists the columns there are, cut to a readable length. */
export function unknownColumn(column: string, header: Header | null, widest?: number): Error {
  if (header) {
    const beyond = header.width > MAX_FIELDS ? `; columns after the ${MAX_FIELDS}th cannot be chosen` : '';
    return usageError(`unknown column ${quoteForMessage(column)}; the columns are: ${listNames(header)}${beyond}`);
  }
  const range = widest === undefined ? 'columns are numbered from 1 (--no-header)' : widest ? `the columns are 1 to ${widest} (--no-header)` : 'the file has no columns';
  return usageError(`unknown column ${quoteForMessage(column)}; ${range}`);
}

function listNames(header: Header): string {
  if (header.width === 0) return '(none: the file is empty)';
  let listed = '';
  let shown = 0;
  for (const name of header.names) {
    const item = quoteForMessage(name, 40);
    if (listed.length + item.length > LISTED_NAMES_LIMIT) break;
    listed += (shown > 0 ? ', ' : '') + item;
    shown++;
  }
  return shown === header.width ? listed : `${listed}, ... (${header.width} columns)`;
}

function beyondFieldLimit(column: string, index: number): Error {
  return usageError(`column ${quoteForMessage(column)} is field ${index}; csvscan reads columns 1 to ${MAX_FIELDS} only`);
}
