// In-memory kernel benchmark: the engines alone, without the file I/O and the process start-up that
// every figure of `npm run bench` includes. A generated file is read into memory once and scanned by
// scanBytes() (one thread, default windows, the copy into Wasm memory included), best of N runs.
// Before any speed is printed, every engine's --json result for each command must be the same, and
// rows and the exact sum of the summed column must equal the independent reference.
//
//   node build/host/bench/kernel.js [--size 64M] [--runs 5] [--engines wasm,wasm-scalar,js]
//
// Prints MB/s and nanoseconds per record for count, sum of one column and stats of all columns.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { scanBytes } from '../src/api.js';
import { compareOutputs } from '../src/bench/agreement.js';
import { megabytesPerSecond } from '../src/bench/statistics.js';
import { formatSpeed } from '../src/bench/table.js';
import { ENGINE_NAMES, type EngineName, type ScanMode, type ScanResult } from '../src/types.js';
import { DEFAULT_SEED, type CsvKind } from '../src/bench/generate.js';
import { Mismatch, optionValue, positiveIntegerOption, runIfMain, sizeOption, UsageError } from './script.js';
import { log, machineDescription, prepareGeneratedFile } from './data-files.js';
import { referenceDifference } from './independent-check.js';
import { markdownTable } from './markdown.js';

interface Options {
  sizeBytes: number;
  runs: number;
  engines: EngineName[];
}


function parseOptions(argv: string[]): Options {
  const options: Options = { sizeBytes: 64 * 2 ** 20, runs: 5, engines: [...ENGINE_NAMES] };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    const value = (): string => optionValue(argv, ++i, name);
    if (name === '--size') options.sizeBytes = sizeOption(name, value());
    else if (name === '--runs') options.runs = positiveIntegerOption(name, value());
    else if (name === '--engines') options.engines = value().split(',') as EngineName[];
    else throw new UsageError(`unknown option ${name} (options: --size, --runs, --engines)`);
  }
  for (const engine of options.engines) {
    if (!ENGINE_NAMES.includes(engine)) throw new UsageError(`unknown engine ${engine} (engines: ${ENGINE_NAMES.join(', ')})`);
  }
  return options;
}

interface Case {
  label: string;
  mode: ScanMode;
  columns: string[] | null;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const lines = ['## csvscan kernel, in memory', '', ...machineDescription()];
  lines.push(`- runs: best of ${options.runs}; one thread; scanBytes() over the whole file held in memory`);
  lines.push('- MB/s: file bytes / 10^6 / seconds of the scan; ns/record: seconds / data records');
  const rows: string[][] = [];
  for (const kind of ['numeric', 'mixed'] as CsvKind[]) {
    const file = await prepareGeneratedFile(kind, options.sizeBytes, DEFAULT_SEED, true);
    const bytes = readFileSync(file.path);
    const cases: Case[] = [
      { label: 'count', mode: 'count', columns: null },
      { label: `sum -c ${file.sumColumn}`, mode: 'sum', columns: [file.sumColumn] },
      { label: 'stats', mode: 'stats', columns: null },
    ];
    for (const benchCase of cases) {
      const timings: { engine: EngineName; seconds: number }[] = [];
      let agreed: string | null = null;
      const label = `${benchCase.label} on ${basename(file.path)}`;
      for (const engine of options.engines) {
        log(`${basename(file.path)} ${benchCase.label} ${engine}`);
        let best = Infinity;
        let result: ScanResult | null = null;
        for (let run = 0; run < options.runs; run++) {
          const started = performance.now();
          result = await scanBytes(bytes, { mode: benchCase.mode, columns: benchCase.columns, engine, threads: 1 }, basename(file.path));
          best = Math.min(best, (performance.now() - started) / 1000);
        }
        const json = JSON.stringify(result);
        agreed ??= json;
        // One thread, one window size: every engine prints the same bytes (docs/spec.md).
        const comparison = compareOutputs(agreed, json, false);
        if ('difference' in comparison) throw new Mismatch(`${label}: ${engine} differs from ${options.engines[0]}: ${comparison.difference}`);
        const difference = referenceDifference(result!, file.reference!);
        if (difference !== null) throw new Mismatch(`${label}: ${engine}: ${difference}`);
        timings.push({ engine, seconds: best });
      }
      for (const { engine, seconds } of timings) {
        const speed = formatSpeed(megabytesPerSecond(bytes.length, seconds));
        const perRecord = ((seconds * 1e9) / file.rows).toFixed(1);
        rows.push([basename(file.path), benchCase.label, engine, speed, perRecord, 'engines agree, = reference']);
      }
    }
  }
  // Every engine's result has been checked by now: only now are speeds printed.
  lines.push('', ...markdownTable(['file', 'command', 'engine', 'MB/s', 'ns/record', 'check'], ['left', 'left', 'left', 'right', 'right', 'left'], rows));
  process.stdout.write(lines.join('\n') + '\n');
}

runIfMain(import.meta.url, 'bench:kernel', main);
