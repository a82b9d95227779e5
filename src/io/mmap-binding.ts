// Typed access to the @riaskov/mmap-io addon, loaded on first use so that `--io read` and empty
// files work even where the addon failed to build.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { usageError } from '../errors.js';

export interface MmapBinding {
  map(size: number, protection: number, flags: number, fd: number, offset: number, advise: number): Buffer;
  advise(buffer: Buffer, offset: number, length: number, advise: number): void;
  readonly PROT_READ: number;
  readonly MAP_SHARED: number;
  readonly MADV_SEQUENTIAL: number;
  readonly MADV_DONTNEED: number;
  readonly PAGESIZE: number;
  /** 1 when built from the source scripts/patch-mmap-io.mjs patched for 64-bit sizes and offsets */
  readonly CSVSCAN_64BIT?: number;
}

/** The unpatched addon reads offsets as int: only offsets below this are mapped correctly. */
export const UNPATCHED_OFFSET_LIMIT = 2 ** 31;

let binding: MmapBinding | undefined;

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

export function loadMmapBinding(): MmapBinding {
  if (binding === undefined) {
    try {
      binding = loadAddon();
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw usageError(`cannot load the mmap addon @riaskov/mmap-io (${reason}); ` +
        'reinstall (npm ci) or use --io read');
    }
  }
  return binding;
}

export function hasSixtyFourBitOffsets(mmap: MmapBinding): boolean {
  return mmap.CSVSCAN_64BIT === 1;
}
