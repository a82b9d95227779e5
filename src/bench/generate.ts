// Deterministic CSV generator for benchmarks and tests: the samples of `csvscan bench`, and the
// files of the benchmark scripts in bench/ (bench/generate.ts is its command line).
//
// Rows are written byte by byte into a few reused buffers (no per-field strings); a buffer is handed
// out whenever it may not hold another row. The output depends only on kind, size and seed: never
// on the buffer size, the clock or Math.random.

import { open, rename, type FileHandle } from 'node:fs/promises';

export type CsvKind = 'numeric' | 'mixed';
export const CSV_KINDS: readonly CsvKind[] = ['numeric', 'mixed'];

/** Bumped whenever the bytes produced for a given kind/size/seed change (invalidates cached files). */
export const GENERATOR_VERSION = 1;
export const DEFAULT_SEED = 1;

export const NUMERIC_HEADER = ['id', 'price', 'qty', 'ratio', 'big', 'temp', 'sci'] as const;
export const MIXED_HEADER = ['id', 'name', 'comment', 'amount', 'score', 'date'] as const;
/** The column the benchmarks' `sum` adds in each kind: the first one holding measured values. */
export const SUM_COLUMN: Record<CsvKind, string> = { numeric: 'price', mixed: 'amount' };

export interface GenerateOptions {
  kind: CsvKind;
  /** generation stops at the first record end at or past this many bytes (header included) */
  sizeBytes: number;
  seed?: number;
}

interface GenerateSummary {
  bytes: number;
  /** data records (header excluded) */
  rows: number;
}

/** Short lowercase label for a size, used in file names: 1073741824 -> "1g", 65536 -> "64k". */
export function sizeLabel(bytes: number): string {
  for (const [unit, scale] of [['t', 2 ** 40], ['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) {
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return `${bytes}b`;
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast counter PRNG): 32-bit integer ops only, so it is fast in
 * V8 and bit-for-bit reproducible. Seeded through splitmix32 so that nearby seeds diverge at once.
 */
class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number) {
    let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x9e3779b1);
    const splitmix32 = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    for (let i = 0; i < 12; i++) this.nextInt32();
  }

  /** 32 random bits as a signed int32 (int32 keeps V8 on its fast integer paths). */
  nextInt32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t;
  }

  /** Integer in [0, bound), bound <= 2^32 (multiply-shift; the tiny bias is irrelevant here). */
  below(bound: number): number {
    return Math.floor((this.nextInt32() >>> 0) * (bound / 4294967296));
  }
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const MINUS = 0x2d;
const DOT = 0x2e;
const SPACE = 0x20;
const ZERO = 0x30;

const POW10: number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** "0000".."9999" as four ASCII bytes each: integers are written four digits per lookup. */
const DIGIT_QUADS = new Uint8Array(40000);
for (let i = 0; i < 10000; i++) {
  DIGIT_QUADS[4 * i] = ZERO + Math.floor(i / 1000);
  DIGIT_QUADS[4 * i + 1] = ZERO + (Math.floor(i / 100) % 10);
  DIGIT_QUADS[4 * i + 2] = ZERO + (Math.floor(i / 10) % 10);
  DIGIT_QUADS[4 * i + 3] = ZERO + (i % 10);
}

// The writers below take and return the write position. Values are kept int32 (`| 0`) wherever
// they fit: `%` and `/` on double-typed values are far slower in V8.

/** Writes an integer in [0, 10000) as exactly four digits. */
function write4(buf: Uint8Array, pos: number, value: number): number {
  const quad = value << 2;
  buf[pos] = DIGIT_QUADS[quad];
  buf[pos + 1] = DIGIT_QUADS[quad + 1];
  buf[pos + 2] = DIGIT_QUADS[quad + 2];
  buf[pos + 3] = DIGIT_QUADS[quad + 3];
  return pos + 4;
}

/** Writes an integer in [0, 10000) without leading zeros. */
function writeUpTo4(buf: Uint8Array, pos: number, value: number): number {
  const digits = value < 100 ? (value < 10 ? 1 : 2) : value < 1000 ? 3 : 4;
  const quadEnd = (value << 2) + 4;
  for (let i = quadEnd - digits; i < quadEnd; i++) buf[pos++] = DIGIT_QUADS[i];
  return pos;
}

