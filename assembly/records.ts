// Whole records from a record start: the byte machine's one way into the fast stages, whatever the
// build. The simd build tries, in turn, uniform runs (assembly/uniform.ts), the block path
// (assembly/block-records.ts over the masks of assembly/blocks.ts) and fastRecords(); the scalar
// build has fastRecords() alone (assembly/fast-records.ts, 8 bytes at a time). Each stage stops
// where it does not model the input, and the next one, or the byte machine, goes on from there.
// Grouped scans (--by) take the block path too (keyedRecords(), not the uniform runs: a key is per
// record): on the 1 GiB mixed file, `/usr/bin/time -f '%e s' csvscan count --by date FILE
// --threads 1 --json` 1.88 s on fastRecords() alone, 1.42 s so (median of three, alternating);
// what remains is the group table's probe per record (README "Groups").

import { S_RECORD_START } from './machine-states';
import {
  mappedFields, state, position, stopOffset, quoteSearchEnd, blockResume, uniformRetryAt,
} from './state';
import { LF } from './bytes';
import { uniformRecords } from './uniform';
import { countRecords, fieldRecords, keyedRecords } from './block-records';
import { fastRecords } from './fast-records';
import { keyCount, pendingKey } from './groups';

/**
 * The fast path runs over whole records: up to the byte after the window's last LF (so every field
 * it meets ends inside the window), and no further than the stop offset.
 */
export function fastPathLimit(windowStart: usize, end: usize): usize {
  let safeEnd = end;
  while (safeEnd > windowStart && load<u8>(safeEnd - 1) != <u8>LF) safeEnd--;
  // A quoted field is taken by the fast path only if it closes before that last LF, so the LF is
  // surely outside quotes and still ends a record the fast path will reach.
  quoteSearchEnd = safeEnd > windowStart ? safeEnd - 1 : windowStart;
  if (stopOffset >= 0) {
    const stopDistance = stopOffset - position;
    if (stopDistance < 0) return windowStart;
    if (stopDistance < <i64>(safeEnd - windowStart)) safeEnd = windowStart + <usize>stopDistance;
  }
  return safeEnd;
}

/**
 * Scan whole records from `start` (a record start before `limit`, in a data record's mode) while
 * they start before `limit`, the fast path limit. Returns the next record start; or, with state set
 * to S_FIELD_START (and fieldIndex to its field), the start of a field the byte machine must take.
 */
@inline export function wholeRecords(start: usize, limit: usize): usize {
  let p = start;
  if (ASC_FEATURE_SIMD && keyCount > 0) {
    // Groups: the block path visiting the key fields (not the uniform runs: a key is per record)
    p = keyedRecords(p, limit, quoteSearchEnd);
    if (!pendingKey && state == S_RECORD_START && p < limit) p = fastRecords(p, blockResume < limit ? blockResume : limit);
  } else if (ASC_FEATURE_SIMD) {
    if (mappedFields != 0 && p >= uniformRetryAt) p = uniformRecords(p, limit);
    if (p < limit) {
      p = mappedFields == 0 ? countRecords(p, limit, quoteSearchEnd) : fieldRecords(p, limit, quoteSearchEnd);
    }
    if (state == S_RECORD_START && p < limit) p = fastRecords(p, blockResume < limit ? blockResume : limit);
  } else {
    p = fastRecords(p, limit);
  }
  return p;
}
