// A reference implementation of docs/spec.md, written to be read and believed, not to be fast.
// It shares nothing with src/ but the result types, so the differential test compares two
// independent readings of the contract. Every value it reports is derived from exact rational
// arithmetic (BigInt) and rounded once, at the end.

import type { ColumnResult, ScanMode, ScanResult } from '../../src/types.js';

export interface ReferenceOptions {
  delimiter?: number;
  quote?: number;
  header?: boolean;
  columns?: string[] | null;
  mode: ScanMode;
  file?: string;
  /** stats --distinct, --quantiles: the exact distinct count (distinct_exact says whether SPEC.md keeps it exact) and quartiles */
  distinct?: boolean;
  quantiles?: boolean;
}

/** SPEC.md: exact up to this many distinct values, an estimate beyond. */
export const REFERENCE_DISTINCT_EXACT_LIMIT = 100000;

/** End of input inside a quoted field: where that quote opened. */
export class ReferenceMalformed extends Error {
  constructor(
    readonly line: number,
    readonly byte: number,
  ) {
    super(`line ${line} (byte ${byte}): quoted field never closed`);
    this.name = 'ReferenceMalformed';
  }
}

/** A `-c` value that names no column (the CLI's exit 2). */
export class ReferenceUnknownColumn extends Error {
  constructor(readonly column: string) {
    super(`unknown column: ${column}`);
    this.name = 'ReferenceUnknownColumn';
  }
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const DOUBLE_QUOTE = 0x22;
const FIRST_INVALID_CAPTURE = 64;

// ---------------------------------------------------------------------------------------------
// Records and fields
// ---------------------------------------------------------------------------------------------

interface ParsedField {
  value: Uint8Array;
  /** physical 1-based line on which the field starts */
  line: number;
}

type ParsedRecord = ParsedField[];

function startsWithBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Splits the input into records of raw field bytes, following docs/spec.md "Records and fields". */
function parseRecords(bytes: Uint8Array, delimiter: number, quote: number): ParsedRecord[] {
  const length = bytes.length;
  const isCrLf = (at: number): boolean => bytes[at] === CR && at + 1 < length && bytes[at + 1] === LF;
  const isRecordEnd = (at: number): boolean => bytes[at] === LF || isCrLf(at);

  const records: ParsedRecord[] = [];
  let position = startsWithBom(bytes) ? 3 : 0;
  let line = 1;

  while (position < length) {
    // An empty line (nothing, or only a CR, before its LF) is not a record.
    if (bytes[position] === LF) {
      position += 1;
      line += 1;
      continue;
    }
    if (isCrLf(position)) {
      position += 2;
      line += 1;
      continue;
    }

    const record: ParsedRecord = [];
    for (;;) {
      const fieldLine = line;
      const value: number[] = [];

      if (position < length && bytes[position] === quote) {
        const quoteLine = line;
        const quoteByte = position;
        position += 1;
        for (;;) {
          if (position >= length) throw new ReferenceMalformed(quoteLine, quoteByte);
          const byte = bytes[position]!;
          if (byte === quote) {
            if (position + 1 < length && bytes[position + 1] === quote) {
              value.push(quote); // a doubled quote is one quote
              position += 2;
              continue;
            }
            position += 1; // the closing quote
            break;
          }
          if (byte === LF) line += 1;
          value.push(byte);
          position += 1;
        }
      }

      // The unquoted field, or whatever follows a closing quote, runs to a delimiter or record end.
      while (position < length && bytes[position] !== delimiter && !isRecordEnd(position)) {
        value.push(bytes[position]!);
        position += 1;
      }
      record.push({ value: Uint8Array.from(value), line: fieldLine });

      if (position >= length) break; // the last record may end at end of input
      if (bytes[position] === delimiter) {
        position += 1; // another field follows, possibly empty (even at end of input)
        continue;
      }
      position += bytes[position] === LF ? 1 : 2; // LF or CRLF
      line += 1;
      break;
    }
    records.push(record);
  }
  return records;
}

/** UTF-8 with U+FFFD for bad sequences; a BOM inside a value is kept as U+FEFF. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Records as strings (header included), for comparing the grammar with other parsers. */
export function referenceRecords(
  bytes: Uint8Array,
  options: { delimiter?: number; quote?: number } = {},
): string[][] {
  const records = parseRecords(bytes, options.delimiter ?? COMMA, options.quote ?? DOUBLE_QUOTE);
  return records.map((record) => record.map((field) => decodeUtf8(field.value)));
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

const NUMBER_PATTERN = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** An exact decimal: coefficient x 10^exponent. */
interface Decimal {
  coefficient: bigint;
  exponent: number;
}

type FieldValue =
  | { kind: 'empty' }
  | { kind: 'invalid' }
  | { kind: 'number'; double: number; decimal: Decimal; inExactDomain: boolean };

function trimSpacesAndTabs(value: Uint8Array): Uint8Array {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === SPACE || value[start] === TAB)) start += 1;
  while (end > start && (value[end - 1] === SPACE || value[end - 1] === TAB)) end -= 1;
  return value.subarray(start, end);
}

