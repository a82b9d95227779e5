// Sum and stats by key (`sum -c C --by K`, `stats --by K`): a record's key is known only at its end,
// so its selected fields' verdicts are stashed as they are parsed (in the slots' memory, which holds
// no totals when grouping) and added to the columns of its group when the record ends.
//
// A group's column (GROUP_COLUMN_SIZE bytes after its key in the arena, layout.ts) is compact: count,
// invalid, min, max, and the sums of exact numbers' mantissas and squares as 64-bit integers at one
// decimal scale (rescaled when a number has more decimals). A number those cannot take (outside the
// exact domain, an overflow, a scale 10^18 apart) widens the column: a wide block, a slot's
// buckets, is allocated in the arena once, and such numbers go there. The first invalid field of a
// group's column is copied to the arena once. Nothing is allocated otherwise: a group of a few
// ordinary numbers costs its key and 64 bytes per column.

import {
  SLOTS_OFFSET, SLOT_SIZE, INVALID_CAPTURE, GROUP_COLUMN_SIZE, GC_COUNT, GC_INVALID, GC_MIN, GC_MAX,
  GC_SUM, GC_SQUARES, GC_SCALE, GC_WIDE, GC_INVALID_AT, GC_SCALE_NONE, GROUP_WIDE_SIZE, GROUP_INVALID_HEADER,
  GC_FORMS, GC_MIN_LENGTH, GC_MAX_LENGTH,
} from './layout';
import { POW10_U64, addExactBuckets, addOutside } from './buckets';

/** sum or stats by key: verdicts go to the stash, not to the slots */
export let stashing: bool = false;
let squares: bool = false;
let stashSlots: i32 = 0;

// ---- a stash entry, at its slot's address --------------------------------------------------------
const ST_KIND = 0; //      i32: KIND_*
const ST_EXPONENT = 4; //  i32: k
const ST_MANTISSA = 8; //  u64: m (exact numbers)
const ST_VALUE = 16; //    f64: the double
const ST_NEGATIVE = 24; // i32
const ST_LINE = 32; //     i64: an invalid field's line
const ST_SEEN = 40; //     i32: its bytes
const ST_KEPT = 44; //     i32: of which captured (<= INVALID_CAPTURE)
const ST_BYTES = 48; //    INVALID_CAPTURE bytes
const ST_LENGTH = 112; //  i64: the field's bytes
const ST_FORM = 120; //    i32: its number's FORM_* bits
const KIND_NONE = 0;
const KIND_EXACT = 1;
const KIND_OUTSIDE = 2;
const KIND_INVALID = 3;

const I64_MAX: u64 = 0x7fffffffffffffff;
const MAX_SQUARE_ROOT: u64 = 3037000499; // floor(sqrt(2^63 - 1))

/** reset(): grouping with `slots` selected columns (0: count --by, or no groups). */
export function configureStash(active: bool, withSquares: bool, slots: i32): void {
  stashing = active && slots > 0;
  squares = withSquares;
  stashSlots = stashing ? slots : 0;
  for (let s = 0; s < stashSlots; s++) store<i32>(SLOTS_OFFSET + <usize>s * SLOT_SIZE + ST_KIND, KIND_NONE);
}

/** Bytes of a group's columns after its key. */
export function columnBytes(): usize {
  return <usize>stashSlots * GROUP_COLUMN_SIZE;
}

@inline export function stashNumber(base: usize, exact: bool, m: u64, k: i64, negative: bool, value: f64): void {
  store<i32>(base + ST_KIND, exact ? KIND_EXACT : KIND_OUTSIDE);
  store<i32>(base + ST_EXPONENT, <i32>k);
  store<u64>(base + ST_MANTISSA, m);
  store<f64>(base + ST_VALUE, value);
  store<i32>(base + ST_NEGATIVE, <i32>negative);
}