/** Writes an integer in [0, 1e8) without leading zeros. */
function writeUpTo8(buf: Uint8Array, pos: number, value: number): number {
  if (value < 10000) return writeUpTo4(buf, pos, value);
  const high = (value / 10000) | 0;
  return write4(buf, writeUpTo4(buf, pos, high), value - high * 10000);
}

/** Writes an integer in [0, 1e8) as exactly `width` (1..8) digits, zero-padded. */
function writePadded(buf: Uint8Array, pos: number, value: number, width: number): number {
  const high = (value / 10000) | 0;
  const low = value - high * 10000;
  if (width <= 4) {
    const quad = low << 2;
    for (let i = 4 - width; i < 4; i++) buf[pos++] = DIGIT_QUADS[quad + i];
    return pos;
  }
  const highQuad = high << 2;
  for (let i = 8 - width; i < 4; i++) buf[pos++] = DIGIT_QUADS[highQuad + i];
  return write4(buf, pos, low);
}

/** Writes a non-negative integer < 1e16 in decimal. */
function writeUint(buf: Uint8Array, pos: number, value: number): number {
  if (value < 1e8) return writeUpTo8(buf, pos, value | 0);
  const high = Math.floor(value / 1e8);
  const low = (value - high * 1e8) | 0;
  return writePadded(buf, writeUpTo8(buf, pos, high | 0), low, 8);
}

/** Writes `units / 10^decimals` (units in [0, 1e15), decimals 0..8) with exactly `decimals` fraction digits. */
function writeFixed(buf: Uint8Array, pos: number, units: number, decimals: number): number {
  if (decimals === 0) return writeUint(buf, pos, units);
  const scale = POW10[decimals];
  const whole = Math.floor(units / scale);
  pos = writeUint(buf, pos, whole);
  buf[pos++] = DOT;
  return writePadded(buf, pos, (units - whole * scale) | 0, decimals);
}

