// Package entry: the library API.
export { scanFile, scanBytes } from './api.js';
export type { ScanOptions, ScanResult, ColumnResult, RawScan, RawColumn } from './types.js';
export { CsvscanError } from './errors.js';
