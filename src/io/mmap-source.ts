// A regular file read through read-only shared mappings of fixed-size segments.
//
// Segments (256 MiB by default) keep the address space small and let finished parts of a 10 GB
// file leave resident memory: release() advises MADV_DONTNEED on pages behind the scan and drops
// whole segments behind it (the addon unmaps a segment when its Buffer is collected).
//
// A mapped page past the end of a truncated file raises SIGBUS on access, which would kill the
// process. The bytes are copied only by the addon's guarded copy(), which reports such a page
// instead; and after each copy, fstat checks that the file still has the size it had when opened,
// so a file that shrank, grew or was replaced in size is reported (changedSize), never read past.

import fs from 'node:fs';
import { changedSize, mapFailure } from './failures.js';
import { loadMmapBinding, type MmapBinding } from './mmap-binding.js';
import type { ByteSource } from './byte-source.js';

export const DEFAULT_SEGMENT_SIZE = 256 * 1024 * 1024;
/** Pages behind the scan are released in steps of at most this, not on every small window. */
const RELEASE_STEP = 8 * 1024 * 1024;
/** Segments held at once: the one being read, the next one a window runs into, and a spare. */
const MAX_LIVE_SEGMENTS = 3;

interface Segment {
  /** absolute file offset of view[0]; a multiple of the page size */
  readonly start: number;
  readonly view: Buffer;
  /** view bytes [0, releasedTo) were advised MADV_DONTNEED */
  releasedTo: number;
}

export class MmapSource implements ByteSource {
  private readonly segmentSize: number;
  private readonly releaseStep: number;
  /** live segments by index (segment i starts at i * segmentSize) */
  private readonly segments = new Map<number, Segment>();
  private readonly mmap: MmapBinding | null;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly fd: number,
    readonly size: number,
    segmentSize: number = DEFAULT_SEGMENT_SIZE,
  ) {
    if (!Number.isSafeInteger(segmentSize) || segmentSize < 1) {
      throw new RangeError(`segment size must be a positive integer, got ${segmentSize}`);
    }
    // An empty file is never mapped (mmap of 0 bytes fails), so it needs no addon either.
    this.mmap = size > 0 ? loadMmapBinding() : null;
    const pageSize = this.mmap?.PAGESIZE ?? 4096;
    this.segmentSize = Math.ceil(segmentSize / pageSize) * pageSize;
    this.releaseStep = Math.min(this.segmentSize, RELEASE_STEP);
  }

  read(dst: Uint8Array, position: number): number {
    this.assertReadable(dst, position);
    if (position >= this.size) {
      this.assertSizeUnchanged();
      return 0;
    }
    const end = Math.min(position + dst.length, this.size);
    let at = position;
    while (at < end) {
      const segment = this.segmentAt(at);
      const from = at - segment.start;
      const to = Math.min(end - segment.start, segment.view.length);
      if (!this.mmap!.copy(segment.view, from, to, dst, at - position)) throw changedSize(this.name);
      at = segment.start + to;
    }
    this.assertSizeUnchanged();
    return end - position;
  }

  release(position: number): void {
    for (const [index, segment] of this.segments) {
      if (segment.start + segment.view.length <= position) {
        this.dropSegment(index, segment);
        continue;
      }
      const pageSize = this.mmap!.PAGESIZE;
      // Only whole pages before `position`: the page holding it is still being read.
      const releasable = Math.floor((position - segment.start) / pageSize) * pageSize;
      if (releasable - segment.releasedTo >= this.releaseStep) this.adviseDontNeed(segment, releasable);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [index, segment] of this.segments) this.dropSegment(index, segment);
    fs.closeSync(this.fd);
  }

  private assertReadable(dst: Uint8Array, position: number): void {
    if (this.closed) throw new Error(`${this.name}: read after close`);
    // 0 means EOF to the caller, so an empty destination would end the scan early.
    if (dst.length === 0) throw new RangeError('read() needs a non-empty destination');
    if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`bad read position ${position}`);
  }

  private assertSizeUnchanged(): void {
    if (fs.fstatSync(this.fd).size !== this.size) throw changedSize(this.name);
  }

  private segmentAt(position: number): Segment {
    const index = Math.floor(position / this.segmentSize);
    const live = this.segments.get(index);
    if (live) return live;
    if (this.segments.size >= MAX_LIVE_SEGMENTS) this.dropLowestSegment();
    const mmap = this.mmap!;
    const start = index * this.segmentSize;
    const length = Math.min(this.segmentSize, this.size - start);
    let view: Buffer;
    try {
      view = mmap.map(length, mmap.PROT_READ, mmap.MAP_SHARED, this.fd, start, mmap.MADV_SEQUENTIAL);
    } catch (error) {
      throw mapFailure(this.name, error);
    }
    const segment: Segment = { start, view, releasedTo: 0 };
    this.segments.set(index, segment);
    return segment;
  }

  private dropLowestSegment(): void {
    const lowest = Math.min(...this.segments.keys());
    this.dropSegment(lowest, this.segments.get(lowest)!);
  }

  /** Releases the pages now: the unmapping waits for the garbage collector. */
  private dropSegment(index: number, segment: Segment): void {
    this.adviseDontNeed(segment, segment.view.length);
    this.segments.delete(index);
  }

  private adviseDontNeed(segment: Segment, upTo: number): void {
    if (upTo <= segment.releasedTo) return;
    const mmap = this.mmap!;
    mmap.advise(segment.view, segment.releasedTo, upTo - segment.releasedTo, mmap.MADV_DONTNEED);
    segment.releasedTo = upTo;
  }
}
