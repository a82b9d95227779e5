import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { addScanOptions } from '../options.js';

// Registered now so that `csvscan --help` lists it and scripts get a clear answer, not "unknown command".
export function registerBenchCommand(program: Command): void {
  const command = program
    .command('bench')
    .description('JS and Wasm engines side by side on the same bytes (not implemented yet)')
    .argument('[file]', 'CSV file; - or omitted reads standard input');
  addScanOptions(command).action(() => {
    throw usageError('bench is not implemented yet');
  });
}
