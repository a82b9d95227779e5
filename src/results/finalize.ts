// Turns one column's raw accumulators into the docs/spec.md result object.
//
// Decisions (where docs/spec.md is silent):
//
// - A column with no number: `sum` is 0 and `sum_text` is "0" (the sum of nothing, as in Python's
//   sum([])); `min`, `max`, `mean` and `stddev` are null. `stddev` is also null with one number.
// - Infinite values. A number such as `1e999` is valid and its double is Infinity; it is outside the
//   exact domain, so `sum_text` is null and the double results follow IEEE arithmetic on the values:
//   `min`/`max` may be -Infinity/Infinity; `sum` and `mean` are +-Infinity when the infinities all
//   have one sign and NaN when both signs occur (Infinity - Infinity); `stddev` is NaN whenever an
//   infinite value is present (as numpy.std and Python's statistics.stdev give). JSON has no such
//   numbers, so `--json` writes them as the strings "Infinity", "-Infinity" and "NaN" (the spellings
//   JavaScript's Number() and Python's float() read back, and those of the protobuf JSON mapping);
//   null keeps its one meaning, "no value", and merging `--json` parts stays lossless. Text output
//   prints the same spellings.
// - Negative zero: `min`/`max` keep the double of the text (`-0` gives -0); both JSON and text print
//   it as 0. `sum` and `mean` of an exact sum of zero are +0.
// - `first_invalid.value` is the captured bytes (at most 64) decoded as UTF-8 leniently: a byte
//   sequence that is not UTF-8, or a character cut by the 64-byte limit, becomes U+FFFD.
// - Exact columns (every number in the exact domain): `sum`, `mean` and `stddev` are each rounded
//   once from exact rationals (stddev: the correctly rounded square root of the exact variance), so
//   they are identical for any split of the file.
// - Columns with a number outside the exact domain: `sum` is the compensated sum of the doubles,
//   `mean` is sum / count and `stddev` comes from the compensated sums of the doubles and of their
//   squares, clamped at 0 against cancellation. When the squares overflow the double range (a value
//   beyond ~1.3e154) the variance cannot be known from the sums: `stddev` is then NaN ("NaN" in
//   JSON).

import { FORM_DECIMAL, FORM_FLOAT } from '../../assembly/layout.js';
import type { ColumnResult, ColumnType, RawColumn } from '../types.js';
import { decimalText, doubleUnits, rationalSqrtToDouble, rationalToDouble } from './exact.js';
import { distinctCount, quartiles } from './profile.js';

/** RawColumn.exactSum is in units of 10^-SUM_SCALE, exactSquares in units of 10^-SQUARES_SCALE. */
export const SUM_SCALE = 35;
export const SQUARES_SCALE = 70;
const SUM_UNIT_DENOMINATOR = 10n ** BigInt(SUM_SCALE);
const SQUARES_UNIT_DENOMINATOR = 10n ** BigInt(SQUARES_SCALE);
/** every finite double is a whole number of 2^-1074 */
const DOUBLE_UNIT_DENOMINATOR = 2n ** 1074n;

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export function finalizeColumn(raw: RawColumn, name: string, index: number): ColumnResult {
  const count = raw.count;
  const hasNumber = count > 0;
  const statistics = raw.outside === 0 ? exactStatistics(raw) : doubleStatistics(raw);
  const distinct = raw.distinct ? distinctCount(raw.distinct) : null;
  const quarters = raw.quantiles ? quartiles(raw.quantiles, count, raw.min, raw.max) : null;
  return {
    name,
    index,
    count,
    empty: raw.empty,
    invalid: raw.invalid,
    first_invalid:
      raw.firstInvalid === null ? null : { line: raw.firstInvalid.line, value: utf8.decode(raw.firstInvalid.value) },
    sum: statistics.sum,
    sum_text: statistics.sumText,
    min: hasNumber ? raw.min : null,
    max: hasNumber ? raw.max : null,
    mean: hasNumber ? statistics.mean : null,
    stddev: count > 1 ? statistics.stddev : null,
    type: columnType(raw),
    min_length: raw.count + raw.invalid > 0 ? raw.minLength : null,
    max_length: raw.count + raw.invalid > 0 ? raw.maxLength : null,
    distinct: distinct ? distinct.distinct : null,
    distinct_exact: distinct ? distinct.exact : null,
    q1: quarters ? quarters[0] : null,
    median: quarters ? quarters[1] : null,
    q3: quarters ? quarters[2] : null,
  };
}

/** docs/spec.md §5 `type`. */
export function columnType(raw: Pick<RawColumn, 'count' | 'invalid' | 'forms'>): ColumnType {
  if (raw.count + raw.invalid === 0) return 'empty';
  if (raw.invalid > raw.count) return 'text';
  if (raw.forms & FORM_FLOAT) return 'float';
  return raw.forms & FORM_DECIMAL ? 'decimal' : 'integer';
}

/**
 * sum / count correctly rounded by one division of two exact doubles, when the sum's digits and
 * count x 10^decimals are below 2^53 (most columns of a few short numbers: groups); else null.
 */
function quickMean(sumText: string, count: number): number | null {
  const point = sumText.indexOf('.');
  const decimals = point < 0 ? 0 : sumText.length - point - 1;
  if (decimals > 15) return null;
  const digits = point < 0 ? Number(sumText) : Number(sumText.slice(0, point) + sumText.slice(point + 1));
  const divisor = count * 10 ** decimals;
  if (Math.abs(digits) > Number.MAX_SAFE_INTEGER || divisor > Number.MAX_SAFE_INTEGER) return null;
  return digits / divisor;
}

