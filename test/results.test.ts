import { describe, expect, it } from 'vitest';
import {
  bitLength,
  decimalText,
  integerSqrt,
  rationalSqrtToDouble,
  rationalToDouble,
} from '../src/results/exact.js';
import { finalizeColumn } from '../src/results/finalize.js';
import { formatCount, formatStatsTable, formatSumLines, toJsonLine } from '../src/results/format.js';
import { mergeRawScans } from '../src/results/merge.js';
import type { ColumnResult, RawColumn, RawScan, ScanResult } from '../src/types.js';
import { columnResult } from './support/column-result.js';

// ---------------------------------------------------------------------------------------------------
// Independent helpers: a seeded generator, exact rationals of doubles, decimal parsing.

/** mulberry32: small, seeded, good enough to spread test cases. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInt(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

function randomDigits(random: () => number, count: number): string {
  let text = String(randomInt(random, 1, 9));
  for (let i = 1; i < count; i++) text += String(randomInt(random, 0, 9));
  return text;
}

function randomBigInt(random: () => number, bits: number): bigint {
  let value = 1n;
  for (let i = 1; i < bits; i++) value = (value << 1n) | (random() < 0.5 ? 0n : 1n);
  return value;
}

/** A rational num/den with den > 0. */
interface Rational {
  num: bigint;
  den: bigint;
}

const float = new DataView(new ArrayBuffer(8));

function doubleBits(x: number): bigint {
  float.setFloat64(0, x);
  return float.getBigUint64(0);
}

function doubleFromBits(bits: bigint): number {
  float.setBigUint64(0, bits);
  return float.getFloat64(0);
}

/** The exact value of a finite double. */
function exactOfDouble(x: number): Rational {
  const bits = doubleBits(Math.abs(x));
  const biasedExponent = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biasedExponent === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biasedExponent === 0 ? 1 : biasedExponent) - 1075;
  const signed = x < 0 ? -mantissa : mantissa;
  return exponent >= 0 ? { num: signed << BigInt(exponent), den: 1n } : { num: signed, den: 1n << BigInt(-exponent) };
}

/** Next double away from zero / toward zero, for positive finite x. */
function nextUp(x: number): number {
  return doubleFromBits(doubleBits(x) + 1n);
}
function nextDown(x: number): number {
  return doubleFromBits(doubleBits(x) - 1n);
}

function compare(a: Rational, b: Rational): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

function absoluteDistance(a: Rational, b: Rational): Rational {
  const num = a.num * b.den - b.num * a.den;
  return { num: num < 0n ? -num : num, den: a.den * b.den };
}

/** True when x is the double nearest to q (ties to an even mantissa), for q > 0 in the normal range. */
function isNearestDouble(x: number, q: Rational): boolean {
  const here = absoluteDistance(exactOfDouble(x), q);
  for (const neighbour of [nextUp(x), nextDown(x)]) {
    if (!Number.isFinite(neighbour)) continue;
    const there = absoluteDistance(exactOfDouble(neighbour), q);
    const order = compare(there, here);
    if (order < 0) return false;
    if (order === 0 && (doubleBits(x) & 1n) === 1n) return false; // a tie must go to the even one
  }
  return true;
}

/** A decimal text as units of 10^-scale, exactly (no exponent form). */
function decimalUnits(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const body = negative || text.startsWith('+') ? text.slice(1) : text;
  const [integerPart = '0', fractionPart = ''] = body.split('.');
  if (fractionPart.length > scale) throw new Error(`too many decimals in ${text}`);
  const units = BigInt((integerPart || '0') + fractionPart.padEnd(scale, '0'));
  return negative ? -units : units;
}

// ---------------------------------------------------------------------------------------------------

