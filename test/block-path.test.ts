// The SIMD kernel's block path (assembly/blocks.ts; countRecords and fieldRecords in
// assembly/block-records.ts) reads 64-byte blocks as LF/delimiter/quote masks and follows quotes by
// prefix XOR. These inputs put what it must get right at every offset of a block and across block
// and window edges: quoted fields longer than a block with LFs, delimiters and doubled quotes
// inside, quotes that open nothing (mid-field, after a closing quote), CRLF and empty lines,
// exponents, ragged records. Every query must give the reference's answer, and the same JSON from
// wasm (SIMD), wasm-scalar and js, for every window.

import { describe, expect, it } from 'vitest';
import { scanBytes } from '../src/api.js';
import { ENGINE_NAMES, type EngineName, type ScanMode, type ScanResult } from '../src/types.js';
import { SeededRandom } from './reference/generate.js';
import { referenceScan } from './reference/reference.js';

const SEEDS = Number(process.env.CSVSCAN_BLOCK_SEEDS ?? 60);
const WINDOWS: (number | undefined)[] = [1, 7, 63, 64, 65, 200, 4096, 65536, undefined];
const ENGINES = ENGINE_NAMES;
const encoder = new TextEncoder();

/** A field as written: plain numbers most often, then every quoting shape the grammar allows. */
function field(random: SeededRandom): string {
  const number = (): string =>
    random.pick(['', '-', '+']) + random.digits(random.int(1, 9), true) +
    random.pick(['', '.' + random.digits(random.int(0, 6)), 'e' + random.int(-30, 30), 'E+' + random.int(0, 5)]);
  switch (random.int(0, 13)) {
    case 0:
      return '"' + number() + '"'; // a plain quoted number: parsed in place
    case 1:
      return '"' + 'x,\n'.repeat(random.int(1, 40)) + '"'; // longer than a block, LFs and delimiters inside
    case 2:
      return '"a""b' + '"'.repeat(2 * random.int(0, 3)) + '"'; // doubled quotes
    case 3:
      return 'ab"c' + random.pick(['', '"', '""d']); // quotes that open nothing
    case 4:
      return '"' + number() + '"' + random.pick(['7', 'x', ' ', 'x"', 'a"b"']); // bytes after the closing quote
    case 5:
      return '""';
    case 6:
      return '';
    case 7:
      return random.pick([' 12 ', '\t3.5', 'NA', '1e', '.', '-', '1.5e+', '0x1F']);
    case 8:
      return '"' + ' '.repeat(random.int(0, 70)) + number() + '"'; // the closing quote far from the opening one
    default:
      return number();
  }
}

function generate(seed: number): { bytes: Uint8Array; width: number } {
  const random = new SeededRandom(seed);
  const width = random.int(1, 6);
  const lines: string[] = [];
  const names = Array.from({ length: width }, (_, i) => `c${i + 1}`);
  lines.push(names.join(','));
  const records = random.int(5, 120);
  for (let r = 0; r < records; r++) {
    if (random.chance(0.05)) {
      lines.push(random.pick(['', '\r'])); // an empty line
      continue;
    }
    const count = random.chance(0.1) ? random.int(1, width + 2) : width; // ragged now and then
    lines.push(Array.from({ length: count }, () => field(random)).join(','));
  }
  const ending = random.pick(['\n', '\r\n']);
  let text = lines.map((line) => line + (random.chance(0.1) ? '\r\n' : ending)).join('');
  if (random.chance(0.2)) text = text.slice(0, -1); // no LF after the last record
  return { bytes: encoder.encode(text), width };
}

/**
 * Long runs of records of one width without quotes (what the two-pass uniform path takes), broken
 * now and then by what it must hand back: a short or long record, an empty line, a quoted field.
 */
