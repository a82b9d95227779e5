// A simple shrinker for failing CSV inputs: drop records, then fields, then bytes, keeping each
// drop for which the input still fails, until no drop is kept. Chunks of halving size are tried
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
  const levels: ((byte: number) => boolean)[] = [
    (byte) => byte === LF, // records
    (byte) => byte === LF || byte === options.delimiter, // fields
    () => true, // bytes
  ];

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

  for (let changed = true; changed && attempts > 0; ) {
    changed = false;
    for (const endsPiece of levels) {
      if (await dropPieces(endsPiece)) changed = true;
    }
  }
  return current;
}
