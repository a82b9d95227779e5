// Times the wasm engine of this checkout on the in-memory benchmark's cases (count, sum of one
// column, stats of all) over the files it is given, and prints, per case, nanoseconds per record
// and a digest of the --json result. compare.sh runs it in two checkouts (the base and the base
// with an experiment's patch) and sets the digests side by side: equal digests mean the patched
// kernel gives the base's results, byte for byte.
//
// Unlike `npm run bench:kernel`, it does not stop on a wrong result: the probe patches remove work
// on purpose (to find how long the rest takes) and so compute wrong results. Their figures are lower
// bounds for a kernel part, never speeds of csvscan.
//
// compare.sh builds this file into checkouts of older commits, whose bench/ modules are not this
// one's: so it imports nothing from bench/, only scanBytes() (src/api.ts, the same since the first
// experiment), and takes the files ready-made (compare.sh writes them with the checkout's generator).
// The records of a file are counted once by the js engine, which no kernel patch touches: a probe
// miscounts them on purpose, and ns per record must not follow.
//
//   node build/host/bench/experiments/probe.js [--runs 5] FILE:COLUMN ...

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { scanBytes } from '../../src/api.js';

class UsageError extends Error {}

const USAGE = 'usage: probe.js [--runs N] FILE:COLUMN ...  (COLUMN: the one that sum adds)';

function parseArguments(argv: string[]): { runs: number; files: { path: string; column: string }[] } {
  let runs = 5;
  const files: { path: string; column: string }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i]!;
    if (argument === '--runs') {
      const value = argv[++i];
      runs = Number(value);
      if (!Number.isSafeInteger(runs) || runs < 1) throw new UsageError(`--runs must be a whole number >= 1, got ${value}`);
    } else if (argument.startsWith('-')) {
      throw new UsageError(`unknown option ${argument}\n${USAGE}`);
    } else {
      const colon = argument.lastIndexOf(':');
      if (colon <= 0 || colon === argument.length - 1) throw new UsageError(`${argument}: not FILE:COLUMN\n${USAGE}`);
      files.push({ path: argument.slice(0, colon), column: argument.slice(colon + 1) });
    }
  }
  if (files.length === 0) throw new UsageError(USAGE);
  return { runs, files };
}

async function main(): Promise<void> {
  const { runs, files } = parseArguments(process.argv.slice(2));
  for (const file of files) {
    const bytes = readFileSync(file.path);
    const name = basename(file.path);
    const { rows } = await scanBytes(bytes, { mode: 'count', engine: 'js', threads: 1 }, name);
    const cases: { label: string; mode: 'count' | 'sum' | 'stats'; columns: string[] | null }[] = [
      { label: 'count', mode: 'count', columns: null },
      { label: `sum -c ${file.column}`, mode: 'sum', columns: [file.column] },
      { label: 'stats', mode: 'stats', columns: null },
    ];
    for (const { label, mode, columns } of cases) {
      let best = Infinity;
      let json = '';
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        const result = await scanBytes(bytes, { mode, columns, engine: 'wasm', threads: 1 }, name);
        best = Math.min(best, (performance.now() - started) / 1000);
        json = JSON.stringify(result);
      }
      const digest = createHash('sha256').update(json).digest('hex').slice(0, 12);
      // one tab-separated line per case: file, command, ns/record, result digest
      process.stdout.write(`${name}\t${label}\t${((best * 1e9) / Math.max(1, rows)).toFixed(1)}\t${digest}\n`);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`probe: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
