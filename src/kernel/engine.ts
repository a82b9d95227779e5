// The engine registry: createEngine(name) gives a fresh engine of one of ENGINE_NAMES. What an
// engine is (the Engine interface, KernelConfig) is in types.ts, re-exported here for its users.

import { usageError } from '../errors.js';
import type { EngineName } from '../types.js';
import { JsKernel } from './js-kernel.js';
import type { Engine } from './types.js';
import { WasmKernel } from './wasm-kernel.js';

export type { Engine, KernelConfig } from './types.js';

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
