import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addScanOptions, type RawScanOptions } from '../options.js';
import { FILE_ARGUMENT, printScan, runScan } from '../scan.js';

export function registerCountCommand(program: Command, io: CliIo): void {
  const command = program
    .command('count')
    .description('count data records (header excluded); with --by, the records of each key, most frequent first')
    .argument('[file]', FILE_ARGUMENT);
  addScanOptions(command).action(async (file: string | undefined, options: RawScanOptions) => {
    const result = await runScan(io, 'count', file, options);
    await printScan(io, result, 'count', options);
  });
}
