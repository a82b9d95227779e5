// Groups (`--by`): each data record's key, the tuple of its key fields after unquoting, is gathered
// as the byte machine scans those fields and counted in an open-addressing hash table of groups in
// the group region of linear memory (CONFIG_GROUP_BASE up to CONFIG_GROUP_LIMIT):
//
//   table: capacity x GROUP_ENTRY_SIZE   tag u32 | key offset u32 (in the arena) | records i64 (0 = empty)
//                                        | the key's bytes 0-7 and 8-15, zero-padded (u64, u64)
//   arena: keys, each u32 L | L bytes (the key fields in field order) | one u32 length per key field
//
// A probe reads the arena only when the entry does not decide the key (it holds the tag, L and the
// key's first 16 bytes): a key of one field of at most 16 bytes is compared, and counted, in its
// entry alone. Such a key is never copied by the block path either (lookUpShortKey()): it is hashed
// from the window and looked up as soon as its field ends, before the rest of its record is parsed,
// so that the entry's cache miss overlaps that parse (a profile of `count --by date` put 70% of the
// probe's time on two loads, the entry and the key in the arena).
//
// The current record's key is written at the arena's tip as its fields are scanned (a field that
// spans windows simply goes on at the tip); at the record's end it is hashed and looked up, and it
// stays in the arena only when it is a new group. The region is kept with room for the rest of the
// window's bytes at every check (the start of scan() and each new group), so that appending a key
// byte never has to check. When the table (at half load) or the arena needs more than the limit, the
// kernel keeps the key pending, stores the limit it needs in RESULT_GROUP_NEED and returns
// STATUS_GROUPS_FULL; the host grows memory, raises CONFIG_GROUP_LIMIT and calls scan() (or
// finish()) again, which goes on where it stopped. When the budget allows no more, the host reads the
// groups out (spilling them to disk), calls clearGroups() to empty the table and the arena, and calls
// scan() (or finish()) again the same way.
//
// With sum or stats by key, each group also holds its columns (assembly/group-columns.ts) after its
// key; the record's stashed fields are added to them when its key is counted.
//
// This module imports only group-columns.ts: state.ts calls resetGroups() and storeGroupResults().

import {
  CONFIG_OFFSET, CONFIG_FLAGS, CONFIG_SLOT_COUNT, FLAG_SQUARES, CONFIG_KEY_COUNT, CONFIG_GROUP_BASE, CONFIG_GROUP_LIMIT, CONFIG_KEY_FIELDS,
  RESULTS_OFFSET, RESULT_GROUP_COUNT, RESULT_GROUP_CAPACITY, RESULT_GROUP_ARENA, RESULT_GROUP_NEED,
  GROUP_ENTRY_SIZE, GROUP_INITIAL_CAPACITY,
} from './layout';
import { stashing, configureStash, columnBytes, initColumns, stashNeed, stashWorst, applyStash } from './group-columns';

/** MAX_KEYS x u32 (inside CONFIG's kernel scratch): the lengths of the current record's key fields. */
const KEY_LENGTHS: usize = CONFIG_OFFSET + 2048;

export let keyCount: i32 = 0;
/** the field being scanned is a key field: its bytes go to the key */
export let inKey: bool = false;
/** the next key field of the current record (-1: none left) */
export let nextKeyField: i32 = -1;
/** the key was complete but did not fit: counted once the host has made room */
export let pendingKey: bool = false;
/** where scan() goes on after STATUS_GROUPS_FULL with a pending key */
export let resumeAt: usize = 0;
/** fields up to the last key field: the fast path visits these, and hops over the rest */
export let keyFieldLimit: i32 = 0;
/** the end of the current window (remaining bytes are counted from a record's end to it) */
let windowEnd: usize = 0;

let keyOrdinal: i32 = 0;
let keyStart: usize = 0; //  where the current key field's bytes begin
let keyTip: usize = 0; //    where the next key byte goes
let pendingSize: usize = 0;
let groupBase: usize = 0;
let groupLimit: usize = 0;
let tableCapacity: usize = 0;
let arena: usize = 0;
let arenaUsed: usize = 0;
let groupCount: i64 = 0;

