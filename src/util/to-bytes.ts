// Input the library takes as bytes: byte arrays, ArrayBuffers, and strings (their UTF-8 bytes).

import { usageError } from '../errors.js';

/** What push() and scanBytes() take: bytes, or a string, scanned as its UTF-8 bytes. */
export type InputChunk = Uint8Array | ArrayBuffer | string;

const utf8 = new TextEncoder();

/** The bytes of an input chunk; anything else is refused with a message saying what is wanted. */
export function toBytes(chunk: unknown, taker: string): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return utf8.encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const what = chunk === null ? 'null' : Array.isArray(chunk) ? 'an array' : typeof chunk;
  throw usageError(`${taker} takes a Uint8Array (or Buffer), an ArrayBuffer or a string, got ${what}`);
}
