// Bytes and words of the window: the line-ending bytes, the SWAR constants, and the small helpers
// every stage shares (empty lines, CRLF record ends, counting LFs). Depends on nothing else.

export const LF: u32 = 10;
export const CR: u32 = 13;

// SWAR (8 bytes in a u64): LOW7 masks each byte's low seven bits, ONES * b repeats byte b.
// The SIMD build (asc --enable simd: ASC_FEATURE_SIMD) reads 32 bytes per step; WINDOW_SLACK covers it.
export const LOW7: u64 = 0x7f7f7f7f7f7f7f7f;
export const ONES: u64 = 0x0101010101010101;

/** Whether the line from `lineStart` to its LF at `lineFeed` is empty (nothing, or a lone CR). */
@inline export function isEmptyLine(lineStart: usize, lineFeed: usize): bool {
  return lineFeed == lineStart || (lineFeed == lineStart + 1 && load<u8>(lineStart) == <u8>CR);
}

/** The end of the last field [from, to) of a CRLF record: without its CR. */
@inline export function withoutCr(from: usize, to: usize): usize {
  return to > from && load<u8>(to - 1) == <u8>CR ? to - 1 : to;
}

/** LF bytes in [from, to). */
export function countLineFeeds(from: usize, to: usize): i64 {
  let count: i64 = 0;
  let p = from;
  if (ASC_FEATURE_SIMD) {
    const lfVector = i8x16.splat(<i8>LF);
    while (p + 16 <= to) {
      count += <i64>popcnt(i8x16.bitmask(i8x16.eq(v128.load(p), lfVector)));
      p += 16;
    }
  }
  while (p < to) {
    if (load<u8>(p) == <u8>LF) count++;
    p++;
  }
  return count;
}
