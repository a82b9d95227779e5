// Opens the ByteSource for a path: a regular file (mapped or read) or a stream (stdin, a pipe, a
// character device).

import fs from 'node:fs';
import { usageError } from '../errors.js';
import type { IoMode } from '../types.js';
import type { ByteSource } from './byte-source.js';
import { detectCompression, MAGIC_BYTES, zstdUnsupported } from './compression.js';
import { openFailure, readFailure } from './failures.js';
import { GunzipSource } from './gunzip-source.js';
import { mmapUnavailableReason } from './mmap-binding.js';
import { FileReadSource } from './file-read-source.js';
import { MmapSource } from './mmap-source.js';
import { StreamSource } from './stream-source.js';

export interface SourceOptions {
  /**
   * mmap segment size in bytes, rounded up to whole pages; default 256 MiB. Tests use tiny ones.
   * A dropped segment stays mapped until its Buffer is garbage collected, so tiny segments over a
   * large file can run into vm.max_map_count (about 65k mappings).
   */
  segmentSize?: number;
}

export const STDIN_NAME = '-';

/**
 * Opens `path` ('-' for stdin). A regular file is mapped (`io` 'mmap') or read with pread
 * (`io` 'read'); without `io`, it is mapped where the mmap addon is available, else read.
 * Stdin, FIFOs and character devices are read sequentially whatever `io` says, since they cannot
 * be mapped; so is a regular file whose size reads 0 but that holds data (/proc, sysfs).
 * Input of any kind that starts with gzip's magic number is decompressed as it is read
 * (GunzipSource), whatever its name; zstd's is refused (compression.ts).
 * Throws usageError for a missing, unreadable or directory path.
 */
export function openSource(path: string, io: IoMode | undefined, options: SourceOptions = {}): ByteSource {
  if (path === STDIN_NAME) return decompressed(StreamSource.openStdin());
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    throw openFailure(path, error);
  }
  let stream: StreamSource | null = null;
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw usageError(`${path}: is a directory`);
    if (!stat.isFile() || (stat.size === 0 && holdsData(path, fd)) || detectCompression(readHead(path, fd)) !== null) {
      // (decompressed() closes the stream, and with it the descriptor, when it throws)
      stream = new StreamSource(path, fd, true);
      return decompressed(stream);
    }
    if (io === 'read' || (io === undefined && mmapUnavailableReason() !== null)) return new FileReadSource(path, fd, stat.size);
    return new MmapSource(path, fd, stat.size, options.segmentSize);
  } catch (error) {
    if (stream === null) fs.closeSync(fd);
    throw error;
  }
}

/** A stream, or what its first bytes say it holds compressed. Closes it when it throws. */
function decompressed(stream: StreamSource): ByteSource {
  try {
    const compression = detectCompression(stream.peek(MAGIC_BYTES));
    if (compression === 'zstd') throw zstdUnsupported(stream.name);
    return compression === 'gzip' ? new GunzipSource(stream.name, stream) : stream;
  } catch (error) {
    stream.close();
    throw error;
  }
}

/** A regular file's first bytes (fewer when it is shorter), read at offset 0. */
function readHead(path: string, fd: number): Uint8Array {
  const head = new Uint8Array(MAGIC_BYTES);
  try {
    return head.subarray(0, fs.readSync(fd, head, 0, MAGIC_BYTES, 0));
  } catch (error) {
    throw readFailure(path, error);
  }
}

/** Whether a file whose size reads 0 yields a byte anyway, as /proc and sysfs files do. */
function holdsData(path: string, fd: number): boolean {
  try {
    return fs.readSync(fd, Buffer.alloc(1), 0, 1, 0) > 0;
  } catch (error) {
    throw readFailure(path, error);
  }
}