/** Reads the text of a number that matched NUMBER_PATTERN as an exact decimal. */
function parseDecimal(text: string): { decimal: Decimal; significantDigits: number } {
  const negative = text.startsWith('-');
  const unsigned = text.replace(/^[+-]/, '');
  const [mantissa, exponentText] = unsigned.split(/[eE]/) as [string, string | undefined];
  const [integerPart, fractionPart = ''] = mantissa.split('.') as [string, string | undefined];
  const digits = integerPart + fractionPart;
  // Beyond Number's range, but the exponent only matters through the domain test below.
  const writtenExponent = exponentText === undefined ? 0 : Number(exponentText);
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '');
  if (significant === '') return { decimal: { coefficient: 0n, exponent: 0 }, significantDigits: 0 };
  // digits = significant followed by `trailingZeros` zeros; the point sits before the fraction.
  const trailingZeros = digits.length - digits.replace(/0+$/, '').length;
  const coefficient = BigInt(significant) * (negative ? -1n : 1n);
  const exponent = writtenExponent - fractionPart.length + trailingZeros;
  return { decimal: { coefficient, exponent }, significantDigits: significant.length };
}

function classifyField(raw: Uint8Array): FieldValue {
  const trimmed = trimSpacesAndTabs(raw);
  if (trimmed.length === 0) return { kind: 'empty' };
  // Latin-1 maps each byte to one char, so any non-ASCII byte fails the ASCII-only pattern.
  let text = '';
  for (const byte of trimmed) text += String.fromCharCode(byte);
  if (!NUMBER_PATTERN.test(text)) return { kind: 'invalid' };
  const { decimal, significantDigits } = parseDecimal(text);
  let inExactDomain: boolean;
  if (decimal.coefficient === 0n) {
    inExactDomain = true;
  } else {
    // |value| lies in [10^p, 10^(p+1)) where p is the power of its leading significant digit.
    const leadingPower = decimal.exponent + significantDigits - 1;
    inExactDomain = significantDigits <= 18 && leadingPower >= -18 && leadingPower <= 17;
  }
  return { kind: 'number', double: Number(text), decimal, inExactDomain };
}

// ---------------------------------------------------------------------------------------------
// Exact arithmetic
// ---------------------------------------------------------------------------------------------

