// Compressed input, recognised by its first bytes (docs/spec.md, Compressed input): gzip is
// decompressed as it is scanned (gunzip-source.ts); zstd is refused, since no package that keeps
// docs/spec.md's promises (constant memory, no compiler at install) decompresses it fast enough.

import fs from 'node:fs';
import { displayName, usageError, type CsvscanError } from '../errors.js';
import { detectCompression, MAGIC_BYTES, type Compression } from '../util/compression-magic.js';

export { detectCompression, MAGIC_BYTES, type Compression } from '../util/compression-magic.js';

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
