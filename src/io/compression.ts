// Compressed input, recognised by its first bytes (docs/spec.md, Compressed input): gzip is
// decompressed as it is scanned (gunzip-source.ts); zstd is refused, since no package that keeps
// docs/spec.md's promises (constant memory, no compiler at install) decompresses it fast enough.

import fs from 'node:fs';
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

/**
 * The compression of the file at `path`, by its first bytes; null for a plain file and for one that
 * cannot be read (whoever opens it next reports why).
 */
export function compressionOfFile(path: string): Compression | null {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const head = new Uint8Array(MAGIC_BYTES);
    return detectCompression(head.subarray(0, fs.readSync(fd, head, 0, MAGIC_BYTES, 0)));
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

export function zstdUnsupported(name: string): CsvscanError {
  return usageError(
    `${displayName(name)}: zstd-compressed input is not supported; decompress it first (zstd -dc FILE | csvscan ...) or use gzip`,
  );
}
