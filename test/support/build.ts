// Tests that run compiled code (bin/csvscan.js, the worker thread module) compile the host first
// when its build is older than the TypeScript sources.

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Run tsc when `builtFile` is missing or older than anything under src/. */
export function buildHostIfStale(builtFile: string): void {
  let builtAt = 0;
  try {
    builtAt = statSync(builtFile).mtimeMs;
  } catch {
    // not built yet
  }
  if (builtAt < newestMtime(join(ROOT, 'src'))) {
    // Emits even when some other module has a type error; the tests then show what is broken.
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  }
}
