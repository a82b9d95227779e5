// Streaming scans: for data that arrives in pieces (sockets, fetch bodies, zip entries) rather than
// from a source that can be read at will. The bytes of the header record are buffered until it is
// complete (columns can only be planned then); every byte after it is copied through the engine's
// window, which is scanned each time it fills. Results equal scanBytes() on the concatenation.
//
// No Node API here: browsers use this module as it is.

import { CsvscanError, EXIT_MALFORMED, usageError } from './errors.js';
import { createEngine, type Engine } from './kernel/engine.js';
import { DEFAULT_WINDOW } from '../assembly/layout.js';
import { planColumns } from './scan/columns.js';
import { parseHeaderRecord } from './scan/header.js';
import { dialectOf, toResult, type ScanPlan } from './scan/run.js';
import type { ScanOptions, ScanResult } from './types.js';

export interface Scanner {
  /** Scan the next bytes of the input. The scanner copies them: `chunk` may be reused at once. */
  push(chunk: Uint8Array): void;
  /** End of input: scan what is left and return the result. The scanner cannot be used after. */
  finish(): ScanResult;
}

/** Sources scanStream() reads: web ReadableStreams (fetch bodies) and async iterables (Node streams). */
export type ChunkStream = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

const LF = 10;
const BOM = [0xef, 0xbb, 0xbf];
const PROGRESS_EVERY = 16 * 1024 * 1024;

/**
 * A scanner fed by push(). `options` are those of scanBytes() (`io` and `threads` do not apply: a
 * stream is read once, in order; `range` is refused). `name` is what the result's `file` says.
 * Errors are those of scanBytes() (CsvscanError), thrown by the push() or finish() that finds them.
 */
export function createScanner(options: ScanOptions, name = '<stream>'): Scanner {
  return new StreamScanner(options, name);
}

/** Scan a whole stream with createScanner(). */
export async function scanStream(stream: ChunkStream, options: ScanOptions, name = '<stream>'): Promise<ScanResult> {
  const scanner = createScanner(options, name);
  if ('getReader' in stream) {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        scanner.push(value);
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    for await (const chunk of stream) scanner.push(chunk);
  }
  return scanner.finish();
}

type Stage =
  | { kind: 'header' }
  | { kind: 'scanning'; engine: Engine; window: Uint8Array; plan: ScanPlan }
  | { kind: 'finished' }
  | { kind: 'failed'; error: unknown };

class StreamScanner implements Scanner {
  private stage: Stage = { kind: 'header' };
  /** header stage: the bytes received so far (`pending.subarray(0, pendingLength)`) */
  private pending = new Uint8Array(1024);
  private pendingLength = 0;
  /** scanning stage: bytes waiting in the window */
  private filled = 0;
  /** bytes received, BOM and header included */
  private received = 0;
  private sinceProgress = 0;
  /** header stage: an LF arrived since the header was last parsed */
  private lineEndSeen = false;
  private readonly headerExpected: boolean;
  private readonly windowSize: number;

  constructor(
    private readonly options: ScanOptions,
    private readonly name: string,
  ) {
    if (options.range) throw usageError('a stream is scanned whole: range does not apply');
    this.headerExpected = dialectOf(options).header;
    this.windowSize = options.window ?? DEFAULT_WINDOW;
    if (!Number.isInteger(this.windowSize) || this.windowSize < 1) {
      throw usageError('window size must be a whole number of bytes >= 1');
    }
  }

  push(chunk: Uint8Array): void {
    this.guard(() => {
      if (chunk.length === 0) return;
      this.received += chunk.length;
      if (this.stage.kind === 'header') {
        this.buffer(chunk);
        // A header record can only end at an LF (or at the end of input, which finish() handles),
        // so the header is parsed again only when one arrives; without a header only a BOM is awaited.
        this.lineEndSeen ||= chunk.includes(LF);
        if (this.pendingLength >= BOM.length && (this.lineEndSeen || !this.headerExpected)) {
          this.lineEndSeen = false;
          this.tryStart(false);
        }
      } else if (this.stage.kind === 'scanning') {
        this.feed(chunk);
      }
      this.reportProgress(chunk.length);
    });
  }