function generateUniform(seed: number): { bytes: Uint8Array; width: number } {
  const random = new SeededRandom(seed);
  const width = random.int(1, 8);
  const crlf = random.chance(0.3);
  const anomaly = random.pick([0, 0.001, 0.01]);
  const value = (): string => {
    const roll = random.next();
    if (roll < 0.02) return random.pick(['', 'NA', ' 7 ', '1e', '-']);
    const sign = random.pick(['', '', '-']);
    if (roll < 0.1) return sign + random.digits(random.int(9, 18), true); // past one 8-byte word
    if (roll < 0.2) return sign + random.digits(random.int(1, 4), true) + '.' + random.digits(3) + 'e' + random.int(-9, 9);
    return sign + random.digits(random.int(1, 6), true) + random.pick(['', '.' + random.digits(random.int(1, 4))]);
  };
  // now and then a text column, quoted, with delimiters, doubled quotes and line breaks inside
  // (quotes in a column that is not summed leave a run uniform; the line numbers need counting)
  const textColumn = width > 1 && random.chance(0.5) ? random.int(0, width - 1) : -1;
  const textValue = (): string =>
    random.pick(['', 'plain', '"a, b"', '"line\nbreak"', '"say ""hi"""', '"x\r\ny\nz"', '"€5, naïve"']);
  const lines = [Array.from({ length: width }, (_, i) => `c${i + 1}`).join(',')];
  const records = random.int(200, 3000);
  for (let r = 0; r < records; r++) {
    if (random.chance(anomaly)) {
      lines.push(random.pick(['', Array.from({ length: width + 1 }, value).join(','), value(), `"${value()}"`]));
      continue;
    }
    lines.push(Array.from({ length: width }, (_, i) => (i === textColumn ? textValue() : value())).join(','));
  }
  const text = lines.join(crlf ? '\r\n' : '\n') + (random.chance(0.8) ? (crlf ? '\r\n' : '\n') : '');
  return { bytes: encoder.encode(text), width };
}

type Outcome = { result: ScanResult } | { error: string };

