// Seeded random CSV inputs for the differential test: every corner of docs/spec.md's grammar and number
// forms, mixed at random but reproducibly (a seed always gives the same bytes). The generator only
// has to produce valid, varied bytes; what they mean is decided by the reference, not here.

export interface GeneratorOptions {
  /** data rows at most (default 30) */
  maxRows?: number;
  /** columns at most (default 6) */
  maxColumns?: number;
  /**
   * Also numbers near the double range's ends (1e300, 1e-320, 1e400). Off by default: their squares
   * overflow or underflow, which makes a double-based stddev meaningless to compare.
   */
  extremeExponents?: boolean;
  /** end the input with a record end (default: random) */
  trailingNewline?: boolean;
}

export interface GeneratedCsv {
  bytes: Uint8Array;
  header: boolean;
  delimiter: number;
  quote: number;
  /** the header's names as written (decoded), when there is a header */
  columnNames?: string[];
  /** how many columns the rows were built with (before raggedness) */
  width: number;
}

export interface GeneratedUnterminated {
  bytes: Uint8Array;
  header: boolean;
  delimiter: number;
  quote: number;
  /** where the quote that never closes is: physical 1-based line and 0-based byte offset */
  expected: { line: number; byte: number };
}

/** mulberry32: a tiny, well-known 32-bit PRNG; enough to vary inputs, trivially reproducible. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** uniform integer in [low, high] */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  digits(count: number, firstNonZero = false): string {
    let text = '';
    for (let i = 0; i < count; i++) text += String(i === 0 && firstNonZero ? this.int(1, 9) : this.int(0, 9));
    return text;
  }
}

const encoder = new TextEncoder();
const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const BOM = [0xef, 0xbb, 0xbf];

function bytesOf(text: string): Uint8Array {
  return encoder.encode(text);
}

// ---------------------------------------------------------------------------------------------
// Field tokens (the value a field should hold, before quoting)
// ---------------------------------------------------------------------------------------------

/** Numbers in the exact decimal domain: <= 18 significant digits, 0 or magnitude in [1e-18, 1e18). */
function exactNumber(random: SeededRandom): string {
  const sign = random.pick(['', '', '', '-', '+']);
  switch (random.int(0, 15)) {
    case 0:
      return sign + random.digits(random.int(1, 6));
    case 1:
      return sign + random.digits(random.int(1, 5)) + '.' + random.digits(random.int(1, 6));
    case 2:
      return sign + '.' + random.digits(random.int(1, 8)); // .5
    case 3:
      return sign + random.digits(random.int(1, 4)) + '.'; // 5.
    case 4:
      return random.pick(['-0', '+0', '0', '0.000', '-0.0', '000', '-.0', '0e5', '-0E-7']);
    case 5: {
      const mantissa = random.digits(random.int(1, 3), true) + random.pick(['', '.' + random.digits(2)]);
      return sign + mantissa + random.pick(['e', 'E']) + random.pick(['', '+', '-']) + random.int(0, 9);
    }
    case 6:
      return sign + '0.' + random.digits(17); // 17-digit fraction
    case 7:
      return sign + random.digits(18, true); // 18-digit integer, below 1e18
    case 8:
      return random.pick([
        '999999999999999999',
        '-999999999999999999',
        '0.000000000000000001',
        '1e-18',
        '-1E-18',
        '9.99999999999999999e17',
        '100000000000000000',
        '0.123456789012345678',
      ]);
    case 9:
      return sign + '00' + random.digits(random.int(1, 3)) + '.' + random.digits(2) + '000'; // zeros that are not significant
    case 10:
      return sign + random.digits(9, true) + '.' + random.digits(9); // 18 significant digits
    case 11:
      return random.pick([' ', '\t', '  ']) + exactNumber(random) + random.pick([' ', '\t', '', ' \t']);
    case 12:
      return sign + random.digits(2) + '.' + random.digits(1) + 'e-' + random.int(10, 16); // tiny but in domain
    case 13:
      return random.pick(EXACT_EDGES);
    default:
      return sign + random.digits(random.int(1, 3)) + '.' + random.digits(random.int(0, 3));
  }
}

