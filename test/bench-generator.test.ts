// The benchmark's data generator (src/bench/generate.ts) and its independent reference pass
// (bench/independent-check.ts), checked with a small RFC 4180 parser of the test's own.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MIXED_HEADER,
  NUMERIC_HEADER,
  generateChunks,
  generateCsvBytes,
  generateCsvFile,
  sizeLabel,
  type CsvKind,
} from '../src/bench/generate.js';
import { referenceQuoted, referenceUnquoted } from '../bench/independent-check.js';

interface ParsedRecord {
  fields: string[];
  /** which fields were quoted */
  quoted: boolean[];
  /** byte offset just past the record's terminator */
  end: number;
  terminator: 'LF' | 'CRLF' | 'EOF';
}

/** A plain RFC 4180 parser over latin1 text (one char per byte), independent of the code under test. */
function parseCsv(bytes: Buffer): ParsedRecord[] {
  const text = bytes.toString('latin1');
  const records: ParsedRecord[] = [];
  let fields: string[] = [];
  let quoted: boolean[] = [];
  let field = '';
  let fieldQuoted = false;
  let i = 0;
  const endRecord = (end: number, terminator: ParsedRecord['terminator']): void => {
    fields.push(field);
    quoted.push(fieldQuoted);
    records.push({ fields, quoted, end, terminator });
    fields = [];
    quoted = [];
    field = '';
    fieldQuoted = false;
  };
  while (i < text.length) {
    const char = text[i];
    if (char === '"' && field === '' && !fieldQuoted) {
      fieldQuoted = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else if (char === ',') {
      fields.push(field);
      quoted.push(fieldQuoted);
      field = '';
      fieldQuoted = false;
      i++;
    } else if (char === '\r' && text[i + 1] === '\n') {
      endRecord(i + 2, 'CRLF');
      i += 2;
    } else if (char === '\n') {
      endRecord(i + 1, 'LF');
      i++;
    } else {
      field += char;
      i++;
    }
  }
  if (field !== '' || fields.length > 0) endRecord(text.length, 'EOF');
  return records;
}

/** Exact decimal sum as text in csvscan's sum_text format, with BigInt. */
function exactSum(values: string[]): string {
  const scale = 6;
  let total = 0n;
  for (const value of values) {
    const match = /^(-?)(\d+)(?:\.(\d{0,6}))?$/.exec(value);
    if (!match) throw new Error(`not a plain decimal: ${value}`);
    const units = BigInt(match[2] + (match[3] ?? '').padEnd(scale, '0'));
    total += match[1] === '-' ? -units : units;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const fraction = digits.slice(-scale).replace(/0+$/, '');
  const text = digits.slice(0, -scale) + (fraction ? `.${fraction}` : '');
  return negative ? `-${text}` : text;
}

/** docs/spec.md's number syntax. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const temporaryDirectory = mkdtempSync(join(tmpdir(), 'csvscan-bench-test-'));
afterAll(() => rmSync(temporaryDirectory, { recursive: true, force: true }));

const KINDS: CsvKind[] = ['numeric', 'mixed'];

describe('sizeLabel', () => {
  it('labels sizes for file names', () => {
    expect(sizeLabel(2 ** 30)).toBe('1g');
    expect(sizeLabel(64 * 2 ** 20)).toBe('64m');
    expect(sizeLabel(10 * 2 ** 30)).toBe('10g');
    expect(sizeLabel(1000)).toBe('1000b');
  });
});

describe.each(KINDS)('generator, %s kind', (kind) => {
  it('is deterministic: same seed, same bytes; another seed, other bytes', () => {
    const first = generateCsvBytes({ kind, sizeBytes: 200_000, seed: 7 });
    const again = generateCsvBytes({ kind, sizeBytes: 200_000, seed: 7 });
    const otherSeed = generateCsvBytes({ kind, sizeBytes: 200_000, seed: 8 });
    expect(again.equals(first)).toBe(true);
    expect(otherSeed.equals(first)).toBe(false);
    // Only the header is shared.
    const headerLength = first.indexOf(0x0a) + 1;
    expect(otherSeed.subarray(headerLength, headerLength + 200).equals(first.subarray(headerLength, headerLength + 200))).toBe(false);
  });

  it('does not depend on the chunk size or the number of buffers', () => {
    const reference = generateCsvBytes({ kind, sizeBytes: 300_000, seed: 3 });
    for (const [chunkBytes, bufferCount] of [[4096, 1], [65536, 3], [1 << 20, 2]]) {
      const chunks: Buffer[] = [];
      const iterator = generateChunks({ kind, sizeBytes: 300_000, seed: 3 }, chunkBytes, bufferCount);
      let next = iterator.next();
      while (!next.done) {
        chunks.push(Buffer.from(next.value));
        next = iterator.next();
      }
      expect(Buffer.concat(chunks).equals(reference)).toBe(true);
      expect(next.value.bytes).toBe(reference.length);
    }
  });

  it('stops at the first record end at or past the requested size', () => {
    for (const sizeBytes of [1, 100, 4096, 65536, 500_000]) {
      const bytes = generateCsvBytes({ kind, sizeBytes, seed: 11 });
      const records = parseCsv(bytes);
      expect(bytes.length).toBeGreaterThanOrEqual(sizeBytes);
      expect(records[records.length - 1].end).toBe(bytes.length);
      if (records.length > 1) expect(records[records.length - 2].end).toBeLessThan(sizeBytes);
    }
  });

  it('reports the bytes and data rows it wrote, and writes files identical to the bytes', async () => {
    const path = join(temporaryDirectory, `${kind}.csv`);
    const summary = await generateCsvFile(path, { kind, sizeBytes: 123_456, seed: 5 });
    const bytes = readFileSync(path);
    expect(bytes.equals(generateCsvBytes({ kind, sizeBytes: 123_456, seed: 5 }))).toBe(true);
    expect(summary.bytes).toBe(bytes.length);
    expect(summary.rows).toBe(parseCsv(bytes).length - 1);
  });
});

describe('numeric kind', () => {
  const bytes = generateCsvBytes({ kind: 'numeric', sizeBytes: 1 << 20, seed: 1 });
  const records = parseCsv(bytes);
  const rows = records.slice(1);

  it('has a header and 7 unquoted numeric columns, LF-terminated', () => {
    expect(records[0].fields).toEqual([...NUMERIC_HEADER]);
    expect(NUMERIC_HEADER).toHaveLength(7);
    expect(rows.length).toBeGreaterThan(10_000);
    expect(bytes.includes(0x0d)).toBe(false);
    expect(bytes.includes(0x22)).toBe(false);
    for (const record of rows) {
      expect(record.terminator).toBe('LF');
      expect(record.fields).toHaveLength(7);
      for (const field of record.fields) expect(field).toMatch(NUMBER);
    }
  });

  it('writes the documented shapes: sequential ids, 2-decimal prices, negatives, big integers, exponents', () => {
    rows.forEach((record, i) => expect(record.fields[0]).toBe(String(i + 1)));
    const column = (name: (typeof NUMERIC_HEADER)[number]): string[] =>
      rows.map((record) => record.fields[NUMERIC_HEADER.indexOf(name)]);
    for (const price of column('price')) expect(price).toMatch(/^\d{1,5}\.\d\d$/);
    for (const qty of column('qty')) expect(Number(qty)).toBeLessThan(100);
    for (const ratio of column('ratio')) expect(ratio).toMatch(/^-?\d\.\d{1,6}$/);
    for (const big of column('big')) expect(big).toMatch(/^[1-9]\d{0,14}$/);
    for (const temp of column('temp')) expect(temp).toMatch(/^-?\d{1,2}\.\d$/);
    for (const sci of column('sci')) expect(sci).toMatch(/^-?[1-9]\.\d{3}e-?\d$/);
    expect(column('ratio').some((ratio) => ratio.startsWith('-'))).toBe(true);
    expect(column('temp').some((temp) => temp.startsWith('-'))).toBe(true);
    expect(column('big').some((big) => big.length === 15)).toBe(true);
    expect(column('big').some((big) => big.length <= 3)).toBe(true);
  });
});

describe('mixed kind', () => {
  const bytes = generateCsvBytes({ kind: 'mixed', sizeBytes: 2 << 20, seed: 1 });
  const records = parseCsv(bytes);
  const rows = records.slice(1);
  const fieldsOf = (name: (typeof MIXED_HEADER)[number]): string[] =>
    rows.map((record) => record.fields[MIXED_HEADER.indexOf(name)]);

  it('has a header and 6 columns in every record, each ending in CRLF', () => {
    expect(records[0].fields).toEqual([...MIXED_HEADER]);
    expect(rows.length).toBeGreaterThan(10_000);
    for (const record of records) {
      expect(record.fields).toHaveLength(6);
      expect(record.terminator).toBe('CRLF');
    }
    rows.forEach((record, i) => expect(record.fields[0]).toBe(String(i + 1)));
  });

  it('quotes names with commas and with doubled quotes', () => {
    const names = fieldsOf('name');
    expect(names.some((name) => /^[^,]+, [^,]+$/.test(name))).toBe(true);
    expect(names.some((name) => /^\S+ "\w+" .+$/.test(name))).toBe(true);
    // the raw bytes really hold doubled quotes
    expect(bytes.includes('""')).toBe(true);
  });

  it('has comments with embedded CRLF, LF and commas inside quotes', () => {
    const comments = fieldsOf('comment');
    expect(comments.some((comment) => comment.includes('\r\n'))).toBe(true);
    expect(comments.some((comment) => /[^\r]\n/.test(comment))).toBe(true);
    expect(comments.some((comment) => comment.includes(', '))).toBe(true);
    expect(comments.some((comment) => comment === '')).toBe(true);
    // an embedded newline is only ever inside a quoted field
    rows.forEach((record) =>
      record.fields.forEach((field, i) => {
        if (/[\r\n,"]/.test(field)) expect(record.quoted[i]).toBe(true);
      }),
    );
    // and the file holds more line breaks than records
    expect(bytes.toString('latin1').split('\n').length - 1).toBeGreaterThan(records.length);
  });

  it('has numeric amounts, about 5% NA scores, and ISO dates', () => {
    for (const amount of fieldsOf('amount')) expect(amount).toMatch(/^-?\d+(\.\d\d)?$/);
    const scores = fieldsOf('score');
    const naShare = scores.filter((score) => score === 'NA').length / scores.length;
    expect(naShare).toBeGreaterThan(0.04);
    expect(naShare).toBeLessThan(0.06);
    for (const score of scores) if (score !== 'NA') expect(score).toMatch(/^\d{1,3}\.\d$/);
    for (const date of fieldsOf('date')) expect(date).toMatch(/^20[0-2]\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
  });
});

describe('independent reference pass (bench/independent-check.ts)', () => {
  // Larger than its 4 MiB read size, so fields and records straddle read boundaries.
  const size = 9 << 20;

  it('counts rows and sums price exactly on the numeric kind, both parsers', () => {
    const path = join(temporaryDirectory, 'numeric-reference.csv');
    const bytes = generateCsvBytes({ kind: 'numeric', sizeBytes: size, seed: 2 });
    writeFileSync(path, bytes);
    const rows = parseCsv(bytes).slice(1);
    const expected = {
      rows: rows.length,
      column: 'price',
      count: rows.length,
      empty: 0,
      invalid: 0,
      sumText: exactSum(rows.map((record) => record.fields[1])),
    };
    expect(referenceUnquoted(path, 'price')).toEqual(expected);
    expect(referenceQuoted(path, 'price')).toEqual(expected);
  });

  it('counts rows, NA and sums exactly on the mixed kind', () => {
    const path = join(temporaryDirectory, 'mixed-reference.csv');
    const bytes = generateCsvBytes({ kind: 'mixed', sizeBytes: size, seed: 2 });
    writeFileSync(path, bytes);
    const rows = parseCsv(bytes).slice(1);
    expect(referenceQuoted(path, 'amount')).toEqual({
      rows: rows.length,
      column: 'amount',
      count: rows.length,
      empty: 0,
      invalid: 0,
      sumText: exactSum(rows.map((record) => record.fields[3])),
    });
    const scores = rows.map((record) => record.fields[4]);
    const numericScores = scores.filter((score) => score !== 'NA');
    expect(referenceQuoted(path, 'score')).toEqual({
      rows: rows.length,
      column: 'score',
      count: numericScores.length,
      empty: 0,
      invalid: scores.length - numericScores.length,
      sumText: exactSum(numericScores),
    });
  });

  it('handles empty lines, short records, a missing final newline and quoted CRLF', () => {
    const path = join(temporaryDirectory, 'edge.csv');
    writeFileSync(path, 'a,b\r\n1,2.5\r\n\r\n"x\r\ny",-0.5\r\n3\r\n4,"1,0"\r\n5,  7 \r\n6,0.25');
    expect(referenceQuoted(path, 'b')).toEqual({
      rows: 6,
      column: 'b',
      count: 4,
      empty: 1,
      invalid: 1,
      sumText: '9.25',
    });
    writeFileSync(path, 'a,b\n1,2.5\n\n2,-0.5\n3\n4,x\n5,10');
    expect(referenceUnquoted(path, 'b')).toEqual({ rows: 5, column: 'b', count: 3, empty: 1, invalid: 1, sumText: '12' });
    writeFileSync(path, 'a,b\n1,-2.5\n');
    expect(referenceUnquoted(path, 'b').sumText).toBe('-2.5');
    writeFileSync(path, 'a,b\n1,0.00\n');
    expect(referenceUnquoted(path, 'b').sumText).toBe('0');
  });
});
