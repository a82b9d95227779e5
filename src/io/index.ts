export { openSource, STDIN_NAME } from './source.js';
export type { ByteSource, SourceOptions } from './source.js';
