// Errors a user may cause. The CLI prints `csvscan: <message>` and exits with `exitCode`;
// anything else reaching the top level is a bug.

/** Exit codes of docs/spec.md. */
export const EXIT_MALFORMED = 1;
export const EXIT_USAGE = 2;

export class CsvscanError extends Error {
  constructor(
    message: string,
    readonly exitCode: typeof EXIT_MALFORMED | typeof EXIT_USAGE = EXIT_USAGE,
  ) {
    super(message);
    this.name = 'CsvscanError';
  }
}

export function usageError(message: string): CsvscanError {
  return new CsvscanError(message, EXIT_USAGE);
}

/** What users see as the input's name: '-' reads better as "standard input" in a message. */
export function displayName(name: string): string {
  return name === '-' ? 'standard input' : name;
}
