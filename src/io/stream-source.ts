// Stdin, a FIFO or a character device: read sequentially with blocking reads, never mapped.

import fs from 'node:fs';
import { openFailure, readFailure } from './failures.js';
import type { ByteSource } from './byte-source.js';

const EAGAIN_PAUSE_MS = 2;
const pause = new Int32Array(new SharedArrayBuffer(4));

export class StreamSource implements ByteSource {
  readonly size = null;
  /** bytes consumed so far: the only position read() accepts */
  private consumed = 0;
  private ended = false;
  private closed = false;
  /** bytes read ahead by peek(), served first by read() */
  private head = new Uint8Array(0);
  private headServed = 0;
  /** set by handOver(): another reader (the gzip worker) reads the descriptor now */
  private handedOver = false;

  constructor(
    readonly name: string,
    private readonly fd: number,
    private readonly ownsFd: boolean,
  ) {}

  /**
   * Opening /dev/stdin gives a fresh, blocking descriptor even when fd 0 was left non-blocking by
   * a parent. Sockets (Node's child_process pipes) cannot be reopened that way (ENXIO): then fd 0
   * is read as it is, waiting out EAGAIN.
   */
  static openStdin(): StreamSource {
    try {
      return new StreamSource('-', fs.openSync('/dev/stdin', 'r'), true);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENXIO' || code === 'ENOENT' || code === 'EACCES') return new StreamSource('-', 0, false);
      throw openFailure('-', error);
    }
  }

  /**
   * The first `count` bytes (fewer when the stream ends first), read ahead and kept: read() serves
   * them first. Called before the first read, to recognise compressed input (compression.ts).
   */
  peek(count: number): Uint8Array {
    if (this.consumed !== 0 || this.head.length !== 0) throw new Error(`${this.name}: peek() after a read`);
    const head = new Uint8Array(count);
    let filled = 0;
    while (filled < count && !this.ended) {
      const got = this.readOnce(head, filled);
      if (got === 0) this.ended = true;
      filled += got;
    }
    this.head = head.subarray(0, filled);
    return this.head;
  }

  /**
   * Gives the reading to another reader (the gzip worker, which shares this process's descriptors):
   * the descriptor, and the bytes it must take first (what peek() read). This source still closes
   * the descriptor, and reads nothing more.
   */
  handOver(): { fd: number; head: Uint8Array; ended: boolean } {
    if (this.consumed !== 0) throw new Error(`${this.name}: handOver() after a read`);
    this.handedOver = true;
    return { fd: this.fd, head: this.head.slice(), ended: this.ended };
  }

  /** Fills dst unless the stream ends first, so the kernel sees full windows, not pipe-sized ones. */
  read(dst: Uint8Array, position: number): number {
    if (this.closed) throw new Error(`${this.name}: read after close`);
    if (this.handedOver) throw new Error(`${this.name}: read after handOver()`);
    // 0 means EOF to the caller, so an empty destination would end the scan early.
    if (dst.length === 0) throw new RangeError('read() needs a non-empty destination');
    if (position !== this.consumed) {
      throw new RangeError(`${this.name} is read sequentially: asked for ${position}, next is ${this.consumed}`);
    }
    let filled = 0;
    if (this.headServed < this.head.length) {
      const part = this.head.subarray(this.headServed, this.headServed + dst.length);
      dst.set(part);
      this.headServed += part.length;
      filled = part.length;
    }
    while (filled < dst.length && !this.ended) {
      const got = this.readOnce(dst, filled);
      if (got === 0) this.ended = true;
      filled += got;
    }
    this.consumed += filled;
    return filled;
  }

  /**
   * One read: the bytes there are now (a pipe's may be few), at least one unless the stream ended;
   * 0 at the end. The gzip worker reads so, to inflate what a slow pipe gives as it comes.
   */
  readSome(dst: Uint8Array): number {
    if (this.closed || this.handedOver) throw new Error(`${this.name}: read after close`);
    if (dst.length === 0) throw new RangeError('readSome() needs a non-empty destination');
    let got: number;
    if (this.headServed < this.head.length) {
      const part = this.head.subarray(this.headServed, this.headServed + dst.length);
      dst.set(part);
      this.headServed += part.length;
      got = part.length;
    } else {
      got = this.ended ? 0 : this.readOnce(dst, 0);
      if (got === 0) this.ended = true;
    }
    this.consumed += got;
    return got;
  }

  release(): void {
    // Nothing is held beyond the caller's buffer.
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsFd) fs.closeSync(this.fd);
  }

  private readOnce(dst: Uint8Array, offset: number): number {
    for (;;) {
      try {
        return fs.readSync(this.fd, dst, offset, dst.length - offset, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        // A non-blocking descriptor with nothing yet: wait a little instead of spinning.
        if (code === 'EAGAIN') {
          Atomics.wait(pause, 0, 0, EAGAIN_PAUSE_MS);
          continue;
        }
        // libuv reports the end of a Windows pipe as an EOF error rather than 0 bytes.
        if (code === 'EOF') return 0;
        throw readFailure(this.name, error);
      }
    }
  }
}
