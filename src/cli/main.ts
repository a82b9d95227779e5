// The csvscan command line (docs/spec.md): parses argv with commander, runs one command, and turns every
// failure into one `csvscan: ...` line on stderr and an exit code. Nothing here calls process.exit,
// so main() can also run in-process.

import { existsSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { formatRusageLine, REPORT_RUSAGE_ENV } from '../bench/rusage.js';
import { CsvscanError, EXIT_USAGE } from '../errors.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerCountCommand } from './commands/count.js';
import { registerMergeCommand } from './commands/merge.js';
import { registerStatsCommand } from './commands/stats.js';
import { registerSumCommand } from './commands/sum.js';
import { processIo, type CliIo } from './io.js';

// bin/csvscan.js takes all three from here, the entry of the bundle (rolldown.config.mjs).
export { processIo };

const EXIT_SUCCESS = 0;

/** Collapses a message to one line: stderr carries one line per error. */
function oneLine(message: string): string {
  return message.trim().replace(/\s*[\r\n]+\s*/g, ' ');
}

/** The package version, from the package.json above this module (src/ or build/host/src/). */
function packageVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'csvscan' && manifest.version) return manifest.version;
    }
    const parent = dirname(directory);
    if (parent === directory) return 'unknown';
    directory = parent;
  }
}

/** Each command's name and what defines it, in the order --help lists them. */
const COMMANDS: [string, (program: Command, io: CliIo) => void][] = [
  ['count', registerCountCommand],
  ['sum', registerSumCommand],
  ['stats', registerStatsCommand],
  ['bench', registerBenchCommand],
  ['merge', registerMergeCommand],
];

/** `argv` as process.argv: node, script, arguments... */
function buildProgram(io: CliIo, argv: string[]): Command {
  const program = new Command('csvscan')
    .description('Exact column sums, counts and statistics of CSV files larger than memory')
    .version(packageVersion(), '-V, --version')
    // Both settings are inherited by the subcommands created below with .command().
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (message, write) => write(`csvscan: ${oneLine(message.replace(/^error: /, ''))}\n`),
    });
  // Defining commands and their options takes commander time at every start (~0.5 ms for the four
  // a scan does not run): a command line that names one (`csvscan count ...`) gets only that one;
  // any other (--help, --version, `help count`, a typo commander suggests a command for) gets all.
  const named = COMMANDS.filter(([name]) => name === argv[2]);
  for (const [, register] of named.length > 0 ? named : COMMANDS) register(program, io);
  return program;
}

function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** Reports a failure on stderr and returns the exit code. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // --help and --version end this way with 0; usage errors were already printed by outputError;
    // a missing command printed the help to stderr.
    return error.exitCode === 0 ? EXIT_SUCCESS : EXIT_USAGE;
  }
  const message = oneLine(error instanceof Error ? error.message : String(error));
  let exitCode: number = EXIT_USAGE;
  if (error instanceof CsvscanError) {
    io.stderr(`csvscan: ${message}\n`);
    exitCode = error.exitCode;
  } else if (isSystemError(error)) {
    // An I/O failure the library did not word (EACCES, EIO, ...) is the user's environment, not a bug.
    io.stderr(`csvscan: ${message}\n`);
  } else {
    // docs/spec.md has no exit code for bugs, so they exit 2 as well.
    io.stderr(`csvscan: internal error: ${message}\n`);
  }
  if (io.debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return exitCode;
}

/** `csvscan bench` runs each measurement as a child with this set: it reports its own peak memory. */
function reportPeakMemoryAtExit(): void {
  // writeSync: an 'exit' listener cannot wait for an asynchronous write.
  process.once('exit', () => writeSync(2, formatRusageLine(process.resourceUsage().maxRSS)));
}

/**
 * The last line of defence for the promise that no stack trace reaches a user: an exception or a
 * rejection that escaped main() (an event handler's, a stream's) is reported as one line, exit 2.
 */
export function reportUncaughtFailures(io: CliIo): void {
  const report = (error: unknown): void => {
    process.exitCode = reportError(error, io);
    // Whatever failed may still hold the event loop (a worker, a stream): nothing more is owed.
    process.exit();
  };
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
}

/** Runs the command line `argv` (as process.argv: node, script, arguments...) and returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  if (process.env[REPORT_RUSAGE_ENV] === '1') reportPeakMemoryAtExit();
  try {
    await buildProgram(io, argv).parseAsync(argv, { from: 'node' });
    await io.flush?.();
    return EXIT_SUCCESS;
  } catch (error) {
    return reportError(error, io);
  }
}
