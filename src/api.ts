// The library API: scan a file, a byte array, or standard input and get the SPEC.md result.
// The CLI is a thin layer over these functions.

import { openSource, type ByteSource } from './io/index.js';
import { runScan } from './scan/run.js';
import type { ScanOptions, ScanResult } from './types.js';

export type { ScanOptions, ScanResult, ColumnResult } from './types.js';
export { createScanner, scanStream, type Scanner, type ChunkStream } from './stream.js';

/** Scan the file at `path` ('-' = standard input). */
export async function scanFile(path: string, options: ScanOptions): Promise<ScanResult> {
  const source = openSource(path, options.io ?? 'mmap');
  try {
    return await runScan(source, options, { path });
  } finally {
    source.close();
  }
}

/** Scan bytes already in memory; `name` is what the result's `file` says. */
export async function scanBytes(bytes: Uint8Array, options: ScanOptions, name = '<bytes>'): Promise<ScanResult> {
  return runScan(bytesSource(bytes, name), options);
}

function bytesSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    read(dst, position) {
      const part = bytes.subarray(position, Math.min(bytes.length, position + dst.length));
      dst.set(part);
      return part.length;
    },
    release() {},
    close() {},
  };
}