/**
 * At the edges of the exact domain, inside it: 18 significant digits whatever the exponent, 1e-18
 * written many ways, zeros that are not significant, exponents with many digits, `5.e3`, `+.5e-3`.
 */
const EXACT_EDGES = [
  '123456789012345678e-18',
  '-123456789012345678E-35',
  '0.1e-17',
  '10e-19',
  '0.00000000000000000100',
  '0.99e18',
  '99999999999999999.9',
  '-0.999999999999999999',
  '9e17',
  '-9.99999999999999999E+17',
  '000000000000000000000000001',
  '100000000000000000000e-3',
  '1.00000000000000000000000000000',
  '1e+0000000000000000017',
  '0e999999999999',
  '-0.0e-400',
  '5.e3',
  '+.5e-3',
  '.5E+2',
  '1e-0',
  '+0.000000000000000001',
];

/** Cents: the classic case where summing doubles drifts and exact sums must not. */
function moneyNumber(random: SeededRandom): string {
  return random.pick(['', '', '-']) + String(random.int(0, 99999)) + '.' + random.digits(2);
}

/** Numbers outside the exact domain: too many digits or too large/small in magnitude. */
function outsideNumber(random: SeededRandom, extremeExponents: boolean): string {
  const sign = random.pick(['', '', '-']);
  switch (random.int(0, extremeExponents ? 9 : 7)) {
    case 0:
      return sign + random.digits(19, true); // 19 digits
    case 1:
      return sign + random.digits(20, true); // 20 digits
    case 2:
      return sign + '0.' + random.digits(18, true) + random.int(1, 9); // 19 significant digits
    case 3:
      return sign + random.pick(['1e18', '1E+18', '1e-19', '1000000000000000000', '0.0000000000000000009']);
    case 4:
      return sign + random.digits(1, true) + '.' + random.digits(3) + 'e' + random.int(19, 150);
    case 5:
      return sign + random.digits(1, true) + '.' + random.digits(3) + 'e-' + random.int(19, 150);
    case 6:
      return sign + random.digits(random.int(21, 30), true) + '.' + random.digits(3);
    case 7:
      return random.pick(OUTSIDE_EDGES);
    case 8:
      return sign + random.pick(['1e300', '1.7976931348623157e308', '4.9e-324', '1e-320', '2.2250738585072014e-308']);
    default:
      return sign + random.pick(['1e400', '1e-400', '1e99999999999', '1e-99999999999']); // Infinity, and an underflow to 0
  }
}

/** Just outside the exact domain: one digit too many, or a magnitude of 1e18 or below 1e-18, however written. */
const OUTSIDE_EDGES = [
  '1234567890123456789e-19',
  '999999999999999999.9',
  '9.9e-19',
  '1.0e18',
  '-1e+0000000000000000018',
  '10000000000000000000e-1',
  '0.000000000000000000999999999999999999',
  '0.1234567890123456789',
  '-100000000000000000.1',
];

const INVALID_TOKENS = [
  'NA',
  'N/A',
  '1,5',
  '0x1F',
  'Infinity',
  '-Infinity',
  'NaN',
  '1_000',
  '--1',
  '+-1',
  '١٢', // Arabic-Indic digits
  '１２', // full-width digits
  '1e',
  '1e+',
  '.',
  'e5',
  '.e1',
  '+',
  '-',
  '1.2.3',
  '$5',
  '5%',
  '0b101',
  '1 2',
  '1e5.5',
  '½',
  'TRUE',
  '1\u00a0', // a no-break space is not trimmed
  '\r5', // nor is a CR
  '\v5', // nor a vertical tab
  '1e5e5',
  '1e+-5',
  '++1',
  '1-',
  '- 1',
  '5..',
  '1E',
  '0x',
  'inf',
  'nan',
  '1d5',
  '0o7',
  '٣.٥', // Arabic-Indic digits around an ASCII point
  '1,000.5',
];