/** A rational number num/den with den > 0 (not necessarily reduced). */
export interface Rational {
  num: bigint;
  den: bigint;
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function bitLength(value: bigint): number {
  return value === 0n ? 0 : abs(value).toString(2).length;
}

const MIN_EXPONENT = -1074; // of the last bit of a subnormal double
const MAX_FINITE_TOP_BIT = 1023; // a double below 2^1024

/** The double nearest to num/den, ties to even (IEEE 754 round-to-nearest). */
export function rationalToDouble({ num, den }: Rational): number {
  if (den <= 0n) throw new Error('rationalToDouble: denominator must be positive');
  if (num === 0n) return 0;
  const negative = num < 0n;
  const magnitude = abs(num);
  // Choose e so that q = floor(magnitude / (den * 2^e)) has exactly 53 bits, or fewer for subnormals.
  let e = bitLength(magnitude) - bitLength(den) - 53;
  const quotientAt = (shift: number): [bigint, bigint, bigint] => {
    const numerator = shift >= 0 ? magnitude : magnitude << BigInt(-shift);
    const divisor = shift >= 0 ? den << BigInt(shift) : den;
    return [numerator / divisor, numerator % divisor, divisor];
  };
  let [q, remainder, divisor] = quotientAt(e);
  while (q >= 1n << 53n) [q, remainder, divisor] = quotientAt(++e);
  while (q < 1n << 52n) [q, remainder, divisor] = quotientAt(--e);
  if (e < MIN_EXPONENT) {
    e = MIN_EXPONENT;
    [q, remainder, divisor] = quotientAt(e);
  }
  const twiceRemainder = 2n * remainder;
  if (twiceRemainder > divisor || (twiceRemainder === divisor && q % 2n === 1n)) q += 1n;
  if (q === 1n << 53n) {
    q = 1n << 52n;
    e += 1;
  }
  if (e + 52 > MAX_FINITE_TOP_BIT) return negative ? -Infinity : Infinity;
  // q < 2^53 and the result lies on the double grid, so both steps are exact.
  const result = Number(q) * 2 ** e;
  return negative ? -result : result;
}

function integerSquareRoot(value: bigint): bigint {
  if (value < 0n) throw new Error('integerSquareRoot of a negative number');
  if (value < 2n) return value;
  let x = 1n << BigInt(Math.ceil(bitLength(value) / 2)); // >= sqrt(value)
  for (;;) {
    const next = (x + value / x) / 2n;
    if (next >= x) return x;
    x = next;
  }
}

/** The double nearest to sqrt(num/den), ties to even. */
export function sqrtRationalToDouble({ num, den }: Rational): number {
  if (den <= 0n || num < 0n) throw new Error('sqrtRationalToDouble: needs num >= 0, den > 0');
  if (num === 0n) return 0;
  // With s = num * 4^-e / den, q = floor(sqrt(s)) = isqrt(floor(s)); pick e so that q has 53 bits.
  let e = Math.floor((bitLength(num) - bitLength(den)) / 2) - 53;
  const rootAt = (shift: number): bigint => {
    const scaledNum = shift >= 0 ? num : num << BigInt(-2 * shift);
    const scaledDen = shift >= 0 ? den << BigInt(2 * shift) : den;
    return integerSquareRoot(scaledNum / scaledDen);
  };
  let q = rootAt(e);
  while (q >= 1n << 53n) q = rootAt(++e);
  while (q < 1n << 52n) q = rootAt(--e);
  if (e < MIN_EXPONENT) {
    e = MIN_EXPONENT;
    q = rootAt(e);
  }
  // Round up when sqrt(s) >= q + 1/2, i.e. 4 * num * 4^-e >= den * (2q + 1)^2; ties to even.
  const left = e >= 0 ? 4n * num : (4n * num) << BigInt(-2 * e);
  const right = (e >= 0 ? den << BigInt(2 * e) : den) * (2n * q + 1n) ** 2n;
  if (left > right || (left === right && q % 2n === 1n)) q += 1n;
  if (q === 1n << 53n) {
    q = 1n << 52n;
    e += 1;
  }
  if (e + 52 > MAX_FINITE_TOP_BIT) return Infinity;
  return Number(q) * 2 ** e;
}

/** A finite double as an exact rational m / 2^k. */
export function doubleToRational(value: number): Rational {
  if (!Number.isFinite(value)) throw new Error('doubleToRational: not finite');
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // value = significand * 2^(exponent), with the implicit leading bit for normal numbers.
  const significand = biasedExponent === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biasedExponent === 0 ? 1 : biasedExponent) - 1075;
  const signed = negative ? -significand : significand;
  return exponent >= 0
    ? { num: signed << BigInt(exponent), den: 1n }
    : { num: signed, den: 1n << BigInt(-exponent) };
}