export function resetGroups(): void {
  keyCount = load<i32>(CONFIG_OFFSET + CONFIG_KEY_COUNT);
  inKey = false;
  pendingKey = false;
  nextKeyField = -1;
  keyFieldLimit = 0;
  shortEntry = 0;
  configureStash(keyCount > 0, (load<i32>(CONFIG_OFFSET + CONFIG_FLAGS) & FLAG_SQUARES) != 0, load<i32>(CONFIG_OFFSET + CONFIG_SLOT_COUNT));
  if (keyCount == 0) return;
  keyFieldLimit = load<i32>(CONFIG_OFFSET + CONFIG_KEY_FIELDS + (<usize>(keyCount - 1) << 2)) + 1;
  groupBase = <usize>load<u32>(CONFIG_OFFSET + CONFIG_GROUP_BASE);
  groupLimit = <usize>load<u32>(CONFIG_OFFSET + CONFIG_GROUP_LIMIT);
  tableCapacity = GROUP_INITIAL_CAPACITY;
  memory.fill(groupBase, 0, tableCapacity * GROUP_ENTRY_SIZE);
  arena = groupBase + tableCapacity * GROUP_ENTRY_SIZE;
  arenaUsed = 0;
  groupCount = 0;
  beginKey();
}

/**
 * After STATUS_GROUPS_FULL, once the host has read the groups out: an empty table and arena. The key
 * being gathered (or pending) moves to the start of the new arena.
 */
export function clearGroups(): void {
  if (keyCount == 0) return;
  const record = arena + arenaUsed;
  const moving = pendingKey ? pendingSize : keyTip - record;
  tableCapacity = GROUP_INITIAL_CAPACITY;
  const newArena = groupBase + tableCapacity * GROUP_ENTRY_SIZE;
  memory.copy(newArena, record, moving);
  const shift = record - newArena;
  keyTip -= shift;
  if (inKey) keyStart -= shift;
  memory.fill(groupBase, 0, tableCapacity * GROUP_ENTRY_SIZE);
  arena = newArena;
  arenaUsed = 0;
  groupCount = 0;
  storeGroupResults();
}

export function storeGroupResults(): void {
  store<i64>(RESULTS_OFFSET + RESULT_GROUP_COUNT, groupCount);
  store<i64>(RESULTS_OFFSET + RESULT_GROUP_CAPACITY, <i64>tableCapacity);
  store<i64>(RESULTS_OFFSET + RESULT_GROUP_ARENA, <i64>arena);
}

/** Bytes a key needs besides its fields' bytes: its length and the fields' lengths. */
@inline function keySlack(): usize {
  return 4 + (<usize>keyCount << 2);
}

/** A record begins: its key starts empty at the arena's tip. */
@inline function beginKey(): void {
  keyOrdinal = 0;
  nextKeyField = load<i32>(CONFIG_OFFSET + CONFIG_KEY_FIELDS);
  keyTip = arena + arenaUsed + 4;
}

/** Field `field` of a data record begins (-2: a field of the header or of a skipped record). */
@inline export function beginKeyField(field: i32): void {
  inKey = field == nextKeyField;
  if (inKey) keyStart = keyTip;
}

@inline export function keyBytes(from: usize, to: usize): void {
  memory.copy(keyTip, from, to - from);
  keyTip += to - from;
}

@inline export function keyByte(c: u32): void {
  store<u8>(keyTip, <u8>c);
  keyTip++;
}

// The block path's short key (see lookUpShortKey()): its entry (0: none pending) and its bytes.
let shortEntry: usize = 0;
let shortFrom: usize = 0;
let shortTo: usize = 0;

/**
 * The block path's key field, [from, to) in the window: a short key of one field is looked up at
 * once (its entry is counted at the record's end by endBlockKeyRecord()); any other goes to the arena.
 */
@inline export function blockKeyField(from: usize, to: usize): void {
  if (keyCount == 1 && to - from <= 16) {
    shortEntry = lookUpShortKey(from, to);
    shortFrom = from;
    shortTo = to;
  } else {
    fastKeyField(from, to);
  }
}

/** The block path hands the record in progress to another: a short key looked up goes to the arena. */
@inline export function settleShortKey(): void {
  if (shortEntry != 0) {
    shortEntry = 0;
    fastKeyField(shortFrom, shortTo);
  }
}

/** The block path's endKeyRecord(): a short key found in the table is counted in place. */
@inline export function endBlockKeyRecord(next: usize): bool {
  if (shortEntry != 0) {
    const entry = shortEntry;
    shortEntry = 0;
    if (load<i64>(entry + 8) != 0 && countShortKey(entry, shortTo - shortFrom, next)) return true;
    fastKeyField(shortFrom, shortTo); // a new group, or one whose stash needs a closer look
  }
  return endKeyRecord(next);
}

