// The library API: scan a file, standard input, bytes in memory or a stream of chunks, and get the
// docs/spec.md result. The CLI is a thin layer over scanFile (src/file-scan.ts).

export type { ScanOptions, ScanResult, ColumnResult, GroupResult, OrderedGroups } from './types.js';
export { scanFile, scanFileStreamed, scanBytes, type StreamedScan } from './file-scan.js';
export { createScanner, scanStream, type Scanner, type ChunkStream } from './stream.js';