async function run(bytes: Uint8Array, mode: ScanMode, columns: string[] | null, engine: EngineName, window?: number): Promise<Outcome> {
  try {
    return { result: await scanBytes(bytes, { mode, columns, engine, threads: 1, ...(window ? { window } : {}) }, 'block.csv') };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function reference(bytes: Uint8Array, mode: ScanMode, columns: string[] | null): Outcome {
  try {
    return { result: referenceScan(bytes, { mode, columns, file: 'block.csv' }) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe.each([
  ['every quoting shape', generate],
  ['uniform runs (two-pass path)', generateUniform],
])('the SIMD block path agrees with the scalar kernel, js and the reference: %s', (_, generator) => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}`, async () => {
      const { bytes, width } = generator(seed);
      const random = new SeededRandom(seed * 7919);
      const queries: { mode: ScanMode; columns: string[] | null }[] = [
        { mode: 'count', columns: null },
        { mode: 'stats', columns: null },
        { mode: 'sum', columns: [`c${random.int(1, width)}`] },
        { mode: 'stats', columns: [`c${width}`] },
      ];
      const shown = JSON.stringify(new TextDecoder().decode(bytes)).slice(0, 3000);
      for (const { mode, columns } of queries) {
        const expected = reference(bytes, mode, columns);
        // the reference is exact; a column with numbers outside the exact domain may differ in
        // the last bits of sum/mean/stddev (docs/spec.md), so the engines are compared with each other
        // byte for byte and with the reference on everything else
        const first = JSON.stringify(await run(bytes, mode, columns, 'wasm'));
        for (const engine of ENGINES) {
          for (const window of WINDOWS) {
            const actual = await run(bytes, mode, columns, engine, window);
            const context = `seed ${seed} ${mode} ${JSON.stringify(columns)} ${engine} window ${window ?? 'default'}\n${shown}`;
            expect(JSON.stringify(actual), context).toBe(first);
            if ('error' in expected || 'error' in actual) {
              expect('error' in actual && 'error' in expected && actual.error === `block.csv: ${expected.error}`, context).toBe(true);
              continue;
            }
            expect(actual.result.rows, context).toBe(expected.result.rows);
            expect(actual.result.ragged, context).toEqual(expected.result.ragged);
            for (const [i, column] of (expected.result.columns ?? []).entries()) {
              const got = actual.result.columns![i]!;
              expect({ ...got, sum: null, mean: null, stddev: null }, context)
                .toEqual({ ...column, sum: null, mean: null, stddev: null });
              if (column.sum_text !== null) expect(got.sum, context).toBe(column.sum);
            }
          }
        }
      }
    });
  }
});

/** Every string of `length` bytes over `alphabet`. */
function allStrings(alphabet: number[], length: number): number[][] {
  let strings: number[][] = [[]];
  for (let i = 0; i < length; i++) strings = strings.flatMap((s) => alphabet.map((b) => [...s, b]));
  return strings;
}

describe('every short field over small alphabets: the one-word number paths', () => {
  // Digits, dots, signs, an exponent letter, spaces, a letter and a byte >= 0xFA (whose +6 carries
  // into the next byte of a SWAR word), in every order, at lengths up to 4; and digits, dots and
  // signs at lengths 5 to 9, so that the dot and the sign take every place in an 8-byte word.
  // (At length 4 the exponent letter goes: 7e77 is outside the exact domain, and a column with
  // such a number has no exact sum to compare.)
  const wide = [0x30, 0x37, 0x2e, 0x2d, 0x2b, 0x65, 0x20, 0x78, 0xff];
  const noExponent = wide.filter((b) => b !== 0x65);
  const narrow = [0x31, 0x2e, 0x2d];
  const groups: { name: string; fields: number[][] }[] = [
    { name: 'lengths 1-3, 9 bytes', fields: [1, 2, 3].flatMap((n) => allStrings(wide, n)) },
    { name: 'length 4, 8 bytes', fields: allStrings(noExponent, 4) },
    ...[5, 6, 7, 8, 9].map((n) => ({ name: `length ${n}, digits, dots and signs`, fields: allStrings(narrow, n) })),
    // a mantissa of 1 to 3 digits and dots, an exponent of up to 2 digits in every form, up to 9
    // bytes: the one-word exponent path, a positive exponent taken as an integer below 10^15 or not
    // (at most 111e15: inside the exact domain)
    {
      name: 'exponents, up to 9 bytes',
      fields: [1, 2, 3].flatMap((n) => allStrings([0x31, 0x30, 0x2e], n)).flatMap((mantissa) =>
        ['', '-', '+'].flatMap((sign) => ['e', 'E'].flatMap((e) =>
          ['', '0', '1', '9', '11', '12', '13', '15', '00', '+1', '-1', '+12', '-15', '-0', '+', '-', '1-'].map((exponent) =>
            [...encoder.encode(sign), ...mantissa, ...encoder.encode(e + exponent)])))),
    },
  ];
  for (const { name, fields } of groups) {
    for (const layout of ['uniform', 'ragged'] as const) {
      it(`${name}: ${fields.length} fields, ${layout} records`, async () => {
        // each field alone in column x; every 3rd record of the ragged layout lacks column y, which
        // keeps the SIMD build off its uniform runs
        const bytes: number[] = [...encoder.encode('x,y\n')];
        fields.forEach((field, i) => {
          bytes.push(...field, ...(layout === 'ragged' && i % 3 === 0 ? [] : [0x2c, 0x30]), 0x0a);
        });
        const input = Uint8Array.from(bytes);
        const expected = reference(input, 'stats', ['x']);
        expect('result' in expected).toBe(true);
        const want = (expected as { result: ScanResult }).result.columns![0]!;
        expect(want.count + want.invalid + want.empty).toBe(fields.length); // the input is what it seems
        expect(want.sum_text).not.toBeNull(); // so the sums are compared exactly
        for (const engine of ENGINES) {
          for (const window of [1, 7, 64, 4096, undefined]) {
            const actual = await run(input, 'stats', ['x'], engine, window);
            const context = `${engine} window ${window ?? 'default'}`;
            expect('result' in actual, context).toBe(true);
            const got = (actual as { result: ScanResult }).result.columns![0]!;
            expect({ ...got, sum: null, mean: null, stddev: null }, context).toEqual({ ...want, sum: null, mean: null, stddev: null });
            if (want.sum_text !== null) expect(got.sum, context).toBe(want.sum);
          }
        }
      });
    }
  }
});