/** The fast path's key field: its bytes, [from, to), are its value. */
export function fastKeyField(from: usize, to: usize): void {
  keyStart = keyTip;
  const n = to - from;
  // a short key with word loads and stores, not memory.copy (a call out of the module in some engines)
  if (n <= 64) copyShort(keyTip, from, n);
  else memory.copy(keyTip, from, n);
  keyTip += n;
  endKeyField();
}

/** n <= 64 bytes from `src` to `dst` (not overlapping), writing no byte outside [dst, dst + n). */
@inline function copyShort(dst: usize, src: usize, n: usize): void {
  if (n >= 8) {
    let i: usize = 0;
    while (i + 8 < n) {
      store<u64>(dst + i, load<u64>(src + i));
      i += 8;
    }
    store<u64>(dst + n - 8, load<u64>(src + n - 8));
  } else if (n >= 4) {
    store<u32>(dst, load<u32>(src));
    store<u32>(dst + n - 4, load<u32>(src + n - 4));
  } else if (n >= 2) {
    store<u16>(dst, load<u16>(src));
    store<u16>(dst + n - 2, load<u16>(src + n - 2));
  } else if (n == 1) {
    store<u8>(dst, load<u8>(src));
  }
}

/**
 * The block path's quoted key field with doubled quotes: its bytes [from, to) between the opening and
 * closing quotes, where every quote is the first of a doubled pair (the masks checked that).
 */
export function fastQuotedKeyField(from: usize, to: usize, quoteValue: u32): void {
  keyStart = keyTip;
  let p = from;
  while (p < to) {
    const c = <u32>load<u8>(p);
    store<u8>(keyTip, <u8>c);
    keyTip++;
    p += c == quoteValue ? 2 : 1;
  }
  endKeyField();
}

export function endKeyField(): void {
  store<u32>(KEY_LENGTHS + (<usize>keyOrdinal << 2), <u32>(keyTip - keyStart));
  keyOrdinal++;
  nextKeyField = keyOrdinal < keyCount ? load<i32>(CONFIG_OFFSET + CONFIG_KEY_FIELDS + (<usize>keyOrdinal << 2)) : -1;
  inKey = false;
}

/**
 * Room for the rest of the window (`remaining` bytes) at the start of scan(): false (and
 * RESULT_GROUP_NEED set) when the limit must be raised first.
 */
export function roomForWindow(end: usize, from: usize): bool {
  windowEnd = end;
  groupLimit = <usize>load<u32>(CONFIG_OFFSET + CONFIG_GROUP_LIMIT);
  return fits(keyTip + (end - from) + keySlack());
}

/**
 * The record ended just before `next` (0: at the end of input): its key is complete (key fields
 * missing from a short record are empty). Counts it; false when a new group does not fit (the key
 * is then pending: see resumeKey()).
 */
export function endKeyRecord(next: usize): bool {
  const remaining = next == 0 ? 0 : windowEnd - next;
  for (let k = keyOrdinal; k < keyCount; k++) store<u32>(KEY_LENGTHS + (<usize>k << 2), 0);
  const record = arena + arenaUsed;
  const bytes = keyTip - record - 4;
  store<u32>(record, <u32>bytes);
  for (let k = 0; k < keyCount; k++) store<u32>(keyTip + (<usize>k << 2), load<u32>(KEY_LENGTHS + (<usize>k << 2)));
  pendingSize = 4 + bytes + (<usize>keyCount << 2);
  if (!countKey(pendingSize, remaining)) {
    pendingKey = true;
    return false;
  }
  beginKey();
  return true;
}

/**
 * After STATUS_GROUPS_FULL: count the pending key now that the limit was raised; the scan goes on at
 * `next` in the window that ends at `end` (0, 0: at the end of input).
 */
export function resumeKey(next: usize, end: usize): bool {
  windowEnd = end;
  groupLimit = <usize>load<u32>(CONFIG_OFFSET + CONFIG_GROUP_LIMIT);
  if (!countKey(pendingSize, end - next)) return false;
  pendingKey = false;
  beginKey();
  return true;
}

@inline function fits(end: usize): bool {
  if (end <= groupLimit) return true;
  store<i64>(RESULTS_OFFSET + RESULT_GROUP_NEED, <i64>end);
  return false;
}

