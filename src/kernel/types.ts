// The types every engine module shares: what an engine is (Engine), what it is told before a scan
// (KernelConfig), and which compiled kernel a WasmKernel runs (KernelVariant). Kept apart from the
// modules that use them (engine.ts, wasm-kernel.ts, kernel-module.ts, js-kernel.ts and
// raw-columns.ts) so that none of those needs to import another for a type: this module imports
// nothing from src/kernel/.

import type { Dialect, ProfileRequest, RawScan, ScanMode, SpilledGroups } from '../types.js';

/**
 * Where an engine puts its groups when they no longer fit in the budget (src/scan/spill.ts writes
 * them to temporary files); without one, the engine refuses the scan.
 */
export interface GroupSink {
  /**
   * one group of the table as a record (src/kernel/group-record.ts), `bytes[from..to)`: the engine
   * empties its table after the last
   */
  add(bytes: Uint8Array, from?: number, to?: number): void;
  /** everything written: the spilled parts (null: nothing was written) */
  finish(): SpilledGroups | null;
  /** close the files without reading them (a failed or discarded scan) */
  discard(): void;
}

/** A packaged build of the kernel: build/kernel/<variant>.wasm. */
export type KernelVariant = 'simd' | 'scalar' | 'scalar.debug';

/** What reset() is told: dialect, columns, and where in the file this scan starts and stops. */
export interface KernelConfig {
  dialect: Dialect;
  /** field index (0-based) of each slot */
  slotFields: number[];
  /** map every field i < MAX_SLOTS to slot i (stats of all columns when the width is unknown) */
  allFields: boolean;
  mode: ScanMode;
  /** absolute offset of the first byte fed */
  startOffset: number;
  /** records starting at or after this offset are not scanned (-1: none) */
  stopOffset: number;
  /** the first byte fed is inside the file: discard bytes up to the first record boundary */
  midFile: boolean;
  /**
   * fields a record should have, for the short/long counts: a range that starts inside the file
   * cannot see the header or the first record (0 or absent: the header's, else the first record's)
   */
  expectedFields?: number;
  /** count by key (assembly/groups.ts): the key fields (0-based) in --by order, and the memory budget in bytes */
  groups?: { by: number[]; memory: number; spill?: GroupSink | null } | null;
  /** stats --distinct, --quantiles: the column profile's sketches (not with groups) */
  profile?: ProfileRequest | null;
}

/**
 * One interface for every scanning engine (Wasm kernels, the JavaScript engine): the driver copies
 * a window of input into `window()`, calls scan(length) once per window, finish() at the end, and
 * reads results(). Engines must give identical results for identical input and configuration.
 */
export interface Engine {
  /** The buffer windows are copied into, able to hold `size` bytes (call before configure). */
  window(size: number): Uint8Array;
  configure(config: KernelConfig): void;
  /** Scan the first `length` bytes of the window; returns a STATUS_* of assembly/layout.ts. */
  scan(length: number): number;
  finish(): number;
  results(): RawScan;
  /**
   * Give back what the scan grew (group tables, profile sketches) once its results are read: a Wasm
   * memory never shrinks, and the caller may still be on a frame that holds the engine. The engine
   * stays usable: the next scan starts from a fresh, small state.
   */
  release(): void;
}
