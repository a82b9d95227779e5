// Uniform runs (simd build, sum and stats): two passes, as simdjson's two stages. Pass 1 writes
// the structural index (stage 1, the masks of assembly/blocks.ts) out to the kernel scratch; pass 2
// parses each selected column down the records (stage 2, assembly/number.ts).
//
// Most files are runs of records that all have the header's width. For those, pass 1 writes the
// offset of every field end (delimiter or LF outside quotes, quote state as in fieldRecords()) of
// 8 KiB of blocks to the scratch region, and pass 2 parses each selected column down the records,
// one column at a time: the column's slot and the branches of its number format stay the same from
// record to record, where the record-by-record path switches column at every field. A run is
// uniform when its i-th LF is its (i x width + width - 1)-th field end for every i (so no record is
// shorter or longer, and no line is empty), and none of its selected fields is quoted; anything
// else is left, from the record where it starts, to fieldRecords().

import {
  RESULTS_OFFSET, RESULT_RECORDS, RESULT_MAX_FIELDS, RESULT_EXPECTED_FIELDS, KERNEL_SCRATCH_OFFSET,
  COLUMN_MAP_OFFSET,
} from './layout';
import { PENDING_OFFSET } from './pending';
import {
  delimiter, quote, mappedFields, lines, uniformRetryAt, lazyLineBase, lazyLineFrom,
} from './state';
import { LF, withoutCr, countLineFeeds } from './bytes';
import {
  blockLineFeeds, blockDelimiters, blockQuotes, quotesModelled, resetQuoteState, insideQuotes, classifyBlock,
  clipBlock,
} from './blocks';
import { fastField } from './number';

const RUN_BLOCKS: usize = 128; //             8 KiB of input per run
const UNIFORM_MAX_WIDTH: i64 = 1024; //         a record's ends carried from one run to the next
// entries of the scratch: a run's ends (at most one per byte), a carried partial record, and the
// up to 12 entries the unrolled stores write past the count
const SCRATCH_ENTRIES_NEEDED: usize = RUN_BLOCKS * 64 + <usize>UNIFORM_MAX_WIDTH + 12;

/**
 * Accumulate the uniform records from `start` (a record start) that end before `limit`. Returns
 * the record start where it stopped: at or past `limit`, or where a run is not uniform (or holds a
 * quote), or where the window's records end.
 */
