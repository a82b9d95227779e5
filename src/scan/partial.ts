// Shards: scans of one byte range of a file (`--range START:END`), written as partial results that
// `merge` combines exactly into the result of a whole-file scan, on any machine.
//
// A shard counts the records that start in [START, END). When START is inside a record, the kernel
// guesses that the byte before it is in an unquoted field and skips to the next record boundary; the
// shard before verifies the guess: its `stopPosition` (the first record boundary at/after its END)
// must be this shard's `firstRecord`. A cut inside a quoted field that holds a line break makes the
// guess wrong; merge then names the shard and the exact range to rescan it with, which starts at the
// true boundary (the bytes between END and that boundary hold no record start, so they need no shard).
// Worker threads (threads.ts) use the same verification and rescan by themselves.
//
// The partial (the `partial` member of a shard's --json) holds, besides the docs/spec.md result of the
// shard's own records, every raw accumulator: exact sums as decimal integers, the double sums with
// their compensations, counts, min/max, the first invalid field with its line relative to START, and
// the file's identity (size and a SHA-256 of its first and last 64 KiB: no path or mtime, so copies of
// the file on other machines match). Decisions (README):
// - In the shard's visible result, `first_invalid.line` is null unless the shard starts at the data
//   start: a line relative to START would look like a line of the file. The relative line is kept in
//   `partial.columns[i].firstInvalid.line`; merge turns it into the file's line.
// - A shard's `bytes` is the length of its range inside the file; merged, the file's size.
// - A shard that starts at the data start and ends inside a quoted field is malformed input for sure
//   (exit 1, as a whole-file scan); a later shard's unterminated quote may come from a wrong guess,
//   so it is kept in the partial and reported by merge once the guess is verified.
// - Numbers that JSON cannot hold (Infinity, -Infinity, NaN, and -0 for min/max) are strings.
// - merge reads partials back through partial-check.ts: every member is checked and a damaged
//   shard is refused naming its file and the member, never merged.

import { usageError } from '../errors.js';
import type { ByteSource } from '../io/index.js';
import { createEngine } from '../kernel/engine.js';
import { mergeRawScans } from '../results/merge.js';
import { emptyColumn } from '../kernel/merge-columns.js';
import { profileOf, type ResolvedOptions } from '../options.js';
import type {
  DistinctSketch, DistinctSketchJson, JsonDouble, KeyPlan, PartialColumnJson, PartialScanJson, QuantileSketch, QuantileSketchJson, RawColumn, RawScan, ScanResult,
} from '../types.js';
import { encodeGroups } from '../results/groups.js';
import { checkSameScan, PARTIAL_FORMAT, readShard, toBase64, type Shard } from './partial-check.js';
import { ProgressThrottle } from './progress.js';
import { malformed, scanRange, type ByteReader, type RangeQuery } from './range.js';
import { closeSpilled, gatherSpilled, groupSink } from './spill.js';
import { toResult, type ScanPlan } from './result.js';

export { PARTIAL_FORMAT } from './partial-check.js';
export type { PartialScanJson } from '../types.js';

/** Bytes hashed at each end of the file for its fingerprint. */
const FINGERPRINT_EDGE = 64 * 1024;

