// One interface for every scanning engine (Wasm kernels, the JavaScript engine): the driver copies
// a window of input into `window()`, calls scan(length) once per window, finish() at the end, and
// reads results(). Engines must give identical results for identical input and configuration.

import { usageError } from '../errors.js';
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

type EngineFactory = () => Engine;

const factories = new Map<EngineName, EngineFactory>([
  ['wasm', () => new WasmKernel('simd')],
  ['wasm-scalar', () => new WasmKernel('scalar')],
  ['js', () => new JsKernel()],
]);

/** Engines register here (the JavaScript engine lives in its own module). */
export function registerEngine(name: EngineName, factory: EngineFactory): void {
  factories.set(name, factory);
}

export function createEngine(name: EngineName): Engine {
  const factory = factories.get(name);
  if (!factory) throw usageError(`--engine ${name} is not available yet`);
  return factory();
}
