// One interface for every scanning engine (Wasm kernels, the JavaScript engine): the driver copies
// a window of input into `window()`, calls scan(length) once per window, finish() at the end, and
// reads results(). Engines must give identical results for identical input and configuration.

import type { EngineName, RawScan } from '../types.js';
import { JsKernel } from './js-kernel.js';
import { WasmKernel, type KernelConfig } from './wasm-kernel.js';

export type { KernelConfig } from './wasm-kernel.js';

export interface Engine {
  /** The buffer windows are copied into, able to hold `size` bytes (call before configure). */
  window(size: number): Uint8Array;
  configure(config: KernelConfig): void;
  /** Scan the first `length` bytes of the window; returns a STATUS_* of assembly/layout.ts. */
  scan(length: number): number;
  finish(): number;
  results(): RawScan;
}

/** Every engine name has its engine (resolveOptions() refuses other names before a scan starts). */
const FACTORIES: Record<EngineName, () => Engine> = {
  wasm: () => new WasmKernel('simd'),
  'wasm-scalar': () => new WasmKernel('scalar'),
  js: () => new JsKernel(),
};

export function createEngine(name: EngineName): Engine {
  return FACTORIES[name]();
}