/** Scan one shard of `source` (options.range) and return its result with the partial. */
export async function scanShard(
  source: ByteSource,
  input: ByteReader,
  scan: ScanPlan,
  query: RangeQuery,
  options: ResolvedOptions,
): Promise<ScanResult> {
  const size = source.size!;
  const [rangeStart, rangeEnd] = options.range!;
  const fromDataStart = rangeStart <= scan.dataStart;
  const rangeBytes = Math.max(0, Math.min(rangeEnd, size) - Math.min(rangeStart, size));
  const onProgress = options.onProgress;
  const progress = new ProgressThrottle((done) => onProgress?.(Math.min(done, rangeBytes), rangeBytes));
  const engine = createEngine(options.engine);
  const scanned = scanRange(
    input,
    engine,
    {
      ...query,
      start: Math.max(rangeStart, scan.dataStart),
      stop: rangeEnd < size ? rangeEnd : -1,
      startIsRecordStart: false,
    },
    (bytes) => progress.add(bytes),
    groupSink(query),
  );
  const midFile = scanned.midFile;
  onProgress?.(rangeBytes, rangeBytes);
  if (fromDataStart && scanned.raw.unterminatedQuote) {
    closeSpilled(scanned.raw.spilled);
    throw malformed(source.name, scanned.raw.unterminatedQuote.line, scanned.raw.unterminatedQuote.byte);
  }
  // a partial carries every group of its shard: spilled ones are read back
  const raw = gatherSpilled(scanned.raw, query.groups?.tempDir ?? '', options.memory);

  const result = toResult(source.name, raw, scan, options, true);
  result.bytes = rangeBytes;
  if (!fromDataStart) {
    for (const column of result.columns ?? []) {
      if (column.first_invalid) column.first_invalid = { line: null, value: column.first_invalid.value };
    }
  }
  result.partial = {
    format: PARTIAL_FORMAT,
    file: { size, fingerprint: await fingerprint(input, size) },
    range: [rangeStart, rangeEnd],
    dataStart: scan.dataStart,
    midFile,
    query: {
      mode: options.mode,
      columns: options.columns && options.columns.length > 0 ? [...options.columns] : null,
      delimiter: scan.dialect.delimiter,
      quote: scan.dialect.quote,
      header: scan.dialect.header,
      profile: profileOf(options),
    },
    plan: { outputs: scan.plan.outputs, allFields: scan.plan.allFields, indexesToCheck: scan.plan.indexesToCheck },
    keys: scan.keys,
    ...encodeRawScan(raw),
  };
  return result;
}

