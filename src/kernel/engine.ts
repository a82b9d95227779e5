// The engine registry: createEngine(name) gives a fresh engine of one of ENGINE_NAMES. What an
// engine is (the Engine interface, KernelConfig) is in types.ts, re-exported here for its users.
//
// The JS engine is loaded only by the scans that use it (loadEngine): its modules cost a Wasm scan
// several milliseconds of start-up. Callers that cannot wait (the stream scanner) import it and
// hand it over with provideJsKernel().

import type { EngineName } from '../types.js';
import type { Engine } from './types.js';
import { WasmKernel } from './wasm-kernel.js';

export type { Engine, KernelConfig } from './types.js';

let jsKernel: (new () => Engine) | undefined;

/** Makes `name` available to createEngine(): a no-op but for the JS engine's first use. */
export async function loadEngine(name: EngineName): Promise<void> {
  if (name === 'js' && jsKernel === undefined) jsKernel = (await import('./js-kernel.js')).JsKernel;
}

/** The JS engine's class, for a caller that imported it itself. */
export function provideJsKernel(kernel: new () => Engine): void {
  jsKernel ??= kernel;
}

export function createEngine(name: EngineName): Engine {
  if (name === 'wasm') return new WasmKernel('simd');
  if (name === 'wasm-scalar') return new WasmKernel('scalar');
  if (jsKernel === undefined) throw new Error("the js engine is not loaded: await loadEngine('js') first");
  return new jsKernel();
}
