// The header record, read by the host before the kernel starts so that `-c NAME` can be resolved.
// Same grammar as the kernel (SPEC.md): blank lines are skipped, a quoted field runs to the next
// undoubled quote, bytes after the closing quote are appended, records end at LF or CRLF.
// This runs once per scan on the first record only: strings are fine here.

export type HeaderParse =
  | { kind: 'complete'; fields: string[] }
  | { kind: 'none' } // input holds no record at all
  | { kind: 'incomplete' } // need more bytes
  | { kind: 'unterminated'; line: number; byte: number };

const LF = 10;
const CR = 13;
// ignoreBOM: a U+FEFF inside a name is part of the name (the file's BOM was skipped already)
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Parse the first record of `bytes` (which begin at absolute offset `origin`).
 * `atEnd` says no more bytes will follow.
 */
export function parseHeaderRecord(
  bytes: Uint8Array,
  origin: number,
  delimiter: number,
  quote: number,
  atEnd: boolean,
): HeaderParse {
  let p = 0;
  let line = 1;
  // skip blank lines: "" or "\r" before LF
  for (;;) {
    if (p < bytes.length && bytes[p] === LF) {
      p++;
      line++;
    } else if (p + 1 < bytes.length && bytes[p] === CR && bytes[p + 1] === LF) {
      p += 2;
      line++;
    } else if (!atEnd && p + 1 >= bytes.length) {
      return { kind: 'incomplete' };
    } else break;
  }
  if (p >= bytes.length) return atEnd ? { kind: 'none' } : { kind: 'incomplete' };

  const fields: string[] = [];
  let field: number[] = [];
  let fieldStarted = false; // a quote is special only as the first byte of a field
  const endField = (): void => {
    fields.push(utf8.decode(Uint8Array.from(field)));
    field = [];
    fieldStarted = false;
  };
  while (p <= bytes.length) {
    if (p === bytes.length) {
      if (!atEnd) return { kind: 'incomplete' };
      endField();
      return { kind: 'complete', fields };
    }
    if (bytes[p] === quote && !fieldStarted) {
      fieldStarted = true;
      const quoteAt = p;
      const quoteLine = line;
      p++;
      for (;;) {
        if (p >= bytes.length) {
          return atEnd ? { kind: 'unterminated', line: quoteLine, byte: origin + quoteAt } : { kind: 'incomplete' };
        }
        const c = bytes[p];
        if (c === quote) {
          if (p + 1 >= bytes.length && !atEnd) return { kind: 'incomplete' };
          if (bytes[p + 1] === quote) {
            field.push(quote);
            p += 2;
            continue;
          }
          p++;
          break;
        }
        if (c === LF) line++;
        field.push(c);
        p++;
      }
    }
    const c = bytes[p];
    if (p < bytes.length && c === delimiter) {
      endField();
      p++;
      continue;
    }
    if (p < bytes.length && c === LF) {
      endField();
      return { kind: 'complete', fields };
    }
    if (p < bytes.length && c === CR) {
      if (p + 1 >= bytes.length && !atEnd) return { kind: 'incomplete' };
      if (bytes[p + 1] === LF) {
        endField();
        return { kind: 'complete', fields };
      }
    }
    if (p < bytes.length) {
      field.push(c);
      fieldStarted = true;
      p++;
    }
  }
  return { kind: 'incomplete' };
}
