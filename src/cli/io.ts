// Where the CLI writes, as a small interface so tests can run main() in-process and capture it.

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** progress defaults to on only when a person is watching stderr */
  stderrIsTTY: boolean;
  /** CSVSCAN_DEBUG set: print stack traces of errors */
  debug: boolean;
}

export function processIo(): CliIo {
  // A reader that goes away early (`csvscan stats big.csv | head -1`) is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    debug: Boolean(process.env.CSVSCAN_DEBUG),
  };
}
