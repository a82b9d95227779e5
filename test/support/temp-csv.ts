// Temporary CSV files for a test file: a directory made now and removed after its tests (afterAll),
// and a writer of numbered files in it. Call at module level.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export interface TempCsv {
  dir: string;
  /** `bytes` written to a new file of the directory: its path */
  write(bytes: Uint8Array | string): string;
}

export function tempCsvFiles(prefix: string): TempCsv {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  return {
    dir,
    write(bytes) {
      const path = join(dir, `input-${++files}.csv`);
      writeFileSync(path, bytes);
      return path;
    },
  };
}

const encoder = new TextEncoder();

/** Text as its UTF-8 bytes; bytes as they are. */
export const bytesOf = (text: string | Uint8Array): Uint8Array => (typeof text === 'string' ? encoder.encode(text) : text);
