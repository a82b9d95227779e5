// The scan driver: read the BOM and the header, plan the columns, then scan the input as one range
// on this thread (range.ts), as ranges on worker threads (threads.ts), or as one `--range` shard
// (partial.ts), and turn the raw accumulators into the result (result.ts).
//
// Threads and shards load lazily from here, so this module stays free of Node APIs: the browser
// worker runs it too.

import { displayName, usageError } from '../errors.js';
import type { ByteSource } from '../io/index.js';
import { createEngine, loadEngine } from '../kernel/engine.js';
import { MIN_MEMORY, dialectOf, plannedThreads, profileOf, type ResolvedOptions } from '../options.js';
import type { Dialect, RawScan, ScanResult } from '../types.js';
import { planColumns, planKeys, type Header } from './columns.js';
import { FirstRecordParser, headerTooLong, MAX_HEADER_BYTES } from './header.js';
import { ProgressThrottle } from './progress.js';
import { malformed, scanRange, type ByteReader, type RangeQuery } from './range.js';
import { toOutcome, withGroups, type ScanOutcome, type ScanPlan } from './result.js';

/** The smallest chunk a parallel scan hands out (threads.ts). */
const MIN_CHUNK_BYTES = 4 * 1024 * 1024;

const BOM = [0xef, 0xbb, 0xbf];
const ON_NODE = typeof process !== 'undefined' && process.versions?.node !== undefined;
const PREFIX_CHUNK = 65536;

/**
 * The first bytes of the input, read once to find the BOM and the header. Sources are read at
 * increasing positions only (stdin cannot seek), so these bytes are replayed to the kernel. They are
 * at most the header (MAX_HEADER_BYTES).
 */
class Prefix implements ByteReader {
  private buffer = new Uint8Array(PREFIX_CHUNK);
  length = 0;
  atEnd = false;

  constructor(private readonly source: ByteSource) {}

  get bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /** Read at least `length` bytes (fewer at EOF). */
  fill(length: number): void {
    while (!this.atEnd && this.length < length) {
      if (this.buffer.length < length) {
        const grown = new Uint8Array(Math.max(length, 2 * this.buffer.length));
        grown.set(this.bytes);
        this.buffer = grown;
      }
      const got = this.source.read(this.buffer.subarray(this.length), this.length);
      if (got === 0) this.atEnd = true;
      this.length += got;
    }
  }

  /** Copy into dst from `position`, serving the prefix first; returns bytes copied. */
  read(dst: Uint8Array, position: number): number {
    if (position < this.length) {
      const part = this.buffer.subarray(position, Math.min(this.length, position + dst.length));
      dst.set(part);
      return part.length;
    }
    if (this.atEnd && this.source.size === null) return 0;
    return this.source.read(dst, position);
  }

  release(position: number): void {
    this.source.release(position);
  }
}

function hasBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

/** The header record, read into the prefix (it is replayed to the kernel); refused beyond MAX_HEADER_BYTES. */
function readHeader(prefix: Prefix, dataStart: number, dialect: Dialect, name: string): Header {
  const parser = new FirstRecordParser(dialect.delimiter, dialect.quote, dataStart, true);
  const limit = dataStart + MAX_HEADER_BYTES;
  for (;;) {
    const parsedTo = parser.consumed;
    if (parsedTo >= limit) throw headerTooLong(name);
    prefix.fill(Math.min(parsedTo + PREFIX_CHUNK, limit));
    const parsed = prefix.length > parsedTo ? parser.push(prefix.bytes.subarray(parsedTo)) : parser.end();
    if (!parsed) continue;
    if (parsed.kind === 'unterminated') throw malformed(name, parsed.line, parsed.byte);
    // no record at all: the header is empty, and the data starts after the blank lines
    if (parsed.kind === 'none') return { names: [], width: 0, start: parser.consumed };
    return { names: parsed.names, width: parsed.width, start: parsed.start };
  }
}

/** The first record's width, read straight from a file without keeping its bytes (any length). */
function firstRecordWidth(input: ByteReader, dataStart: number, dialect: Dialect, name: string): number {
  const parser = new FirstRecordParser(dialect.delimiter, dialect.quote, dataStart, false);
  const chunk = new Uint8Array(PREFIX_CHUNK);
  for (;;) {
    const got = input.read(chunk, parser.consumed);
    const parsed = got > 0 ? parser.push(chunk.subarray(0, got)) : parser.end();
    if (!parsed) continue;
    if (parsed.kind === 'unterminated') throw malformed(name, parsed.line, parsed.byte);
    return parsed.kind === 'complete' ? parsed.width : 0;
  }
}

/**
 * docs/spec.md, Compressed input: compressed input is one stream, decompressed on a worker thread
 * and scanned on this one, so byte ranges, more scanning threads and mapping cannot apply; asked
 * for explicitly, they are refused rather than ignored (left to their defaults, the scan plans one
 * thread and reads, as for a pipe).
 */
function refuseForCompressed(compression: string, name: string, options: ResolvedOptions): void {
  const input = `${displayName(name)}: ${compression}-compressed input is decompressed as one stream`;
  if (options.range) {
    throw usageError(`${input}; --range does not apply (its offsets would be of the decompressed bytes: decompress it to a file first)`);
  }
  if (options.threads !== undefined && options.threads > 1) {
    throw usageError(`${input} and scanned on one thread; --threads ${options.threads} does not apply (leave it out or give 1)`);
  }
  if (options.io === 'mmap') throw usageError(`${input}; --io mmap does not apply (only a plain file can be mapped)`);
}