function invalidToken(random: SeededRandom): string {
  return random.pick(INVALID_TOKENS);
}

const TEXT_TOKENS = [
  'hello',
  'naïve café',
  '日本語テキスト',
  'emoji 😀 ok',
  'say "hi"',
  'a,b;c|d\te',
  'line1\nline2',
  'crlf\r\nend',
  'lone\rcr',
  'x"y',
  '"',
  '""',
  'ends with quote"',
  '\n',
  '\r\n',
  ',',
  'a' + 'é'.repeat(40), // 81 bytes: the 64-byte cut splits an é
  '日'.repeat(30), // 90 bytes: the cut splits a 3-byte character
  'x'.repeat(100),
];

/** Field values as bytes: text, and now and then bytes that are not valid UTF-8. */
function textToken(random: SeededRandom): Uint8Array {
  if (random.chance(0.05)) return Uint8Array.of(0x66, 0xff, 0x6f, 0xc3); // invalid UTF-8, passed through
  return bytesOf(random.pick(TEXT_TOKENS));
}

function emptyToken(random: SeededRandom): string {
  return random.pick(['', '', ' ', '\t', ' \t ']);
}

type ColumnProfile = 'exact' | 'money' | 'wide' | 'text' | 'mixed' | 'noNumbers';
const PROFILES: readonly ColumnProfile[] = ['exact', 'exact', 'money', 'wide', 'text', 'mixed', 'mixed', 'noNumbers'];

function tokenFor(profile: ColumnProfile, random: SeededRandom, options: GeneratorOptions): Uint8Array {
  const roll = random.next();
  const extreme = options.extremeExponents ?? false;
  let token: string | Uint8Array;
  switch (profile) {
    case 'exact':
      token = roll < 0.85 ? exactNumber(random) : roll < 0.95 ? emptyToken(random) : invalidToken(random);
      break;
    case 'money':
      token = roll < 0.9 ? moneyNumber(random) : emptyToken(random);
      break;
    case 'wide':
      token = roll < 0.6 ? exactNumber(random) : roll < 0.9 ? outsideNumber(random, extreme) : emptyToken(random);
      break;
    case 'text':
      token = roll < 0.8 ? textToken(random) : roll < 0.9 ? exactNumber(random) : emptyToken(random);
      break;
    case 'mixed':
      token =
        roll < 0.5
          ? exactNumber(random)
          : roll < 0.65
            ? emptyToken(random)
            : roll < 0.8
              ? invalidToken(random)
              : roll < 0.9
                ? outsideNumber(random, extreme)
                : textToken(random);
      break;
    case 'noNumbers':
      token = roll < 0.5 ? emptyToken(random) : roll < 0.8 ? invalidToken(random) : textToken(random);
      break;
  }
  return typeof token === 'string' ? bytesOf(token) : token;
}

// ---------------------------------------------------------------------------------------------
// Quoting and layout
// ---------------------------------------------------------------------------------------------

interface Dialect {
  delimiter: number;
  quote: number;
  lineEnding: 'lf' | 'crlf' | 'mixed';
}

/** Whether a value written as is would be read back differently (or open a quote). */
function needsQuoting(value: Uint8Array, dialect: Dialect): boolean {
  if (value.length > 0 && value[0] === dialect.quote) return true;
  for (let i = 0; i < value.length; i++) {
    const byte = value[i]!;
    if (byte === dialect.delimiter || byte === LF) return true;
    if (byte === CR && (i + 1 === value.length || value[i + 1] === LF)) return true; // CR then record end
  }
  return false;
}

function quoted(value: Uint8Array, quote: number): number[] {
  const out = [quote];
  for (const byte of value) {
    out.push(byte);
    if (byte === quote) out.push(quote);
  }
  out.push(quote);
  return out;
}

/**
 * Bytes written after a closing quote: appended to the field. No delimiter or LF, and no quote
 * first, which would make the closing quote a doubled one.
 */