/** Count the key of `size` bytes at the arena's tip. */
function countKey(size: usize, remaining: usize): bool {
  let record = arena + arenaUsed;
  const hash = hashKey(record);
  const bytes = <usize>load<u32>(record);
  const w0 = bytes > 0 ? keyWord(record + 4, bytes) : 0;
  const w1 = bytes > 8 ? keyWord(record + 12, bytes - 8) : 0;
  const t = tagOf(hash, bytes);
  const decided = keyCount == 1 && bytes <= 16;
  let entry = probe(hash, t, w0, w1, decided, record, size);
  const records = load<i64>(entry + 8);
  if (records != 0) {
    if (stashing) {
      // the key at the tip is not kept: what the columns need from the arena goes there
      const columns = arena + <usize>load<u32>(entry + 4) + size;
      if (!stashFits(columns, record, remaining)) return false;
      arenaUsed = applyStash(columns, arena, arenaUsed);
    }
    store<i64>(entry + 8, records + 1);
    return true;
  }
  // a new group: the table stays at most half full, and the arena keeps room for the window's rest
  if ((groupCount + 1) * 2 > <i64>tableCapacity) {
    if (!growTable(size, remaining)) return false;
    record = arena + arenaUsed;
    entry = probe(hash, t, w0, w1, decided, record, size);
  }
  const columns = stashing ? columnBytes() + stashNeed(0) : 0;
  if (!fits(record + size + columns + remaining + keySlack())) return false;
  store<u32>(entry, t);
  store<u32>(entry + 4, <u32>arenaUsed);
  store<i64>(entry + 8, 1);
  store<u64>(entry + 16, w0);
  store<u64>(entry + 24, w1);
  arenaUsed += size;
  if (stashing) {
    initColumns(arena + arenaUsed);
    const at = arenaUsed;
    arenaUsed = applyStash(arena + at, arena, at + columnBytes());
  }
  groupCount++;
  return true;
}

/**
 * Room in the arena past `tip` for what adding the stash to the group columns at `columns` takes:
 * the worst case is checked first, so that the exact need (which tries each number) is counted only
 * near the limit.
 */
@inline function stashFits(columns: usize, tip: usize, remaining: usize): bool {
  if (tip + stashWorst() + remaining + keySlack() <= groupLimit) return true;
  const need = stashNeed(columns);
  return need == 0 || fits(tip + need + remaining + keySlack());
}

/**
 * The block path's key of one field, [from, to) in the window, at most 16 bytes (keyCount == 1):
 * hashed from the window and looked up. Returns its entry (records 0: not in the table), without
 * copying the key; countShortKey() counts it at the record's end (or its bytes go to the arena's
 * tip as any key's).
 */
export function lookUpShortKey(from: usize, to: usize): usize {
  const n = to - from;
  // the window is followed by WINDOW_SLACK readable bytes
  const w0 = n >= 8 ? load<u64>(from) : load<u64>(from) & lowBytes(n);
  const w1 = n > 8 ? keyWord(from + 8, n - 8) : 0;
  let h = HASH_SEED ^ <u64>n;
  if (n > 0) h = mix(h, w0);
  if (n > 8) h = mix(h, w1);
  const hash = finalHash(h);
  return probe(hash, tagOf(hash, n), w0, w1, true, 0, 0);
}

/**
 * The record that ended just before `next` (0: at the end of input) has the key of `bytes` bytes
 * that lookUpShortKey() found at `entry`: counts it, adding its stash. False, with nothing done, when the stash's arena
 * needs are not certain to fit: the key then goes the general way, which finds out.
 */
export function countShortKey(entry: usize, bytes: usize, next: usize): bool {
  const records = load<i64>(entry + 8);
  if (stashing) {
    // its columns after its key (u32 L | L bytes | u32 L): the key's length is known, not loaded
    const columns = arena + <usize>load<u32>(entry + 4) + 8 + bytes;
    const remaining = next == 0 ? 0 : windowEnd - next;
    if (arena + arenaUsed + stashWorst() + remaining + keySlack() > groupLimit) return false;
    arenaUsed = applyStash(columns, arena, arenaUsed);
    keyTip = arena + arenaUsed + 4;
  }
  store<i64>(entry + 8, records + 1);
  return true;
}

/**
 * The entry holding this key, or the empty entry where it goes. `decided`: the tag and words decide
 * equality (one field of at most 16 bytes); else a matching entry's key is compared in the arena
 * with the `size` bytes at `record`.
 */