describe('rationalToDouble', () => {
  it('agrees with Number() of random decimal texts (an independent correctly rounded oracle)', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 4000; i++) {
      const digits = randomDigits(random, randomInt(random, 1, 40));
      const exponent = randomInt(random, -40, 40);
      const negative = random() < 0.5;
      const num = BigInt(digits) * 10n ** BigInt(Math.max(exponent, 0)) * (negative ? -1n : 1n);
      const den = 10n ** BigInt(Math.max(-exponent, 0));
      const expected = Number(`${negative ? '-' : ''}${digits}e${exponent}`);
      expect(rationalToDouble(num, den), `${negative ? '-' : ''}${digits}e${exponent}`).toBe(expected);
    }
  });

  it('agrees with Number() near and beyond both ends of the double range', () => {
    const random = seededRandom(2);
    for (let i = 0; i < 1500; i++) {
      const digits = randomDigits(random, randomInt(random, 1, 25));
      const exponent = random() < 0.5 ? randomInt(random, -360, -290) : randomInt(random, 280, 330);
      const num = BigInt(digits) * 10n ** BigInt(Math.max(exponent, 0));
      const den = 10n ** BigInt(Math.max(-exponent, 0));
      expect(rationalToDouble(num, den), `${digits}e${exponent}`).toBe(Number(`${digits}e${exponent}`));
      expect(rationalToDouble(-num, den), `-${digits}e${exponent}`).toBe(Number(`-${digits}e${exponent}`));
    }
  });

  it('is the nearest double to random num/den, ties to even (checked against both neighbours)', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 3000; i++) {
      const num = randomBigInt(random, randomInt(random, 1, 200));
      const den = randomBigInt(random, randomInt(random, 1, 200));
      const x = rationalToDouble(num, den);
      expect(isNearestDouble(x, { num, den }), `${num}/${den}`).toBe(true);
      expect(rationalToDouble(-num, den)).toBe(-x);
    }
  });

  it('rounds exact ties to even', () => {
    // 2^53 + 1 lies halfway between 2^53 and 2^53 + 2: even mantissa is 2^53.
    expect(rationalToDouble(2n ** 53n + 1n, 1n)).toBe(2 ** 53);
    expect(rationalToDouble(2n ** 53n + 3n, 1n)).toBe(2 ** 53 + 4);
    // Halfway plus the tiniest bit rounds up.
    expect(rationalToDouble((2n ** 53n + 1n) * 10n ** 30n + 1n, 10n ** 30n)).toBe(2 ** 53 + 2);
    // 1 + 2^-53 is a tie below 1 + 2^-52: down to 1.
    expect(rationalToDouble(2n ** 53n + 1n, 2n ** 53n)).toBe(1);
  });

  it('handles zero, small and huge values, subnormals and overflow', () => {
    expect(Object.is(rationalToDouble(0n, 7n), 0)).toBe(true);
    expect(rationalToDouble(1n, 3n)).toBe(1 / 3);
    expect(rationalToDouble(-2n, 3n)).toBe(-2 / 3);
    expect(rationalToDouble(10n ** 400n, 1n)).toBe(Infinity);
    expect(rationalToDouble(-(10n ** 400n), 1n)).toBe(-Infinity);
    expect(rationalToDouble(1n, 2n ** 1074n)).toBe(5e-324);
    expect(rationalToDouble(1n, 2n ** 1075n)).toBe(0); // exactly half the smallest subnormal: even is 0
    expect(rationalToDouble(2n ** 1000n + 1n, 2n ** 2075n)).toBe(5e-324); // a hair above half
    expect(Object.is(rationalToDouble(-1n, 10n ** 400n), -0)).toBe(true);
    expect(rationalToDouble(3n, 2n ** 1075n)).toBe(1e-323); // 1.5 units: tie to even (2 units)
    expect(rationalToDouble(2n ** 1024n - 2n ** 970n, 1n)).toBe(Infinity); // halfway to 2^1024
    expect(rationalToDouble(2n ** 1024n - 2n ** 971n, 1n)).toBe(Number.MAX_VALUE);
    expect(() => rationalToDouble(1n, 0n)).toThrow(RangeError);
  });
});

describe('rationalSqrtToDouble and integerSqrt', () => {
  it('integerSqrt is the floor of the square root', () => {
    const random = seededRandom(4);
    for (let i = 0; i < 500; i++) {
      const value = randomBigInt(random, randomInt(random, 1, 300));
      const root = integerSqrt(value);
      expect(root * root <= value && (root + 1n) * (root + 1n) > value).toBe(true);
    }
    expect(integerSqrt(0n)).toBe(0n);
    expect(integerSqrt(1n)).toBe(1n);
    expect(integerSqrt(99n)).toBe(9n);
    expect(integerSqrt(100n)).toBe(10n);
  });

  it('is the correctly rounded square root of random rationals', () => {
    const random = seededRandom(5);
    for (let i = 0; i < 1500; i++) {
      const num = randomBigInt(random, randomInt(random, 1, 250));
      const den = randomBigInt(random, randomInt(random, 1, 250));
      const root = rationalSqrtToDouble(num, den);
      // root is nearest iff num/den lies between the squares of the midpoints to its neighbours.
      const here = exactOfDouble(root);
      const below = exactOfDouble(nextDown(root));
      const above = exactOfDouble(nextUp(root));
      const lowMid = { num: here.num * below.den + below.num * here.den, den: 2n * here.den * below.den };
      const highMid = { num: here.num * above.den + above.num * here.den, den: 2n * here.den * above.den };
      const square = (r: Rational): Rational => ({ num: r.num * r.num, den: r.den * r.den });
      const q = { num, den };
      expect(compare(square(lowMid), q) <= 0 && compare(q, square(highMid)) <= 0, `sqrt(${num}/${den})`).toBe(true);
    }
  });

  it('matches Math.sqrt where that is exact and known values', () => {
    expect(rationalSqrtToDouble(5n, 3n)).toBe(1.2909944487358056);
    expect(rationalSqrtToDouble(2n, 1n)).toBe(Math.SQRT2);
    expect(rationalSqrtToDouble(1n, 100n)).toBe(0.1);
    expect(rationalSqrtToDouble(0n, 1n)).toBe(0);
    expect(rationalSqrtToDouble(10n ** 40n, 1n)).toBe(1e20);
  });
});

