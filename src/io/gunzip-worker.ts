// The gzip worker thread (gunzip-source.ts starts it): reads the compressed input from a descriptor
// the main thread opened, inflates it with node:zlib and copies the output into the shared ring, so
// that the main thread scans one part while this thread decompresses the next.

import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { workerData } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { CsvscanError, displayName } from '../errors.js';
import { RingWriter } from './shared-ring.js';
import { StreamSource } from './stream-source.js';

/** What gunzip-source.ts hands the worker. */
export interface GunzipWorkerData {
  name: string;
  fd: number;
  /** bytes already taken from the descriptor (the magic number): they come first */
  head: Uint8Array;
  /** the descriptor is at its end already */
  ended: boolean;
  ring: SharedArrayBuffer;
}

/** Compressed bytes per read: enough that a read and a zlib call are few per megabyte. */
const READ_BYTES = 1 << 20;
/** zlib's output buffer (its default is 16 KiB, which costs a thread hop per 16 KiB). */
const OUTPUT_CHUNK_BYTES = 256 * 1024;

class Cancelled extends Error {}

/**
 * The input's chunks, one read each (a pipe's bytes are inflated as they come; stream-source.ts
 * waits out EAGAIN and EINTR). The reads block this thread: a process that ends early (an unknown
 * column) waits for a stalled pipe's next bytes or its end before it exits.
 */
function* compressedChunks(data: GunzipWorkerData, ring: RingWriter): Generator<Uint8Array> {
  if (data.head.length > 0) yield data.head;
  if (data.ended) return;
  const input = new StreamSource(data.name, data.fd, false);
  let buffer = new Uint8Array(READ_BYTES);
  while (!ring.cancelled) {
    const got = input.readSome(buffer);
    if (got === 0) return;
    // zlib keeps a chunk until it has inflated it: a full buffer is given away, a short read copied.
    if (got === buffer.length) {
      yield buffer;
      buffer = new Uint8Array(READ_BYTES);
    } else {
      yield buffer.slice(0, got);
    }
  }
}

/** zlib's error as one line: a truncated file, or data that is not gzip. */
function describe(name: string, error: unknown): string {
  if (error instanceof CsvscanError) return error.message;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (code === 'Z_BUF_ERROR') return `${displayName(name)}: truncated gzip data (${message})`;
  if (typeof code === 'string' && code.startsWith('Z_')) return `${displayName(name)}: corrupt gzip data (${message})`;
  return `${displayName(name)}: cannot decompress: ${message}`;
}

async function run(data: GunzipWorkerData): Promise<void> {
  const ring = new RingWriter(data.ring);
  try {
    await pipeline(
      Readable.from(compressedChunks(data, ring), { highWaterMark: 2 }),
      createGunzip({ chunkSize: OUTPUT_CHUNK_BYTES }),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          done(ring.write(chunk) ? null : new Cancelled());
        },
      }),
    );
    ring.end();
  } catch (error) {
    if (!(error instanceof Cancelled) && !ring.cancelled) ring.fail(describe(data.name, error));
  }
}

void run(workerData as GunzipWorkerData);
