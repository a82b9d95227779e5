// `csvscan merge PART.json ...`: combine the --json results of `--range` scans of one file (shards,
// possibly scanned on other machines) into the result a whole-file scan prints (scan/partial.ts).

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { openFailure } from '../../io/failures.js';
import { formatCount, formatStatsTable, formatSumLines, toJsonLine } from '../../results/format.js';
import type { CliIo } from '../io.js';
import { printOutput } from '../scan.js';

function readPart(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw openFailure(path, error);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`merge: ${path}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

export function registerMergeCommand(program: Command, io: CliIo): void {
  program
    .command('merge')
    .description('combine the --json results of --range scans of one file into the whole-file result')
    .argument('<parts...>', 'PART.json files written by count, sum or stats with --range START:END --json')
    .option('--json', 'print one JSON object on one line', false)
    .action(async (paths: string[], options: { json: boolean }) => {
      // Loaded only now, so that --help answers without the scanning modules.
      const { readShard } = await import('../../scan/partial-check.js');
      const { mergeShards } = await import('../../scan/partial.js');
      // Each partial is checked completely as it is read: a damaged one is named before any merging.
      const shards = paths.map((path) => readShard(readPart(path), path));
      const result = mergeShards(shards);
      if (options.json) {
        printOutput(io, toJsonLine(result));
        return;
      }
      // `sum --json` scans in stats mode (its JSON has every statistic): its shards merge as stats.
      const mode = shards[0]!.partial.query.mode;
      printOutput(io, mode === 'count' ? formatCount(result) : mode === 'sum' ? formatSumLines(result) : formatStatsTable(result));
    });
}