describe('bitLength', () => {
  it('counts bits', () => {
    expect(bitLength(0n)).toBe(0);
    expect(bitLength(1n)).toBe(1);
    expect(bitLength(255n)).toBe(8);
    expect(bitLength(256n)).toBe(9);
    expect(bitLength(2n ** 1000n)).toBe(1001);
  });
});

describe('decimalText', () => {
  it.each([
    [0n, 35, '0'],
    [-0n, 35, '0'],
    [10n ** 35n, 35, '1'],
    [-(10n ** 35n), 35, '-1'],
    [12345n, 2, '123.45'],
    [12340n, 2, '123.4'],
    [12300n, 2, '123'],
    [5n, 3, '0.005'],
    [-5n, 3, '-0.005'],
    [1n, 35, '0.00000000000000000000000000000000001'],
    [123n, 0, '123'],
    [-100n, 0, '-100'],
    [10n ** 52n + 1n, 35, '100000000000000000.00000000000000000000000000000000001'],
  ])('decimalText(%s, %s) = %s', (units, scale, text) => {
    expect(decimalText(units, scale)).toBe(text);
  });

  it('round-trips random decimals', () => {
    const random = seededRandom(6);
    for (let i = 0; i < 500; i++) {
      const scale = randomInt(random, 0, 40);
      const units = (random() < 0.5 ? -1n : 1n) * randomBigInt(random, randomInt(random, 1, 150));
      const text = decimalText(units, scale);
      expect(text).toMatch(/^-?(0|[1-9]\d*)(\.\d*[1-9])?$/);
      expect(decimalUnits(text, scale)).toBe(units);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Raw columns built the way the kernel builds them, from number texts.

const IN_DOMAIN_MAX = 1e18;

function isInExactDomain(text: string): boolean {
  if (/e/i.test(text)) return false; // the helpers below keep to plain decimals for the exact domain
  const value = Math.abs(Number(text));
  const significant = text.replace(/^[+-]/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return (value === 0 || (value >= 1e-18 && value < IN_DOMAIN_MAX)) && significant.length <= 18;
}

function neumaierAdd(state: { sum: number; comp: number }, x: number): void {
  const t = state.sum + x;
  state.comp += Math.abs(state.sum) >= Math.abs(x) ? state.sum - t + x : x - t + state.sum;
  state.sum = t;
}

function emptyColumn(): RawColumn {
  return {
    count: 0,
    empty: 0,
    invalid: 0,
    outside: 0,
    exactSum: 0n,
    exactSquares: 0n,
    fsum: 0,
    fsumComp: 0,
    shift: 0,
    fdev: 0,
    fdevComp: 0,
    fsq: 0,
    fsqComp: 0,
    min: Infinity,
    max: -Infinity,
    firstInvalid: null,
    minLength: Infinity,
    maxLength: 0,
    forms: 0,
  };
}

/** Accumulates one field text into a column the way docs/spec.md defines it. */
function accumulate(column: RawColumn, text: string, line: number): void {
  const field = text.trim();
  if (field === '') {
    column.empty++;
    return;
  }
  // the profile: a field that is not empty has its untrimmed length; a number, its form
  column.minLength = Math.min(column.minLength, text.length);
  column.maxLength = Math.max(column.maxLength, text.length);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(field)) column.forms |= (field.includes('.') ? 1 : 0) | (/[eE]/.test(field) ? 2 : 0);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(field)) {
    column.invalid++;
    column.firstInvalid ??= { line, value: new TextEncoder().encode(field).slice(0, 64) };
    return;
  }
  const x = Number(field);
  column.count++;
  if (isInExactDomain(field)) {
    const units = decimalUnits(field, 35);
    column.exactSum += units;
    column.exactSquares += units * units;
  } else {
    column.outside++;
    accumulateDouble(column, x);
  }
  if (x < column.min || (x === column.min && Object.is(x, -0))) column.min = x;
  if (x > column.max || (x === column.max && Object.is(column.max, -0))) column.max = x;
}

/** As the kernel does for numbers outside the exact domain: deviations from the first of them. */
function accumulateDouble(column: RawColumn, x: number): void {
  if (column.outside === 1) column.shift = x;
  const plain = { sum: column.fsum, comp: column.fsumComp };
  neumaierAdd(plain, x);
  column.fsum = plain.sum;
  column.fsumComp = plain.comp;
  const deviation = x - column.shift;
  const deviations = { sum: column.fdev, comp: column.fdevComp };
  neumaierAdd(deviations, deviation);
  column.fdev = deviations.sum;
  column.fdevComp = deviations.comp;
  const squares = { sum: column.fsq, comp: column.fsqComp };
  neumaierAdd(squares, deviation * deviation);
  column.fsq = squares.sum;
  column.fsqComp = squares.comp;
}

function columnOf(texts: string[]): RawColumn {
  const column = emptyColumn();
  texts.forEach((text, i) => accumulate(column, text, i + 1));
  return column;
}

describe('finalizeColumn, exact columns', () => {
  it('sums 0.1 ten times to exactly 1', () => {
    const result = finalizeColumn(columnOf(Array(10).fill('0.1')), 'x', 1);
    expect(result.sum_text).toBe('1');
    expect(result.sum).toBe(1);
    expect(result.mean).toBe(0.1);
    expect(result.count).toBe(10);
  });

  it('gives the sample stddev of 1, 2, 3, 4', () => {
    const result = finalizeColumn(columnOf(['1', '2', '3', '4']), 'x', 1);
    expect(result.stddev).toBe(1.2909944487358056);
    expect(result.mean).toBe(2.5);
    expect(result.sum_text).toBe('10');
    expect(result.min).toBe(1);
    expect(result.max).toBe(4);
  });

  it('rounds the mean once from the exact sum', () => {
    expect(finalizeColumn(columnOf(['1', '0', '0']), 'x', 1).mean).toBe(1 / 3);
    expect(finalizeColumn(columnOf(['2', '0', '0']), 'x', 1).mean).toBe(2 / 3);
    // The double sum 0.30000000000000004 / 3 would give 0.10000000000000002.
    expect(finalizeColumn(columnOf(['0.1', '0.1', '0.1']), 'x', 1).mean).toBe(0.1);
    expect(finalizeColumn(columnOf(['-1', '-1', '0']), 'x', 1).mean).toBe(-2 / 3);
  });

  it('keeps the stddev exact where doubles cancel', () => {
    const texts = ['1000000000.1', '1000000000.2', '1000000000.3'];
    const result = finalizeColumn(columnOf(texts), 'x', 1);
    expect(result.stddev).toBe(0.1);
    expect(result.sum_text).toBe('3000000000.6');
    expect(result.mean).toBe(1000000000.2);
    // Large constant offset, as in timestamps: stddev of 0..9 is sqrt(55/6).
    const offset = ['123456789012345670', '123456789012345671', '123456789012345672', '123456789012345673',
      '123456789012345674', '123456789012345675', '123456789012345676', '123456789012345677',
      '123456789012345678', '123456789012345679'];
    expect(finalizeColumn(columnOf(offset), 'x', 1).stddev).toBe(rationalSqrtToDouble(55n, 6n));
  });

  it('writes sums with many decimals and negatives exactly', () => {
    const result = finalizeColumn(columnOf(['0.000000000000000001', '-5', '123456789012345678']), 'x', 1);
    expect(result.sum_text).toBe('123456789012345673.000000000000000001');
    expect(result.sum).toBe(Number('123456789012345673.000000000000000001'));
    expect(finalizeColumn(columnOf(['-0.5', '-0.25']), 'x', 1).sum_text).toBe('-0.75');
    expect(finalizeColumn(columnOf(['1.5', '-1.5']), 'x', 1).sum_text).toBe('0');
  });

  it('has null statistics without numbers and no stddev with one', () => {
    const none = finalizeColumn(columnOf(['', 'NA', ' ']), 'x', 3);
    expect(none).toEqual({
      name: 'x',
      index: 3,
      count: 0,
      empty: 2,
      invalid: 1,
      first_invalid: { line: 2, value: 'NA' },
      sum: 0,
      sum_text: '0',
      min: null,
      max: null,
      mean: null,
      stddev: null,
      // ' ' is empty (no length); 'NA' is invalid and outnumbers the numbers
      type: 'text',
      min_length: 2,
      max_length: 2,
      distinct: null,
      distinct_exact: null,
      q1: null,
      median: null,
      q3: null,
    });
    const one = finalizeColumn(columnOf(['7.5']), 'x', 1);
    expect(one).toMatchObject({ type: 'decimal', min_length: 3, max_length: 3 });
    expect(finalizeColumn(columnOf(['1', '2e3', 'x']), 'x', 1)).toMatchObject({ type: 'float', min_length: 1, max_length: 3 });
    expect(finalizeColumn(columnOf(['', ' ']), 'x', 1)).toMatchObject({ type: 'empty', min_length: null, max_length: null });
    expect(one.stddev).toBeNull();
    expect(one.mean).toBe(7.5);
    expect(one.min).toBe(7.5);
  });

  it('keeps -0 in min/max and prints it as 0', () => {
    const result = finalizeColumn(columnOf(['-0', '-0.0']), 'x', 1);
    expect(Object.is(result.min, -0)).toBe(true);
    expect(result.sum_text).toBe('0');
    expect(Object.is(result.sum, 0)).toBe(true);
    expect(toJsonLine({ file: 'f', rows: 2, bytes: 9, ragged: { short: 0, long: 0 }, columns: [result] })).toContain(
      '"min":0,"max":0',
    );
  });

  it('decodes first_invalid leniently', () => {
    const column = emptyColumn();
    column.invalid = 1;
    column.firstInvalid = { line: 4, value: new Uint8Array([0x61, 0xc3]) }; // "a" then half of "é"
    expect(finalizeColumn(column, 'x', 1).first_invalid).toEqual({ line: 4, value: 'a\uFFFD' });
    column.firstInvalid = { line: 5, value: new TextEncoder().encode('né') };
    expect(finalizeColumn(column, 'x', 1).first_invalid).toEqual({ line: 5, value: 'né' });
  });
});

describe('finalizeColumn, columns outside the exact domain', () => {
  it('uses the compensated sum of the doubles', () => {
    const result = finalizeColumn(columnOf(['1e20', '1', '-1e20']), 'x', 1);
    expect(result.sum_text).toBeNull();
    expect(result.sum).toBe(1);
    expect(result.mean).toBe(1 / 3);
    expect(result.max).toBe(1e20);
    expect(result.min).toBe(-1e20);
  });

  it('computes the stddev from the double sums', () => {
    const result = finalizeColumn(columnOf(['1e-20', '2e-20', '3e-20', '4e-20']), 'x', 1);
    expect(result.sum_text).toBeNull();
    expect(Math.abs(result.stddev! / 1.2909944487358056e-20 - 1)).toBeLessThan(1e-9);
    expect(Math.abs(result.mean! / 2.5e-20 - 1)).toBeLessThan(1e-12);
    // Equal values: cancellation must not give a negative variance (NaN stddev).
    const equal = finalizeColumn(columnOf(Array(7).fill('1.1e19')), 'x', 1);
    expect(equal.stddev).not.toBeNaN();
    expect(equal.stddev! / 1.1e19).toBeLessThan(1e-6);
  });

  it('follows IEEE arithmetic for infinite numbers and writes them as strings in JSON', () => {
    const positive = finalizeColumn(columnOf(['1e999', '1']), 'x', 1);
    expect(positive).toMatchObject({ sum: Infinity, sum_text: null, min: 1, max: Infinity, mean: Infinity });
    expect(positive.stddev).toBeNaN();
    const both = finalizeColumn(columnOf(['1e999', '-1e999', '2']), 'x', 1);
    expect(both.sum).toBeNaN();
    expect(both.mean).toBeNaN();
    expect(both.min).toBe(-Infinity);
    const line = toJsonLine({ file: 'f', rows: 2, bytes: 9, ragged: { short: 0, long: 0 }, columns: [positive] });
    expect(line).toContain('"sum":"Infinity","sum_text":null,"min":1,"max":"Infinity","mean":"Infinity","stddev":"NaN"');
    expect(JSON.parse(line)).toBeTruthy();
    expect(formatStatsTable({ file: 'f', rows: 3, bytes: 9, ragged: { short: 0, long: 0 }, columns: [both] })).toContain(
      'NaN  -Infinity  Infinity   NaN     NaN',
    );
  });

  it('keeps the spread of huge close values (deviations from the first number, not raw squares)', () => {
    const equal = finalizeColumn(columnOf(['1e200', '1e200']), 'x', 1);
    expect(equal.sum).toBe(2e200);
    expect(equal.mean).toBe(1e200);
    expect(equal.stddev).toBe(0);
    // 1e19 and 1e19 + 4096 are both doubles; sample stddev = 4096 / sqrt(2)
    const close = finalizeColumn(columnOf(['10000000000000000000', '10000000000000004096']), 'x', 1);
    expect(close.sum_text).toBeNull();
    expect(close.stddev).toBe(Math.sqrt(4096 * 4096 / 2));
  });

  it('reports NaN stddev when the squared deviations overflow', () => {
    const result = finalizeColumn(columnOf(['1e200', '-1e200']), 'x', 1);
    expect(result.sum).toBe(0);
    expect(result.stddev).toBeNaN();
  });
});

// ---------------------------------------------------------------------------------------------------
// Merge: a small model of the kernel's partials over a file "v,w\n" + one record per line.

interface ModelOptions {
  /** the part is fed from the middle of the record before its first one (skips one LF) */
  midRecordStart: boolean;
}

const HEADER = 'v,w';

function recordOffset(records: string[], index: number): number {
  let offset = HEADER.length + 1;
  for (let i = 0; i < index; i++) offset += records[i]!.length + 1;
  return offset;
}

/** The RawScan of records [from, to) as a kernel would report it (part 0 includes the header). */
function modelScan(records: string[], from: number, to: number, options: ModelOptions): RawScan {
  const skipsLine = from === 0 || options.midRecordStart; // header line, or the tail of record from-1
  const feedStart = from === 0 ? 0 : options.midRecordStart ? recordOffset(records, from - 1) + 1 : recordOffset(records, from);
  const stop = to === records.length ? -1 : recordOffset(records, to);
  const end = stop === -1 ? recordOffset(records, records.length) : stop;
  const columns = [emptyColumn(), emptyColumn()];
  let short = 0;
  let maxFields = from === 0 ? 2 : 0;
  for (let i = from; i < to; i++) {
    const fields = records[i]!.split(',');
    const relativeLine = (skipsLine ? 1 : 0) + (i - from) + 1;
    if (fields.length < 2) short++;
    maxFields = Math.max(maxFields, fields.length);
    columns.forEach((column, slot) => accumulate(column, fields[slot] ?? '', relativeLine));
  }
  return {
    records: to - from,
    lines: (skipsLine ? 1 : 0) + (to - from),
    bytes: end - feedStart,
    short,
    long: 0,
    maxFields,
    expectedFields: 2,
    headerFields: from === 0 ? 2 : 0,
    firstRecord: to > from ? recordOffset(records, from) : -1,
    linesBeforeFirst: skipsLine ? 1 : 0,
    stopPosition: stop,
    unterminatedQuote: null,
    columns,
  };
}

function sampleRecords(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const records: string[] = [];
  for (let i = 0; i < count; i++) {
    const choice = random();
    let v: string;
    if (choice < 0.05) v = 'NA';
    else if (choice < 0.1) v = '';
    else if (choice < 0.15) v = `${randomDigits(random, 3)}e${randomInt(random, 15, 25)}`;
    else v = `${random() < 0.3 ? '-' : ''}${randomDigits(random, randomInt(random, 1, 9))}.${randomDigits(random, 5)}`;
    const w = random() < 0.1 ? '' : `,${randomInt(random, -1000, 1000) / 100}`;
    records.push(v + w);
  }
  return records;
}

function cuts(random: () => number, length: number, parts: number): number[] {
  const points = new Set<number>();
  while (points.size < parts - 1) points.add(randomInt(random, 1, length - 1));
  return [0, ...[...points].sort((a, b) => a - b), length];
}

describe('mergeRawScans', () => {
  const records = sampleRecords(300, 7);
  const whole = modelScan(records, 0, records.length, { midRecordStart: false });

  function splitAndMerge(boundaries: number[], options: ModelOptions): RawScan {
    const parts: RawScan[] = [];
    for (let k = 0; k + 1 < boundaries.length; k++) parts.push(modelScan(records, boundaries[k]!, boundaries[k + 1]!, options));
    return mergeRawScans(parts);
  }

  /** Everything but the double sums, which may differ in their last bits between splits. */
  function withoutDoubleSums(scan: RawScan): unknown {
    return {
      ...scan,
      bytes: undefined, // parts fed mid-record overlap by design
      columns: scan.columns.map((column) => ({ ...column, fsum: 0, fsumComp: 0, shift: 0, fdev: 0, fdevComp: 0, fsq: 0, fsqComp: 0 })),
    };
  }

  it('equals the whole scan for parts fed from their first record', () => {
    const random = seededRandom(8);
    for (const partCount of [2, 3, 5, 17]) {
      const merged = splitAndMerge(cuts(random, records.length, partCount), { midRecordStart: false });
      expect(merged.bytes).toBe(whole.bytes);
      expect(withoutDoubleSums(merged)).toEqual(withoutDoubleSums(whole));
    }
  });

  it('equals the whole scan for parts fed from inside a record (lines shifted back by the skipped LF)', () => {
    const random = seededRandom(9);
    for (const partCount of [2, 4, 9]) {
      const merged = splitAndMerge(cuts(random, records.length, partCount), { midRecordStart: true });
      expect(withoutDoubleSums(merged)).toEqual(withoutDoubleSums(whole));
    }
  });

  it('keeps the first invalid field and shifts its line to the file', () => {
    const texts = ['1,1', '2,2', 'x,3', '4,y', 'z,5'];
    const merged = mergeRawScans([
      modelScan(texts, 0, 2, { midRecordStart: false }),
      modelScan(texts, 2, 4, { midRecordStart: true }),
      modelScan(texts, 4, 5, { midRecordStart: false }),
    ]);
    // File lines: 1 header, 2 "1,1", 3 "2,2", 4 "x,3", 5 "4,y", 6 "z,5".
    expect(merged.columns[0]!.firstInvalid).toEqual({ line: 4, value: new TextEncoder().encode('x') });
    expect(merged.columns[1]!.firstInvalid).toEqual({ line: 5, value: new TextEncoder().encode('y') });
    expect(merged.columns[0]!.invalid).toBe(2);
    expect(merged.lines).toBe(6);
    expect(merged.records).toBe(5);
  });

  it('gives the same finalized exact results for any split, and close double sums otherwise', () => {
    const random = seededRandom(10);
    const wholeResults = whole.columns.map((column, i) => finalizeColumn(column, String(i), i + 1));
    const merged = splitAndMerge(cuts(random, records.length, 6), { midRecordStart: false });
    const mergedResults = merged.columns.map((column, i) => finalizeColumn(column, String(i), i + 1));
    // Column w is all in the exact domain: byte-identical. Column v has numbers like 123e20.
    expect(whole.columns[1]!.outside).toBe(0);
    expect(toJsonLine({ file: 'f', rows: 1, bytes: 1, ragged: { short: 0, long: 0 }, columns: [mergedResults[1]!] })).toBe(
      toJsonLine({ file: 'f', rows: 1, bytes: 1, ragged: { short: 0, long: 0 }, columns: [wholeResults[1]!] }),
    );
    expect(whole.columns[0]!.outside).toBeGreaterThan(0);
    expect(mergedResults[0]!.sum_text).toBeNull();
    expect(Math.abs(mergedResults[0]!.sum! / wholeResults[0]!.sum! - 1)).toBeLessThan(1e-12);
    expect(Math.abs(mergedResults[0]!.stddev! / wholeResults[0]!.stddev! - 1)).toBeLessThan(1e-9);
  });

  it('is associative (all but the last bits of the double sums) and does not modify its inputs', () => {
    const a = modelScan(records, 0, 100, { midRecordStart: false });
    const b = modelScan(records, 100, 150, { midRecordStart: true });
    const c = modelScan(records, 150, 300, { midRecordStart: true });
    const snapshot = structuredClone([a, b, c]);
    expect(mergeRawScans([mergeRawScans([a, b]), c])).toEqual(mergeRawScans([a, b, c]));
    expect(withoutDoubleSums(mergeRawScans([a, mergeRawScans([b, c])]))).toEqual(
      withoutDoubleSums(mergeRawScans([a, b, c])),
    );
    expect([a, b, c]).toEqual(snapshot);
  });

  it('restates the second part\'s deviations about the first part\'s shift', () => {
    const a = { ...modelScan(records, 0, 1, { midRecordStart: false }) };
    const b = { ...modelScan(records, 1, 2, { midRecordStart: false }) };
    // part a: 1e20 and 1e20 + 2^17 (shift 1e20); part b: 3e20 alone (shift 3e20)
    a.columns = [{ ...emptyColumn(), count: 2, outside: 2, shift: 1e20, fdev: 131072, fsq: 131072 * 131072 }, emptyColumn()];
    b.columns = [{ ...emptyColumn(), count: 1, outside: 1, shift: 3e20, fdev: 0, fsq: 0 }, emptyColumn()];
    const column = mergeRawScans([a, b]).columns[0]!;
    expect(column.shift).toBe(1e20);
    expect(column.fdev + column.fdevComp).toBe(131072 + 2e20);
    expect(column.fsq + column.fsqComp).toBe(131072 * 131072 + 4e40);
    // a part without such numbers takes the other's state as it is
    const only = mergeRawScans([{ ...a, columns: [emptyColumn(), emptyColumn()] }, b]).columns[0]!;
    expect([only.shift, only.fdev, only.fsq]).toEqual([3e20, 0, 0]);
  });

  it('takes an unterminated quote with its line shifted, and rejects mismatched parts', () => {
    const a = modelScan(records, 0, 10, { midRecordStart: false });
    const b = { ...modelScan(records, 10, 20, { midRecordStart: false }), unterminatedQuote: { line: 3, byte: 999 } };
    expect(mergeRawScans([a, b]).unterminatedQuote).toEqual({ line: a.lines + 3, byte: 999 });
    expect(() => mergeRawScans([a, { ...b, columns: [] }])).toThrow(RangeError);
    expect(() => mergeRawScans([])).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------

function sampleResult(): ScanResult {
  const price: ColumnResult = {
    name: 'price',
    index: 2,
    count: 3,
    empty: 1,
    invalid: 1,
    first_invalid: { line: 3, value: 'N/A "x"' },
    sum: 123.45,
    sum_text: '123.45',
    min: 0,
    max: 100,
    mean: 41.15,
    stddev: 50.5,
    type: 'decimal',
    min_length: 1,
    max_length: 7,
    distinct: null,
    distinct_exact: null,
    q1: null,
    median: null,
    q3: null,
  };
  const note = columnResult({ name: 'note', invalid: 5, min_length: 2, max_length: 9 });
  return { file: 'data.csv', rows: 5, bytes: 120, ragged: { short: 1, long: 0 }, columns: [price, note] };
}

describe('format', () => {
  it('writes the JSON line with keys in SPEC order', () => {
    expect(toJsonLine(sampleResult())).toBe(
      '{"file":"data.csv","rows":5,"bytes":120,"ragged":{"short":1,"long":0},"columns":[' +
        '{"name":"price","index":2,"count":3,"empty":1,"invalid":1,"first_invalid":{"line":3,"value":"N/A \\"x\\""},' +
        '"sum":123.45,"sum_text":"123.45","min":0,"max":100,"mean":41.15,"stddev":50.5,' +
        '"type":"decimal","min_length":1,"max_length":7,"distinct":null,"distinct_exact":null,"q1":null,"median":null,"q3":null},' +
        '{"name":"note","index":1,"count":0,"empty":0,"invalid":5,"first_invalid":null,' +
        '"sum":0,"sum_text":"0","min":null,"max":null,"mean":null,"stddev":null,' +
        '"type":"text","min_length":2,"max_length":9,"distinct":null,"distinct_exact":null,"q1":null,"median":null,"q3":null}]}',
    );
  });

  it('keeps SPEC order whatever order the object was built in, and omits columns for count', () => {
    const shuffled = { ragged: { long: 2, short: 1 }, columns: undefined, bytes: 7, rows: 3, file: 'a\nb.csv' };
    const line = toJsonLine(shuffled as ScanResult);
    expect(line).toBe('{"file":"a\\nb.csv","rows":3,"bytes":7,"ragged":{"short":1,"long":2}}');
    expect(line).not.toContain('\n');
  });

  it('prints numbers in their shortest round-trip form', () => {
    const result = sampleResult();
    result.columns![0] = { ...result.columns![0]!, sum: 0.1 + 0.2, mean: 1e21, min: 5e-324, max: -0 };
    const parsed = JSON.parse(toJsonLine(result)) as { columns: Array<Record<string, number>> };
    expect(parsed.columns[0]!['sum']).toBe(0.30000000000000004);
    expect(toJsonLine(result)).toContain('"sum":0.30000000000000004,"sum_text":"123.45","min":5e-324,"max":0,"mean":1e+21');
  });

  it('prints an aligned stats table', () => {
    expect(formatStatsTable(sampleResult())).toBe(
      [
        'column     type  count  empty  invalid     sum  min  max   mean  stddev  min_length  max_length',
        'price   decimal      3      1        1  123.45    0  100  41.15    50.5           1           7',
        'note       text             0                                                     2           9',
      ].join('\n'),
    );
  });

  it('prints sum lines and the count', () => {
    const result = sampleResult();
    result.columns![1] = { ...result.columns![1]!, name: 'a\tb', sum_text: null, sum: 1e300 };
    expect(formatSumLines(result)).toBe('price\t123.45\na\\tb\t1e+300');
    expect(formatCount(result)).toBe('5');
  });
});
