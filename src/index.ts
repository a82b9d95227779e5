// Package entry: the library API.
export { scanFile, scanBytes, createScanner, scanStream, type Scanner, type ChunkStream } from './api.js';
export type { ScanOptions, ScanResult, ColumnResult, RawScan, RawColumn, EngineName, ScanMode, IoMode } from './types.js';
export { CsvscanError } from './errors.js';
