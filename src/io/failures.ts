// One-line usageErrors for I/O failures (docs/spec.md: exit 2, no stack trace).

import util from 'node:util';
import { displayName, usageError, type CsvscanError } from '../errors.js';

const WORDING: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EBADF: 'not open for writing',
};

/** "no such file or directory" from a Node system error, else its code or first line. */
function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && WORDING[code] !== undefined) return WORDING[code];
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  // Node's system errors read "EIO: i/o error, read": keep the description, then the code.
  const described = /^[A-Z0-9]+: ([^,]+)/.exec(message);
  if (described && code) return `${described[1]} (${code})`;
  return message;
}

export function openFailure(name: string, error: unknown): CsvscanError {
  return usageError(`${displayName(name)}: ${describe(error)}`);
}

export function readFailure(name: string, error: unknown): CsvscanError {
  return usageError(`${displayName(name)}: read error: ${describe(error)}`);
}

export function changedSize(name: string): CsvscanError {
  return usageError(`${displayName(name)}: file changed size while being read`);
}

/** The binding throws plain Errors like "mmap failed, 12": name the errno. */
export function mapFailure(name: string, error: unknown): CsvscanError {
  const message = error instanceof Error ? error.message : String(error);
  const errno = /failed, (\d+)/.exec(message)?.[1];
  const reason = errno === undefined ? message.split('\n')[0] : util.getSystemErrorName(-Number(errno));
  return usageError(`${displayName(name)}: cannot map the file (${reason}); --io read avoids mapping`);
}

export function outputFailure(error: unknown): CsvscanError {
  return usageError(`cannot write the output: ${describe(error)}`);
}
