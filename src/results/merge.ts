// Merges the partial results of consecutive byte ranges of one file, in file order, into the result
// of one scan of their union. Merging is associative, so partials may be combined in any grouping
// (e.g. as threads finish) as long as their order is kept.
//
// Line numbers. A part's lines are relative to the first byte it was fed (its line 1 holds that
// byte), and a mid-file part first skips `linesBeforeFirst` LF bytes to reach its first record, which
// is where the part before it stopped (that part's `stopPosition`). Those LF bytes are therefore
// counted in the `lines` of both parts, so part k begins at line
//   offset(k) = sum over j < k of lines(j)  -  sum over 0 < j <= k of linesBeforeFirst(j)
// of the first part (a part that counted no record skipped all its bytes: linesBeforeFirst = lines).
// When parts are fed from their first record (linesBeforeFirst = 0 after the first part) this is
// simply the sum of the lines of the parts before.

import type { RawScan } from '../types.js';
import { mergeGroups } from './groups.js';
import { mergeColumns } from '../kernel/merge-columns.js';

export function mergeRawScans(parts: RawScan[]): RawScan {
  if (parts.length === 0) throw new RangeError('mergeRawScans: nothing to merge');
  let merged = cloneRawScan(parts[0]!);
  for (let k = 1; k < parts.length; k++) merged = mergeTwo(merged, parts[k]!);
  return merged;
}

/** LF bytes a part passed before its first record (all of them when it counted none). */
function linesSkipped(part: RawScan): number {
  return part.firstRecord < 0 ? part.lines : part.linesBeforeFirst;
}

function mergeTwo(before: RawScan, after: RawScan): RawScan {
  if (before.columns.length !== after.columns.length) {
    throw new RangeError(
      `mergeRawScans: parts have ${before.columns.length} and ${after.columns.length} columns`,
    );
  }
  const lineOffset = before.lines - linesSkipped(after);
  const beforeHasRecord = before.firstRecord >= 0;
  return {
    records: before.records + after.records,
    lines: lineOffset + after.lines,
    bytes: before.bytes + after.bytes,
    short: before.short + after.short,
    long: before.long + after.long,
    maxFields: Math.max(before.maxFields, after.maxFields),
    expectedFields: before.expectedFields !== 0 ? before.expectedFields : after.expectedFields,
    headerFields: before.headerFields !== 0 ? before.headerFields : after.headerFields,
    firstRecord: beforeHasRecord ? before.firstRecord : after.firstRecord,
    linesBeforeFirst:
      beforeHasRecord || after.firstRecord < 0 ? before.linesBeforeFirst : lineOffset + after.linesBeforeFirst,
    stopPosition: after.stopPosition,
    unterminatedQuote:
      before.unterminatedQuote ??
      (after.unterminatedQuote === null
        ? null
        : { line: after.unterminatedQuote.line + lineOffset, byte: after.unterminatedQuote.byte }),
    columns: before.columns.map((column, slot) => mergeColumns(column, after.columns[slot]!, lineOffset)),
    ...(before.groups || after.groups ? { groups: mergeGroups(before.groups, after.groups, lineOffset) } : {}),
    ...(before.spilled || after.spilled
      ? { spilled: [...(before.spilled ?? []), ...(after.spilled ?? []).map((spill) => ({ ...spill, lineOffset: spill.lineOffset + lineOffset }))] }
      : {}),
  };
}

function cloneRawScan(scan: RawScan): RawScan {
  return {
    ...scan,
    unterminatedQuote: scan.unterminatedQuote === null ? null : { ...scan.unterminatedQuote },
    ...(scan.groups ? { groups: new Map(scan.groups) } : {}),
    columns: scan.columns.map((column) => ({
      ...column,
      firstInvalid: column.firstInvalid === null ? null : { ...column.firstInvalid },
    })),
  };
}
