// The scan driver: read the header, plan the columns, then feed the source to the kernel one
// window at a time (one kernel call per window keeps V8 in its optimising tier), and turn the
// kernel's raw accumulators into the SPEC.md result.

import { CsvscanError, EXIT_MALFORMED, usageError } from '../errors.js';
import type { ByteSource } from '../io/index.js';
import { createEngine } from '../kernel/engine.js';
import { DEFAULT_WINDOW, MAX_SLOTS, STATUS_STOPPED } from '../../assembly/layout.js';
import { finalizeColumn } from '../results/finalize.js';
import type { Dialect, RawScan, ScanOptions, ScanResult } from '../types.js';
import { planColumns, unknownColumn, type ColumnPlan, type OutputColumn } from './columns.js';
import { parseHeaderRecord } from './header.js';

const BOM = [0xef, 0xbb, 0xbf];
const PREFIX_CHUNK = 65536;
const PROGRESS_EVERY = 16 * 1024 * 1024;

export function dialectOf(options: ScanOptions): Dialect {
  return {
    delimiter: options.delimiter ?? 0x2c,
    quote: options.quote ?? 0x22,
    header: options.header ?? true,
  };
}

/**
 * The first bytes of the input, read once to find the BOM and the header. Sources are read at
 * increasing positions only (stdin cannot seek), so these bytes are replayed to the kernel.
 */
class Prefix {
  bytes = new Uint8Array(0);
  atEnd = false;

  constructor(private readonly source: ByteSource) {}

  /** Read at least `length` bytes (fewer at EOF). */
  fill(length: number): void {
    while (!this.atEnd && this.bytes.length < length) {
      const chunk = new Uint8Array(Math.max(PREFIX_CHUNK, length - this.bytes.length));
      const got = this.source.read(chunk, this.bytes.length);
      if (got === 0) {
        this.atEnd = true;
        break;
      }
      const grown = new Uint8Array(this.bytes.length + got);
      grown.set(this.bytes);
      grown.set(chunk.subarray(0, got), this.bytes.length);
      this.bytes = grown;
    }
  }

  /** Copy into dst from `position`, serving the prefix first; returns bytes copied. */
  read(dst: Uint8Array, position: number): number {
    if (position < this.bytes.length) {
      const part = this.bytes.subarray(position, Math.min(this.bytes.length, position + dst.length));
      dst.set(part);
      return part.length;
    }
    if (this.atEnd && this.source.size === null) return 0;
    return this.source.read(dst, position);
  }
}

function hasBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

function malformed(name: string, line: number, byte: number): CsvscanError {
  return new CsvscanError(`${name}: line ${line} (byte ${byte}): quoted field never closed`, EXIT_MALFORMED);
}

function readHeaderNames(prefix: Prefix, start: number, dialect: Dialect, name: string): string[] | null {
  let want = PREFIX_CHUNK;
  for (;;) {
    prefix.fill(start + want);
    const parsed = parseHeaderRecord(prefix.bytes.subarray(start), start, dialect.delimiter, dialect.quote, prefix.atEnd);
    if (parsed.kind === 'complete') return parsed.fields;
    if (parsed.kind === 'none') return [];
    if (parsed.kind === 'unterminated') throw malformed(name, parsed.line, parsed.byte);
    want *= 2;
  }
}

export interface ScanPlan {
  dialect: Dialect;
  plan: ColumnPlan;
  headerNames: string[] | null;
  /** first byte after a BOM */
  dataStart: number;
}

/** Scan `source` per `options` on the main thread with the Wasm kernel. */
export function runScan(source: ByteSource, options: ScanOptions): ScanResult {
  if ((options.threads ?? 1) > 1) throw usageError('--threads > 1 is not available yet');
  if (options.range) throw usageError('--range is not available yet');
  const windowSize = options.window ?? DEFAULT_WINDOW;
  if (!Number.isInteger(windowSize) || windowSize < 1) throw usageError(`window size must be a whole number of bytes >= 1`);

  const dialect = dialectOf(options);
  const name = source.name;
  const prefix = new Prefix(source);
  prefix.fill(3);
  const dataStart = hasBom(prefix.bytes) ? 3 : 0;
  const headerNames = dialect.header ? readHeaderNames(prefix, dataStart, dialect, name) : null;
  const plan = planColumns(options.mode, options.columns, headerNames);

  const kernel = createEngine(options.engine ?? 'wasm');
  const window = kernel.window(windowSize);
  kernel.configure({
    dialect,
    slotFields: plan.slotFields,
    allFields: plan.allFields,
    mode: options.mode,
    startOffset: dataStart,
    stopOffset: -1,
    midFile: false,
  });

  let position = dataStart;
  let sinceProgress = 0;
  const total = source.size;
  for (;;) {
    const got = prefix.read(window, position);
    if (got === 0) break;
    const status = kernel.scan(got);
    position += got;
    source.release(position);
    sinceProgress += got;
    if (options.onProgress && sinceProgress >= PROGRESS_EVERY) {
      sinceProgress = 0;
      options.onProgress(position, total);
    }
    if (status === STATUS_STOPPED) break;
  }
  kernel.finish();
  options.onProgress?.(position, total);

  const raw = kernel.results();
  if (raw.unterminatedQuote) throw malformed(name, raw.unterminatedQuote.line, raw.unterminatedQuote.byte);
  return toResult(name, raw, { dialect, plan, headerNames, dataStart }, options);
}

/** Build the SPEC.md result from (merged) raw results. */
export function toResult(name: string, raw: RawScan, scan: ScanPlan, options: ScanOptions): ScanResult {
  const result: ScanResult = {
    file: name,
    rows: raw.records,
    bytes: raw.bytes + scan.dataStart,
    ragged: { short: raw.short, long: raw.long },
  };
  if (options.mode === 'count') return result;

  let outputs: OutputColumn[] = scan.plan.outputs;
  if (scan.plan.allFields) {
    if (raw.maxFields > MAX_SLOTS) {
      throw usageError(`records have up to ${raw.maxFields} fields; stats of all columns handles at most ${MAX_SLOTS}: choose some with -c`);
    }
    outputs = Array.from({ length: raw.maxFields }, (_, field) => ({ name: String(field + 1), index: field + 1, slot: field }));
  }
  for (const { requested, index } of scan.plan.indexesToCheck) {
    if (index > raw.maxFields) throw unknownColumn(requested, null, raw.maxFields);
  }
  result.columns = outputs.map((column) => finalizeColumn(raw.columns[column.slot], column.name, column.index));
  return result;
}
