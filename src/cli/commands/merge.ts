// `csvscan merge PART.json ...`: combine the --json results of `--range` scans of one file (shards,
// possibly scanned on other machines) into the result a whole-file scan prints (scan/partial.ts).

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { openFailure } from '../../io/failures.js';
import type { CliIo } from '../io.js';
import { formatResult, printOutput } from '../scan.js';

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
    .option('--csv', 'print the result as CSV (RFC 4180) with a header row', false)
    .option('--top <N>', 'of grouped partials (--by): only the first N groups')
    .action(async (paths: string[], options: { json: boolean; csv: boolean; top?: string }) => {
      if (options.json && options.csv) throw usageError('--json and --csv cannot be given together');
      const top = options.top === undefined ? null : Number(options.top);
      if (top !== null && !(/^\d+$/.test(options.top!.trim()) && top >= 1)) {
        throw usageError(`--top must be a whole number >= 1, got ${JSON.stringify(options.top)}`);
      }
      // Loaded only now, so that --help answers without the scanning modules.
      const { readShard } = await import('../../scan/partial-check.js');
      const { mergeShards } = await import('../../scan/partial.js');
      // Each partial is checked completely as it is read: a damaged one is named before any merging.
      const shards = paths.map((path) => readShard(readPart(path), path));
      const result = mergeShards(shards, top);
      const { mode, profile } = shards[0]!.partial.query;
      printOutput(io, formatResult(result, mode, { ...options, distinct: profile?.distinct, quantiles: profile?.quantiles }));
    });
}
