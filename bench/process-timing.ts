// One measured process: a command run under GNU time (`/usr/bin/time -f '%e %M %R'`) inside
// coreutils `timeout`, so the figures are those of the whole process (start-up included) and a
// runaway process is stopped. `--foreground` keeps it in our process group: Ctrl-C stops it too.
// Every script in bench/ measures its processes here, csvscan's and the peers' alike (awk or
// DuckDB cannot report their own peak memory). `csvscan bench`, which must run where GNU time is
// not installed, has its own: src/bench/child.ts, where each csvscan child reports its peak.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { megabytesPerSecond } from '../src/bench/statistics.js';
import { formatMiB, formatSpeed } from '../src/bench/table.js';

const TIME_BINARY = '/usr/bin/time';
const TIMEOUT_BINARY = 'timeout';
/** wall seconds, peak resident KiB, minor page faults */
const TIME_FORMAT = '%e %M %R';
/** what coreutils `timeout` exits with when it stopped the command */
const EXIT_TIMED_OUT = 124;
/** after the timeout's SIGTERM, SIGKILL follows this many seconds later */
const KILL_AFTER_SECONDS = 10;

export interface ProcessTiming {
  seconds: number;
  maxRssKiB: number;
  minorFaults: number;
}

export interface TimedProcess {
  /** null when it was killed by a signal */
  status: number | null;
  timedOut: boolean;
  /** null when GNU time printed no figures (it could not start the command) */
  timing: ProcessTiming | null;
  stdout: string;
  /** the command's own stderr, GNU time's lines removed */
  stderr: string;
}

const TIMING_LINE = /^(\d+(?:\.\d+)?) (\d+) (\d+)$/;
/** GNU time's own notes before the figures, e.g. "Command exited with non-zero status 1". */
const TIME_NOTE_LINE = /^Command (exited with non-zero status \d+|terminated by signal \d+)$/;

/**
 * Splits stderr of `/usr/bin/time -f '%e %M %R' CMD` into the figures (its last line) and the
 * command's own stderr. Returns timing null when the last line is not the figures.
 */
export function parseTimeOutput(stderr: string): { timing: ProcessTiming | null; commandStderr: string } {
  const lines = stderr.replace(/\n+$/, '').split('\n');
  const match = TIMING_LINE.exec(lines[lines.length - 1] ?? '');
  if (!match) return { timing: null, commandStderr: stderr };
  lines.pop();
  if (lines.length > 0 && TIME_NOTE_LINE.test(lines[lines.length - 1]!)) lines.pop();
  return {
    // %e has 10 ms resolution: 0.00 means under 10 ms, taken as 10 ms (no speed from a zero).
    timing: { seconds: Math.max(0.01, Number(match[1])), maxRssKiB: Number(match[2]), minorFaults: Number(match[3]) },
    commandStderr: lines.join('\n'),
  };
}

interface RunOptions {
  cwd: string;
  /** 0: no time limit (coreutils `timeout` then only passes signals on) */
  timeoutSeconds: number;
}

/** Runs argv[0] with argv[1..] under GNU time and `timeout`. */
export function runTimed(argv: string[], options: RunOptions): TimedProcess {
  const result = spawnSync(
    TIME_BINARY,
    ['-f', TIME_FORMAT, TIMEOUT_BINARY, '--foreground', '-k', String(KILL_AFTER_SECONDS), String(options.timeoutSeconds), ...argv],
    { cwd: options.cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  if (result.error) throw new Error(`cannot run ${TIME_BINARY}: ${result.error.message}`);
  const { timing, commandStderr } = parseTimeOutput(result.stderr);
  return {
    status: result.status,
    timedOut: result.status === EXIT_TIMED_OUT,
    timing,
    stdout: result.stdout,
    stderr: commandStderr,
  };
}

/**
 * What several runs of one command count as: the fastest run's time and faults (fastest by its own
 * seconds, or by `seconds` given per run, e.g. a worker's copy loop), and the largest peak RSS of all.
 */
export function bestTiming(timings: ProcessTiming[], seconds = timings.map((timing) => timing.seconds)): ProcessTiming {
  const fastest = timings[seconds.indexOf(Math.min(...seconds))]!;
  return { ...fastest, maxRssKiB: Math.max(...timings.map((timing) => timing.maxRssKiB)) };
}

/** A table row's `MB/s` and `peak RSS MiB` cells for `bytes` read in a process's time; `-` for a process with no figures. */
export function timingCells(bytes: number, timing: ProcessTiming | null): [string, string] {
  return timing ? [formatSpeed(megabytesPerSecond(bytes, timing.seconds)), formatMiB(timing.maxRssKiB)] : ['-', '-'];
}

/** Why measurements cannot be taken here, or null when GNU time is installed. */
export function missingTimeBinary(): string | null {
  return existsSync(TIME_BINARY) ? null : `${TIME_BINARY} is missing (GNU time: apt-get install time)`;
}

/** The first non-empty line of a command's stderr, for a one-line note in a table. */
export function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find((line) => line.length > 0) ?? '';
}
