// A regular file read with pread (fs.readSync at a position) straight into the caller's buffer.

import fs from 'node:fs';
import { changedSize, readFailure } from './failures.js';
import type { ByteSource } from './byte-source.js';

export class FileReadSource implements ByteSource {
  private closed = false;

  constructor(
    readonly name: string,
    private readonly fd: number,
    readonly size: number,
  ) {}

  read(dst: Uint8Array, position: number): number {
    if (this.closed) throw new Error(`${this.name}: read after close`);
    // 0 means EOF to the caller, so an empty destination would end the scan early.
    if (dst.length === 0) throw new RangeError('read() needs a non-empty destination');
    if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`bad read position ${position}`);
    // Same rule as the mapped source: a file must keep its size while it is scanned.
    if (fs.fstatSync(this.fd).size !== this.size) throw changedSize(this.name);
    if (position >= this.size) return 0;
    const wanted = Math.min(dst.length, this.size - position);
    let copied = 0;
    while (copied < wanted) {
      let got: number;
      try {
        got = fs.readSync(this.fd, dst, copied, wanted - copied, position + copied);
      } catch (error) {
        throw readFailure(this.name, error);
      }
      // Short of the size fstat just gave: truncated in between.
      if (got === 0) throw changedSize(this.name);
      copied += got;
    }
    return copied;
  }

  release(): void {
    // Nothing is held: pread leaves no pages mapped into this process.
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
