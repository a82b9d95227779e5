// An independent reference for the benchmark: rows and the exact decimal sum of one column,
// computed by a deliberately simple streaming pass in plain JavaScript (BigInt for exactness).
// It shares no code with csvscan, so agreement means something. It only handles what the
// generator writes: plain decimals (no exponent), optional quotes, LF or CRLF record ends.
// parseCsvscanResult() and referenceDifference() read a csvscan result and hold it against the
// reference, for every benchmark script.

import { closeSync, openSync, readSync } from 'node:fs';
import type { ScanResult } from '../src/types.js';
import { clipNote } from './markdown.js';
import { Mismatch } from './script.js';

export interface ColumnReference {
  /** data records (header excluded, empty lines skipped) */
  rows: number;
  column: string;
  /** fields that are plain decimal numbers */
  count: number;
  /** empty fields (after trimming spaces and tabs), missing fields included */
  empty: number;
  /** anything else (e.g. NA) */
  invalid: number;
  /** exact sum in csvscan's sum_text format: no exponent, no trailing fraction zeros, "0" for zero */
  sumText: string;
}

/** csvscan's --json output (its stdout) as a result; a Mismatch naming what it printed otherwise. */
export function parseCsvscanResult(label: string, stdout: string): ScanResult {
  try {
    const parsed = JSON.parse(stdout) as ScanResult | null;
    if (typeof parsed?.rows === 'number') return parsed;
  } catch {
    // reported below
  }
  throw new Mismatch(`${label}: output is not csvscan JSON: ${clipNote(stdout, 500)}`);
}

/**
 * Where a csvscan --json result first differs from the reference, or null: its rows, then (for a
 * result with columns: sum and stats) the reference column's count, empty, invalid and sum_text.
 */
export function referenceDifference(result: ScanResult, reference: ColumnReference): string | null {
  const differs = (what: string, expected: unknown, actual: unknown): string | null =>
    expected === actual ? null : `${what} is ${JSON.stringify(actual)}, the independent reference says ${JSON.stringify(expected)}`;
  const rows = differs('rows', reference.rows, result.rows);
  if (rows !== null || result.columns === undefined) return rows;
  const column = result.columns.find((candidate) => candidate.name === reference.column);
  if (!column) return `no column ${reference.column}`;
  return (
    differs(`sum_text of ${reference.column}`, reference.sumText, column.sum_text) ??
    differs(`count of ${reference.column}`, reference.count, column.count) ??
    differs(`empty of ${reference.column}`, reference.empty, column.empty) ??
    differs(`invalid of ${reference.column}`, reference.invalid, column.invalid)
  );
}

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const READ_BYTES = 4 << 20;
const MAX_FIELD_BYTES = 1 << 16;

/** Exact sum of decimal texts: Number accumulators per fraction-digit count, flushed into BigInt. */
class DecimalSum {
  count = 0;
  empty = 0;
  invalid = 0;
  /** fast accumulators: fast[d] holds a sum of integers meaning units of 10^-d */
  private readonly fast: number[] = [];
  private readonly exact: bigint[] = [];

