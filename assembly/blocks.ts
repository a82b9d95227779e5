// Stage 1 of the SIMD block path (the simd build only; the scalar build keeps fastRecords() of
// assembly/fast-records.ts as the reference): the structural index of 64-byte blocks, as in
// simdjson's first stage. Stage 2, which walks these masks and parses the fields they delimit, is
// assembly/block-records.ts (record by record) and pass 2 of assembly/uniform.ts (column by column).
//
// Whole 64-byte blocks become three 64-bit masks: LF, delimiter and quote bytes, bit i for byte i.
// The quote state is the prefix XOR of the quote mask, carried from block to block. That is exact
// when every quote that opens a quoted field is at a field start or doubles the closing quote just
// before it; bytes appended after a closing quote hold no structure unless they hold a quote, which
// then opens nothing (SPEC: an ordinary byte) and fails the check. A block that fails it, and the
// window's tail past its last LF, are left to fastRecords() and the byte machine.

import { LF } from './bytes';

// masks of the block just classified by classifyBlock()
export let blockLineFeeds: u64 = 0;
export let blockDelimiters: u64 = 0;
export let blockQuotes: u64 = 0;

/** Bit i set when an odd number of bits 0..i of `quotes` are set: inside quotes after byte i. */
@inline function prefixXor(quotes: u64): u64 {
  let x = quotes;
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// Quote state of the block functions, carried from one block to the next (resetQuoteState() at a
// record start): all ones when the next block starts inside quotes; bit 0 set when the byte before
// it ended a field (or none came before), or was a closing quote.
let inQuotes: u64 = 0;
let fieldStartCarry: u64 = 1;
let closeCarry: u64 = 0;
/** false once insideQuotes() met a quote the prefix XOR does not model: stop before that block */
export let quotesModelled = true;

/** At a record start: outside quotes, right after a field end, nothing unmodelled met yet. */
@inline export function resetQuoteState(): void {
  inQuotes = 0;
  fieldStartCarry = 1;
  closeCarry = 0;
  quotesModelled = true;
}

/**
 * The inside-quotes mask of a block (bit i: byte i is inside a quoted field, or is its opening
 * quote), from its quote mask and its field-end mask (delimiters | LFs, inside quotes or not), and
 * the carried state, which it advances. When a quote opens somewhere other than at a field start or
 * right after a closing quote, the grammar there is not the prefix XOR's: it sets quotesModelled to
 * false (the caller stops before this block) and leaves the state as it was.
 */
@inline export function insideQuotes(quotes: u64, ends: u64): u64 {
  if (quotes == 0) {
    closeCarry = 0;
    fieldStartCarry = ends >> 63;
    return inQuotes;
  }
  const inside = prefixXor(quotes) ^ inQuotes;
  const closes = quotes & ~inside;
  // an opening quote must start a field, or double the closing quote just before it
  if ((quotes & inside & ~((ends << 1) | fieldStartCarry | (closes << 1) | closeCarry)) != 0) {
    quotesModelled = false;
    return inside;
  }
  inQuotes = <u64>(<i64>inside >> 63);
  closeCarry = closes >> 63;
  fieldStartCarry = ends >> 63;
  return inside;
}

/** The masks of the 64 bytes at `block`, to blockLineFeeds, blockDelimiters and blockQuotes. */
@inline export function classifyBlock(block: usize, delim: u32, quoteValue: u32): void {
  if (!ASC_FEATURE_SIMD) return;
  const delimVector = i8x16.splat(<i8>delim);
  const lfVector = i8x16.splat(<i8>LF);
  const quoteVector = i8x16.splat(<i8>quoteValue);
  const a = v128.load(block);
  const b = v128.load(block, 16);
  const c = v128.load(block, 32);
  const d = v128.load(block, 48);
  blockLineFeeds = <u64>i8x16.bitmask(i8x16.eq(a, lfVector)) | (<u64>i8x16.bitmask(i8x16.eq(b, lfVector)) << 16) |
    (<u64>i8x16.bitmask(i8x16.eq(c, lfVector)) << 32) | (<u64>i8x16.bitmask(i8x16.eq(d, lfVector)) << 48);
  blockDelimiters = <u64>i8x16.bitmask(i8x16.eq(a, delimVector)) | (<u64>i8x16.bitmask(i8x16.eq(b, delimVector)) << 16) |
    (<u64>i8x16.bitmask(i8x16.eq(c, delimVector)) << 32) | (<u64>i8x16.bitmask(i8x16.eq(d, delimVector)) << 48);
  const qa = i8x16.eq(a, quoteVector);
  const qb = i8x16.eq(b, quoteVector);
  const qc = i8x16.eq(c, quoteVector);
  const qd = i8x16.eq(d, quoteVector);
  blockQuotes = v128.any_true(v128.or(v128.or(qa, qb), v128.or(qc, qd)))
    ? <u64>i8x16.bitmask(qa) | (<u64>i8x16.bitmask(qb) << 16) | (<u64>i8x16.bitmask(qc) << 32) | (<u64>i8x16.bitmask(qd) << 48)
    : 0;
}

/** Clear the mask bits of bytes past `lastLineFeed` (slack after the window, or bytes left to the byte machine). */
@inline export function clipBlock(block: usize, lastLineFeed: usize): void {
  const span = lastLineFeed + 1 - block;
  if (span < 64) {
    const valid = (<u64>1 << <u64>span) - 1;
    blockLineFeeds &= valid;
    blockDelimiters &= valid;
    blockQuotes &= valid;
  }
}