export function stashInvalid(base: usize, line: i64, seen: i32, value: usize): void {
  const kept = seen < INVALID_CAPTURE ? seen : INVALID_CAPTURE;
  store<i32>(base + ST_KIND, KIND_INVALID);
  store<i64>(base + ST_LINE, line);
  store<i32>(base + ST_SEEN, seen);
  store<i32>(base + ST_KEPT, kept);
  memory.copy(base + ST_BYTES, value, <usize>kept);
}

@inline export function stashShape(base: usize, length: i64, form: i32): void {
  store<i64>(base + ST_LENGTH, length);
  store<i32>(base + ST_FORM, form);
}

/** A new group's columns: empty. */
export function initColumns(columns: usize): void {
  memory.fill(columns, 0, columnBytes());
  for (let s = 0; s < stashSlots; s++) {
    const column = columns + <usize>s * GROUP_COLUMN_SIZE;
    store<f64>(column + GC_MIN, Infinity);
    store<f64>(column + GC_MAX, -Infinity);
    store<i32>(column + GC_SCALE, GC_SCALE_NONE);
    store<i64>(column + GC_MIN_LENGTH, I64.MAX_VALUE);
  }
}

/** The most arena bytes adding a stash can take: each column widened, or its first invalid value copied. */
@inline export function stashWorst(): usize {
  return <usize>stashSlots * (GROUP_WIDE_SIZE > GROUP_INVALID_HEADER + INVALID_CAPTURE ? GROUP_WIDE_SIZE : GROUP_INVALID_HEADER + INVALID_CAPTURE);
}

/**
 * Arena bytes that adding the stash to the columns at `columns` will take (columns 0: a new
 * group's, still empty): a wide block per column it widens, the first invalid value per column.
 */
export function stashNeed(columns: usize): usize {
  let need: usize = 0;
  for (let s = 0; s < stashSlots; s++) {
    const entry = SLOTS_OFFSET + <usize>s * SLOT_SIZE;
    const kind = load<i32>(entry + ST_KIND);
    if (kind == KIND_NONE) continue;
    const column = columns + <usize>s * GROUP_COLUMN_SIZE;
    if (kind == KIND_INVALID) {
      if (columns == 0 || load<u32>(column + GC_INVALID_AT) == 0) need += GROUP_INVALID_HEADER + <usize>load<i32>(entry + ST_KEPT);
    } else if (columns == 0 || load<u32>(column + GC_WIDE) == 0) {
      const m = load<u64>(entry + ST_MANTISSA);
      const fitsCompact = kind == KIND_EXACT && (m == 0 ||
        (columns == 0 ? !squares || m <= MAX_SQUARE_ROOT
          : addCompact(column, m, load<i32>(entry + ST_EXPONENT), load<i32>(entry + ST_NEGATIVE) != 0, false)));
      if (!fitsCompact) need += GROUP_WIDE_SIZE;
    }
  }
  return need;
}

/**
 * Add the stash to the columns at `columns` and empty it. What a column needs from the arena (as
 * stashNeed() counted it) is taken at arena + used; returns the new used.
 */
