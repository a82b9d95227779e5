// Streaming scans: for data that arrives in pieces (sockets, fetch bodies, zip entries) rather than
// from a source that can be read at will. The bytes of the header record are buffered until it is
// complete (columns can only be planned then); every byte after it is copied through the engine's
// window, which is scanned each time it fills. Results equal scanBytes() on the concatenation.
//
// No Node API here: browsers use this module as it is.

import { usageError } from './errors.js';
import { createEngine, provideJsKernel, type Engine } from './kernel/engine.js';
import { JsKernel } from './kernel/js-kernel.js';
import { dialectOf, profileOf, resolveOptions, type ResolvedOptions } from './options.js';
import { planColumns, planKeys, type Header } from './scan/columns.js';
import { compressedBytes, detectCompression, MAGIC_BYTES } from './util/compression-magic.js';
import { FirstRecordParser, headerTooLong, MAX_HEADER_BYTES } from './scan/header.js';
import { malformed } from './scan/range.js';
import { ProgressThrottle } from './scan/progress.js';
import { toResult, type ScanPlan } from './scan/result.js';
import type { ScanOptions, ScanResult } from './types.js';
import { toBytes, type InputChunk } from './util/to-bytes.js';

export type { InputChunk } from './util/to-bytes.js';

// push() is synchronous: the JS engine must be at hand before the header completes.
provideJsKernel(JsKernel);

export interface Scanner {
  /**
   * Scan the next bytes of the input: a Uint8Array (or Buffer), an ArrayBuffer, or a string (its
   * UTF-8 bytes). The scanner copies them: `chunk` may be reused at once.
   */
  push(chunk: InputChunk): void;
  /** End of input: scan what is left and return the result. The scanner cannot be used after. */
  finish(): ScanResult;
}

/**
 * Sources scanStream() reads: web ReadableStreams (fetch bodies) and async iterables (Node streams),
 * of bytes or of strings (a stream with an encoding set; the strings are scanned as UTF-8).
 */
export type ChunkStream = ReadableStream<InputChunk> | AsyncIterable<InputChunk>;

const BOM = [0xef, 0xbb, 0xbf];

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
  if (typeof stream !== 'object' || stream === null || !('getReader' in stream || Symbol.asyncIterator in stream)) {
    throw usageError('scanStream() takes a ReadableStream or an async iterable of chunks');
  }
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
  | { kind: 'header'; parser: FirstRecordParser | null }
  | { kind: 'scanning'; engine: Engine; window: Uint8Array; plan: ScanPlan }
  | { kind: 'finished' }
  | { kind: 'failed'; error: unknown };

class StreamScanner implements Scanner {
  private stage: Stage = { kind: 'header', parser: null };
  /** header stage: the bytes received so far (`pending.subarray(0, pendingLength)`), BOM included */
  private pending = new Uint8Array(1024);
  private pendingLength = 0;
  /** scanning stage: bytes waiting in the window */
  private filled = 0;
  private readonly options: ResolvedOptions;
  /** counts the bytes received, BOM and header included */
  private readonly progress: ProgressThrottle;

  constructor(
    options: ScanOptions,
    private readonly name: string,
  ) {
    this.options = resolveOptions(options);
    if (this.options.range) throw usageError('a stream is scanned whole: range does not apply');
    const onProgress = this.options.onProgress;
    this.progress = new ProgressThrottle((done) => onProgress?.(done, null));
  }

  push(input: InputChunk): void {
    this.guard(() => {
      const chunk = toBytes(input, 'push()');
      if (chunk.length === 0) return;
      if (this.stage.kind === 'header') {
        this.buffer(chunk);
        this.tryStart(false);
      } else if (this.stage.kind === 'scanning') {
        this.feed(chunk);
      }
      this.progress.add(chunk.length);
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
      this.options.onProgress?.(this.progress.bytesDone, null);
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

  /**
   * Header stage: once the BOM and the header record are known, plan the columns and start the
   * engine. The header is parsed as its bytes arrive, each byte once; it may not run past
   * MAX_HEADER_BYTES, so what is held here stays bounded.
   */
  private tryStart(atEnd: boolean): void {
    const stage = this.stage;
    if (stage.kind !== 'header') return;
    const bytes = this.pending.subarray(0, this.pendingLength);
    if (bytes.length < MAGIC_BYTES && !atEnd) return;
    const compression = detectCompression(bytes.subarray(0, MAGIC_BYTES));
    if (compression) throw compressedBytes(this.name, compression);
    const dialect = dialectOf(this.options);
    const dataStart = bytes.length >= 3 && BOM.every((byte, i) => bytes[i] === byte) ? BOM.length : 0;
    let header: Header | null = null;
    if (dialect.header) {
      stage.parser ??= new FirstRecordParser(dialect.delimiter, dialect.quote, dataStart, true);
      const parser = stage.parser;
      const parsed = parser.push(bytes.subarray(parser.consumed, dataStart + MAX_HEADER_BYTES)) ?? (atEnd ? parser.end() : null);
      if (!parsed) {
        if (parser.consumed >= dataStart + MAX_HEADER_BYTES) throw headerTooLong(this.name);
        return;
      }
      if (parsed.kind === 'unterminated') throw malformed(this.name, parsed.line, parsed.byte);
      header = parsed.kind === 'complete' ? { names: parsed.names, width: parsed.width, start: parsed.start } : { names: [], width: 0, start: parser.consumed };
    }
    const keys = this.options.by ? planKeys(this.options.by, header) : null;
    const plan = planColumns(this.options.mode, this.options.columns, header, keys);
    const engine = createEngine(this.options.engine);
    const window = engine.window(this.options.window);
    engine.configure({
      dialect,
      slotFields: plan.slotFields,
      allFields: plan.allFields,
      mode: this.options.mode,
      startOffset: dataStart,
      stopOffset: -1,
      midFile: false,
      groups: keys ? { by: keys.fields, memory: this.options.memory } : null,
      profile: profileOf(this.options),
    });
    this.stage = { kind: 'scanning', engine, window, plan: { dialect, plan, header, dataStart, keys } };
    // The kernel reads the header record too (it skips it itself): replay everything after the BOM.
    this.feed(bytes.subarray(dataStart));
    this.pending = new Uint8Array(0);
    this.pendingLength = 0;
  }
  /** Copy `chunk` through the window, scanning each time the window is full. */
  private feed(chunk: Uint8Array): void {
    const stage = this.stage;
    if (stage.kind !== 'scanning') return;
    const { engine } = stage;
    let offset = 0;
    while (offset < chunk.length) {
      // scan() may grow the engine's memory for groups, which detaches the view (its length is then 0)
      if (stage.window.length === 0) stage.window = engine.window(this.options.window);
      const window = stage.window;
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
}
