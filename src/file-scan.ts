// Scans of a file, standard input or bytes in memory, to the docs/spec.md result. The CLI imports
// this module, not api.ts, so that it does not load the stream scanner (and the JS engine with it).

import { compressedBytes, detectCompression, MAGIC_BYTES } from './util/compression-magic.js';
import { availableParallelism } from 'node:os';
import { usageError } from './errors.js';
import { openSource, type ByteSource } from './io/index.js';
import { resolveOptions } from './options.js';
import { runScan, runScanOutcome } from './scan/run.js';
import { withGroups, type ScanOutcome } from './scan/result.js';
import { toBytes } from './util/to-bytes.js';
import type { ScanOptions, ScanResult } from './types.js';

/** A scan's result, and with `by` its groups to read in order (`each()`) and then close. */
export type StreamedScan = ScanOutcome;

/** Why files are read rather than mapped here (null: they are mapped), for the CLI's note. */
export { mmapUnavailableReason } from './io/mmap-binding.js';

/** Scan the file at `path` ('-' = standard input). */
export async function scanFile(path: string, options: ScanOptions): Promise<ScanResult> {
  return withGroups(await scanFileStreamed(path, options));
}

/**
 * scanFile(), the groups of a `by` scan not put in the result but handed over to be read one at a
 * time, in order, as often as needed (`groups.each()`), in memory that does not grow with them
 * (groups past `memory` are merged from sorted files on disk); the caller must call
 * `groups.close()`. `groups` is null without `by`.
 */
export async function scanFileStreamed(path: string, options: ScanOptions): Promise<StreamedScan> {
  const resolved = resolveOptions(options);
  if (typeof path !== 'string' || path === '') {
    throw usageError(`scanFile() needs a file path (a non-empty string, '-' for standard input), got ${typeof path === 'string' ? 'an empty string' : typeof path}`);
  }
  const source = openSource(path, resolved.io);
  try {
    return await runScanOutcome(source, resolved, { path, cores: availableParallelism() });
  } finally {
    source.close();
  }
}

/**
 * Scan bytes already in memory (a Uint8Array or Buffer, an ArrayBuffer, or a string, scanned as
 * its UTF-8 bytes); `name` is what the result's `file` says.
 */
export async function scanBytes(bytes: Uint8Array | ArrayBuffer | string, options: ScanOptions, name = '<bytes>'): Promise<ScanResult> {
  const resolved = resolveOptions(options);
  const input = toBytes(bytes, 'scanBytes()');
  const compression = detectCompression(input.subarray(0, MAGIC_BYTES));
  if (compression) throw compressedBytes(name, compression);
  return runScan(bytesSource(input, name), resolved);
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
