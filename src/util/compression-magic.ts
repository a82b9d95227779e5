// Compressed input by its magic number (docs/spec.md, Compressed input), without Node APIs: the CLI
// and scanFile() decompress gzip (src/io/compression.ts); bytes handed to scanBytes() or a scanner
// that start with a magic number are refused (compressedBytes), never scanned as CSV.

import { displayName, usageError, type CsvscanError } from '../errors.js';

export type Compression = 'gzip' | 'zstd';

/** The bytes that name a format: enough for every magic number below. */
export const MAGIC_BYTES = 4;

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((byte, index) => head[index] === byte);
}

/**
 * The compression of input that starts with `head`, by magic number alone (a file's name is not
 * looked at): null for anything else, which is scanned as CSV. Neither magic can open CSV text:
 * 0x1f is a control byte and 0x8b, 0xb5 are not the first byte of a UTF-8 character.
 */
export function detectCompression(head: Uint8Array): Compression | null {
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd';
  return null;
}

/** Bytes handed to scanBytes() or a scanner that are compressed: refused (they would scan as garbage). */
export function compressedBytes(name: string, compression: Compression): CsvscanError {
  return usageError(
    `${displayName(name)}: the bytes are ${compression}-compressed; decompress them first (scanFile() and the CLI read gzip files and standard input)`,
  );
}