function decimalToRational({ coefficient, exponent }: Decimal): Rational {
  return exponent >= 0
    ? { num: coefficient * 10n ** BigInt(exponent), den: 1n }
    : { num: coefficient, den: 10n ** BigInt(-exponent) };
}

/** Exact decimal text: no exponent, no trailing zeros after the point, `-` for negatives, `0` for zero. */
export function formatDecimal({ coefficient, exponent }: Decimal): string {
  if (coefficient === 0n) return '0';
  const sign = coefficient < 0n ? '-' : '';
  let digits = abs(coefficient).toString();
  if (exponent >= 0) return sign + digits + '0'.repeat(exponent);
  const fractionLength = -exponent;
  if (digits.length <= fractionLength) digits = '0'.repeat(fractionLength - digits.length + 1) + digits;
  const integerPart = digits.slice(0, digits.length - fractionLength);
  const fractionPart = digits.slice(digits.length - fractionLength).replace(/0+$/, '');
  return sign + integerPart + (fractionPart === '' ? '' : '.' + fractionPart);
}

/** Sum, sum of squares and count of values all sharing one denominator. */
interface ExactMoments {
  sum: bigint;
  sumOfSquares: bigint;
  /** every value is (integer) / den; squares are (integer) / den^2 */
  den: bigint;
}

function exactMoments(values: Rational[]): ExactMoments {
  // A common denominator: the largest one, since all of them are powers of the same base.
  let den = 1n;
  for (const value of values) if (value.den > den) den = value.den;
  let sum = 0n;
  let sumOfSquares = 0n;
  for (const value of values) {
    if (den % value.den !== 0n) throw new Error('exactMoments: denominators must divide each other');
    const scaled = value.num * (den / value.den);
    sum += scaled;
    sumOfSquares += scaled * scaled;
  }
  return { sum, sumOfSquares, den };
}

/** mean and sample standard deviation, each rounded once from the exact value. */
function meanAndStddev(values: Rational[]): { mean: number; stddev: number | null } {
  const n = BigInt(values.length);
  const { sum, sumOfSquares, den } = exactMoments(values);
  const mean = rationalToDouble({ num: sum, den: den * n });
  if (n < 2n) return { mean, stddev: null };
  // Sample variance = (n * sum(x^2) - sum(x)^2) / (n (n - 1)), here over den^2 as well.
  const varianceNum = n * sumOfSquares - sum * sum;
  const stddev = sqrtRationalToDouble({ num: varianceNum, den: den * den * n * (n - 1n) });
  return { mean, stddev };
}

// ---------------------------------------------------------------------------------------------
// Columns and the result
// ---------------------------------------------------------------------------------------------

interface SelectedColumn {
  name: string;
  /** 1-based */
  index: number;
}

function resolveColumns(
  requested: string[] | null | undefined,
  headerNames: string[] | null,
  widestRecord: number,
): SelectedColumn[] {
  if (requested === null || requested === undefined || requested.length === 0) {
    if (headerNames !== null) return headerNames.map((name, i) => ({ name, index: i + 1 }));
    return Array.from({ length: widestRecord }, (_, i) => ({ name: String(i + 1), index: i + 1 }));
  }
  return requested.map((wanted) => {
    if (headerNames !== null) {
      const position = headerNames.indexOf(wanted); // a duplicate name means its first column
      if (position >= 0) return { name: wanted, index: position + 1 };
    }
    // An index must name a column that exists: within the header, or without one within the
    // widest record (so with no header, `-c 5` on 3-field records is unknown, not all empty).
    if (/^[0-9]+$/.test(wanted)) {
      const index = Number(wanted);
      const width = headerNames !== null ? headerNames.length : widestRecord;
      if (index >= 1 && index <= width) return { name: headerNames?.[index - 1] ?? String(index), index };
    }
    throw new ReferenceUnknownColumn(wanted);
  });
}

