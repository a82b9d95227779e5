// Parallel scans (`--threads N`): the file is cut into chunks, which N threads (this one and N - 1
// workers, each with its own engine and its own view of the file: worker.ts) take one after another
// from a shared counter, and the parts are merged in file order so that every figure equals a scan
// on one thread.
//
// A range after the first starts at a guessed record boundary (see scanRange in range.ts and the
// verification in partial.ts): the range before must stop exactly where the next one began. When a
// quoted field holding a line break spans a cut, the guess is wrong and that range is scanned again
// from the true boundary; a range in which no record starts at all is dropped.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CsvscanError, EXIT_MALFORMED, EXIT_USAGE } from '../errors.js';
import type { EngineName, IoMode, RawScan } from '../types.js';
import { packageRoot } from '../util/package-root.js';
import { chainStep, mergeRangeParts } from './partial.js';
import { createEngine, type Engine } from '../kernel/engine.js';
import { openSource, type ByteSource } from '../io/index.js';
import { ProgressThrottle } from './progress.js';
import { scanRange, type ByteReader, type RangeQuery, type RangeScan, type RangeTask } from './range.js';
import { closeSpilled, groupSink } from './spill.js';

export interface ParallelScan {
  /** the file: each worker opens it itself */
  path: string;
  io: IoMode | undefined;
  engine: EngineName;
  /** the file's size when the main thread opened it; a worker seeing another size fails */
  size: number;
  /** threads to scan on, >= 2 (run.ts plans them: plannedThreads) */
  threads: number;
  query: RangeQuery;
  /** chunks are no smaller than this (but for a file too small for `threads` of them); default 4 MiB */
  minChunkBytes?: number;
  onProgress?: (bytesDone: number, totalBytes: number | null) => void;
  /**
   * The main thread's own view of the file: when given, the main thread scans chunks itself while
   * N - 1 workers start and take the others (one worker fewer to start, and no core left idle
   * waiting for them).
   */
  mainSource?: ByteReader;
}

/** What a worker is asked to do: take chunks of the file from the shared counter until none is left. */
export interface WorkerRequest {
  /** tells this request's replies from a late reply to an earlier one */
  id: number;
  path: string;
  io: IoMode | undefined;
  engine: EngineName;
  size: number;
  query: RangeQuery;
  /** chunk i is [starts[i], stops[i]) (stop -1: to the end); chunk 0 starts at a record */
  starts: number[];
  stops: number[];
  /** an Int32Array of one: the next chunk to take (Atomics.add) */
  next: SharedArrayBuffer;
}

/** An error crossing the thread boundary (Error objects lose their class and extra fields). */
export interface TransferredError {
  name: string;
  message: string;
  exitCode?: number;
  code?: string;
  stack?: string;
}

export type WorkerReply =
  | { kind: 'progress'; id: number; bytes: number }
  | { kind: 'part'; id: number; index: number; scan: RangeScan }
  | { kind: 'done'; id: number }
  | { kind: 'failed'; id: number; error: TransferredError };

/** Chunks per thread: enough that a worker starting late, or a slower range, costs little. */
const CHUNKS_PER_THREAD = 8;
const MAX_CHUNK_BYTES = 32 * 1024 * 1024;
const DEFAULT_MIN_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Where the chunks of the data start: about `threads` x CHUNKS_PER_THREAD of them, each of
 * `minChunkBytes` to MAX_CHUNK_BYTES, at least one per thread (each at least one byte).
 */
export function chunkStarts(dataStart: number, length: number, threads: number, minChunkBytes: number): number[] {
  const target = Math.min(MAX_CHUNK_BYTES, Math.ceil(length / (threads * CHUNKS_PER_THREAD)));
  const chunkBytes = Math.max(1, Math.min(Math.max(target, minChunkBytes), Math.ceil(length / threads)));
  const count = Math.max(1, Math.ceil(length / chunkBytes));
  return Array.from({ length: count }, (_, k) => dataStart + Math.floor((k * length) / count));
}

/**
 * Scan the file on `job.threads` threads: the data is cut into chunks, and each thread (this one
 * too, given `mainSource`) takes the next chunk from a shared counter until none is left, so a
 * worker that starts late takes fewer. Returns null when the worker module is not built (the
 * caller scans on one thread), and the merged raw scan otherwise (its unterminatedQuote, if any, is
 * the file's: the caller reports it).
 */