function ascii(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function copyBytes(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  // Short fields: a plain loop beats Buffer#copy's call overhead.
  for (let i = 0; i < bytes.length; i++) buf[pos + i] = bytes[i];
  return pos + bytes.length;
}

/** One row writer per kind: writes a record (with its terminator) at `pos` and returns the end. */
interface RowWriter {
  header: Buffer;
  /** upper bound of one record's length, so the buffer is flushed before it could overflow */
  maxRowBytes: number;
  writeRow(buf: Uint8Array, pos: number, id: number): number;
}

function numericRowWriter(prng: Prng): RowWriter {
  return {
    header: ascii(NUMERIC_HEADER.join(',') + '\n'),
    maxRowBytes: 128,
    writeRow(buf, pos, id) {
      // Small fields share two draws of 32 bits; the modulo bias is irrelevant for benchmark data.
      const bits = prng.nextInt32();
      const moreBits = prng.nextInt32();
      // id: the record number
      pos = writeUint(buf, pos, id);
      buf[pos++] = COMMA;
      // price: 0.00 .. 99999.99, two decimals
      pos = writeUpTo8(buf, pos, prng.below(100000));
      buf[pos++] = DOT;
      pos = writePadded(buf, pos, (bits & 127) % 100, 2);
      buf[pos++] = COMMA;
      // qty: 0 .. 99
      pos = writeUpTo4(buf, pos, ((bits >>> 7) & 127) % 100);
      buf[pos++] = COMMA;
      // ratio: -9.999999 .. 9.999999 with one to six decimals (trailing zeros kept), a quarter negative
      const ratioDecimals = 1 + (((bits >>> 14) & 7) % 6);
      if (((bits >>> 17) & 3) === 0) buf[pos++] = MINUS;
      buf[pos++] = ZERO + ((moreBits & 15) % 10);
      buf[pos++] = DOT;
      pos = writePadded(buf, pos, prng.below(POW10[ratioDecimals]), ratioDecimals);
      buf[pos++] = COMMA;
      // big: an integer of 1 to 15 digits. Its 15-digit text (8 + 7 digits, the first nonzero) is
      // written whole, then 0 to 14 trailing digits are dropped: cheaper than dividing a double.
      pos = writeUpTo8(buf, pos, 10_000_000 + prng.below(90_000_000));
      pos = writePadded(buf, pos, prng.below(10_000_000), 7);
      pos -= ((moreBits >>> 4) & 15) % 15;
      buf[pos++] = COMMA;
      // temp: -40.0 .. 50.0, one decimal
      const tenths = (((moreBits >>> 8) & 1023) % 901) - 400;
      if (tenths < 0) buf[pos++] = MINUS;
      const absoluteTenths = tenths < 0 ? -tenths : tenths;
      const wholeDegrees = (absoluteTenths / 10) | 0;
      pos = writeUpTo4(buf, pos, wholeDegrees);
      buf[pos++] = DOT;
      buf[pos++] = ZERO + absoluteTenths - wholeDegrees * 10;
      buf[pos++] = COMMA;
      // sci: d.ddde[-]x with exponent -6 .. 6, an eighth negative
      if (((bits >>> 19) & 7) === 0) buf[pos++] = MINUS;
      buf[pos++] = ZERO + 1 + (((moreBits >>> 18) & 15) % 9);
      buf[pos++] = DOT;
      pos = writePadded(buf, pos, ((bits >>> 22) & 1023) % 1000, 3);
      buf[pos++] = 0x65; // 'e'
      const exponent = ((moreBits >>> 22) % 13) - 6;
      if (exponent < 0) buf[pos++] = MINUS;
      buf[pos++] = ZERO + (exponent < 0 ? -exponent : exponent);
      buf[pos++] = LF;
      return pos;
    },
  };
}

const FIRST_NAMES = [
  'Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger',
  'Radia', 'Donald', 'Hedy', 'Tim', 'Sophie', 'Guido', 'Anita', 'Bjarne', 'Karen', 'John',
].map(ascii);
const LAST_NAMES = [
  'Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen',
  'Dijkstra', 'Perlman', 'Knuth', 'Lamarr', 'Berners-Lee', 'Wilson', 'van Rossum', 'Borg',
  'Stroustrup', 'Sparck Jones', 'McCarthy',
].map(ascii);
const NICKNAMES = ['Ace', 'Doc', 'Bits', 'Hex', 'Byte', 'Null'].map(ascii);
const WORDS = [
  'the', 'order', 'shipped', 'late', 'customer', 'asked', 'for', 'a', 'refund', 'again', 'box',
  'damaged', 'on', 'arrival', 'great', 'service', 'will', 'buy', 'more', 'price', 'too', 'high',
  'delivered', 'to', 'wrong', 'address', 'ok', 'thanks', 'see', 'ticket', 'résumé', 'naïve', '€5',
].map((word) => Buffer.from(word, 'utf8'));
/** Each word preceded by a space, to copy separator and word in one go. */
const SPACED_WORDS = WORDS.map((word) => Buffer.concat([ascii(' '), word]));
const MAX_WORD_BYTES = Math.max(...WORDS.map((word) => word.length));
const MAX_COMMENT_WORDS = 12;
const CRLF_BYTES = ascii('\r\n');
const NA_BYTES = ascii('NA');
/** `First Last` and `"Last, First"` for every pair, indexed first * LAST_NAMES.length + last. */
const PLAIN_NAMES = FIRST_NAMES.flatMap((first) => LAST_NAMES.map((last) => Buffer.concat([first, ascii(' '), last])));
const QUOTED_NAMES = FIRST_NAMES.flatMap((first) =>
  LAST_NAMES.map((last) => Buffer.concat([ascii('"'), last, ascii(', '), first, ascii('"')])),
);
const MAX_NAME_BYTES = Math.max(...QUOTED_NAMES.map((name) => name.length)) + 16;

/** Days in each month of a non-leap year; dates never need Date objects (or time zones). */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function mixedRowWriter(prng: Prng): RowWriter {
  /** Words separated by spaces, or also by CRLF, LF and ", " when `newlines` (each 1 in 10). */
  const writeWords = (buf: Uint8Array, pos: number, count: number, newlines: boolean): number => {
    pos = copyBytes(buf, pos, WORDS[prng.below(WORDS.length)]);
    for (let i = 1; i < count; i++) {
      const wordBits = prng.nextInt32();
      const word = (wordBits & 0xffff) % WORDS.length;
      const separator = newlines ? (wordBits >>> 16) % 10 : 9;
      if (separator >= 3) {
        pos = copyBytes(buf, pos, SPACED_WORDS[word]);
        continue;
      }
      if (separator === 0) pos = copyBytes(buf, pos, CRLF_BYTES);
      else if (separator === 1) buf[pos++] = LF;
      else {
        buf[pos++] = COMMA;
        buf[pos++] = SPACE;
      }
      pos = copyBytes(buf, pos, WORDS[word]);
    }
    return pos;
  };

  return {
    header: ascii(MIXED_HEADER.join(',') + '\r\n'),
    maxRowBytes: 128 + MAX_COMMENT_WORDS * (MAX_WORD_BYTES + 2) + MAX_NAME_BYTES,
    writeRow(buf, pos, id) {
      // Small choices share a few 32-bit draws; the modulo bias is irrelevant for benchmark data.
      const bits = prng.nextInt32();
      const moreBits = prng.nextInt32();
      const dateBits = prng.nextInt32();

      pos = writeUint(buf, pos, id);
      buf[pos++] = COMMA;

      // name: `First Last`; 10% `"Last, First"`; 3% `"First ""Nick"" Last"`
      const first = (bits & 31) % FIRST_NAMES.length;
      const last = ((bits >>> 5) & 31) % LAST_NAMES.length;
      const nameStyle = ((bits >>> 10) & 127) % 100;
      if (nameStyle < 10) {
        pos = copyBytes(buf, pos, QUOTED_NAMES[first * LAST_NAMES.length + last]);
      } else if (nameStyle < 13) {
        buf[pos++] = QUOTE;
        pos = copyBytes(buf, pos, FIRST_NAMES[first]);
        buf[pos++] = SPACE;
        buf[pos++] = QUOTE;
        buf[pos++] = QUOTE;
        pos = copyBytes(buf, pos, NICKNAMES[(dateBits >>> 16) % NICKNAMES.length]);
        buf[pos++] = QUOTE;
        buf[pos++] = QUOTE;
        buf[pos++] = SPACE;
        pos = copyBytes(buf, pos, LAST_NAMES[last]);
        buf[pos++] = QUOTE;
      } else {
        pos = copyBytes(buf, pos, PLAIN_NAMES[first * LAST_NAMES.length + last]);
      }
      buf[pos++] = COMMA;

      // comment: 20% empty; else 1 to 12 quoted words, a quarter of them with CRLF/LF/", " inside
      const commentStyle = ((bits >>> 17) & 127) % 100;
      if (commentStyle >= 20) {
        buf[pos++] = QUOTE;
        pos = writeWords(buf, pos, 1 + (((bits >>> 24) & 15) % MAX_COMMENT_WORDS), commentStyle < 40);
        buf[pos++] = QUOTE;
      }
      buf[pos++] = COMMA;

      // amount: -5000.00 .. 44999.99; about 80% with two decimals, the rest whole
      const cents = prng.below(5_000_000) - 500_000;
      if (cents < 0) buf[pos++] = MINUS;
      const absoluteCents = cents < 0 ? -cents : cents;
      const wholeAmount = (absoluteCents / 100) | 0;
      pos = writeUpTo8(buf, pos, wholeAmount);
      if (((bits >>> 28) & 15) >= 3) {
        buf[pos++] = DOT;
        pos = writePadded(buf, pos, absoluteCents - wholeAmount * 100, 2);
      }
      buf[pos++] = COMMA;

      // score: 0.0 .. 100.0; 5% NA
      if ((moreBits & 0xffff) % 20 === 0) pos = copyBytes(buf, pos, NA_BYTES);
      else pos = writeFixed(buf, pos, (moreBits >>> 16) % 1001, 1);
      buf[pos++] = COMMA;

      // date: 2000-01-01 .. 2029-12-31 (no Feb 29)
      const month = ((dateBits >>> 5) & 15) % 12;
      pos = write4(buf, pos, 2000 + (dateBits & 31) % 30);
      buf[pos++] = MINUS;
      pos = writePadded(buf, pos, month + 1, 2);
      buf[pos++] = MINUS;
      pos = writePadded(buf, pos, 1 + (((dateBits >>> 9) & 31) % MONTH_DAYS[month]), 2);
      buf[pos++] = CR;
      buf[pos++] = LF;
      return pos;
    },
  };
}

function rowWriterFor(kind: CsvKind, prng: Prng): RowWriter {
  if (kind === 'numeric') return numericRowWriter(prng);
  if (kind === 'mixed') return mixedRowWriter(prng);
  throw new Error(`unknown kind: ${String(kind)} (expected ${CSV_KINDS.join(' or ')})`);
}

const DEFAULT_CHUNK_BYTES = 4 << 20;

/**
 * Yields the CSV as consecutive chunks, each a view of one of `bufferCount` buffers used in turn:
 * a chunk stays valid until `bufferCount` more chunks have been asked for (so one may be written
 * to disk while the next ones are generated). The summary is the generator's return value.
 */
export function* generateChunks(
  options: GenerateOptions,
  chunkBytes = DEFAULT_CHUNK_BYTES,
  bufferCount = 1,
): Generator<Uint8Array, GenerateSummary, void> {
  const writer = rowWriterFor(options.kind, new Prng(options.seed ?? DEFAULT_SEED));
  const bufferBytes = Math.max(chunkBytes, 2 * writer.maxRowBytes + writer.header.length);
  const buffers = Array.from({ length: bufferCount }, () => new Uint8Array(bufferBytes));
  const flushAt = bufferBytes - writer.maxRowBytes;
  let bufferIndex = 0;
  let buffer = buffers[0];
  let pos = copyBytes(buffer, 0, writer.header);
  let written = 0;
  let rows = 0;
  // The header alone may already reach the size: then the file is the header only.
  while (written + pos < options.sizeBytes) {
    pos = writer.writeRow(buffer, pos, ++rows);
    if (pos > flushAt) {
      yield buffer.subarray(0, pos);
      written += pos;
      pos = 0;
      bufferIndex = (bufferIndex + 1) % bufferCount;
      buffer = buffers[bufferIndex];
    }
  }
  if (pos > 0) yield buffer.subarray(0, pos);
  return { bytes: written + pos, rows };
}

/** Generates the whole CSV in memory (for tests and small sizes). */
export function generateCsvBytes(options: GenerateOptions): Buffer {
  const chunks: Buffer[] = [];
  for (const chunk of generateChunks(options)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Chunks generated ahead while earlier ones are being written (the writes run off the main thread). */
const BUFFERS_IN_FLIGHT = 3;

/**
 * Streams the CSV to `path`: writes run in libuv's thread pool while the next chunks are generated.
 * It goes to a temporary file renamed at the end, so an interrupted run leaves no plausible file.
 */
export async function generateCsvFile(path: string, options: GenerateOptions): Promise<GenerateSummary> {
  const temporaryPath = `${path}.partial`;
  const file = await open(temporaryPath, 'w');
  const pendingWrites: Promise<void>[] = [];
  let summary: GenerateSummary;
  try {
    const chunks = generateChunks(options, DEFAULT_CHUNK_BYTES, BUFFERS_IN_FLIGHT);
    let fileOffset = 0;
    for (;;) {
      // The generator is about to refill the buffer of the oldest pending write: let it finish.
      if (pendingWrites.length >= BUFFERS_IN_FLIGHT - 1) await pendingWrites.shift();
      const next = chunks.next();
      if (next.done) {
        summary = next.value;
        break;
      }
      pendingWrites.push(writeFully(file, next.value, fileOffset));
      fileOffset += next.value.length;
    }
    await Promise.all(pendingWrites);
  } finally {
    await Promise.allSettled(pendingWrites);
    await file.close();
  }
  await rename(temporaryPath, path);
  return summary;
}

/** Writes all of `bytes` at `position` (explicit positions keep concurrent writes in order). */
async function writeFully(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