  /** Adds the field held in bytes[start, end). */
  add(bytes: Uint8Array, start: number, end: number): void {
    while (start < end && (bytes[start] === 0x20 || bytes[start] === 0x09)) start++;
    while (end > start && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)) end--;
    if (start === end) {
      this.empty++;
      return;
    }
    let negative = false;
    let position = start;
    if (bytes[position] === 0x2d || bytes[position] === 0x2b) negative = bytes[position++] === 0x2d;
    let mantissa = 0;
    let digits = 0;
    let fractionDigits = -1;
    let bigMantissa: bigint | null = null;
    for (; position < end; position++) {
      const byte = bytes[position];
      if (byte === 0x2e && fractionDigits < 0) {
        fractionDigits = 0;
        continue;
      }
      const digit = byte - 0x30;
      if (digit < 0 || digit > 9) {
        this.invalid++;
        return;
      }
      digits++;
      if (fractionDigits >= 0) fractionDigits++;
      // 15 digits always fit a double exactly; past that, switch to BigInt.
      if (bigMantissa !== null) bigMantissa = bigMantissa * 10n + BigInt(digit);
      else if (digits > 15) bigMantissa = BigInt(mantissa) * 10n + BigInt(digit);
      else mantissa = mantissa * 10 + digit;
    }
    if (digits === 0) {
      this.invalid++;
      return;
    }
    this.count++;
    const scale = fractionDigits < 0 ? 0 : fractionDigits;
    while (this.fast.length <= scale) {
      this.fast.push(0);
      this.exact.push(0n);
    }
    if (bigMantissa !== null) {
      this.exact[scale] += negative ? -bigMantissa : bigMantissa;
      return;
    }
    const sum = this.fast[scale] + (negative ? -mantissa : mantissa);
    // Addends are < 1e15, so a sum below 2^53 - 1e15 in magnitude is still exact in a double.
    if (sum > 8e15 || sum < -8e15) {
      this.exact[scale] += BigInt(sum);
      this.fast[scale] = 0;
    } else this.fast[scale] = sum;
  }

  sumText(): string {
    const maxScale = Math.max(0, this.fast.length - 1);
    let total = 0n;
    for (let scale = 0; scale < this.fast.length; scale++) {
      total += (this.exact[scale] + BigInt(this.fast[scale])) * 10n ** BigInt(maxScale - scale);
    }
    const negative = total < 0n;
    const digits = (negative ? -total : total).toString().padStart(maxScale + 1, '0');
    const whole = digits.slice(0, digits.length - maxScale);
    const fraction = digits.slice(digits.length - maxScale).replace(/0+$/, '');
    const text = fraction ? `${whole}.${fraction}` : whole;
    return negative && text !== '0' ? `-${text}` : text;
  }
}

function forEachChunk(path: string, onChunk: (bytes: Uint8Array, length: number) => void): void {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      const length = readSync(fd, buffer, 0, READ_BYTES, null);
      if (length === 0) break;
      onChunk(buffer, length);
    }
  } finally {
    closeSync(fd);
  }
}

function headerNames(headerBytes: number[]): string[] {
  let text = Buffer.from(headerBytes).toString('utf8');
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return text.split(',');
}

function columnIndexOf(names: string[], column: string, path: string): number {
  const index = names.indexOf(column);
  if (index < 0) throw new Error(`${path}: no column ${column} in header ${names.join(',')}`);
  return index;
}

/**
 * For files without quotes and with LF record ends (the numeric kind): split lines at LF and
 * fields at commas.
 */
export function referenceUnquoted(path: string, column: string): ColumnReference {
  const sum = new DecimalSum();
  const headerBytes: number[] = [];
  let inHeader = true;
  let columnIndex = -1;
  let rows = 0;
  let fieldIndex = 0;
  let lineLength = 0;
  // A field split across two reads is carried over in this buffer.
  const carry = new Uint8Array(MAX_FIELD_BYTES);
  let carryLength = 0;
  let fieldStart = 0;

  forEachChunk(path, (bytes, length) => {
    fieldStart = 0;
    for (let i = 0; i < length; i++) {
      const byte = bytes[i];
      if (inHeader) {
        if (byte === LF) {
          inHeader = false;
          columnIndex = columnIndexOf(headerNames(headerBytes), column, path);
          fieldStart = i + 1;
        } else headerBytes.push(byte);
        continue;
      }
      if (byte !== LF && byte !== COMMA) {
        lineLength++;
        continue;
      }
      if (byte === LF && lineLength === 0) {
        // A line with no bytes is not a record.
        fieldStart = i + 1;
        continue;
      }
      if (fieldIndex === columnIndex) {
        if (carryLength > 0) {
          carry.set(bytes.subarray(fieldStart, i), carryLength);
          sum.add(carry, 0, carryLength + i - fieldStart);
          carryLength = 0;
        } else sum.add(bytes, fieldStart, i);
      }
      fieldStart = i + 1;
      if (byte === COMMA) {
        fieldIndex++;
        lineLength++;
        continue;
      }
      // Record end; a short record's missing field counts as empty.
      if (fieldIndex < columnIndex) sum.empty++;
      rows++;
      fieldIndex = 0;
      lineLength = 0;
      carryLength = 0;
    }
    if (!inHeader && fieldIndex === columnIndex && fieldStart < length) {
      carry.set(bytes.subarray(fieldStart, length), carryLength);
      carryLength += length - fieldStart;
    }
  });
  if (lineLength > 0) {
    // Last record without a final LF.
    if (fieldIndex === columnIndex) sum.add(carry, 0, carryLength);
    else if (fieldIndex < columnIndex) sum.empty++;
    rows++;
  }
  return { rows, column, count: sum.count, empty: sum.empty, invalid: sum.invalid, sumText: sum.sumText() };
}

