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

import type { RawColumn, RawScan } from '../types.js';
import { mergeGroups } from './groups.js';

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
    ...(before.groups || after.groups ? { groups: mergeGroups(before.groups, after.groups) } : {}),
    ...(before.spilled || after.spilled ? { spilled: [...(before.spilled ?? []), ...(after.spilled ?? [])] } : {}),
  };
}

function mergeColumns(before: RawColumn, after: RawColumn, lineOffset: number): RawColumn {
  // Deviations are taken from each part's own shift (its first number outside the exact domain):
  // restate `after`'s about `before`'s (sum of (x - s1) = sum of (x - s2) + n2 d,
  // squares + 2 d sum(x - s2) + n2 d^2, d = s2 - s1, n2 = after.outside).
  let shift = before.shift;
  let deviations = { value: before.fdev, compensation: before.fdevComp };
  let squares = { value: before.fsq, compensation: before.fsqComp };
  if (before.outside === 0) {
    shift = after.shift;
    deviations = { value: after.fdev, compensation: after.fdevComp };
    squares = { value: after.fsq, compensation: after.fsqComp };
  } else if (after.outside > 0) {
    const d = after.shift - before.shift;
    const afterDeviations = after.fdev + after.fdevComp;
    deviations = addNeumaier(before.fdev, before.fdevComp, afterDeviations, after.outside * d);
    const restated = addNeumaier(after.fsq, after.fsqComp, 2 * d * afterDeviations, after.outside * d * d);
    squares = addNeumaier(before.fsq, before.fsqComp, restated.value, restated.compensation);
  }
  const sum = addNeumaier(before.fsum, before.fsumComp, after.fsum, after.fsumComp);
  return {
    count: before.count + after.count,
    empty: before.empty + after.empty,
    invalid: before.invalid + after.invalid,
    outside: before.outside + after.outside,
    exactSum: before.exactSum + after.exactSum,
    exactSquares: before.exactSquares + after.exactSquares,
    fsum: sum.value,
    fsumComp: sum.compensation,
    shift,
    fdev: deviations.value,
    fdevComp: deviations.compensation,
    fsq: squares.value,
    fsqComp: squares.compensation,
    // Math.min/max order -0 below +0, so the result does not depend on the split.
    min: Math.min(before.min, after.min),
    max: Math.max(before.max, after.max),
    firstInvalid:
      before.firstInvalid ??
      (after.firstInvalid === null
        ? null
        : { line: after.firstInvalid.line + lineOffset, value: after.firstInvalid.value }),
  };
}

/** Two Neumaier states combined as Neumaier adds one term: the lost low part of the addition of the
 *  two sums joins the compensations. */
function addNeumaier(
  sumA: number,
  compA: number,
  sumB: number,
  compB: number,
): { value: number; compensation: number } {
  const value = sumA + sumB;
  let lost = Math.abs(sumA) >= Math.abs(sumB) ? sumA - value + sumB : sumB - value + sumA;
  // With an infinite sum the lost part is Infinity - Infinity: there is nothing to compensate.
  if (!Number.isFinite(value)) lost = 0;
  return { value, compensation: compA + compB + lost };
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
