// A simple shrinker for failing CSV inputs: drop records, then columns (a field of every record),
// then fields, then bytes, keeping each drop for which the input still fails, until none is kept. Chunks of halving size are tried
// first (delta debugging), so that a long input shrinks in few tries.

const LF = 0x0a;

export interface ShrinkOptions {
  /** the field delimiter: fields are the pieces between delimiters and record ends */
  delimiter: number;
  /** at most this many calls of `fails` (default 2000): a slow predicate still ends */
  maxAttempts?: number;
}

/** `bytes` cut into pieces, each ending after a byte for which `endsPiece` holds (the last piece may not). */
function pieces(bytes: Uint8Array, endsPiece: (byte: number) => boolean): Uint8Array[] {
  const result: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (endsPiece(bytes[i]!)) {
      result.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < bytes.length) result.push(bytes.subarray(start));
  return result;
}

/** `bytes` without field `column` (0-based) of each line that has it; null when no line has it. */
function withoutColumn(bytes: Uint8Array, column: number, delimiter: number): Uint8Array | null {
  let dropped = false;
  const lines = pieces(bytes, (byte) => byte === LF).map((line) => {
    const fields = pieces(line, (byte) => byte === delimiter || byte === LF);
    if (fields.length <= column) return line;
    dropped = true;
    const last = column === fields.length - 1;
    // the last field ends the line: its record end stays, and the delimiter before it goes
    if (last && column > 0) fields[column - 1] = fields[column - 1]!.subarray(0, fields[column - 1]!.length - 1);
    const ending = last && line.at(-1) === LF ? [Uint8Array.of(LF)] : [];
    return joined([...fields.slice(0, column), ...fields.slice(column + 1), ...ending]);
  });
  return dropped ? joined(lines) : null;
}

function joined(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The smallest input found from `bytes` for which `fails` still holds (`fails(bytes)` must hold).
 * Records are lines (a quoted line break splits a record: the predicate decides what is valid).
 */
export async function shrink(
  bytes: Uint8Array,
  fails: (candidate: Uint8Array) => boolean | Promise<boolean>,
  options: ShrinkOptions,
): Promise<Uint8Array> {
  let attempts = options.maxAttempts ?? 2000;
  let current = bytes;
  const endsRecord = (byte: number): boolean => byte === LF;
  const endsField = (byte: number): boolean => byte === LF || byte === options.delimiter;
  const endsByte = (): boolean => true;

  /** Drops chunks of pieces of `current` while it still fails; returns whether anything was dropped. */
  const dropPieces = async (endsPiece: (byte: number) => boolean): Promise<boolean> => {
    let parts = pieces(current, endsPiece);
    let dropped = false;
    for (let chunk = 2 ** Math.floor(Math.log2(Math.max(1, parts.length))); chunk >= 1; chunk = Math.floor(chunk / 2)) {
      for (let at = 0; at < parts.length && attempts > 0; ) {
        const kept = [...parts.slice(0, at), ...parts.slice(at + chunk)];
        const candidate = joined(kept);
        attempts -= 1;
        if (await fails(candidate)) {
          parts = kept;
          current = candidate;
          dropped = true;
        } else {
          at += chunk;
        }
      }
    }
    return dropped;
  };

  /** Drops the same field from every record while the input still fails. */
  const dropColumns = async (): Promise<boolean> => {
    let dropped = false;
    for (let column = 0; attempts > 0; ) {
      const candidate = withoutColumn(current, column, options.delimiter);
      if (candidate === null) break;
      attempts -= 1;
      if (await fails(candidate)) {
        current = candidate;
        dropped = true;
      } else {
        column += 1;
      }
    }
    return dropped;
  };

  for (let changed = true; changed && attempts > 0; ) {
    const records = await dropPieces(endsRecord);
    const columns = await dropColumns();
    const fields = await dropPieces(endsField);
    const bytes = await dropPieces(endsByte);
    changed = records || columns || fields || bytes;
  }
  return current;
}