interface Statistics {
  sum: number;
  sumText: string | null;
  /** meaningful only when count > 0 */
  mean: number;
  /** meaningful only when count > 1 */
  stddev: number;
}

/** Every number is in the exact domain: round exact rationals once each. */
function exactStatistics(raw: RawColumn): Statistics {
  const sumUnits = raw.exactSum;
  const sumText = decimalText(sumUnits, SUM_SCALE);
  const statistics: Statistics = {
    // Number() of the exact decimal text is the nearest double (ECMAScript rounds it correctly)
    sum: Number(sumText),
    sumText,
    mean: NaN,
    stddev: NaN,
  };
  if (raw.count > 0) {
    const n = BigInt(raw.count);
    statistics.mean = quickMean(sumText, raw.count) ?? rationalToDouble(sumUnits, n * SUM_UNIT_DENOMINATOR);
    if (raw.count > 1) {
      // var = (n*S2 - S1^2) / (n(n-1)) with S1 = sumUnits/10^35 and S2 = exactSquares/10^70: both
      // terms of the numerator are in units of 10^-70.
      const numerator = n * raw.exactSquares - sumUnits * sumUnits;
      const denominator = n * (n - 1n) * SQUARES_UNIT_DENOMINATOR;
      // A negative numerator would mean inconsistent accumulators; the variance is never below 0.
      statistics.stddev = numerator > 0n ? rationalSqrtToDouble(numerator, denominator) : 0;
    }
  }
  return statistics;
}

/**
 * Some number is outside the exact domain. The others are still summed exactly; the outside ones
 * come as doubles: their compensated sum (value and compensation), their first value (shift) and
 * Neumaier sums of deviations from it and of their squares. Everything is combined as exact
 * rationals (a double is one) and rounded once.
 */
function doubleStatistics(raw: RawColumn): Statistics {
  const n = raw.count;
  const hasPositiveInfinity = raw.max === Infinity;
  const hasNegativeInfinity = raw.min === -Infinity;
  if (hasPositiveInfinity || hasNegativeInfinity) {
    const sum = hasPositiveInfinity && hasNegativeInfinity ? NaN : hasPositiveInfinity ? Infinity : -Infinity;
    return { sum, sumText: null, mean: sum, stddev: NaN };
  }
  const inside = BigInt(n - raw.outside);
  const outside = BigInt(raw.outside);
  const shift = doubleUnits(raw.shift);
  const deviationsFinite = Number.isFinite(raw.fdev + raw.fdevComp);
  const deviationUnits = deviationsFinite ? doubleUnits(raw.fdev) + doubleUnits(raw.fdevComp) : 0n;
  // The sum of the outside doubles, in units of 2^-1074: their compensated sum; not the shift plus
  // the deviations, since x - shift rounds, and loses a small x beside a huge shift. Past the double
  // range (a sum beyond 1.8e308 of finite values), the deviations still hold it.
  let outsideUnits: bigint;
  if (Number.isFinite(raw.fsum) && Number.isFinite(raw.fsumComp)) {
    outsideUnits = doubleUnits(raw.fsum) + doubleUnits(raw.fsumComp);
  } else if (deviationsFinite) {
    outsideUnits = outside * shift + deviationUnits;
  } else {
    return { sum: raw.fsum, sumText: null, mean: raw.fsum, stddev: NaN };
  }
  // sum = S1 + the outside doubles, over 10^35 * 2^1074
  const sumNumerator = raw.exactSum * DOUBLE_UNIT_DENOMINATOR + outsideUnits * SUM_UNIT_DENOMINATOR;
  const sumDenominator = SUM_UNIT_DENOMINATOR * DOUBLE_UNIT_DENOMINATOR;
  const statistics: Statistics = {
    sum: rationalToDouble(sumNumerator, sumDenominator),
    sumText: null,
    mean: n > 0 ? rationalToDouble(sumNumerator, BigInt(n) * sumDenominator) : NaN,
    stddev: NaN,
  };
  // Deviations beyond the double range (huge values of both signs): the variance is unknown.
  if (!deviationsFinite) return statistics;
  const squaredDeviations = raw.fsq + raw.fsqComp;
  if (n > 1 && Number.isFinite(squaredDeviations)) {
    // Deviations of all numbers from the shift K: the exact ones contribute S1 - inside*K and
    // S2 - 2K*S1 + inside*K^2. Sums of deviations are over 10^35 * 2^1074, squares over their square.
    const allDeviations = raw.exactSum * DOUBLE_UNIT_DENOMINATOR + (deviationUnits - inside * shift) * SUM_UNIT_DENOMINATOR;
    const allSquares =
      raw.exactSquares * DOUBLE_UNIT_DENOMINATOR * DOUBLE_UNIT_DENOMINATOR -
      2n * shift * raw.exactSum * DOUBLE_UNIT_DENOMINATOR * SUM_UNIT_DENOMINATOR +
      (inside * shift * shift + (doubleUnits(raw.fsq) + doubleUnits(raw.fsqComp)) * DOUBLE_UNIT_DENOMINATOR) *
        SQUARES_UNIT_DENOMINATOR;
    const count = BigInt(n);
    const numerator = count * allSquares - allDeviations * allDeviations;
    const denominator = count * (count - 1n) * SQUARES_UNIT_DENOMINATOR * DOUBLE_UNIT_DENOMINATOR * DOUBLE_UNIT_DENOMINATOR;
    statistics.stddev = numerator > 0n ? rationalSqrtToDouble(numerator, denominator) : 0;
  }
  return statistics;
}
