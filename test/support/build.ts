// Tests run compiled code (bin/csvscan.js and its bundle, worker threads, the .wasm kernels): before any test,
// vitest's global setup rebuilds what is older than its sources, so no test runs a stale build.
// The host compiles assembly/layout.ts too, so it depends on both src/ and assembly/.

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

const KERNEL_OUTPUTS = ['scalar.wasm', 'scalar.debug.wasm', 'simd.wasm'].map((name) => join(ROOT, 'build', 'kernel', name));
const HOST_OUTPUTS = [
  ...['cli/main.js', 'scan/worker.js', 'io/gunzip-worker.js'].map((file) => join(ROOT, 'build', 'host', 'src', file)),
  // bin/csvscan.js runs the bundle of build/host made by build:host (rolldown.config.mjs)
  join(ROOT, 'build', 'cli', 'main.cjs'),
];

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The oldest of `files`' modification times; 0 when one is missing. */
function oldestMtime(files: string[]): number {
  let oldest = Infinity;
  for (const file of files) {
    try {
      oldest = Math.min(oldest, statSync(file).mtimeMs);
    } catch {
      return 0;
    }
  }
  return oldest;
}

function runScript(script: string): void {
  const run = spawnSync('npm', ['run', script], { cwd: ROOT, encoding: 'utf8', shell: process.platform === 'win32' });
  if (run.status !== 0) throw new Error(`npm run ${script} failed:\n${run.stdout}${run.stderr}`);
}

/** Rebuilds the kernel when assembly/ changed after it, and the host when src/ or assembly/ did. */
export function buildIfStale(): void {
  const kernelSources = newestMtime(join(ROOT, 'assembly'));
  if (oldestMtime(KERNEL_OUTPUTS) < kernelSources) runScript('build:kernel');
  if (oldestMtime(HOST_OUTPUTS) < Math.max(kernelSources, newestMtime(join(ROOT, 'src')))) runScript('build:host');
}
