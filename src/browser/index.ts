// csvscan in the browser: an ES module with no Node API. scanBlob() scans a File or Blob in a Web
// Worker (the page stays responsive; memory stays at one window however large the file);
// createScanner() and scanStream() scan bytes that arrive in pieces, on whatever thread calls them,
// once loadKernel() has fetched the kernel.
//
// Serve the package's build/ directory as it is: this module is build/host/src/browser/index.js and
// finds the kernel at build/kernel/*.wasm and its worker beside itself, by relative URLs.

import { CsvscanError, EXIT_MALFORMED, EXIT_USAGE } from '../errors.js';
import type { KernelVariant } from '../kernel/types.js';
import { registerKernelModule } from '../kernel/wasm-kernel.js';
import type { ScanResult } from '../types.js';
import type { ScanRequest, WorkerMessage, WorkerScanOptions } from './protocol.js';

export { createScanner, scanStream, type Scanner, type ChunkStream } from '../stream.js';
export { CsvscanError } from '../errors.js';
export type { ScanOptions, ScanResult, ColumnResult, EngineName, ScanMode } from '../types.js';
export type { WorkerScanOptions } from './protocol.js';

export interface BlobScanOptions extends WorkerScanOptions {
  /** bytes read so far and the Blob's size, a few hundred times per scan at most */
  onProgress?: (bytesDone: number, totalBytes: number) => void;
  /** aborting terminates the worker and rejects with the signal's reason */
  signal?: AbortSignal;
  /** the kernel to fetch; default: build/kernel/simd.wasm (scalar.wasm for engine 'wasm-scalar') */
  kernelUrl?: string | URL;
  /** the worker module; default: worker.js beside this module */
  workerUrl?: string | URL;
}

function defaultKernelUrl(variant: KernelVariant): URL {
  // build/host/src/browser/ -> build/kernel/
  return new URL(`../../../kernel/${variant}.wasm`, import.meta.url);
}

/**
 * Scan a File or Blob in a Web Worker, reading it by slices. The result is the one `csvscan
 * --json` prints for the same bytes; `name` (default: the File's name) is its `file`. Rejects with
 * a CsvscanError for malformed input or bad options, as scanBytes() does.
 */
export function scanBlob(blob: Blob, options: BlobScanOptions, name?: string): Promise<ScanResult> {
  const { onProgress, signal, kernelUrl, workerUrl, ...scanOptions } = options;
  const variant: KernelVariant = scanOptions.engine === 'wasm-scalar' ? 'scalar' : 'simd';
  const request: ScanRequest = {
    blob,
    name: name ?? (blob instanceof File ? blob.name : '<blob>'),
    options: scanOptions,
    kernelUrl: new URL(kernelUrl ?? defaultKernelUrl(variant), location.href).href,
  };
  return new Promise<ScanResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const worker = new Worker(workerUrl ?? new URL('./worker.js', import.meta.url), { type: 'module' });
    const stop = (): void => {
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      stop();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort);
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      const message = event.data;
      if (message.type === 'progress') {
        onProgress?.(message.bytesDone, message.totalBytes);
        return;
      }
      stop();
      if (message.type === 'result') resolve(message.result);
      else if (message.exitCode === EXIT_MALFORMED || message.exitCode === EXIT_USAGE) reject(new CsvscanError(message.message, message.exitCode));
      else reject(new Error(message.message));
    };
    worker.onerror = (event) => {
      stop();
      reject(new Error(`csvscan worker failed: ${event.message || 'could not load its module'}`));
    };
    worker.postMessage(request);
  });
}

/**
 * Fetch and compile a kernel for createScanner()/scanStream() on this thread (scanBlob() needs
 * none: its worker loads its own). Call once before scanning with engine 'wasm' ('simd') or
 * 'wasm-scalar' ('scalar').
 */
export async function loadKernel(variant: KernelVariant = 'simd', url: string | URL = defaultKernelUrl(variant)): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load the kernel ${String(url)}: HTTP ${response.status}`);
  registerKernelModule(variant, await WebAssembly.compile(await response.arrayBuffer()));
}