function tailAfterQuote(random: SeededRandom, quote: number): number[] {
  return random.pick([[0x78], [0x20], [0x31, 0x32], [0x78, quote], [0x61, quote, 0x62], [0x20, 0x09]]);
}

function encodeField(value: Uint8Array, dialect: Dialect, random: SeededRandom, allowTail = true): number[] {
  const mustQuote = needsQuoting(value, dialect);
  if (!mustQuote && !random.chance(0.2)) return Array.from(value);
  const out = quoted(value, dialect.quote);
  if (allowTail && random.chance(0.08)) out.push(...tailAfterQuote(random, dialect.quote));
  return out;
}

function recordEnd(dialect: Dialect, random: SeededRandom): number[] {
  const crlf = dialect.lineEnding === 'crlf' || (dialect.lineEnding === 'mixed' && random.chance(0.5));
  return crlf ? [CR, LF] : [LF];
}

const HEADER_NAMES = [
  'id',
  'price',
  'qty',
  'amount',
  'total',
  '名前',
  'naïve',
  'a,b',
  'x y',
  'say "hi"',
  '2',
  '1',
  '',
  'Price',
  ' padded ',
];

/** Header names: mostly distinct, sometimes a duplicate or a number that is also an index. */
function headerNames(width: number, random: SeededRandom): string[] {
  const names: string[] = [];
  for (let i = 0; i < width; i++) {
    let name = random.pick(HEADER_NAMES);
    if (name === '' && width === 1) name = 'only'; // a lone empty name would be an empty line, not a header
    if (names.includes(name) && !random.chance(0.1)) name = `col${i + 1}`;
    names.push(name);
  }
  return names;
}

function writeRecord(fields: Uint8Array[], dialect: Dialect, random: SeededRandom, allowTails = true): number[] {
  const out: number[] = [];
  fields.forEach((field, i) => {
    if (i > 0) out.push(dialect.delimiter);
    out.push(...encodeField(field, dialect, random, allowTails));
  });
  return out;
}

/**
 * Mostly the usual dialects; now and then any byte docs/spec.md allows: a space or `:` as delimiter, a
 * quote byte that is also ordinary text (`|`) or part of numbers (`-`, `.`).
 */
function pickDialect(random: SeededRandom): Dialect {
  const delimiter = random.chance(0.9)
    ? random.pick([0x2c, 0x2c, 0x3b, TAB, 0x7c]) // , ; TAB |
    : random.pick([0x20, 0x3a, 0x1f]); // space : unit separator
  let quote = random.chance(0.8) ? 0x22 : random.pick([0x27, 0x27, 0x60, 0x7c, 0x7e, 0x2d, 0x2e]); // " ' ` | ~ - .
  if (quote === delimiter) quote = 0x22;
  return { delimiter, quote, lineEnding: random.pick(['lf', 'crlf', 'mixed'] as const) };
}

