// Typed access to the @riaskov/mmap-io addon as scripts/patch-mmap-io.mjs patches it, loaded on
// first use. The addon is an optional dependency: where it did not build (no C/C++ compiler) or is
// not the patched build, files are read instead of mapped (see source.ts), and `--io mmap` is
// refused with the reason.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { usageError } from '../errors.js';

export interface MmapBinding {
  map(size: number, protection: number, flags: number, fd: number, offset: number, advise: number): Buffer;
  advise(buffer: Buffer, offset: number, length: number, advise: number): void;
  /**
   * mapping[from, to) into destination[at, ...); false, instead of a SIGBUS that kills the
   * process, when the file no longer holds those bytes (it was truncated).
   */
  copy(mapping: Buffer, from: number, to: number, destination: Uint8Array, at: number): boolean;
  readonly PROT_READ: number;
  readonly MAP_SHARED: number;
  readonly MADV_SEQUENTIAL: number;
  readonly MADV_DONTNEED: number;
  readonly PAGESIZE: number;
  /** the version of scripts/patch-mmap-io.mjs the addon was built from (64-bit offsets, copy()) */
  readonly CSVSCAN_PATCH?: number;
}

/** The patch this code needs; scripts/patch-mmap-io.mjs PATCH_VERSION. */
export const MMAP_PATCH_VERSION = 2;

type Availability = { binding: MmapBinding } | { unavailable: string };
let availability: Availability | undefined;

/**
 * The package's entry requires @mapbox/node-pre-gyp only to find its .node file, which costs
 * ~35 ms at every start; load the addon from where node-pre-gyp builds it, else through the entry.
 */
function loadAddon(): MmapBinding {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@riaskov/mmap-io/package.json'));
  const addon = join(root, 'build', 'binding', 'Release', `node-v${process.versions.modules}-${process.platform}-${process.arch}`, 'mmap_io.node');
  return (existsSync(addon) ? require(addon) : require('@riaskov/mmap-io')) as MmapBinding;
}

function probe(): Availability {
  let binding: MmapBinding;
  try {
    binding = loadAddon();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND') return { unavailable: 'the optional addon @riaskov/mmap-io is not installed (it needs a C/C++ compiler to build)' };
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { unavailable: `the addon @riaskov/mmap-io does not load (${reason})` };
  }
  if (binding.CSVSCAN_PATCH !== MMAP_PATCH_VERSION || typeof binding.copy !== 'function') {
    return { unavailable: 'the addon @riaskov/mmap-io is not the patched build (run: node scripts/patch-mmap-io.mjs)' };
  }
  return { binding };
}

/** Why files cannot be mapped here, or null when they can. */
export function mmapUnavailableReason(): string | null {
  availability ??= probe();
  return 'unavailable' in availability ? availability.unavailable : null;
}

/** The addon; a usageError saying why when it is not available. */
export function loadMmapBinding(): MmapBinding {
  availability ??= probe();
  if ('unavailable' in availability) throw usageError(`--io mmap is not available: ${availability.unavailable}; use --io read`);
  return availability.binding;
}
