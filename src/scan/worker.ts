// A scan worker thread (threads.ts): takes chunks of the file from the request's shared counter
// until none is left, each through its own view of the file (mapped or read, as the main thread's),
// with one engine instance kept across chunks and requests.

import { parentPort } from 'node:worker_threads';
import { CsvscanError } from '../errors.js';
import { openSource } from '../io/index.js';
import { changedSize } from '../io/failures.js';
import { createEngine, loadEngine, type Engine } from '../kernel/engine.js';
import type { EngineName } from '../types.js';
import { ProgressThrottle } from './progress.js';
import { scanRange } from './range.js';
import { groupSink } from './spill.js';
import type { TransferredError, WorkerReply, WorkerRequest } from './threads.js';

const port = parentPort;
if (!port) throw new Error('worker.js runs as a worker thread of threads.js');

const engines = new Map<EngineName, Engine>();

function reply(message: WorkerReply): void {
  port!.postMessage(message);
}

/** Take chunks from the request's counter until none is left, replying with each part. */
function scanChunks(request: WorkerRequest): void {
  const source = openSource(request.path, request.io);
  try {
    if (source.size !== request.size) throw changedSize(request.path);
    let engine = engines.get(request.engine);
    if (!engine) {
      engine = createEngine(request.engine);
      engines.set(request.engine, engine);
    }
    const { id, starts, stops } = request;
    // The main thread adds up the workers' reports: send the bytes since the last one.
    let sent = 0;
    const progress = new ProgressThrottle((done) => {
      reply({ kind: 'progress', id, bytes: done - sent });
      sent = done;
    });
    const counter = new Int32Array(request.next);
    for (let index = Atomics.add(counter, 0, 1); index < starts.length; index = Atomics.add(counter, 0, 1)) {
      const task = { ...request.query, start: starts[index]!, stop: stops[index]!, startIsRecordStart: index === 0 };
      const scan = scanRange(source, engine, task, (bytes) => progress.add(bytes), groupSink(task));
      progress.flush();
      reply({ kind: 'part', id, index, scan });
    }
    // an idle worker is kept a moment for the next scan: not with this one's group table
    engine.release();
  } finally {
    source.close();
  }
}

function transferable(error: unknown): TransferredError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return {
    name: error instanceof CsvscanError ? 'CsvscanError' : error.name,
    message: error.message,
    exitCode: error instanceof CsvscanError ? error.exitCode : undefined,
    code: typeof code === 'string' ? code : undefined,
    stack: error.stack,
  };
}

port.on('message', (request: WorkerRequest) => {
  loadEngine(request.engine)
    .then(() => {
      scanChunks(request);
      reply({ kind: 'done', id: request.id });
    })
    .catch((error: unknown) => reply({ kind: 'failed', id: request.id, error: transferable(error) }));
});