/**
 * For RFC 4180 files (the mixed kind): quoted fields with doubled quotes, delimiters and newlines
 * inside; records end at LF or CRLF.
 */
export function referenceQuoted(path: string, column: string): ColumnReference {
  const sum = new DecimalSum();
  const field = new Uint8Array(MAX_FIELD_BYTES);
  let fieldLength = 0;
  const headerFields: string[] = [];
  let inHeader = true;
  let columnIndex = -1;
  let rows = 0;
  let fieldIndex = 0;
  let recordLength = 0;
  let fieldStarted = false;
  let inQuotes = false;
  let quotePending = false; // a quote seen inside a quoted field: closing, or the first of a pair
  let lastByteWasUnquotedCr = false;

  const endField = (): void => {
    if (inHeader) headerFields.push(Buffer.from(field.subarray(0, fieldLength)).toString('utf8'));
    else if (fieldIndex === columnIndex) sum.add(field, 0, fieldLength);
    fieldLength = 0;
    fieldStarted = false;
  };
  const capture = (byte: number): void => {
    if ((inHeader || fieldIndex === columnIndex) && fieldLength < MAX_FIELD_BYTES) field[fieldLength++] = byte;
  };

  forEachChunk(path, (bytes, length) => {
    for (let i = 0; i < length; i++) {
      const byte = bytes[i];
      const previousWasUnquotedCr = lastByteWasUnquotedCr;
      lastByteWasUnquotedCr = false;
      if (inQuotes) {
        if (quotePending) {
          quotePending = false;
          if (byte === QUOTE) {
            capture(QUOTE);
            recordLength++;
            continue;
          }
          inQuotes = false; // the quote closed the field; this byte is handled below
        } else {
          if (byte === QUOTE) quotePending = true;
          else capture(byte);
          recordLength++;
          continue;
        }
      }
      if (byte === QUOTE && !fieldStarted) {
        inQuotes = true;
        fieldStarted = true;
        recordLength++;
        continue;
      }
      if (byte === COMMA) {
        endField();
        fieldIndex++;
        recordLength++;
        continue;
      }
      if (byte === LF) {
        // CRLF: the CR belongs to the record end, not to the field.
        if (previousWasUnquotedCr && fieldLength > 0 && (inHeader || fieldIndex === columnIndex)) fieldLength--;
        const emptyLine = recordLength === 0 || (recordLength === 1 && previousWasUnquotedCr);
        if (!emptyLine) {
          endField();
          if (inHeader) {
            inHeader = false;
            columnIndex = columnIndexOf(headerFields, column, path);
          } else {
            if (fieldIndex < columnIndex) sum.empty++;
            rows++;
          }
        }
        fieldLength = 0;
        fieldStarted = false;
        fieldIndex = 0;
        recordLength = 0;
        continue;
      }
      fieldStarted = true;
      lastByteWasUnquotedCr = byte === CR;
      capture(byte);
      recordLength++;
    }
  });
  if (inQuotes && !quotePending) throw new Error(`${path}: quoted field never closed`);
  if (recordLength > 0) {
    endField();
    if (!inHeader) {
      if (fieldIndex < columnIndex) sum.empty++;
      rows++;
    }
  }
  return { rows, column, count: sum.count, empty: sum.empty, invalid: sum.invalid, sumText: sum.sumText() };
}