export async function scanInParallel(job: ParallelScan): Promise<RawScan | null> {
  const { dataStart } = job.query;
  const length = job.size - dataStart;
  const script = workerScript();
  if (script === null) return null;

  const starts = chunkStarts(dataStart, length, job.threads, job.minChunkBytes ?? DEFAULT_MIN_CHUNK_BYTES);
  const stops = starts.map((_, k) => (k + 1 < starts.length ? starts[k + 1]! : -1));
  const onProgress = job.onProgress;
  const progress = new ProgressThrottle((done) => onProgress?.(Math.min(done, job.size), job.size));
  const onBytes = (bytes: number): void => progress.add(bytes);
  const task = (k: number, start: number, startIsRecordStart: boolean): RangeTask => ({ ...job.query, start, stop: stops[k]!, startIsRecordStart });
  // (filled with undefined, not holes: every() skips holes)
  const parts: (RangeScan | undefined)[] = starts.map(() => undefined);
  // the spills of the parts scanned so far: closed if the scan fails
  const scanned: RawScan[] = [];
  const keep = (part: RangeScan): RangeScan => {
    scanned.push(part.raw);
    return part;
  };
  const next = new SharedArrayBuffer(4);
  const counter = new Int32Array(next);
  const pool = new WorkerPool(script, job.threads - (job.mainSource ? 1 : 0), onBytes, (index, part) => {
    parts[index] = keep(part);
  });
  // without mainSource, rescans read the file through a view opened when first needed
  const own: { source: ByteSource | null } = { source: null };
  const mainSource = (): ByteReader => job.mainSource ?? (own.source ??= openSource(job.path, job.io));
  const here: { engine: Engine | null } = { engine: null };
  const scanHere = (k: number, start: number, startIsRecordStart: boolean): RangeScan => {
    const chunk = task(k, start, startIsRecordStart);
    return keep(scanRange(mainSource(), (here.engine ??= createEngine(job.engine)), chunk, onBytes, groupSink(chunk)));
  };
  try {
    pool.start({ id: 0, path: job.path, io: job.io, engine: job.engine, size: job.size, query: job.query, starts, stops, next });
    if (job.mainSource) {
      for (let k = Atomics.add(counter, 0, 1); k < starts.length; k = Atomics.add(counter, 0, 1)) parts[k] = scanHere(k, starts[k]!, k === 0);
    }
    await pool.until(() => parts.every((part) => part !== undefined));
    const accepted: RawScan[] = [parts[0]!.raw];
    let trueStop = parts[0]!.raw.stopPosition;
    for (let k = 1; k < starts.length; k++) {
      const step = chainStep(trueStop, stops[k]!, parts[k]!.raw.firstRecord);
      // a part dropped or scanned again: its spilled groups are not counted
      if (step !== 'accept') closeSpilled(parts[k]!.raw.spilled);
      if (step === 'skip') continue;
      // A wrong guess (a quoted line break across the cut): scan the chunk again from the boundary.
      const raw = step === 'accept' ? parts[k]!.raw : scanHere(k, trueStop, true).raw;
      accepted.push(raw);
      trueStop = raw.stopPosition;
    }
    onProgress?.(job.size, job.size);
    here.engine?.release();
    return mergeRangeParts(accepted, length);
  } catch (error) {
    // (the spills of parts still running then stay open until the process ends)
    for (const raw of scanned) closeSpilled(raw.spilled);
    throw error;
  } finally {
    own.source?.close();
    // a grouped scan's workers end with it: their heaps hold its groups' garbage (and a released
    // table) until their next collection, which an idle worker never runs
    await pool.close(!job.query.groups);
  }
}

/**
 * The compiled worker module: beside this one when running from build/, else (tests running the
 * TypeScript sources) the package's build. Null when it is not built.
 */
function workerScript(): URL | null {
  const beside = new URL('./worker.js', import.meta.url);
  if (beside.protocol === 'file:' && existsSync(fileURLToPath(beside))) return beside;
  const built = join(packageRoot(), 'build', 'host', 'src', 'scan', 'worker.js');
  return existsSync(built) ? pathToFileURL(built) : null;
}

