// The first record, read by the host before the kernel starts: the header's names resolve `-c NAME`,
// and without a header the first record's width is what ranges that start mid-file are told.
// Same grammar as the kernel (docs/spec.md): blank lines are skipped, a quoted field runs to the
// next undoubled quote, bytes after the closing quote are appended, records end at LF or CRLF.
//
// The parser is fed the input in pieces and keeps only the names' bytes, and only those of the
// fields the kernel can select (MAX_FIELDS): memory does not grow with the record beyond that, and
// no byte is parsed twice. The callers bound how far they read (MAX_HEADER_BYTES).

import { MAX_FIELDS } from '../../assembly/layout.js';
import { displayName, usageError, type CsvscanError } from '../errors.js';

/** A header record must end within this many bytes of the data start (blank lines included). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

export type FirstRecord =
  /**
   * names: the first min(width, MAX_FIELDS) fields (none unless names are kept); start: the offset
   * of its first byte (after blank lines); end: the offset after its line end
   */
  | { kind: 'complete'; names: string[]; width: number; start: number; end: number }
  /** the input holds no record */
  | { kind: 'none' }
  | { kind: 'unterminated'; line: number; byte: number };

const LF = 10;
const CR = 13;

const enum State {
  /** before the record: blank lines are skipped */
  Blank,
  /** a CR before the record: a blank line if LF follows */
  BlankCr,
  FieldStart,
  Unquoted,
  Quoted,
  /** a quote inside a quoted field: doubled, or the closing one */
  QuotedQuote,
  /** a CR in an unquoted part: the record's end if LF follows */
  Cr,
}

// ignoreBOM: a U+FEFF inside a name is part of the name (the file's BOM was skipped already)
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export class FirstRecordParser {
  private state = State.Blank;
  /** absolute offset of the next byte fed */
  private offset: number;
  private line = 1;
  private quoteLine = 0;
  private quoteByte = 0;
  /** fields ended so far */
  width = 0;
  private start = -1;
  private readonly names: string[] = [];
  private field = new Uint8Array(256);
  private fieldLength = 0;
  private result: FirstRecord | null = null;

  /**
   * `origin`: the absolute offset of the first byte fed. `keepNames`: decode the names (a header),
   * or only count the fields (a first data record).
   */
  constructor(
    private readonly delimiter: number,
    private readonly quote: number,
    origin: number,
    private readonly keepNames: boolean,
  ) {
    this.offset = origin;
  }

  /** Bytes parsed so far. */
  get consumed(): number {
    return this.offset;
  }

  /** Parse the next bytes of input; returns the record once it has ended, else null. */
  push(bytes: Uint8Array): FirstRecord | null {
    for (let i = 0; i < bytes.length && this.result === null; i++) this.step(bytes[i]!);
    return this.result;
  }

  /** End of input: the record so far, if any. */
  end(): FirstRecord {
    if (this.result) return this.result;
    switch (this.state) {
      case State.Blank:
        return { kind: 'none' };
      case State.Quoted:
        return { kind: 'unterminated', line: this.quoteLine, byte: this.quoteByte };
      case State.BlankCr:
        // a lone CR at the end of input is a record of one field holding it
        this.start = this.offset - 1;
        this.append(CR);
        return this.endRecord();
      case State.Cr:
        this.append(CR);
        return this.endRecord();
      default:
        return this.endRecord();
    }
  }

  private step(byte: number): void {
    const at = this.offset++;
    switch (this.state) {
      case State.Blank:
        if (byte === LF) this.line++;
        else if (byte === CR) this.state = State.BlankCr;
        else {
          this.start = at;
          this.fieldStart(byte, at);
        }
        return;
      case State.BlankCr:
        if (byte === LF) {
          this.line++;
          this.state = State.Blank;
        } else {
          // a CR not before LF is data: the record starts with it
          this.start = at - 1;
          this.append(CR);
          this.state = State.Unquoted;
          this.unquoted(byte);
        }
        return;
      case State.FieldStart:
        this.fieldStart(byte, at);
        return;
      case State.Unquoted:
        this.unquoted(byte);
        return;
      case State.Quoted:
        if (byte === this.quote) this.state = State.QuotedQuote;
        else {
          if (byte === LF) this.line++;
          this.append(byte);
        }
        return;
      case State.QuotedQuote:
        if (byte === this.quote) {
          this.append(byte);
          this.state = State.Quoted;
        } else {
          // closed: what follows up to the delimiter or line end is appended
          this.state = State.Unquoted;
          this.unquoted(byte);
        }
        return;
      case State.Cr:
        if (byte === LF) {
          this.endRecord();
        } else {
          this.append(CR);
          this.state = State.Unquoted;
          this.unquoted(byte);
        }
        return;
    }
  }

  private fieldStart(byte: number, at: number): void {
    if (byte === this.quote) {
      this.state = State.Quoted;
      this.quoteLine = this.line;
      this.quoteByte = at;
    } else {
      this.state = State.Unquoted;
      this.unquoted(byte);
    }
  }

  private unquoted(byte: number): void {
    if (byte === this.delimiter) {
      this.endField();
      this.state = State.FieldStart;
    } else if (byte === LF) {
      this.endRecord();
    } else if (byte === CR) {
      this.state = State.Cr;
    } else {
      this.append(byte);
    }
  }

  private append(byte: number): void {
    if (!this.keepNames || this.width >= MAX_FIELDS) return;
    if (this.fieldLength === this.field.length) {
      const grown = new Uint8Array(this.field.length * 2);
      grown.set(this.field);
      this.field = grown;
    }
    this.field[this.fieldLength++] = byte;
  }

  private endField(): void {
    if (this.keepNames && this.width < MAX_FIELDS) this.names.push(utf8.decode(this.field.subarray(0, this.fieldLength)));
    this.fieldLength = 0;
    this.width++;
  }

  private endRecord(): FirstRecord {
    this.endField();
    this.result = { kind: 'complete', names: this.names, width: this.width, start: this.start, end: this.offset };
    return this.result;
  }
}

/** Parse the first record of `bytes`, all of the input (tests and small inputs). */
export function parseFirstRecord(bytes: Uint8Array, delimiter: number, quote: number, keepNames = true): FirstRecord {
  const parser = new FirstRecordParser(delimiter, quote, 0, keepNames);
  return parser.push(bytes) ?? parser.end();
}

export function headerTooLong(name: string): CsvscanError {
  return usageError(
    `${displayName(name)}: the header record does not end within its first ${MAX_HEADER_BYTES / 1024 / 1024} MiB, ` +
      'the most csvscan reads for a header; with --no-header it is read as data and columns are chosen by index',
  );
}
