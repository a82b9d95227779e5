// Messages between scanBlob() (src/browser/index.ts) and the scan worker (src/browser/worker.ts).

import type { ScanOptions, ScanResult } from '../types.js';

/**
 * ScanOptions that cross to the worker: no callbacks, and nothing that needs a file path. `by`,
 * `top` and `memory` cross too: a grouped count runs in the worker like any scan.
 */
export type WorkerScanOptions = Omit<ScanOptions, 'onProgress' | 'io' | 'threads' | 'range'>;

export interface ScanRequest {
  blob: Blob;
  name: string;
  options: WorkerScanOptions;
  /** absolute URL of the kernel .wasm for options.engine */
  kernelUrl: string;
}

export type WorkerMessage =
  | { type: 'progress'; bytesDone: number; totalBytes: number }
  | { type: 'result'; result: ScanResult }
  | { type: 'error'; message: string; exitCode: number | null };
