// A scan worker thread (threads.ts): scans the byte ranges it is sent, each through its own view of
// the file (mapped or read, as the main thread's), with one engine instance kept across requests.

import { parentPort } from 'node:worker_threads';
import { CsvscanError } from '../errors.js';
import { openSource } from '../io/index.js';
import { changedSize } from '../io/failures.js';
import { createEngine, loadEngine, type Engine } from '../kernel/engine.js';
import type { EngineName } from '../types.js';
import { ProgressThrottle } from './progress.js';
import { scanRange, type RangeScan } from './range.js';
import { groupSink } from './spill.js';
import type { TransferredError, WorkerReply, WorkerRequest } from './threads.js';

const port = parentPort;
if (!port) throw new Error('worker.js runs as a worker thread of threads.js');

const engines = new Map<EngineName, Engine>();

function reply(message: WorkerReply): void {
  port!.postMessage(message);
}

function scan(request: WorkerRequest): RangeScan {
  const source = openSource(request.path, request.io);
  try {
    if (source.size !== request.size) throw changedSize(request.path);
    let engine = engines.get(request.engine);
    if (!engine) {
      engine = createEngine(request.engine);
      engines.set(request.engine, engine);
    }
    // The main thread adds up the workers' reports: send the bytes since the last one.
    let sent = 0;
    const progress = new ProgressThrottle((done) => {
      reply({ kind: 'progress', bytes: done - sent });
      sent = done;
    });
    const result = scanRange(source, engine, request.task, (bytes) => progress.add(bytes), groupSink(request.task));
    progress.flush();
    return result;
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
    .then(() => reply({ kind: 'done', scan: scan(request) }))
    .catch((error: unknown) => reply({ kind: 'failed', error: transferable(error) }));
});
