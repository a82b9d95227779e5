import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { addScanOptions } from '../options.js';

// Registered now so that `csvscan --help` lists it and scripts get a clear answer, not "unknown command".
export function registerMergeCommand(program: Command): void {
  const command = program
    .command('merge')
    .description('combine --json results of byte-range scans into one (not implemented yet)')
    .argument('<parts...>', 'PART.json files written by scans with --range and --json');
  addScanOptions(command).action(() => {
    throw usageError('merge is not implemented yet');
  });
}
