// Where the CLI writes, as a small interface so tests can run main() in-process and capture it.

import { outputFailure } from '../io/failures.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Resolves once standard output has taken everything written; rejects with a CsvscanError when
   * writing failed (a full disk, a closed file). Omitted where writes cannot fail (tests).
   */
  flush?: () => Promise<void>;
  /**
   * Resolves when standard output can take more (at once unless its buffer is full), so that
   * output written in pieces does not pile up in memory. Omitted where writes are not buffered (tests).
   */
  drain?: () => Promise<void>;
  /** True once standard output is gone (a reader that closed the pipe): output after it is not written. */
  closed?: () => boolean;
  /** progress defaults to on only when a person is watching stderr */
  stderrIsTTY: boolean;
  /** CSVSCAN_DEBUG set: print stack traces of errors */
  debug: boolean;
}

export function processIo(): CliIo {
  let failure: NodeJS.ErrnoException | null = null;
  // Write errors arrive as 'error' events, never as exceptions of write(): they are kept and
  // reported once by flush(), as one line (an unhandled 'error' event would print a stack trace).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // A reader that goes away early (`csvscan stats big.csv | head -1`) is not an error of ours.
    if (error.code !== 'EPIPE') failure ??= error;
  });
  return {
    stdout: (text) => {
      if (failure === null && !process.stdout.destroyed) process.stdout.write(text);
    },
    stderr: (text) => void process.stderr.write(text),
    closed: () => failure !== null || process.stdout.destroyed,
    drain: async () => {
      const stdout = process.stdout;
      if (failure !== null || stdout.destroyed || !stdout.writableNeedDrain) return;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stdout.off('drain', done);
          stdout.off('close', done);
          stdout.off('error', done);
          resolve();
        };
        stdout.on('drain', done);
        stdout.on('close', done);
        stdout.on('error', done);
      });
    },
    flush: async () => {
      if (failure === null && !process.stdout.destroyed) {
        await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      }
      // The 'error' event of a failed write is emitted on the next tick.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (failure !== null) throw outputFailure(failure);
    },
    stderrIsTTY: process.stderr.isTTY === true,
    debug: Boolean(process.env.CSVSCAN_DEBUG),
  };
}
