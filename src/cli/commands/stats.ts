import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addScanOptions, type RawScanOptions } from '../options.js';
import { FILE_ARGUMENT, printScan, runScan } from '../scan.js';

export function registerStatsCommand(program: Command, io: CliIo): void {
  const command = program
    .command('stats')
    .description('per column: type, count, empty, invalid, sum, min, max, mean, stddev, lengths (all columns without -c); a profile with --distinct, --quantiles, --all')
    .argument('[file]', FILE_ARGUMENT)
    .option('--distinct', 'count distinct non-empty values: exact up to 100000, else estimated (HyperLogLog, 0.8% standard error)')
    .option('--quantiles', 'q1, median and q3 of the numbers, each within 0.5% of the exact value')
    .option('--all', 'both --distinct and --quantiles');
  addScanOptions(command).action(async (file: string | undefined, options: RawScanOptions) => {
    const result = await runScan(io, 'stats', file, options);
    await printScan(io, result, 'stats', options);
  });
}
