// Times the wasm engine of this checkout on the in-memory benchmark's cases and prints, per case,
// nanoseconds per record and a digest of the --json result. compare.sh runs it in two checkouts
// (the base and the base with an experiment's patch) and sets the digests side by side: equal
// digests mean the patched kernel gives the base's results, byte for byte.
//
// Unlike `npm run bench:kernel`, it does not stop on a wrong result: the probe patches remove work
// on purpose (to find how long the rest takes) and so compute wrong results. Their figures are lower
// bounds for a kernel part, never speeds of csvscan.
//
//   node build/host/bench/experiments/probe.js [--size 64M] [--runs 5]

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { scanBytes } from '../../src/api.js';
import type { ScanMode } from '../../src/types.js';
import { DEFAULT_SEED, parseSize, type CsvKind } from '../generate.js';
import { positiveIntegerOption, sizeOption, UsageError } from '../options.js';
import { prepareGeneratedFile } from '../peers/data-files.js';

function parseOptions(argv: string[]): { sizeBytes: number; runs: number } {
  const options = { sizeBytes: parseSize('64M'), runs: 5 };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    // (no optionValue() from ../options.js: compare.sh builds this file into older checkouts too)
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    if (name === '--size') options.sizeBytes = sizeOption(value);
    else if (name === '--runs') options.runs = positiveIntegerOption(name, value);
    else throw new UsageError(`unknown option ${name} (options: --size, --runs)`);
  }
  return options;
}

async function main(): Promise<void> {
  const { sizeBytes, runs } = parseOptions(process.argv.slice(2));
  for (const kind of ['numeric', 'mixed'] as CsvKind[]) {
    const file = await prepareGeneratedFile(kind, sizeBytes, DEFAULT_SEED, false);
    const bytes = readFileSync(file.path);
    const cases: { label: string; mode: ScanMode; columns: string[] | null }[] = [
      { label: 'count', mode: 'count', columns: null },
      { label: `sum -c ${file.sumColumn}`, mode: 'sum', columns: [file.sumColumn] },
      { label: 'stats', mode: 'stats', columns: null },
    ];
    for (const { label, mode, columns } of cases) {
      let best = Infinity;
      let json = '';
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        const result = await scanBytes(bytes, { mode, columns, engine: 'wasm', threads: 1 }, basename(file.path));
        best = Math.min(best, (performance.now() - started) / 1000);
        json = JSON.stringify(result);
      }
      const digest = createHash('sha256').update(json).digest('hex').slice(0, 12);
      // one tab-separated line per case: file, command, ns/record, result digest
      process.stdout.write(`${basename(file.path)}\t${label}\t${((best * 1e9) / file.rows).toFixed(1)}\t${digest}\n`);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`probe: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