/** One random CSV for `seed`; the same seed and options always give the same bytes. */
export function generateCsv(seed: number, options: GeneratorOptions = {}): GeneratedCsv {
  const random = new SeededRandom(seed);
  const dialect = pickDialect(random);
  const width = random.int(1, options.maxColumns ?? 6);
  const rowCount = random.int(0, options.maxRows ?? 30);
  const header = random.chance(0.7);
  const profiles = Array.from({ length: width }, () => random.pick(PROFILES));
  const raggedRate = random.pick([0, 0, 0.05, 0.2]);
  const blankLineRate = random.pick([0, 0, 0.05, 0.15]);

  const out: number[] = [];
  if (random.chance(0.15)) out.push(...BOM);

  // Lines between records: an empty line, a CR-only line, or rarely (never before the header) a
  // `""` record, a record of spaces and tabs, or a lone CR: an ordinary byte that begins the next
  // record's first field (not before a quoted one, which it would unquote).
  const maybeBlankLines = (beforeHeader: boolean, nextByte: number | undefined): void => {
    while (random.chance(blankLineRate)) {
      const kind = random.int(0, 11);
      if (kind < 5) out.push(LF);
      else if (kind < 9 || beforeHeader) out.push(CR, LF);
      else if (kind === 9) out.push(dialect.quote, dialect.quote, ...recordEnd(dialect, random));
      else if (kind === 10) out.push(...bytesOf(random.pick([' ', '\t', ' \t '])), ...recordEnd(dialect, random));
      else if (nextByte !== dialect.quote) out.push(CR);
    }
  };

  const records: number[][] = [];
  let columnNames: string[] | undefined;
  if (header) {
    columnNames = headerNames(width, random);
    records.push(writeRecord(columnNames.map(bytesOf), dialect, random, false)); // names as written
  }
  for (let row = 0; row < rowCount; row++) {
    let fields = profiles.map((profile) => tokenFor(profile, random, options));
    if (random.chance(raggedRate)) {
      if (random.chance(0.5) && fields.length > 1) fields = fields.slice(0, random.int(1, fields.length - 1));
      else for (let extra = random.int(1, 3); extra > 0; extra--) fields.push(tokenFor('mixed', random, options));
    }
    records.push(writeRecord(fields, dialect, random));
  }

  const trailingNewline = options.trailingNewline ?? random.chance(0.7);
  records.forEach((record, i) => {
    maybeBlankLines(header && i === 0, record[0]);
    out.push(...record);
    if (i < records.length - 1 || trailingNewline) out.push(...recordEnd(dialect, random));
  });
  // What follows may be an opening quote (generateUnterminated appends one): no lone CR before it.
  if (trailingNewline) maybeBlankLines(header && records.length === 0, dialect.quote);
  else if (options.trailingNewline === undefined && random.chance(0.05)) out.push(CR); // a lone CR at the very end

  return {
    bytes: Uint8Array.from(out),
    header,
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    width,
    ...(columnNames !== undefined ? { columnNames } : {}),
  };
}

/** Quoted content that never closes: no lone quote, though doubled ones, LF and CRLF are fine. */
function unclosedContent(random: SeededRandom, dialect: Dialect): number[] {
  const pieces: number[][] = [];
  for (let count = random.int(0, 4); count > 0; count--) {
    pieces.push(
      random.pick([
        Array.from(bytesOf('text')),
        [dialect.delimiter],
        [LF],
        [CR, LF],
        [CR],
        [dialect.quote, dialect.quote],
        // doubled where the quote byte is a byte of it (a `.` quote)
        Array.from(bytesOf('12.5')).flatMap((byte) => (byte === dialect.quote ? [byte, byte] : [byte])),
        Array.from(bytesOf('é')),
      ]),
    );
  }
  return pieces.flat();
}

/** A valid CSV followed by a field whose opening quote is never closed. */
export function generateUnterminated(seed: number, options: GeneratorOptions = {}): GeneratedUnterminated {
  const random = new SeededRandom(seed ^ 0x5bd1e995);
  const base = generateCsv(seed, { ...options, trailingNewline: true });
  const dialect: Dialect = { delimiter: base.delimiter, quote: base.quote, lineEnding: 'mixed' };

  const out: number[] = [];
  const prefixKind = random.int(0, 9);
  if (prefixKind === 0) {
    if (random.chance(0.5)) out.push(...BOM); // the very first field opens the quote
  } else {
    out.push(...base.bytes);
  }
  // Optionally some complete fields of the same record before the unclosed one.
  for (let fields = random.int(0, 2); fields > 0; fields--) {
    out.push(...encodeField(bytesOf(exactNumber(random)), dialect, random), dialect.delimiter);
  }
  const quoteByte = out.length;
  let line = 1;
  for (const byte of out) if (byte === LF) line += 1; // physical lines: every LF before the quote
  out.push(dialect.quote, ...unclosedContent(random, dialect));

  return {
    bytes: Uint8Array.from(out),
    header: base.header,
    delimiter: base.delimiter,
    quote: base.quote,
    expected: { line, byte: quoteByte },
  };
}