export function uniformRecords(start: usize, limit: usize): usize {
  const width = load<i64>(RESULTS_OFFSET + RESULT_EXPECTED_FIELDS);
  // (one column: an empty line would pass for a record of one empty field; those take fieldRecords)
  if (width < 2 || width > UNIFORM_MAX_WIDTH || <i64>mappedFields > width) return start;
  if (PENDING_OFFSET - KERNEL_SCRATCH_OFFSET < (SCRATCH_ENTRIES_NEEDED << 2)) return start; // (the rest: pending.ts)
  const w = <usize>width;
  const delim = delimiter;
  const quoteValue = quote;
  const scratch: usize = KERNEL_SCRATCH_OFFSET;
  let recordStart = start;
  let entries: usize = 0; //      field ends in the scratch: a carried partial record, then this run's
  resetQuoteState();
  let block = start;
  while (block < limit) {
    // ---- pass 1: field ends (outside quotes) of up to RUN_BLOCKS blocks, as offsets from `start` ----
    let runEnd = block + RUN_BLOCKS * 64;
    if (runEnd > limit) runEnd = limit;
    let lineFeedCount: usize = 0;
    let runQuotes: u64 = 0; //     any quote in the run
    let quotedLineFeeds: u64 = 0; // any LF inside quotes in the run
    while (block < runEnd) {
      classifyBlock(block, delim, quoteValue);
      clipBlock(block, runEnd - 1);
      const lineFeeds = blockLineFeeds;
      const quotes = blockQuotes;
      let ends = blockDelimiters | lineFeeds;
      const inside = insideQuotes(quotes, ends);
      if (!quotesModelled) return notUniform(recordStart);
      runQuotes |= quotes;
      quotedLineFeeds |= lineFeeds & inside;
      ends &= ~inside;
      lineFeedCount += <usize>popcnt(lineFeeds & ~inside);
      const base = <u32>(block - start);
      let out = scratch + (entries << 2);
      entries += <usize>popcnt(ends);
      // Twelve stores whatever the count (past it they are overwritten later): a loop whose trip
      // count follows the block's field count would mispredict its exit at most blocks. Blocks
      // with more ends continue four at a time.
      ends = storeFourEnds(out, base, ends);
      ends = storeFourEnds(out + 16, base, ends);
      ends = storeFourEnds(out + 32, base, ends);
      out += 48;
      while (ends != 0) {
        ends = storeFourEnds(out, base, ends);
        out += 16;
      }
      block += 64;
    }
    // ---- uniform? the i-th LF is entry i x w + w - 1, for every LF of the run ----
    const records = lineFeedCount;
    if (records * w > entries) return notUniform(recordStart); // some record is short
    for (let r: usize = 0; r < records; r++) {
      const at = start + <usize>load<u32>(scratch + ((r * w + w - 1) << 2));
      if (load<u8>(at) != <u8>LF) return notUniform(recordStart);
    }
    if (records == 0) {
      if (entries > <usize>UNIFORM_MAX_WIDTH) return notUniform(recordStart);
      continue;
    }
    const runStart = recordStart;
    // a selected field that is quoted is unquoted by the byte machine: the whole run goes there
    if (runQuotes != 0) {
      for (let field: i32 = 0; field < mappedFields; field++) {
        if (load<i16>(COLUMN_MAP_OFFSET + (<usize>field << 1)) < 0) continue;
        for (let r: usize = 0; r < records; r++) {
          const from = runFieldStart(start, runStart, scratch + ((r * w) << 2), r, <usize>field);
          if (<u32>load<u8>(from) == quoteValue) return notUniform(recordStart);
        }
      }
    }
    // ---- pass 2: each selected column down the records ----
    // Without LFs inside quotes, record r is on line lines + 1 + r; with them, a field's line is
    // counted only if it is needed (a first invalid value), from the run's first record.
    const lineBase = lines + 1;
    const linesKnown = quotedLineFeeds == 0;
    lazyLineBase = lineBase;
    lazyLineFrom = runStart;
    for (let field: i32 = 0; field < mappedFields; field++) {
      if (load<i16>(COLUMN_MAP_OFFSET + (<usize>field << 1)) < 0) continue;
      const f = <usize>field;
      const last = f == w - 1;
      for (let r: usize = 0; r < records; r++) {
        const row = scratch + ((r * w) << 2);
        const from = runFieldStart(start, runStart, row, r, f);
        const end = start + <usize>load<u32>(row + (f << 2));
        const to = last ? withoutCr(from, end) : end;
        fastField(field, from, to, linesKnown ? lineBase + <i64>r : -1);
      }
    }
    const used = records * w;
    recordStart = start + <usize>load<u32>(scratch + ((used - 1) << 2)) + 1;
    lines += linesKnown ? <i64>records : countLineFeeds(runStart, recordStart);
    const results = RESULTS_OFFSET;
    store<i64>(results + RESULT_RECORDS, load<i64>(results + RESULT_RECORDS) + <i64>records);
    if (width > load<i64>(results + RESULT_MAX_FIELDS)) store<i64>(results + RESULT_MAX_FIELDS, width);
    // carry the ends of the record in progress to the scratch's start
    const carried = entries - used;
    if (carried > <usize>UNIFORM_MAX_WIDTH) return notUniform(recordStart);
    memory.copy(scratch, scratch + (used << 2), carried << 2);
    entries = carried;
    if (recordStart >= limit) return recordStart;
  }
  return recordStart;
}

/**
 * Stores base + the offsets of the lowest four set bits of `ends` at out (base + 64 for a bit
 * that is not there: ctz(0) = 64) and returns `ends` without them.
 */
@inline function storeFourEnds(out: usize, base: u32, ends: u64): u64 {
  let rest = ends;
  store<u32>(out, base + <u32>ctz(rest));
  rest &= rest - 1;
  store<u32>(out, base + <u32>ctz(rest), 4);
  rest &= rest - 1;
  store<u32>(out, base + <u32>ctz(rest), 8);
  rest &= rest - 1;
  store<u32>(out, base + <u32>ctz(rest), 12);
  return rest & (rest - 1);
}

/** A run uniformRecords() cannot take: not again in this window (see uniformRetryAt). */
@inline function notUniform(recordStart: usize): usize {
  uniformRetryAt = <usize>-1;
  return recordStart;
}

/**
 * Where field `f` of record `r` of a uniform run starts: after the previous field end in the
 * scratch (`row` is record r's first entry), or at the run's start for the run's first field.
 */
@inline function runFieldStart(start: usize, runStart: usize, row: usize, r: usize, f: usize): usize {
  if (f != 0) return start + <usize>load<u32>(row + ((f - 1) << 2)) + 1;
  return r == 0 ? runStart : start + <usize>load<u32>(row - 4) + 1;
}
