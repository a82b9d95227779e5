// The scan worker: a module Web Worker that scans a File/Blob with the same pull driver as the CLI
// (src/scan/run.ts). FileReaderSync, which only workers have, reads slices synchronously, so a Blob
// is a ByteSource like a file on disk: read in windows, never whole.

import { CsvscanError } from '../errors.js';
import type { ByteSource } from '../io/byte-source.js';
import { registerKernelModule } from '../kernel/wasm-kernel.js';
import { runScan } from '../scan/run.js';
import { resolveOptions } from '../options.js';
import type { ScanRequest, WorkerMessage } from './protocol.js';

/** The parts of the worker global scope used here (the DOM typings describe a window). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<ScanRequest>) => void) | null;
  postMessage(message: WorkerMessage): void;
}
declare const FileReaderSync: { new (): { readAsArrayBuffer(blob: Blob): ArrayBuffer } };

const scope = self as unknown as WorkerScope;
/** Progress messages per scan at most: enough for a smooth bar, few enough to cost nothing. */
const PROGRESS_STEPS = 200;

function blobSource(blob: Blob, name: string, onRead: (position: number) => void): ByteSource {
  const reader = new FileReaderSync();
  return {
    name,
    size: blob.size,
    read(dst, position) {
      if (position >= blob.size) return 0;
      const slice = new Uint8Array(reader.readAsArrayBuffer(blob.slice(position, position + dst.length)));
      dst.set(slice);
      onRead(position + slice.length);
      return slice.length;
    },
    release() {},
    close() {},
  };
}

async function scan(request: ScanRequest): Promise<WorkerMessage> {
  if (request.options.engine !== 'js') {
    const variant = request.options.engine === 'wasm-scalar' ? 'scalar' : 'simd';
    const response = await fetch(request.kernelUrl);
    if (!response.ok) throw new Error(`cannot load the kernel ${request.kernelUrl}: HTTP ${response.status}`);
    registerKernelModule(variant, await WebAssembly.compile(await response.arrayBuffer()));
  }

  const total = request.blob.size;
  const step = Math.max(1, Math.floor(total / PROGRESS_STEPS));
  let reported = 0;
  const source = blobSource(request.blob, request.name, (position) => {
    if (position - reported >= step || position === total) {
      reported = position;
      scope.postMessage({ type: 'progress', bytesDone: position, totalBytes: total });
    }
  });
  const result = await runScan(source, resolveOptions(request.options));
  return { type: 'result', result };
}

scope.onmessage = (event) => {
  scan(event.data).then(
    (message) => scope.postMessage(message),
    (error: unknown) =>
      scope.postMessage({
        type: 'error',
        message: error instanceof Error ? error.message : String(error),
        exitCode: error instanceof CsvscanError ? error.exitCode : null,
      }),
  );
};
