// Typed access to the @riaskov/mmap-io addon, loaded on first use so that `--io read` and empty
// files work even where the addon failed to build.

import { createRequire } from 'node:module';
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

export function loadMmapBinding(): MmapBinding {
  if (binding === undefined) {
    try {
      binding = createRequire(import.meta.url)('@riaskov/mmap-io') as MmapBinding;
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
