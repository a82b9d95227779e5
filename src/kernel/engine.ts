// The engine registry: createEngine(name) gives a fresh engine of one of ENGINE_NAMES. What an
// engine is (the Engine interface, KernelConfig) is in types.ts, re-exported here for its users.

import type { EngineName } from '../types.js';
import { JsKernel } from './js-kernel.js';
import type { Engine } from './types.js';
import { WasmKernel } from './wasm-kernel.js';

export type { Engine, KernelConfig } from './types.js';

/** Every engine name has its engine (resolveOptions() refuses other names before a scan starts). */
const FACTORIES: Record<EngineName, () => Engine> = {
  wasm: () => new WasmKernel('simd'),
  'wasm-scalar': () => new WasmKernel('scalar'),
  js: () => new JsKernel(),
};

export function createEngine(name: EngineName): Engine {
  return FACTORIES[name]();
}