/** The profile figures SPEC.md defines exactly: distinct values by their bytes, nearest-rank quartiles. */
function profileColumn(result: ColumnResult, fields: ParsedField[], options: ReferenceOptions): void {
  if (options.distinct) {
    const values = new Set<string>();
    for (const field of fields) {
      if (classifyField(field.value).kind !== 'empty') values.add(Array.from(field.value, (byte) => String.fromCharCode(byte)).join(''));
    }
    result.distinct = values.size;
    result.distinct_exact = values.size <= REFERENCE_DISTINCT_EXACT_LIMIT;
  }
  if (options.quantiles) {
    const doubles: number[] = [];
    for (const field of fields) {
      const classified = classifyField(field.value);
      if (classified.kind === 'number') doubles.push(classified.double);
    }
    doubles.sort((a, b) => a - b);
    const rank = (p: number): number | null => (doubles.length === 0 ? null : doubles[Math.max(1, Math.ceil(p * doubles.length)) - 1]!);
    result.q1 = rank(0.25);
    result.median = rank(0.5);
    result.q3 = rank(0.75);
  }
}

function summarizeColumn(column: SelectedColumn, fields: ParsedField[], missing: number, options: ReferenceOptions = { mode: 'stats' }): ColumnResult {
  let empty = missing; // fields missing from short records count as empty
  let invalid = 0;
  let firstInvalid: ColumnResult['first_invalid'] = null;
  const numbers: Extract<FieldValue, { kind: 'number' }>[] = [];
  // the profile: lengths of the fields that are not empty, the forms of the numbers' text
  let minLength: number | null = null;
  let maxLength: number | null = null;
  let decimal = false;
  let float = false;
  for (const field of fields) {
    const classified = classifyField(field.value);
    if (classified.kind !== 'empty') {
      minLength = Math.min(minLength ?? Infinity, field.value.length);
      maxLength = Math.max(maxLength ?? 0, field.value.length);
    }
    if (classified.kind === 'number') {
      const text = decodeUtf8(field.value);
      if (text.includes('.')) decimal = true;
      if (/[eE]/.test(text)) float = true;
    }
    if (classified.kind === 'empty') empty += 1;
    else if (classified.kind === 'invalid') {
      invalid += 1;
      if (firstInvalid === null) {
        const captured = field.value.subarray(0, FIRST_INVALID_CAPTURE);
        firstInvalid = { line: field.line, value: decodeUtf8(captured) };
      }
    } else numbers.push(classified);
  }

  const result: ColumnResult = {
    name: column.name,
    index: column.index,
    count: numbers.length,
    empty,
    invalid,
    first_invalid: firstInvalid,
    sum: 0,
    sum_text: null,
    min: null,
    max: null,
    mean: null,
    stddev: null,
    type: numbers.length + invalid === 0 ? 'empty' : invalid > numbers.length ? 'text' : float ? 'float' : decimal ? 'decimal' : 'integer',
    min_length: minLength,
    max_length: maxLength,
    distinct: null,
    distinct_exact: null,
    q1: null,
    median: null,
    q3: null,
  };
  profileColumn(result, fields, options);
  if (numbers.length === 0) {
    result.sum_text = '0';
    return result;
  }

  let min = numbers[0]!.double;
  let max = numbers[0]!.double;
  for (const { double } of numbers) {
    if (double < min) min = double;
    if (double > max) max = double;
  }
  result.min = min;
  result.max = max;

  if (numbers.every((number) => number.inExactDomain)) {
    const decimals = numbers.map((number) => number.decimal);
    let unitExponent = 0;
    for (const decimal of decimals) unitExponent = Math.min(unitExponent, decimal.exponent);
    let sumCoefficient = 0n;
    for (const decimal of decimals) {
      sumCoefficient += decimal.coefficient * 10n ** BigInt(decimal.exponent - unitExponent);
    }
    result.sum_text = formatDecimal({ coefficient: sumCoefficient, exponent: unitExponent });
    result.sum = Number(result.sum_text); // JavaScript's string-to-double is correctly rounded
    const { mean, stddev } = meanAndStddev(decimals.map(decimalToRational));
    result.mean = mean;
    result.stddev = stddev;
    return result;
  }

  // Outside the exact domain: the exact sum of the doubles, rounded once (the product only has to
  // come within 1e-12 of it).
  const doubles = numbers.map((number) => number.double);
  if (doubles.every(Number.isFinite)) {
    const rationals = doubles.map(doubleToRational);
    const { sum, den } = exactMoments(rationals);
    result.sum = rationalToDouble({ num: sum, den });
    const { mean, stddev } = meanAndStddev(rationals);
    result.mean = mean;
    result.stddev = stddev;
  } else {
    // A number beyond the double range (1e400): Infinity or NaN, both printed as null.
    const naiveSum = doubles.reduce((total, value) => total + value, 0);
    result.sum = naiveSum;
    result.mean = naiveSum / doubles.length;
    result.stddev = doubles.length < 2 ? null : NaN;
  }
  return result;
}

