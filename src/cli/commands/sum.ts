import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import type { CliIo } from '../io.js';
import { addScanOptions, type RawScanOptions } from '../options.js';
import { FILE_ARGUMENT, printScan, runScan } from '../scan.js';

export function registerSumCommand(program: Command, io: CliIo): void {
  const command = program
    .command('sum')
    .description('exact sums of the columns given with -c')
    .argument('[file]', FILE_ARGUMENT);
  addScanOptions(command).action(async (file: string | undefined, options: RawScanOptions) => {
    if (options.column.length === 0) {
      throw usageError('sum needs at least one column: -c COL');
    }
    // Every engine accumulates squares in 'sum' mode too, so --json prints the full column object.
    const result = await runScan(io, 'sum', file, options);
    await printScan(io, result, 'sum', options);
  });
}
