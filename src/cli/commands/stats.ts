import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addScanOptions, type RawScanOptions } from '../options.js';
import { FILE_ARGUMENT, formatResult, printOutput, runScan } from '../scan.js';

export function registerStatsCommand(program: Command, io: CliIo): void {
  const command = program
    .command('stats')
    .description('per column: count, empty, invalid, sum, min, max, mean, stddev (all columns without -c)')
    .argument('[file]', FILE_ARGUMENT);
  addScanOptions(command).action(async (file: string | undefined, options: RawScanOptions) => {
    const result = await runScan(io, 'stats', file, options);
    printOutput(io, formatResult(result, 'stats', options));
  });
}
