// What the scan loop reads from: every source copies into a caller's buffer, typically a window of
// Wasm memory. The sources implement it; source.ts chooses one; nothing here imports them.

export interface ByteSource {
  /** path as given, or '-' for stdin */
  readonly name: string;
  /** null for pipes/stdin and compressed input */
  readonly size: number | null;
  /** set when the bytes read are decompressed from the input (its size is then null) */
  readonly compression?: 'gzip';
  /**
   * Copy up to dst.length bytes from absolute offset `position` into dst; return bytes copied
   * (0 = EOF). Calls come with increasing positions; for stdin positions are strictly sequential.
   */
  read(dst: Uint8Array, position: number): number;
  /**
   * Bytes before `position` will not be read again: release them (mmap: advise MADV_DONTNEED
   * and drop finished segments).
   */
  release(position: number): void;
  close(): void;
}