/** Where the source of a scan came from, when the library opened it. */
export interface ScanOrigin {
  /** the path of a file the source reads: worker threads open it themselves */
  path?: string;
  /** cores to scan it on (Node's availableParallelism()); threads are used only when given */
  cores?: number;
}

/**
 * --memory is the whole scan's: each of `threads` scanning threads gets its share for its group
 * table (at least MIN_MEMORY, which holds a first table and a window).
 */
function sharedBudget(query: RangeQuery, threads: number): RangeQuery {
  if (!query.groups) return query;
  return { ...query, groups: { ...query.groups, memory: Math.max(MIN_MEMORY, Math.floor(query.groups.memory / threads)) } };
}

/**
 * Scan `source` per `options`: the whole input on this thread or on worker threads, or one range
 * of it (`options.range`: a partial result, see partial.ts).
 */
export async function runScan(source: ByteSource, options: ResolvedOptions, origin: ScanOrigin = {}): Promise<ScanResult> {
  return withGroups(await runScanOutcome(source, options, origin));
}

/** runScan(), its groups (with --by) left to be read one at a time and closed by the caller. */
export async function runScanOutcome(source: ByteSource, options: ResolvedOptions, origin: ScanOrigin = {}): Promise<ScanOutcome> {
  if (source.compression) refuseForCompressed(source.compression, source.name, options);
  // this thread's engine (threads and shards too); worker threads load their own
  await loadEngine(options.engine);
  const windowSize = options.window;
  const dialect = dialectOf(options);
  const name = source.name;
  const prefix = new Prefix(source);
  prefix.fill(3);
  const dataStart = hasBom(prefix.bytes) ? 3 : 0;
  const header = dialect.header ? readHeader(prefix, dataStart, dialect, name) : null;
  const keys = options.by ? planKeys(options.by, header) : null;
  const plan = planColumns(options.mode, options.columns, header, keys);
  // under Node, groups past --memory are spilled to disk (spill.ts, loaded only then)
  const spill = keys && ON_NODE ? await import('./spill.js') : null;
  const spillDir = spill ? spill.spillDirectory(options.tempDir) : null;
  const scan: ScanPlan = { dialect, plan, header, dataStart, keys };
  const wholeQuery: RangeQuery = {
    dialect,
    slotFields: plan.slotFields,
    allFields: plan.allFields,
    mode: options.mode,
    windowSize,
    dataStart,
    headerAt: header ? header.start : -1,
    expectedFields: 0, // a scan from the data start sees the first record itself
    groups: keys ? { by: keys.fields, memory: options.memory, ...(spillDir ? { tempDir: spillDir } : {}) } : null,
    profile: profileOf(options),
  };
  // Ranges that start mid-file are told the width; without a header, the first record gives it.
  const query = (): RangeQuery => ({
    ...wholeQuery,
    expectedFields: header ? header.width : firstRecordWidth(prefix, dataStart, dialect, name),
  });

  if (options.range) {
    if (source.size === null) {
      throw usageError(`${displayName(name)}: --range needs a file of known size (a pipe, or a file whose size reads 0 as in /proc, cannot be cut into shards)`);
    }
    const { scanShard } = await import('./partial.js');
    return { result: await scanShard(source, prefix, scan, query(), options), groups: null };
  }

  const length = source.size === null ? 0 : source.size - dataStart;
  const threads = origin.path !== undefined && origin.cores !== undefined
    ? plannedThreads(options.threads, origin.cores, length, options.minBytesPerThread)
    : 1;
  if (threads > 1) {
    const { scanInParallel } = await import('./threads.js');
    const raw = await scanInParallel({
      path: origin.path!,
      io: options.io,
      engine: options.engine,
      size: source.size!,
      threads,
      query: sharedBudget(query(), threads),
      // chunks of a few MiB, or as small as the threads' share was asked to be (tests); grouped,
      // one chunk per thread: each chunk that spills keeps up to SPILL_PARTITIONS files open; with
      // --distinct too: each chunk builds its own exact sets (up to 100000 hashes a column) again
      minChunkBytes: keys || options.distinct ? Math.ceil(length / threads) : Math.min(options.minBytesPerThread, MIN_CHUNK_BYTES),
      onProgress: options.onProgress,
      mainSource: source,
    });
    if (raw) return finalResult(raw);
  }

  const total = source.size;
  const progress = options.onProgress ? new ProgressThrottle((done) => options.onProgress!(done, total), dataStart) : null;
  const task = { ...wholeQuery, start: dataStart, stop: -1, startIsRecordStart: true };
  const engine = createEngine(options.engine);
  const { raw } = scanRange(prefix, engine, task, progress ? (bytes) => progress.add(bytes) : undefined, spill?.groupSink(task));
  // the table's memory goes before the groups are ordered (they may take as much again)
  engine.release();
  if (progress) options.onProgress!(progress.bytesDone, total);
  return finalResult(raw);

  function finalResult(raw: RawScan): ScanOutcome {
    if (raw.unterminatedQuote) {
      spill?.closeSpilled(raw.spilled);
      throw malformed(name, raw.unterminatedQuote.line, raw.unterminatedQuote.byte);
    }
    const gathered = spill && spillDir ? spill.orderSpilled(raw, spillDir, options.top, options.memory, options.mode === 'count') : raw;
    return toOutcome(name, gathered, scan, options);
  }
}

