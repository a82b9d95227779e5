// gzip input (a file or a stream whose first bytes are 1f 8b): a worker thread (gunzip-worker.ts)
// reads and inflates it with node:zlib into a shared ring (shared-ring.ts) while the scan copies the
// output out of the ring on this thread, so the scan hides behind the decompression. Multi-member
// files are read to their end as `gzip -dc` reads them. The output is a stream: no size, read once,
// from the start (docs/spec.md, Compressed input).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { usageError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';
import type { ByteSource } from './byte-source.js';
import type { GunzipWorkerData } from './gunzip-worker.js';
import { createRingBuffer, RingReader } from './shared-ring.js';
import type { StreamSource } from './stream-source.js';

/**
 * The compiled worker module: beside this one when running from build/, else (tests running the
 * TypeScript sources) the package's build.
 */
function workerScript(): URL {
  const beside = new URL('./gunzip-worker.js', import.meta.url);
  if (beside.protocol === 'file:' && existsSync(fileURLToPath(beside))) return beside;
  const built = join(packageRoot(), 'build', 'host', 'src', 'io', 'gunzip-worker.js');
  if (!existsSync(built)) throw new Error('the gzip worker is not built: run `npm run build`');
  return pathToFileURL(built);
}

export class GunzipSource implements ByteSource {
  readonly size = null;
  readonly compression = 'gzip';
  /** bytes of output handed out so far: the only position read() accepts */
  private consumed = 0;
  private closed = false;
  private readonly reader: RingReader;
  private readonly worker: Worker;

  /**
   * Starts decompressing `input` at once (its peek() found the magic number), so the worker starts
   * while the engine loads. `input` keeps its descriptor and closes it in close().
   */
  constructor(
    readonly name: string,
    private readonly input: StreamSource,
  ) {
    const ring = createRingBuffer();
    const { fd, head, ended } = input.handOver();
    const workerData: GunzipWorkerData = { name, fd, head, ended, ring };
    // The worker reads a descriptor this thread owns: it must not close it when it exits.
    this.worker = new Worker(workerScript(), { workerData, trackUnmanagedFds: false });
    // It never holds the process open, and reports its failures through the ring (this thread is
    // blocked in Atomics.wait while it works, so events would come too late).
    this.worker.unref();
    this.worker.on('error', () => {});
    this.reader = new RingReader(ring);
  }

  /** Fills dst unless the output ends first, so the kernel sees full windows. */
  read(dst: Uint8Array, position: number): number {
    if (this.closed) throw new Error(`${this.name}: read after close`);
    if (dst.length === 0) throw new RangeError('read() needs a non-empty destination');
    if (position !== this.consumed) {
      throw new RangeError(`${this.name} is read sequentially: asked for ${position}, next is ${this.consumed}`);
    }
    let filled = 0;
    while (filled < dst.length) {
      const got = this.reader.read(dst.subarray(filled), usageError);
      if (got === 0) break;
      filled += got;
    }
    this.consumed += filled;
    return filled;
  }

  release(): void {
    // The ring's slots are released as they are read.
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.cancel();
    // The descriptor is closed once the worker is gone: closed earlier, its number could be reused
    // by another open before the worker's last read.
    const closeInput = (): void => this.input.close();
    this.worker.terminate().then(closeInput, closeInput);
  }
}
