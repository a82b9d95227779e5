// One measured run of `csvscan bench`: `node bin/csvscan.js ARGS` as a child process, so that its
// peak memory is its own (reported by the child itself, rusage.ts: no GNU time needed, unlike
// bench/process-timing.ts) and its time is what a user waits for.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { REPORT_RUSAGE_ENV, takeRusageLine } from './rusage.js';

export interface ChildRun {
  /** null when a signal ended it */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** its stderr without the rusage line */
  stderr: string;
  /** from spawn to exit */
  seconds: number;
  maxRssKiB: number | null;
}

/** bin/csvscan.js of the package this module belongs to (from src/ or build/host/src/). */
export function csvscanCliPath(): string {
  return join(packageRoot(), 'bin', 'csvscan.js');
}

/** Runs the CLI at `cliPath` with `args`; `onStart` gets the child (to stop it on a signal). */
export function runCsvscanChild(
  cliPath: string,
  args: readonly string[],
  onStart: (child: ChildProcess) => void = () => {},
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, [REPORT_RUSAGE_ENV]: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onStart(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    // 'exit' stops the clock; 'close' (all output read) delivers.
    let seconds = 0;
    child.on('exit', () => {
      seconds = (performance.now() - startedAt) / 1000;
    });
    child.on('close', (exitCode, signal) => {
      const { maxRssKiB, stderr: rest } = takeRusageLine(Buffer.concat(stderr).toString('utf8'));
      resolve({ exitCode, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: rest, seconds, maxRssKiB });
    });
  });
}