@inline function probe(hash: u32, t: u32, w0: u64, w1: u64, decided: bool, record: usize, size: usize): usize {
  const mask = tableCapacity - 1;
  let i = <usize>hash & mask;
  let entry = groupBase + i * GROUP_ENTRY_SIZE;
  while (load<i64>(entry + 8) != 0) {
    if (load<u32>(entry) == t && load<u64>(entry + 16) == w0 && load<u64>(entry + 24) == w1 &&
      (decided || sameBytes(arena + <usize>load<u32>(entry + 4), record, size))) break;
    i = (i + 1) & mask;
    entry = groupBase + i * GROUP_ENTRY_SIZE;
  }
  return entry;
}

/**
 * Double the table: the arena (with the key at its tip) moves up, the old table is copied past it
 * and its entries rehashed into the new one.
 */
function growTable(size: usize, remaining: usize): bool {
  const oldCapacity = tableCapacity;
  const oldBytes = oldCapacity * GROUP_ENTRY_SIZE;
  const capacity = oldCapacity << 1;
  const newArena = groupBase + capacity * GROUP_ENTRY_SIZE;
  const moved = arenaUsed + size;
  const temporary = newArena + moved;
  const afterward = newArena + moved + remaining + keySlack();
  if (!fits(temporary + oldBytes > afterward ? temporary + oldBytes : afterward)) return false;
  memory.copy(newArena, arena, moved);
  memory.copy(temporary, groupBase, oldBytes);
  memory.fill(groupBase, 0, capacity * GROUP_ENTRY_SIZE);
  const mask = capacity - 1;
  for (let e: usize = 0; e < oldBytes; e += GROUP_ENTRY_SIZE) {
    const from = temporary + e;
    if (load<i64>(from + 8) == 0) continue;
    // the tag keeps the hash's low 24 bits: enough for up to 2^24 entries
    const hash = capacity <= (1 << 24) ? load<u32>(from) : hashKey(newArena + <usize>load<u32>(from + 4));
    let i = <usize>hash & mask;
    while (load<i64>(groupBase + i * GROUP_ENTRY_SIZE + 8) != 0) i = (i + 1) & mask;
    memory.copy(groupBase + i * GROUP_ENTRY_SIZE, from, GROUP_ENTRY_SIZE);
  }
  tableCapacity = capacity;
  arena = newArena;
  return true;
}

const HASH_SEED: u64 = 0x9e3779b97f4a7c15;

@inline function mix(h: u64, w: u64): u64 {
  const m = (h ^ w) * 0xff51afd7ed558ccd;
  return m ^ (m >> 32);
}

@inline function finalHash(h: u64): u32 {
  h ^= h >> 29;
  h *= 0xc4ceb9fe1a85ec53;
  h ^= h >> 32;
  return <u32>h;
}

/** The low n bytes (n < 8) of a word. */
@inline function lowBytes(n: usize): u64 {
  return (<u64>1 << (<u64>n << 3)) - 1;
}

/**
 * A key's bytes from p as a little-endian word, zero-padded past `left` (> 0) bytes. It loads 8
 * bytes: a key in the arena is followed by its field lengths and the region's slack, one in the
 * window by WINDOW_SLACK.
 */
@inline function keyWord(p: usize, left: usize): u64 {
  const w = load<u64>(p);
  return left >= 8 ? w : w & lowBytes(left);
}

/** The tag of an entry: the hash's low 24 bits, the key's byte count (up to 255) above them. */
@inline function tagOf(hash: u32, bytes: usize): u32 {
  return (hash & 0xffffff) | (<u32>(bytes < 255 ? bytes : 255) << 24);
}

/**
 * The hash of the key at `record` (u32 L | L bytes | lengths): its bytes as zero-padded 8-byte words
 * (lookUpShortKey() gets the same from the window), then, for several key fields, their lengths.
 */
function hashKey(record: usize): u32 {
  const n = <usize>load<u32>(record);
  const p = record + 4;
  let h = HASH_SEED ^ <u64>n;
  let i: usize = 0;
  while (i < n) {
    h = mix(h, keyWord(p + i, n - i));
    i += 8;
  }
  if (keyCount > 1) {
    for (let k = 0; k < keyCount; k++) h = mix(h, <u64>load<u32>(p + n + (<usize>k << 2)));
  }
  return finalHash(h);
}

function sameBytes(a: usize, b: usize, n: usize): bool {
  let i: usize = 0;
  while (i + 8 <= n) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  while (i < n) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
    i++;
  }
  return true;
}
