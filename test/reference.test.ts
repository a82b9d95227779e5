// Tests of the reference implementation itself. Every expected value here is worked out by hand
// from docs/spec.md (never produced by the reference), so the reference can then judge the product.

import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ColumnResult, ScanResult } from '../src/types.js';
import { generateCsv, generateUnterminated, SeededRandom } from './reference/generate.js';
import {
  doubleToRational,
  formatDecimal,
  rationalToDouble,
  ReferenceMalformed,
  referenceRecords,
  referenceScan,
  ReferenceUnknownColumn,
  sqrtRationalToDouble,
  type ReferenceOptions,
} from './reference/reference.js';

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const BOM = '\uFEFF'; // encodes to EF BB BF

function records(text: string, options: { delimiter?: number; quote?: number } = {}): string[][] {
  return referenceRecords(bytes(text), options);
}

function scan(text: string, options: Partial<ReferenceOptions> = {}): ScanResult {
  return referenceScan(bytes(text), { mode: 'stats', ...options });
}

/** Stats of one column `x` whose fields are `fields` (raw, as written), one record each. */
function statsOf(fields: string[]): ColumnResult {
  // A second column keeps a record with an empty x from being an empty line.
  const text = 'x,pad\n' + fields.map((field) => `${field},0`).join('\n') + '\n';
  return scan(text, { columns: ['x'] }).columns![0]!;
}

function malformedAt(text: string | Uint8Array, options: Partial<ReferenceOptions> = {}): { line: number; byte: number } {
  try {
    referenceScan(typeof text === 'string' ? bytes(text) : text, { mode: 'count', ...options });
  } catch (error) {
    if (error instanceof ReferenceMalformed) return { line: error.line, byte: error.byte };
    throw error;
  }
  throw new Error('expected ReferenceMalformed');
}

