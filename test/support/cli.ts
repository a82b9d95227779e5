// Running the real command line in a child process, as users run it, and what every error must
// look like (docs/spec.md "Exit codes and errors": one line, the exit code, no stack trace).

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPORT_RUSAGE_ENV, takeRusageLine } from '../../src/bench/rusage.js';
import { ROOT } from './build.js';

export const BIN = join(ROOT, 'bin', 'csvscan.js');

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node bin/csvscan.js ARGS` in the package root, without CSVSCAN_DEBUG. */
export function csvscan(args: string[], input?: string | Buffer, options: { env?: NodeJS.ProcessEnv } = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env.CSVSCAN_DEBUG;
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, input, encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  if (run.error) throw run.error;
  return { status: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

/** Runs csvscan with its peak resident memory reported (KiB), taken off stderr. */
export function csvscanWithPeakMemory(args: string[], input?: string | Buffer): Run & { maxRssKiB: number } {
  const run = csvscan(args, input, { env: { [REPORT_RUSAGE_ENV]: '1' } });
  const { maxRssKiB, stderr } = takeRusageLine(run.stderr);
  if (maxRssKiB === null) throw new Error(`no memory report in: ${run.stderr.slice(0, 500)}`);
  return { ...run, stderr, maxRssKiB };
}

/** A shell command line (`sh -c`), `csvscan` standing for the real binary. */
export function csvscanInShell(commandLine: string): Run {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CSVSCAN_DEBUG;
  const script = commandLine.replaceAll('csvscan ', `"${process.execPath}" "${BIN}" `);
  const run = spawnSync('sh', ['-c', script], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw run.error;
  return { status: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

/** One `csvscan: ...` line on stderr, nothing on stdout, no stack trace, the given exit code. */
export function expectCleanError(run: Run, exitCode: number, message: RegExp): void {
  expect(run.stderr).toMatch(/^csvscan: [^\n]+\n$/);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout).toBe('');
  expect(run.signal).toBeNull();
  expect(run.status).toBe(exitCode);
}
