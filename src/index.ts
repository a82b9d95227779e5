// Package entry: the library API.
export { scanFile, scanFileStreamed, scanBytes, createScanner, scanStream, type Scanner, type ChunkStream, type StreamedScan } from './api.js';
export type { ScanOptions, ScanResult, ColumnResult, GroupResult, OrderedGroups, RawScan, RawColumn, EngineName, ScanMode, IoMode } from './types.js';
export { CsvscanError } from './errors.js';
// combine the partial results of `range` scans (shards) of one file
export { merge } from './scan/partial.js';
export type { PartialScanJson } from './scan/partial.js';