/**
 * Workers left from earlier scans, kept a moment for the next one (a library scanning many files,
 * tests): starting a worker and compiling its kernel costs more than a small file's scan. They do
 * not keep the process alive, and end after IDLE_WORKER_MS unused.
 */
const IDLE_WORKER_MS = 1000;
const idleWorkers: Worker[] = [];
const exitedWorkers = new WeakSet<Worker>();
let idleTimer: ReturnType<typeof setTimeout> | null = null;

function takeWorkers(script: URL, count: number): Worker[] {
  const taken = idleWorkers.splice(0, count);
  for (const worker of taken) worker.ref();
  while (taken.length < count) {
    // A worker's spill files (spill.ts) are read and closed by this thread: the worker must not
    // track their descriptors, nor close them (or a number this thread reused since) when it exits.
    const worker = new Worker(script, { trackUnmanagedFds: false });
    // A worker that ends while idle must not be handed out again.
    worker.once('exit', () => {
      exitedWorkers.add(worker);
      const index = idleWorkers.indexOf(worker);
      if (index >= 0) idleWorkers.splice(index, 1);
    });
    taken.push(worker);
  }
  return taken;
}

function keepIdle(workers: Worker[]): void {
  for (const worker of workers) {
    if (exitedWorkers.has(worker)) continue;
    worker.unref();
    idleWorkers.push(worker);
  }
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    idleTimer = null;
    for (const worker of idleWorkers.splice(0)) void worker.terminate();
  }, IDLE_WORKER_MS);
  idleTimer.unref();
}

let nextRequestId = 1;

/**
 * The workers of one parallel scan: each is sent the request and takes chunks until none is left,
 * replying with each part (`onPart`) and then `done`.
 */
class WorkerPool {
  private readonly workers: Worker[];
  private readonly detach: (() => void)[] = [];
  private readonly running = new Set<Worker>();
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private readonly id = nextRequestId++;

  constructor(script: URL, count: number, onBytes: (bytes: number) => void, onPart: (index: number, scan: RangeScan) => void) {
    this.workers = count > 0 ? takeWorkers(script, count) : [];
    for (const worker of this.workers) {
      const onMessage = (reply: WorkerReply): void => {
        if (reply.id !== this.id) return; // a late reply to an earlier scan's request
        if (reply.kind === 'progress') onBytes(reply.bytes);
        else if (reply.kind === 'part') onPart(reply.index, reply.scan);
        else if (reply.kind === 'done') this.running.delete(worker);
        else this.fail(revive(reply.error));
        this.wake?.();
      };
      const onError = (error: Error): void => this.fail(error);
      const onExit = (code: number): void => {
        if (this.running.has(worker)) this.fail(new Error(`a scan worker stopped (exit code ${code})`));
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      this.detach.push(() => worker.off('message', onMessage).off('error', onError).off('exit', onExit));
    }
  }

  /** Send every worker the request. */
  start(request: WorkerRequest): void {
    for (const worker of this.workers) {
      this.running.add(worker);
      worker.postMessage({ ...request, id: this.id });
    }
  }

  /** Resolves once `ready()` holds (checked at each reply), rejects at the first failure. One at a time. */
  until(ready: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.failure) reject(this.failure);
        else if (ready()) resolve();
        else return;
        this.wake = null;
      };
      this.wake = check;
      check();
    });
  }

  /**
   * Keep the workers for the next scan when asked and none failed (one still starting takes no
   * chunk: the counter is spent), else end them.
   */
  async close(keep: boolean): Promise<void> {
    for (const detach of this.detach) detach();
    if (keep && !this.failure) {
      keepIdle(this.workers);
      return;
    }
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }
}

/** The worker's error as the main thread would have thrown it: the same CsvscanError, or a system error. */
function revive(error: TransferredError): Error {
  if (error.name === 'CsvscanError') {
    return new CsvscanError(error.message, error.exitCode === EXIT_MALFORMED ? EXIT_MALFORMED : EXIT_USAGE);
  }
  const revived: NodeJS.ErrnoException = new Error(error.message);
  if (error.code !== undefined) revived.code = error.code;
  if (error.stack !== undefined) revived.stack = error.stack;
  return revived;
}