/** docs/spec.md's `--json` result for the whole input. */
export function referenceScan(bytes: Uint8Array, options: ReferenceOptions): ScanResult {
  const delimiter = options.delimiter ?? COMMA;
  const quote = options.quote ?? DOUBLE_QUOTE;
  const hasHeader = options.header ?? true;

  const records = parseRecords(bytes, delimiter, quote);
  const headerRecord = hasHeader && records.length > 0 ? records[0]! : null;
  const dataRecords = hasHeader ? records.slice(1) : records;

  // Ragged against the header, or without one against the first record (never ragged itself).
  const expectedWidth = headerRecord !== null ? headerRecord.length : (dataRecords[0]?.length ?? 0);
  let short = 0;
  let long = 0;
  for (const record of dataRecords) {
    if (record.length < expectedWidth) short += 1;
    if (record.length > expectedWidth) long += 1;
  }

  const result: ScanResult = {
    file: options.file ?? '-',
    rows: dataRecords.length,
    bytes: bytes.length,
    ragged: { short, long },
  };
  if (options.mode === 'count') return result;

  const headerNames = hasHeader ? (headerRecord ?? []).map((field) => decodeUtf8(field.value)) : null;
  let widestRecord = 0;
  for (const record of dataRecords) widestRecord = Math.max(widestRecord, record.length);
  const selected = resolveColumns(options.columns, headerNames, widestRecord);

  result.columns = selected.map((column) => {
    const present: ParsedField[] = [];
    let missing = 0;
    for (const record of dataRecords) {
      const field = record[column.index - 1];
      if (field === undefined) missing += 1;
      else present.push(field);
    }
    return summarizeColumn(column, present, missing, options);
  });
  return result;
}

// ---------------------------------------------------------------------------------------------
// Groups (count --by)
// ---------------------------------------------------------------------------------------------

export interface ReferenceGroups {
  group_count: number;
  groups: { key: string[]; rows: number }[];
}

/** Bytewise unsigned, a prefix first. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

/**
 * SPEC.md "Groups": each data record's key is the tuple of its fields at the 1-based indexes `by`
 * (unquoted bytes, untrimmed; a missing field is empty); groups with their records, most first,
 * ties by key component by component; the first `top` of them.
 */