export function applyStash(columns: usize, arena: usize, used: usize): usize {
  let tip = used;
  for (let s = 0; s < stashSlots; s++) {
    const entry = SLOTS_OFFSET + <usize>s * SLOT_SIZE;
    const kind = load<i32>(entry + ST_KIND);
    if (kind == KIND_NONE) continue;
    store<i32>(entry + ST_KIND, KIND_NONE);
    const column = columns + <usize>s * GROUP_COLUMN_SIZE;
    const length = load<i64>(entry + ST_LENGTH);
    if (length < load<i64>(column + GC_MIN_LENGTH)) store<i64>(column + GC_MIN_LENGTH, length);
    if (length > load<i64>(column + GC_MAX_LENGTH)) store<i64>(column + GC_MAX_LENGTH, length);
    store<i32>(column + GC_FORMS, load<i32>(column + GC_FORMS) | load<i32>(entry + ST_FORM));
    if (kind == KIND_INVALID) {
      store<i64>(column + GC_INVALID, load<i64>(column + GC_INVALID) + 1);
      if (load<u32>(column + GC_INVALID_AT) == 0) {
        const kept = <usize>load<i32>(entry + ST_KEPT);
        const at = arena + tip;
        store<i64>(at, load<i64>(entry + ST_LINE));
        store<i32>(at + 8, load<i32>(entry + ST_SEEN));
        store<i32>(at + 12, <i32>kept);
        memory.copy(at + GROUP_INVALID_HEADER, entry + ST_BYTES, kept);
        store<u32>(column + GC_INVALID_AT, <u32>tip);
        tip += GROUP_INVALID_HEADER + kept;
      }
      continue;
    }
    store<i64>(column + GC_COUNT, load<i64>(column + GC_COUNT) + 1);
    const value = load<f64>(entry + ST_VALUE);
    if (value < load<f64>(column + GC_MIN)) store<f64>(column + GC_MIN, value);
    if (value > load<f64>(column + GC_MAX)) store<f64>(column + GC_MAX, value);
    const m = load<u64>(entry + ST_MANTISSA);
    const k = load<i32>(entry + ST_EXPONENT);
    const negative = load<i32>(entry + ST_NEGATIVE) != 0;
    if (kind == KIND_EXACT && (m == 0 || addCompact(column, m, k, negative, true))) continue;
    let wide = load<u32>(column + GC_WIDE);
    if (wide == 0) {
      wide = <u32>tip;
      memory.fill(arena + tip, 0, GROUP_WIDE_SIZE);
      store<u32>(column + GC_WIDE, wide);
      tip += GROUP_WIDE_SIZE;
    }
    if (kind == KIND_EXACT) addExactBuckets(arena + <usize>wide, m, <i64>k, negative, squares);
    else addOutside(arena + <usize>wide, value);
  }
  return tip;
}

/** a x p fits i64 (p > 0) */
@inline function scaleFits(a: i64, p: u64): bool {
  const magnitude: u64 = a < 0 ? <u64>(-a) : <u64>a;
  return magnitude <= I64_MAX / p;
}

/**
 * The exact number m x 10^k into the column's compact sums, if they can take it (commit: do it);
 * false, with nothing changed, when they cannot.
 */
function addCompact(column: usize, m: u64, k: i32, negative: bool, commit: bool): bool {
  let scale = load<i32>(column + GC_SCALE);
  let sum = load<i64>(column + GC_SUM);
  let squareSum = load<i64>(column + GC_SQUARES);
  let magnitude = m;
  if (scale == GC_SCALE_NONE) {
    scale = k;
  } else if (k < scale) {
    // more decimals than before: the sums move to the finer scale
    const d = scale - k;
    if (d > 18) return false;
    const p = unchecked(POW10_U64[d]);
    if (!scaleFits(sum, p)) return false;
    sum *= <i64>p;
    if (squares && squareSum != 0) {
      if (2 * d > 18) return false;
      const p2 = unchecked(POW10_U64[2 * d]);
      if (!scaleFits(squareSum, p2)) return false;
      squareSum *= <i64>p2;
    }
    scale = k;
  } else if (k > scale) {
    const d = k - scale;
    if (d > 18) return false;
    const p = unchecked(POW10_U64[d]);
    if (magnitude > I64_MAX / p) return false;
    magnitude *= p;
  }
  // (magnitude < 10^18, or checked above when scaled up: it fits i64)
  const signed: i64 = negative ? -<i64>magnitude : <i64>magnitude;
  const total = sum + signed;
  if (((sum ^ total) & (signed ^ total)) < 0) return false;
  if (squares) {
    if (magnitude > MAX_SQUARE_ROOT) return false;
    const square = <i64>(magnitude * magnitude);
    if (squareSum > <i64>I64_MAX - square) return false;
    squareSum += square;
  }
  if (commit) {
    store<i64>(column + GC_SUM, total);
    store<i64>(column + GC_SQUARES, squareSum);
    store<i32>(column + GC_SCALE, scale);
  }
  return true;
}