function expectRelative(actual: number | null, expected: number, tolerance: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

// ---------------------------------------------------------------------------------------------

describe('csv-spectrum', () => {
  const root = dirname(createRequire(import.meta.url).resolve('csv-spectrum/package.json'));
  const names = readdirSync(join(root, 'csvs')).map((file) => basename(file, '.csv'));

  it('has its cases installed', () => {
    expect(names.length).toBeGreaterThanOrEqual(12);
  });

  for (const name of names) {
    it(`reads ${name} as expected`, () => {
      const csv = new Uint8Array(readFileSync(join(root, 'csvs', `${name}.csv`)));
      const parsedJson = JSON.parse(readFileSync(join(root, 'json', `${name}.json`), 'utf8')) as
        | Record<string, string>
        | Record<string, string>[];
      const expected = Array.isArray(parsedJson) ? parsedJson : [parsedJson];
      if (name === 'location_coordinates') {
        // Upstream data bug: the JSON's phone number is not the one in the CSV (2095257564).
        expected[0]!['Contact Phone Number'] = '2095257564';
      }
      const [header, ...rows] = referenceRecords(csv);
      const objects = rows.map((row) => Object.fromEntries(header!.map((key, i) => [key, row[i] ?? ''])));
      expect(objects).toEqual(expected);
    });
  }
});

describe('records and fields', () => {
  it('ends records at LF, CRLF and end of input', () => {
    expect(records('a,b\n1,2\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(records('a,b\r\n1,2\r\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(records('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
    expect(records('a\r\nb\nc')).toEqual([['a'], ['b'], ['c']]);
  });

  it('treats a lone CR as an ordinary byte', () => {
    expect(records('a\rb,c\n')).toEqual([['a\rb', 'c']]);
    expect(records('a\r\r\nb')).toEqual([['a\r'], ['b']]); // the first CR is lone, the second ends the record
    expect(records('a\n\r')).toEqual([['a'], ['\r']]); // a CR at the very end is not followed by LF
  });

  it('skips a BOM at the start only', () => {
    expect(records(`${BOM}a,b\n`)).toEqual([['a', 'b']]);
    expect(records(BOM)).toEqual([]);
    expect(records(`a\n${BOM}b\n`)).toEqual([['a'], [`${BOM}b`]]);
    expect(referenceRecords(Uint8Array.of(0xef, 0xbb, 0x61))).toEqual([['\uFFFDa']]); // not a whole BOM
  });

  it('reads quoted fields holding delimiters, CR, LF and doubled quotes', () => {
    expect(records('"a,b","c\r\nd","e""f"\n')).toEqual([['a,b', 'c\r\nd', 'e"f']]);
    expect(records('"a\rb",c')).toEqual([['a\rb', 'c']]);
    expect(records('x,""')).toEqual([['x', '']]);
    expect(records('"a"""')).toEqual([['a"']]);
    expect(records('""""')).toEqual([['"']]);
  });

  it('appends bytes after a closing quote up to the delimiter or record end', () => {
    expect(records('"ab"cd,e\n')).toEqual([['abcd', 'e']]);
    expect(records('"ab"c"d,e')).toEqual([['abc"d', 'e']]);
    expect(records('"a"b"c')).toEqual([['ab"c']]);
    expect(records('"a"\rb,c')).toEqual([['a\rb', 'c']]);
    expect(records('"a"\r\nb')).toEqual([['a'], ['b']]);
    expect(records('"a" ,b')).toEqual([['a ', 'b']]);
  });

  it('treats a quote anywhere but at a field start as ordinary', () => {
    expect(records('a"b,c"\n')).toEqual([['a"b', 'c"']]);
    expect(records('a""b')).toEqual([['a""b']]);
    expect(records(' "a,b"')).toEqual([[' "a', 'b"']]);
  });

  it('does not count empty lines, CR-only lines included, as records', () => {
    expect(records('a\n\nb\n')).toEqual([['a'], ['b']]);
    expect(records('a\r\n\r\nb')).toEqual([['a'], ['b']]);
    expect(records('\n\r\n\n')).toEqual([]);
    expect(records('')).toEqual([]);
  });

  it('reads a line holding only "" as a record with one empty field', () => {
    expect(records('a\n""\nb\n')).toEqual([['a'], [''], ['b']]);
  });

  it('gives an empty field after a trailing delimiter', () => {
    expect(records('a,\n')).toEqual([['a', '']]);
    expect(records(',')).toEqual([['', '']]);
    expect(records(' ')).toEqual([[' ']]);
  });

  it('honours other delimiters and quotes', () => {
    expect(records("a;'b;c'\n", { delimiter: 0x3b, quote: 0x27 })).toEqual([['a', 'b;c']]);
    expect(records('a\t"b\tc"|d\n', { delimiter: 0x09 })).toEqual([['a', 'b\tc|d']]);
    expect(records('a|"b|c"', { delimiter: 0x7c })).toEqual([['a', 'b|c']]);
    expect(records('"a,b",c', { quote: 0x27 })).toEqual([['"a', 'b"', 'c']]);
  });
});

describe('unterminated quotes', () => {
  it('names the line and byte of the opening quote', () => {
    expect(malformedAt('"abc')).toEqual({ line: 1, byte: 0 });
    expect(malformedAt('x\ny,"ab\ncd')).toEqual({ line: 2, byte: 4 });
    expect(malformedAt(`${BOM}"`)).toEqual({ line: 1, byte: 3 });
    expect(malformedAt('a\n"b\nc"\n"d')).toEqual({ line: 4, byte: 8 });
    expect(malformedAt('h\r\n1\r\n"x')).toEqual({ line: 3, byte: 6 });
    expect(malformedAt('"a""')).toEqual({ line: 1, byte: 0 }); // the doubled quote does not close it
    expect(malformedAt("a,'b", { quote: 0x27 })).toEqual({ line: 1, byte: 2 });
  });

  it('is the only error of the grammar', () => {
    expect(() => scan('"a"b"c\n"x""y"\na"\n', { header: false })).not.toThrow();
  });

  it('is reported in every mode', () => {
    expect(() => scan('x\n"1', { mode: 'sum', columns: ['x'] })).toThrow(ReferenceMalformed);
    expect(() => scan('x\n"1', { mode: 'stats' })).toThrow(ReferenceMalformed);
  });
});

describe('counting records', () => {
  it('counts data records, not the header, and all input bytes', () => {
    expect(scan('a,b\n1,2\n3,4\n', { mode: 'count' })).toEqual({
      file: '-',
      rows: 2,
      bytes: 12,
      ragged: { short: 0, long: 0 },
    });
    expect(scan('a,b\n', { mode: 'count' }).rows).toBe(0);
    expect(scan('', { mode: 'count' })).toEqual({ file: '-', rows: 0, bytes: 0, ragged: { short: 0, long: 0 } });
    expect(scan(`${BOM}a\n1\n`, { mode: 'count' })).toMatchObject({ rows: 1, bytes: 7 });
    expect(scan('1\n2\n', { mode: 'count', header: false }).rows).toBe(2);
  });

  it('skips empty lines but counts a "" line', () => {
    expect(scan('a\n\n1\n\r\n2\n', { mode: 'count' }).rows).toBe(2);
    expect(scan('a\n""\n', { mode: 'count' }).rows).toBe(1);
  });

  it('counts ragged records against the header', () => {
    expect(scan('a,b,c\n1\n1,2,3,4\n1,2,3\n1,2\n', { mode: 'count' }).ragged).toEqual({ short: 2, long: 1 });
  });

  it('counts ragged records against the first record without a header', () => {
    expect(scan('1,2\n1\n1,2,3\n', { mode: 'count', header: false }).ragged).toEqual({ short: 1, long: 1 });
    expect(scan('1\n1,2\n1,2\n', { mode: 'count', header: false }).ragged).toEqual({ short: 0, long: 2 });
  });

  it('uses the file name it is given', () => {
    expect(scan('a\n', { mode: 'count', file: 'data.csv' }).file).toBe('data.csv');
  });
});

describe('numbers', () => {
  const validForms: [string, string][] = [
    ['5', '5'],
    ['-5', '-5'],
    ['+3', '3'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['-.5', '-0.5'],
    ['1E+3', '1000'],
    ['1e-5', '0.00001'],
    ['1.5e2', '150'],
    ['12.5E-1', '1.25'],
    ['-0', '0'],
    ['0e5', '0'],
    ['00012.3400', '12.34'],
    [' 7 ', '7'],
    ['\t8\t', '8'],
    ['"  9.25 "', '9.25'], // trimmed after unquoting
    ['0.12345678901234567', '0.12345678901234567'], // 17-digit fraction
    ['123456789012345678', '123456789012345678'], // 18-digit integer
    ['1.23456789012345678e17', '123456789012345678'],
    ['1000000000000000000000e-10', '100000000000'], // trailing zeros are not significant
    ['0.000000000000000001', '0.000000000000000001'],
    ['1e-18', '0.000000000000000001'],
  ];
  for (const [field, sumText] of validForms) {
    it(`reads ${JSON.stringify(field)} as the number ${sumText}`, () => {
      const column = statsOf([field]);
      expect(column).toMatchObject({ count: 1, empty: 0, invalid: 0, sum_text: sumText });
      expect(column.sum).toBe(Number(sumText));
      expect(column.min).toBe(column.max);
    });
  }

  const invalidForms = [
    'NA',
    '"1,5"',
    '0x1F',
    'Infinity',
    '-Infinity',
    'NaN',
    '1_000',
    '--1',
    '+-1',
    '١٢',
    '１２',
    '1e',
    '1e+',
    '.',
    'e5',
    '.e1',
    '+',
    '-',
    '1.2.3',
    '1 2',
    '1e5.5',
    '1\u00a0', // a no-break space is not trimmed
    '"1\r"', // nor is a CR
  ];
  for (const field of invalidForms) {
    it(`reads ${JSON.stringify(field)} as invalid`, () => {
      expect(statsOf([field])).toMatchObject({ count: 0, empty: 0, invalid: 1, min: null, mean: null });
    });
  }

  for (const field of ['""', ' ', '\t', '" \t "']) {
    it(`reads ${JSON.stringify(field)} as empty`, () => {
      expect(statsOf([field])).toMatchObject({ count: 0, empty: 1, invalid: 0 });
    });
  }

  it('reports the first invalid field: its line and untrimmed value', () => {
    const column = statsOf(['1', 'NA', 'foo', '  N A ']);
    expect(column).toMatchObject({ count: 1, invalid: 3, first_invalid: { line: 3, value: 'NA' } });
    expect(statsOf(['  N A ']).first_invalid).toEqual({ line: 2, value: '  N A ' });
  });

  it('counts physical lines, quoted line breaks and empty lines included', () => {
    const result = scan('x,y\n"a\nb",1\n\n\r\n2,NA\n');
    expect(result.columns![0]!.first_invalid).toEqual({ line: 2, value: 'a\nb' });
    expect(result.columns![1]!.first_invalid).toEqual({ line: 6, value: 'NA' });
  });

  it('reports the line on which a multi-line field starts', () => {
    expect(scan('x,y\n1,"b\nc"\n').columns![1]!.first_invalid).toEqual({ line: 2, value: 'b\nc' });
  });

  it('cuts the first invalid value to 64 bytes', () => {
    expect(statsOf(['x'.repeat(100)]).first_invalid!.value).toBe('x'.repeat(64));
    // 'a' and 31 é make 63 bytes; the 64th byte is half an é, decoded as U+FFFD.
    expect(statsOf(['a' + 'é'.repeat(40)]).first_invalid!.value).toBe('a' + 'é'.repeat(31) + '\uFFFD');
  });
});

describe('exact sums', () => {
  it('sums 0.1 ten times to exactly 1', () => {
    const column = statsOf(Array(10).fill('0.1'));
    expect(column).toMatchObject({ count: 10, sum_text: '1', sum: 1, min: 0.1, max: 0.1, mean: 0.1, stddev: 0 });
  });

  it('sums 876.5 split into parts', () => {
    expect(statsOf(['800', '70', '6', '0.5'])).toMatchObject({ sum_text: '876.5', sum: 876.5, mean: 219.125 });
    expect(statsOf(['876.25', '0.25'])).toMatchObject({ sum_text: '876.5', mean: 438.25 });
  });

  it('gives the double nearest the exact sum, not the sum of doubles', () => {
    expect(statsOf(['0.1', '0.2'])).toMatchObject({ sum_text: '0.3', sum: 0.3, mean: 0.15 });
    expect(statsOf(['19.99', '19.99', '19.99', '0.03'])).toMatchObject({ sum_text: '60', sum: 60, mean: 15 });
  });

  it('keeps 10^17 + 1 exact in the text', () => {
    const column = statsOf(['100000000000000000', '1']);
    expect(column.sum_text).toBe('100000000000000001');
    expect(column.sum).toBe(1e17); // doubles near 1e17 are 16 apart
    expect(column.mean).toBe(5e16); // 50000000000000000.5, doubles there are 8 apart
    expectRelative(column.stddev, (1e17 - 1) / Math.SQRT2, 1e-15);
  });

  it('sums negative zero to 0', () => {
    const column = statsOf(['-0', '-0.0']);
    expect(column).toMatchObject({ sum_text: '0', sum: 0, mean: 0, stddev: 0 });
    expect(JSON.stringify(column.min)).toBe('0');
  });

  it('writes negative sums with a minus and no trailing zeros', () => {
    expect(statsOf(['-1.5', '1.5']).sum_text).toBe('0');
    expect(statsOf(['-0.25', '0.1']).sum_text).toBe('-0.15');
    expect(statsOf(['-2.50', '-2.50']).sum_text).toBe('-5');
  });

  it('stays exact at the ends of the domain', () => {
    expect(statsOf(['999999999999999999', '1']).sum_text).toBe('1000000000000000000');
    expect(statsOf(['1e-18', '0.000000000000000001']).sum_text).toBe('0.000000000000000002');
    expect(statsOf(['0.12345678901234567', '0.87654321098765433']).sum_text).toBe('1');
    expect(statsOf(['123456789012345678', '876543210987654322']).sum_text).toBe('1000000000000000000');
  });

  it('gives up the text outside the domain, for the whole column', () => {
    for (const outside of ['1e18', '1234567890123456789', '1e-19', '0.1234567890123456789', '1.23456789012345678e18']) {
      expect(statsOf([outside]).sum_text).toBeNull();
      expect(statsOf(['1', outside]).sum_text).toBeNull();
    }
    expect(statsOf(['1e18', '1'])).toMatchObject({ sum: 1e18, min: 1, max: 1e18 }); // 1e18 + 1 rounds to 1e18
  });

  it('sums the doubles exactly, rounded once, outside the domain', () => {
    // 2^60 + 1 + 1: summing doubles left to right would lose both ones (doubles near 2^60 are 256 apart).
    const column = statsOf(['1152921504606846976', '1', '1', '-1152921504606846976']);
    expect(column).toMatchObject({ sum_text: null, sum: 2, mean: 0.5 });
  });

  it('rounds the mean once, from the exact sum', () => {
    expect(statsOf(['1', '2', '2']).mean).toBe(5 / 3); // both operands exact, so 5/3 is correctly rounded
    expect(statsOf(['0.1', '0.2', '0.3']).mean).toBe(0.2);
  });

  it('computes the sample standard deviation (n - 1)', () => {
    expectRelative(statsOf(['1', '2', '2']).stddev, Math.sqrt(1 / 3), 1e-15);
    expectRelative(statsOf(['2', '4', '4', '4', '5', '5', '7', '9']).stddev, Math.sqrt(32 / 7), 1e-15);
    expect(statsOf(['1', '3']).stddev).toBe(Math.SQRT2);
  });

  it('leaves stats null when there are too few numbers', () => {
    expect(statsOf(['5'])).toMatchObject({ count: 1, mean: 5, stddev: null, sum_text: '5' });
    expect(statsOf(['NA', '""'])).toMatchObject({
      count: 0,
      sum: 0,
      sum_text: '0',
      min: null,
      max: null,
      mean: null,
      stddev: null,
    });
  });

  it('takes min and max as the doubles of the extreme numbers', () => {
    expect(statsOf(['3', '-2.5', '10', '1e2', '0'])).toMatchObject({ min: -2.5, max: 100 });
  });

  it('reads numbers beyond the double range as infinite', () => {
    const column = statsOf(['1e400', '1']);
    expect(column).toMatchObject({ count: 2, sum_text: null, max: Infinity, sum: Infinity });
    expect(statsOf(['1e-400'])).toMatchObject({ count: 1, sum_text: null, sum: 0 }); // magnitude below 1e-18
  });
});

describe('columns', () => {
  it('selects by header name, else by 1-based index', () => {
    const text = 'a,b,c\n1,2,3\n';
    expect(scan(text, { columns: ['c', 'a'] }).columns!.map((c) => [c.name, c.index, c.sum_text])).toEqual([
      ['c', 3, '3'],
      ['a', 1, '1'],
    ]);
    expect(scan(text, { columns: ['2'] }).columns![0]).toMatchObject({ name: 'b', index: 2, sum_text: '2' });
  });

  it('prefers a header name over an index', () => {
    const text = '2,x\n10,20\n';
    expect(scan(text, { columns: ['2'] }).columns![0]).toMatchObject({ name: '2', index: 1, sum_text: '10' });
    expect(scan(text, { columns: ['1'] }).columns![0]).toMatchObject({ name: '2', index: 1, sum_text: '10' });
  });

  it('rejects a column that is neither a name nor an index in range', () => {
    for (const wanted of ['zzz', '3', '0', '-1', '']) {
      expect(() => scan('a,b\n1,2\n', { columns: [wanted] })).toThrow(ReferenceUnknownColumn);
    }
    expect(() => scan('1,2\n', { header: false, columns: ['a'] })).toThrow(ReferenceUnknownColumn);
  });

  it('names columns 1, 2, ... without a header and covers the widest record', () => {
    const result = scan('1\n1,2,3\n', { header: false });
    expect(result.columns!.map((c) => [c.name, c.index, c.count, c.empty])).toEqual([
      ['1', 1, 2, 0],
      ['2', 2, 1, 1],
      ['3', 3, 1, 1],
    ]);
    expect(scan('1\n1,2\n', { header: false, columns: ['2'] }).columns![0]).toMatchObject({
      name: '2',
      index: 2,
      count: 1,
      empty: 1,
    });
    // Without a header the columns are as many as the widest record: beyond it none exists.
    expect(() => scan('1\n2,3\n', { header: false, columns: ['3'] })).toThrow(ReferenceUnknownColumn);
    expect(() => scan('', { header: false, columns: ['1'] })).toThrow(ReferenceUnknownColumn);
    expect(scan('', { header: false }).columns).toEqual([]);
  });

  it('treats an empty column list as all columns', () => {
    expect(scan('a,b\n1,2\n', { columns: [] }).columns!.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('counts fields missing from short records as empty and ignores extra fields', () => {
    const result = scan('a,b,c\n1\n4,5,6,7\n');
    expect(result.columns!.map((c) => [c.name, c.count, c.empty])).toEqual([
      ['a', 2, 0],
      ['b', 1, 1],
      ['c', 1, 1],
    ]);
  });

  it('reads quoted and UTF-8 header names', () => {
    const result = scan('"a,b","名前"\n1,2\n', { columns: ['名前', 'a,b'] });
    expect(result.columns!.map((c) => c.name)).toEqual(['名前', 'a,b']);
  });

  it('prints the docs/spec.md JSON shape, keys in order', () => {
    const result = scan('price\n1.5\n2.5\n', { file: 'data.csv' });
    expect(JSON.stringify(result)).toBe(
      '{"file":"data.csv","rows":2,"bytes":14,"ragged":{"short":0,"long":0},"columns":[' +
        '{"name":"price","index":1,"count":2,"empty":0,"invalid":0,"first_invalid":null,' +
        '"sum":4,"sum_text":"4","min":1.5,"max":2.5,"mean":2,"stddev":0.7071067811865476,' +
        '"type":"decimal","min_length":3,"max_length":3,"distinct":null,"distinct_exact":null,"q1":null,"median":null,"q3":null}]}',
    );
    expect(Object.keys(scan('price\n1\n', { mode: 'count' }))).toEqual(['file', 'rows', 'bytes', 'ragged']);
  });
});

describe('exact rounding helpers', () => {
  it('rounds rationals like JavaScript rounds decimal text', () => {
    const random = new SeededRandom(7);
    for (let i = 0; i < 2000; i++) {
      const digits = random.digits(random.int(1, 40));
      const scale = random.int(0, 60);
      const text = `${digits}e-${scale}`;
      expect(rationalToDouble({ num: BigInt(digits), den: 10n ** BigInt(scale) })).toBe(Number(text));
    }
  });

  it('rounds ties to even, subnormals and overflow', () => {
    expect(rationalToDouble({ num: 2n ** 53n + 1n, den: 1n })).toBe(2 ** 53);
    expect(rationalToDouble({ num: 2n ** 53n + 3n, den: 1n })).toBe(2 ** 53 + 4);
    expect(rationalToDouble({ num: -1n, den: 3n })).toBe(-1 / 3);
    expect(rationalToDouble({ num: 1n, den: 2n ** 1074n })).toBe(5e-324);
    expect(rationalToDouble({ num: 1n, den: 2n ** 1075n })).toBe(0); // a tie with zero, which is even
    expect(rationalToDouble({ num: 3n, den: 2n ** 1076n })).toBe(5e-324);
    expect(rationalToDouble({ num: 2n ** 1024n, den: 1n })).toBe(Infinity);
  });

  it('takes square roots like Math.sqrt does for doubles', () => {
    const random = new SeededRandom(11);
    for (let i = 0; i < 2000; i++) {
      const value = random.next() * 10 ** random.int(-30, 30);
      expect(sqrtRationalToDouble(doubleToRational(value))).toBe(Math.sqrt(value));
    }
    expect(sqrtRationalToDouble({ num: 4n, den: 9n })).toBe(2 / 3);
  });

  it('converts doubles to exact rationals', () => {
    const half = doubleToRational(0.5);
    expect(half.num * 2n).toBe(half.den);
    const minusThree = doubleToRational(-3);
    expect(minusThree.num).toBe(-3n * minusThree.den);
    const tiny = doubleToRational(5e-324);
    expect(tiny.den / tiny.num).toBe(2n ** 1074n);
    const { num, den } = doubleToRational(0.1);
    expect(num * 10n ** 55n / den).toBe(1000000000000000055511151231257827021181583404541015625n);
  });

  it('formats decimals without exponent or trailing zeros', () => {
    expect(formatDecimal({ coefficient: 1234n, exponent: -2 })).toBe('12.34');
    expect(formatDecimal({ coefficient: -5n, exponent: -3 })).toBe('-0.005');
    expect(formatDecimal({ coefficient: 1200n, exponent: -2 })).toBe('12');
    expect(formatDecimal({ coefficient: 7n, exponent: 3 })).toBe('7000');
    expect(formatDecimal({ coefficient: 0n, exponent: -9 })).toBe('0');
  });
});

describe('generator', () => {
  it('is deterministic', () => {
    for (const seed of [1, 2, 99]) {
      expect(generateCsv(seed).bytes).toEqual(generateCsv(seed).bytes);
      expect(generateUnterminated(seed).bytes).toEqual(generateUnterminated(seed).bytes);
    }
  });

  it('covers the features it promises across seeds', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 300; seed++) {
      const { bytes: data, delimiter, quote, header } = generateCsv(seed);
      const text = new TextDecoder('latin1').decode(data);
      if (data[0] === 0xef) seen.add('bom');
      if (text.includes('\r\n')) seen.add('crlf');
      if (/[^\r]\n/.test(text)) seen.add('lf');
      if (/\r[^\n]/.test(text)) seen.add('lone cr');
      if (delimiter === 0x09) seen.add('tab');
      if (delimiter === 0x3b) seen.add('semicolon');
      if (delimiter === 0x7c) seen.add('pipe');
      if (quote === 0x27) seen.add('single quote');
      if (header) seen.add('header');
      else seen.add('no header');
      if (!text.endsWith('\n')) seen.add('no trailing newline');
      if (text.includes('\n\n') || text.includes('\n\r\n')) seen.add('blank line');
      const result = referenceScan(data, { mode: 'stats', delimiter, quote, header });
      if (result.ragged.short > 0) seen.add('short');
      if (result.ragged.long > 0) seen.add('long');
      for (const column of result.columns!) {
        if (column.sum_text === null) seen.add('outside domain');
        else if (column.count > 0) seen.add('exact');
        if (column.invalid > 0) seen.add('invalid');
        if (column.empty > 0) seen.add('empty');
      }
    }
    expect([...seen].sort()).toEqual(
      [
        'blank line',
        'bom',
        'crlf',
        'empty',
        'exact',
        'header',
        'invalid',
        'lf',
        'lone cr',
        'long',
        'no header',
        'no trailing newline',
        'outside domain',
        'pipe',
        'semicolon',
        'short',
        'single quote',
        'tab',
      ].sort(),
    );
  });

  it('produces inputs whose quotes all close, and header names as written', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const generated = generateCsv(seed);
      const read = referenceRecords(generated.bytes, generated);
      if (generated.columnNames !== undefined) expect(read[0]).toEqual(generated.columnNames);
    }
  });

  it('places unterminated quotes where it says', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const generated = generateUnterminated(seed);
      expect(malformedAt(generated.bytes, generated)).toEqual(generated.expected);
    }
  });
});