  finish(): ScanResult {
    return this.guard(() => {
      if (this.stage.kind === 'header') this.tryStart(true);
      const stage = this.stage;
      if (stage.kind !== 'scanning') throw new Error('csvscan: scanner state is inconsistent');
      if (this.filled > 0) stage.engine.scan(this.filled);
      this.filled = 0;
      stage.engine.finish();
      this.options.onProgress?.(this.received, null);
      const raw = stage.engine.results();
      if (raw.unterminatedQuote) throw malformed(this.name, raw.unterminatedQuote.line, raw.unterminatedQuote.byte);
      const result = toResult(this.name, raw, stage.plan, this.options);
      this.stage = { kind: 'finished' };
      return result;
    });
  }

  /** Run `action` unless the scanner is done; an error ends the scanner (and is thrown again on reuse). */
  private guard<T>(action: () => T): T {
    if (this.stage.kind === 'finished') throw new Error('csvscan: the scanner has finished');
    if (this.stage.kind === 'failed') throw this.stage.error;
    try {
      return action();
    } catch (error) {
      this.stage = { kind: 'failed', error };
      throw error;
    }
  }

  private buffer(chunk: Uint8Array): void {
    const needed = this.pendingLength + chunk.length;
    if (needed > this.pending.length) {
      const grown = new Uint8Array(Math.max(needed, this.pending.length * 2));
      grown.set(this.pending.subarray(0, this.pendingLength));
      this.pending = grown;
    }
    this.pending.set(chunk, this.pendingLength);
    this.pendingLength = needed;
  }

  /** Header stage: once the BOM and header record are known, plan the columns and start the engine. */
  private tryStart(atEnd: boolean): void {
    const bytes = this.pending.subarray(0, this.pendingLength);
    if (bytes.length < BOM.length && !atEnd) return;
    const dialect = dialectOf(this.options);
    const dataStart = bytes.length >= 3 && BOM.every((byte, i) => bytes[i] === byte) ? BOM.length : 0;
    let headerNames: string[] | null = null;
    if (dialect.header) {
      const parsed = parseHeaderRecord(bytes.subarray(dataStart), dataStart, dialect.delimiter, dialect.quote, atEnd);
      if (parsed.kind === 'incomplete') return;
      if (parsed.kind === 'unterminated') throw malformed(this.name, parsed.line, parsed.byte);
      headerNames = parsed.kind === 'complete' ? parsed.fields : [];
    }
    const plan = planColumns(this.options.mode, this.options.columns, headerNames);
    const engine = createEngine(this.options.engine ?? 'wasm');
    const window = engine.window(this.windowSize);
    engine.configure({
      dialect,
      slotFields: plan.slotFields,
      allFields: plan.allFields,
      mode: this.options.mode,
      startOffset: dataStart,
      stopOffset: -1,
      midFile: false,
    });
    this.stage = { kind: 'scanning', engine, window, plan: { dialect, plan, headerNames, dataStart } };
    // The kernel reads the header record too (it skips it itself): replay everything after the BOM.
    this.feed(bytes.subarray(dataStart));
    this.pending = new Uint8Array(0);
    this.pendingLength = 0;
  }

  /** Copy `chunk` through the window, scanning each time the window is full. */
  private feed(chunk: Uint8Array): void {
    const stage = this.stage;
    if (stage.kind !== 'scanning') return;
    const { engine, window } = stage;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, window.length - this.filled);
      window.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === window.length) {
        engine.scan(this.filled);
        this.filled = 0;
      }
    }
  }

  private reportProgress(bytes: number): void {
    if (!this.options.onProgress) return;
    this.sinceProgress += bytes;
    if (this.sinceProgress >= PROGRESS_EVERY) {
      this.sinceProgress = 0;
      this.options.onProgress(this.received, null);
    }
  }
}

function malformed(name: string, line: number, byte: number): CsvscanError {
  return new CsvscanError(`${name}: line ${line} (byte ${byte}): quoted field never closed`, EXIT_MALFORMED);
}