export function referenceGroups(
  bytes: Uint8Array,
  options: { delimiter?: number; quote?: number; header?: boolean; by: number[]; top?: number | null },
): ReferenceGroups {
  const records = parseRecords(bytes, options.delimiter ?? COMMA, options.quote ?? DOUBLE_QUOTE);
  const data = (options.header ?? true) ? records.slice(1) : records;
  const found: { key: Uint8Array[]; rows: number }[] = [];
  const byText = new Map<string, { key: Uint8Array[]; rows: number }>();
  for (const record of data) {
    const key = options.by.map((index) => record[index - 1]?.value ?? new Uint8Array(0));
    const text = JSON.stringify(key.map((component) => Array.from(component)));
    const group = byText.get(text);
    if (group) {
      group.rows += 1;
    } else {
      const created = { key, rows: 1 };
      byText.set(text, created);
      found.push(created);
    }
  }
  found.sort((a, b) => {
    if (a.rows !== b.rows) return b.rows - a.rows;
    for (let i = 0; i < a.key.length; i++) {
      const order = compareBytes(a.key[i]!, b.key[i]!);
      if (order !== 0) return order;
    }
    return 0;
  });
  const kept = options.top ? found.slice(0, options.top) : found;
  return { group_count: found.length, groups: kept.map((group) => ({ key: group.key.map(decodeUtf8), rows: group.rows })) };
}

/**
 * SPEC.md "Groups" for sum and stats: the records grouped as referenceGroups() does, ordered by key
 * (component by component, bytewise unsigned, a prefix first); each group's columns summarized as
 * referenceScan() summarizes a file's (stats without -c: every header column but the keys).
 */
export function referenceGroupedScan(
  bytes: Uint8Array,
  options: ReferenceOptions & { by: number[]; top?: number | null },
): ScanResult {
  const delimiter = options.delimiter ?? COMMA;
  const quote = options.quote ?? DOUBLE_QUOTE;
  const hasHeader = options.header ?? true;
  const whole = referenceScan(bytes, { ...options, mode: 'count' });
  const records = parseRecords(bytes, delimiter, quote);
  const headerRecord = hasHeader && records.length > 0 ? records[0]! : null;
  const data = hasHeader ? records.slice(1) : records;
  const headerNames = headerRecord ? headerRecord.map((field) => decodeUtf8(field.value)) : null;
  let widest = 0;
  for (const record of data) widest = Math.max(widest, record.length);
  let selected = resolveColumns(options.columns, headerNames, widest);
  if (!options.columns || options.columns.length === 0) selected = selected.filter((column) => !options.by.includes(column.index));

  const groups = new Map<string, { key: Uint8Array[]; records: ParsedRecord[] }>();
  for (const record of data) {
    const key = options.by.map((index) => record[index - 1]?.value ?? new Uint8Array(0));
    const text = JSON.stringify(key.map((component) => Array.from(component)));
    let group = groups.get(text);
    if (!group) groups.set(text, (group = { key, records: [] }));
    group.records.push(record);
  }
  const ordered = [...groups.values()].sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const order = compareBytes(a.key[i]!, b.key[i]!);
      if (order !== 0) return order;
    }
    return 0;
  });
  const kept = options.top ? ordered.slice(0, options.top) : ordered;
  return {
    ...whole,
    by: options.by.map((index) => (headerNames ? (headerNames[index - 1] ?? String(index)) : String(index))),
    group_count: ordered.length,
    groups: kept.map((group) => ({
      key: group.key.map(decodeUtf8),
      rows: group.records.length,
      columns: selected.map((column) => {
        const present: ParsedField[] = [];
        let missing = 0;
        for (const record of group.records) {
          const field = record[column.index - 1];
          if (field === undefined) missing += 1;
          else present.push(field);
        }
        return summarizeColumn(column, present, missing);
      }),
    })),
  };
}