/** SHA-256 of the first and last FINGERPRINT_EDGE bytes (overlapping in a small file), with the size. */
async function fingerprint(input: ByteReader, size: number): Promise<string> {
  const edge = Math.min(FINGERPRINT_EDGE, size);
  const bytes = new Uint8Array(2 * edge);
  readFully(input, bytes.subarray(0, edge), 0);
  readFully(input, bytes.subarray(edge), size - edge);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  return `sha256:${Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

function readFully(input: ByteReader, dst: Uint8Array, position: number): void {
  let filled = 0;
  while (filled < dst.length) {
    const got = input.read(dst.subarray(filled), position + filled);
    if (got === 0) throw usageError('the file changed size while being read');
    filled += got;
  }
}

// ---- the raw scan as JSON ------------------------------------------------------------------------

type EncodedRawScan = Omit<PartialScanJson, 'format' | 'file' | 'range' | 'dataStart' | 'midFile' | 'query' | 'plan' | 'keys'>;

function encodeRawScan(raw: RawScan): EncodedRawScan {
  return {
    records: raw.records,
    lines: raw.lines,
    bytes: raw.bytes,
    short: raw.short,
    long: raw.long,
    maxFields: raw.maxFields,
    expectedFields: raw.expectedFields,
    headerFields: raw.headerFields,
    firstRecord: raw.firstRecord,
    linesBeforeFirst: raw.linesBeforeFirst,
    stopPosition: raw.stopPosition,
    unterminatedQuote: raw.unterminatedQuote,
    columns: raw.columns.map(encodeColumn),
    groups: raw.groups ? encodeGroups(raw.groups, encodeColumn) : null,
  };
}

/**
 * Every accumulator of the column, whatever the engine keeps: bigints, doubles, the first invalid
 * field, and the profile's sketches (null when not gathered).
 */
function encodeColumn(column: RawColumn): PartialColumnJson {
  const encoded: PartialColumnJson = { firstInvalid: null, distinct: null, quantiles: null };
  for (const [key, value] of Object.entries(column) as [string, unknown][]) {
    if (key === 'firstInvalid') {
      const invalid = value as RawColumn['firstInvalid'];
      encoded.firstInvalid = invalid && { line: invalid.line, base64: toBase64(invalid.value) };
    } else if (key === 'distinct') {
      encoded.distinct = value ? encodeDistinct(value as DistinctSketch) : null;
    } else if (key === 'quantiles') {
      encoded.quantiles = value ? encodeQuantiles(value as QuantileSketch) : null;
    } else if (typeof value === 'bigint') {
      encoded[key] = value.toString();
    } else if (typeof value === 'number') {
      encoded[key] = encodeDouble(value);
    } else {
      throw new TypeError(`cannot write RawColumn.${key} into a partial`);
    }
  }
  return encoded;
}

/** The hashes sorted (so that a shard's JSON does not depend on the engine's table), as base64 of their bytes. */
function encodeDistinct(sketch: DistinctSketch): DistinctSketchJson {
  let hashes: string | null = null;
  if (sketch.hashes) {
    const order = Array.from({ length: sketch.hashes.length / 4 }, (_, i) => i);
    const words = sketch.hashes;
    order.sort((a, b) => words[4 * a]! - words[4 * b]! || words[4 * a + 1]! - words[4 * b + 1]! || words[4 * a + 2]! - words[4 * b + 2]! || words[4 * a + 3]! - words[4 * b + 3]!);
    const sorted = new Uint32Array(words.length);
    order.forEach((from, to) => sorted.set(words.subarray(4 * from, 4 * from + 4), 4 * to));
    hashes = toBase64(wordBytes(sorted));
  }
  return { hashes, registers: sketch.registers ? toBase64(sketch.registers) : null };
}

function encodeQuantiles(sketch: QuantileSketch): QuantileSketchJson {
  return {
    zeros: sketch.zeros,
    negative: [sketch.negative.first, Array.from(sketch.negative.counts)],
    positive: [sketch.positive.first, Array.from(sketch.positive.counts)],
  };
}

/** 32-bit words as little-endian bytes, whatever the machine's order. */
function wordBytes(words: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((word, i) => view.setUint32(4 * i, word, true));
  return bytes;
}

function encodeDouble(value: number): JsonDouble {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Object.is(value, -0)) return '-0';
  return value;
}

// ---- combining ranges ------------------------------------------------------------------------------

/**
 * What to do with the next range, given where the records of the ranges accepted so far end
 * (`trueStop`, the first record start at/after the previous range's end; -1: they run to EOF).
 * `end` is the range's end (-1: EOF), `firstRecord` where the range itself began counting.
 */
export function chainStep(trueStop: number, end: number, firstRecord: number): 'accept' | 'skip' | 'rescan' {
  // No record starts in the range: the records before run past it.
  if (trueStop < 0 || (end >= 0 && trueStop >= end)) return 'skip';
  // The range's guess found the true boundary; otherwise it must be scanned again from there.
  return firstRecord === trueStop ? 'accept' : 'rescan';
}

/**
 * Merge consecutive verified ranges of one input; `dataBytes` is the input's size after the BOM.
 * With stats of all columns, ranges know only the columns of their widest record: the missing ones
 * are empty in every one of their records.
 */
export function mergeRangeParts(parts: RawScan[], dataBytes: number): RawScan {
  const width = Math.max(...parts.map((part) => part.columns.length));
  const padded = parts.map((part) =>
    part.columns.length === width
      ? part
      : {
          ...part,
          columns: [
            ...part.columns,
            ...Array.from({ length: width - part.columns.length }, () => emptyColumn(part.records)),
          ],
        },
  );
  const merged = mergeRawScans(padded);
  // Ranges fed from a byte before their first record overlap the range before: count the input once.
  merged.bytes = dataBytes;
  return merged;
}

// ---- merge -------------------------------------------------------------------------------------------

function rangeText(shard: Shard): string {
  return `${shard.start}:${shard.end}`;
}

function byText(keys: KeyPlan): string {
  return keys.names.map((name) => JSON.stringify(name)).join(', ');
}

/** Grouped and ungrouped partials, or partials grouped by other keys, do not merge. */
function checkSameGroups(shard: Shard, first: Shard): void {
  const keys = shard.partial.keys;
  const firstKeys = first.partial.keys;
  if ((keys === null) !== (firstKeys === null)) {
    const [grouped, plain] = keys === null ? [first, shard] : [shard, first];
    throw usageError(
      `${grouped.label} is grouped (--by ${byText(grouped.partial.keys!)}) and ${plain.label} is not: merge partials scanned with the same --by, or all without`,
    );
  }
  if (keys !== null && JSON.stringify([keys.fields, keys.names]) !== JSON.stringify([firstKeys!.fields, firstKeys!.names])) {
    throw usageError(`${shard.label} is grouped by ${byText(keys)} and ${first.label} by ${byText(firstKeys!)}: merge partials scanned with the same --by`);
  }
}

/**
 * Combine the partial results of shards of one file (the `--json` objects of `--range` scans, in any
 * order) into the result of a whole-file scan. `labels` name the shards in errors (e.g. their file
 * names). Throws a CsvscanError (exit 2) naming the shard when one is damaged (and the member) or
 * when the shards do not tile one file, and the malformed-input error (exit 1) when the file ends
 * inside a quoted field.
 */
export function merge(parts: readonly unknown[], labels?: readonly string[], top: number | null = null): ScanResult {
  if (parts.length === 0) throw usageError('merge needs at least one partial result');
  return mergeShards(parts.map((part, index) => readShard(part, labels?.[index] ?? `part ${index + 1}`)), top);
}

/** merge() of shards already read (and so checked) by readShard(). */
export function mergeShards(shards: readonly Shard[], top: number | null = null): ScanResult {
  if (shards.length === 0) throw usageError('merge needs at least one partial result');
  checkSameScan(shards);
  const first = shards[0]!;
  for (const shard of shards) checkSameGroups(shard, first);

  const sorted = [...shards].sort((a, b) => a.start - b.start || a.end - b.end);
  const size = first.partial.file.size;
  const dataStart = first.partial.dataStart;
  const head = sorted[0]!;
  if (head.start > dataStart) {
    throw usageError(`no shard starts at the beginning of the file: the first, ${head.label}, starts at byte ${head.start}`);
  }
  for (let k = 1; k < sorted.length; k++) {
    const before = sorted[k - 1]!;
    const shard = sorted[k]!;
    if (shard.start === before.start && shard.end === before.end) {
      throw usageError(`${shard.label}: the same range (${rangeText(shard)}) as ${before.label}`);
    }
    if (shard.start < before.end) {
      throw usageError(`${shard.label}: its range ${rangeText(shard)} overlaps ${before.label}'s ${rangeText(before)}`);
    }
  }
  const tail = sorted[sorted.length - 1]!;
  if (tail.end < size) {
    throw usageError(`no shard reaches the end of the file (${size} bytes): the last, ${tail.label}, ends at byte ${tail.end}`);
  }

  const accepted: RawScan[] = [head.raw];
  let trueStop = head.raw.stopPosition;
  for (let k = 1; k < sorted.length; k++) {
    const before = sorted[k - 1]!;
    const shard = sorted[k]!;
    // A shard rescanned from the true boundary starts after the end of the one before: the bytes
    // between hold no record start, so nothing is missing.
    if (shard.start > before.end && shard.start !== trueStop) {
      throw usageError(
        `bytes ${before.end} to ${shard.start} are in no shard: one is missing between ${before.label} (${rangeText(before)}) and ${shard.label} (${rangeText(shard)})`,
      );
    }
    const step = chainStep(trueStop, shard.end, shard.raw.firstRecord);
    if (step === 'skip') continue;
    if (step === 'rescan') {
      throw usageError(
        `${shard.label}: its start guessed wrong (a quoted field spans the cut at byte ${shard.start}); rescan it with --range ${trueStop}:${shard.end}`,
      );
    }
    accepted.push(shard.raw);
    trueStop = shard.raw.stopPosition;
  }

  const merged = mergeRangeParts(accepted, size - dataStart);
  if (merged.unterminatedQuote) throw malformed(first.file, merged.unterminatedQuote.line, merged.unterminatedQuote.byte);
  const { query, plan } = first.partial;
  const scan: ScanPlan = {
    dialect: { delimiter: query.delimiter, quote: query.quote, header: query.header },
    plan: { slotFields: [], allFields: plan.allFields, outputs: plan.outputs, indexesToCheck: plan.indexesToCheck },
    header: null,
    dataStart,
    keys: first.partial.keys,
  };
  return toResult(first.file, merged, scan, { mode: query.mode, top });
}
