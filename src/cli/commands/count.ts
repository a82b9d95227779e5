import type { Command } from 'commander';
import { formatCount, toJsonLine } from '../../results/format.js';
import type { CliIo } from '../io.js';
import { addScanOptions, type RawScanOptions } from '../options.js';
import { printOutput, runScan } from '../scan.js';

export function registerCountCommand(program: Command, io: CliIo): void {
  const command = program
    .command('count')
    .description('count data records (header excluded)')
    .argument('[file]', 'CSV file; - or omitted reads standard input');
  addScanOptions(command).action(async (file: string | undefined, options: RawScanOptions) => {
    const result = await runScan(io, 'count', file, options);
    printOutput(io, options.json ? toJsonLine(result) : formatCount(result));
  });
}
