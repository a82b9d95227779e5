// Parallel scans (`--threads N`): the file is cut into N byte ranges, each scanned by a worker thread
// with its own engine and its own view of the file (worker.ts), and the parts are merged so that
// every figure equals a scan on one thread.
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
import { createEngine } from '../kernel/engine.js';
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
  onProgress?: (bytesDone: number, totalBytes: number | null) => void;
  /**
   * The main thread's own view of the file: when given, the main thread scans the first range
   * itself while N - 1 workers start and scan the others (one worker fewer to start, and no core
   * left idle waiting for them).
   */
  mainSource?: ByteReader;
}

/** What a worker is asked to do: scan one range of the file. */
export interface WorkerRequest {
  path: string;
  io: IoMode | undefined;
  engine: EngineName;
  size: number;
  task: RangeTask;
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
  | { kind: 'progress'; bytes: number }
  | { kind: 'done'; scan: RangeScan }
  | { kind: 'failed'; error: TransferredError };

/**
 * Scan the file on `job.threads` threads. Returns null when the worker module is not built (the
 * caller scans on one thread), and the merged raw scan otherwise (its unterminatedQuote, if any, is
 * the file's: the caller reports it).
 */
export async function scanInParallel(job: ParallelScan): Promise<RawScan | null> {
  const { dataStart } = job.query;
  const length = job.size - dataStart;
  const threads = job.threads;
  const script = workerScript();
  if (script === null) return null;

  const starts = Array.from({ length: threads }, (_, k) => dataStart + Math.floor((k * length) / threads));
  const stops = starts.map((_, k) => (k + 1 < threads ? starts[k + 1]! : -1));
  const onProgress = job.onProgress;
  const progress = new ProgressThrottle((done) => onProgress?.(Math.min(done, job.size), job.size));
  const onBytes = (bytes: number): void => progress.add(bytes);
  // Range k runs on worker k - firstWorkerRange; ranges before that run on this thread.
  const firstWorkerRange = job.mainSource ? 1 : 0;
  const pool = new WorkerPool(script, threads - firstWorkerRange, onBytes);
  const onWorker = (k: number, start: number, startIsRecordStart: boolean): Promise<RangeScan> =>
    pool.run(k - firstWorkerRange, request(k, start, startIsRecordStart));
  const request = (k: number, start: number, startIsRecordStart: boolean): WorkerRequest => ({
    path: job.path,
    io: job.io,
    engine: job.engine,
    size: job.size,
    task: { ...job.query, start, stop: stops[k]!, startIsRecordStart },
  });
  // the spills of the parts scanned so far: closed if the scan fails
  const scanned: RawScan[] = [];
  const keep = (part: RangeScan): RangeScan => {
    scanned.push(part.raw);
    return part;
  };
  try {
    const pending = starts.slice(firstWorkerRange).map((start, i) => onWorker(i + firstWorkerRange, start, i + firstWorkerRange === 0).then(keep));
    // a failure here must not leave the workers' rejections unhandled: they are awaited below
    pending.forEach((part) => part.catch(() => {}));
    const mainParts = job.mainSource
      ? [(() => {
        const task = request(0, starts[0]!, true).task;
        return keep(scanRange(job.mainSource, createEngine(job.engine), task, onBytes, groupSink(task)));
      })()]
      : [];
    const parts = [...mainParts, ...(await Promise.all(pending))];
    const accepted: RawScan[] = [parts[0]!.raw];
    let trueStop = parts[0]!.raw.stopPosition;
    for (let k = 1; k < threads; k++) {
      const step = chainStep(trueStop, stops[k]!, parts[k]!.raw.firstRecord);
      // a part dropped or scanned again: its spilled groups are not counted
      if (step !== 'accept') closeSpilled(parts[k]!.raw.spilled);
      if (step === 'skip') continue;
      // A wrong guess (a quoted line break across the cut): scan the range again from the boundary.
      const raw = step === 'accept' ? parts[k]!.raw : keep(await onWorker(k, trueStop, true)).raw;
      accepted.push(raw);
      trueStop = raw.stopPosition;
    }
    onProgress?.(job.size, job.size);
    return mergeRangeParts(accepted, length);
  } catch (error) {
    // (the spills of parts still running then stay open until the process ends)
    for (const raw of scanned) closeSpilled(raw.spilled);
    throw error;
  } finally {
    await pool.close();
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

interface Waiter {
  resolve: (scan: RangeScan) => void;
  reject: (error: Error) => void;
}

/** One worker per range; a worker runs one request at a time. */
class WorkerPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<Worker, Waiter>();
  private readonly detach: (() => void)[] = [];
  private failed = false;

  constructor(script: URL, count: number, onBytes: (bytes: number) => void) {
    this.workers = takeWorkers(script, count);
    for (const worker of this.workers) {
      const onMessage = (reply: WorkerReply): void => {
        if (reply.kind === 'progress') onBytes(reply.bytes);
        else if (reply.kind === 'done') this.settle(worker, null, reply.scan);
        else this.settle(worker, revive(reply.error));
      };
      const onError = (error: Error): void => this.settle(worker, error);
      const onExit = (code: number): void => this.settle(worker, new Error(`a scan worker stopped (exit code ${code})`));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      this.detach.push(() => worker.off('message', onMessage).off('error', onError).off('exit', onExit));
    }
  }

  run(index: number, request: WorkerRequest): Promise<RangeScan> {
    const worker = this.workers[index]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(worker, { resolve, reject });
      worker.postMessage(request);
    });
  }

  /** Keep the workers for the next scan when all of them finished well, else end them. */
  async close(): Promise<void> {
    for (const detach of this.detach) detach();
    if (this.waiting.size === 0 && !this.failed) {
      keepIdle(this.workers);
      return;
    }
    this.waiting.clear();
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private settle(worker: Worker, error: Error | null, scan?: RangeScan): void {
    const waiter = this.waiting.get(worker);
    if (!waiter) return;
    this.waiting.delete(worker);
    if (error) this.failed = true;
    if (error) waiter.reject(error);
    else waiter.resolve(scan!);
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
