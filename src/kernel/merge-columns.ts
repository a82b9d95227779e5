// Two RawColumns of one column as one, shared by the JS engine's groups and the host's merges: of
// consecutive parts of a file (`lineOffset` makes the second's lines the first's), or of one group
// spilled and read back (src/scan/spill.ts).

import type { RawColumn } from '../types.js';
import { mergeDistinct, mergeQuantiles } from './profile.js';

export function mergeColumns(before: RawColumn, after: RawColumn, lineOffset: number): RawColumn {
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
    minLength: Math.min(before.minLength, after.minLength),
    maxLength: Math.max(before.maxLength, after.maxLength),
    forms: before.forms | after.forms,
    max: Math.max(before.max, after.max),
    // the first in the file: the smaller line (each record starts on a later line than the one
    // before), so groups spilled and read back in any order merge alike
    firstInvalid:
      after.firstInvalid === null || (before.firstInvalid !== null && before.firstInvalid.line <= after.firstInvalid.line + lineOffset)
        ? before.firstInvalid
        : { line: after.firstInvalid.line + lineOffset, value: after.firstInvalid.value },
    // the profile's sketches (a part that met none of the column's fields has none)
    ...mergeOptional('distinct', before.distinct, after.distinct, mergeDistinct),
    ...mergeOptional('quantiles', before.quantiles, after.quantiles, mergeQuantiles),
  };
}

function mergeOptional<K extends string, T>(key: K, a: T | null | undefined, b: T | null | undefined, merge: (a: T, b: T) => T): Partial<Record<K, T>> {
  const value = a && b ? merge(a, b) : (a ?? b);
  return value ? ({ [key]: value } as Record<K, T>) : {};
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

/** A column of `records` records that are all empty (a part that met none of its fields). */
export function emptyColumn(records = 0): RawColumn {
  return {
    count: 0, empty: records, invalid: 0, outside: 0, exactSum: 0n, exactSquares: 0n, fsum: 0, fsumComp: 0, shift: 0, fdev: 0,
    fdevComp: 0, fsq: 0, fsqComp: 0, min: Infinity, max: -Infinity, firstInvalid: null, minLength: Infinity, maxLength: 0, forms: 0,
  };
}
