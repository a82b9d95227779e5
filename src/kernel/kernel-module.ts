// Node's way to a compiled kernel: read build/kernel/<variant>.wasm from the package. Kept out of
// wasm-kernel.ts so that the kernel host itself runs where there is no file system (browsers,
// workers, other embedders hand it a compiled WebAssembly.Module instead).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import type { KernelVariant } from './types.js';

/** Absolute path of a kernel build inside the package. */
export function kernelPath(variant: KernelVariant): string {
  return join(packageRoot(), 'build', 'kernel', `${variant}.wasm`);
}

/** Read and compile a kernel build (synchronous: the kernel is a few KiB). */
export function loadKernelModule(variant: KernelVariant): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(kernelPath(variant)));
}
