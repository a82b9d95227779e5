export { openSource, STDIN_NAME, type SourceOptions } from './source.js';
export type { ByteSource } from './byte-source.js';
