// The generator's command line: writes one generated file (src/bench/generate.ts), the same bytes
// the benchmarks scan for the same kind, size and seed.
//
//   node build/host/bench/generate.js --kind numeric|mixed --size 1G --out PATH [--seed N]
//
// bench/experiments/compare.sh runs it in checkouts of older commits too: keep its options and its
// output line (`PATH: N bytes, R rows, X MB/s`).

import { CSV_KINDS, DEFAULT_SEED, generateCsvFile, type CsvKind, type GenerateOptions } from '../src/bench/generate.js';
import { optionValue, runIfMain, seedOption, sizeOption, UsageError } from './script.js';

const USAGE = 'usage: generate.js --kind numeric|mixed --size 1G --out PATH [--seed N]';

function parseArguments(argv: string[]): { options: GenerateOptions; out: string } {
  let kind: CsvKind | undefined;
  let sizeBytes: number | undefined;
  let out: string | undefined;
  let seed = DEFAULT_SEED;
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    if (name === '--help' || name === '-h') throw new UsageError(USAGE);
    const value = optionValue(argv, ++i, name);
    if (name === '--kind') {
      if (!(CSV_KINDS as readonly string[]).includes(value)) throw new UsageError(`--kind must be ${CSV_KINDS.join(' or ')}`);
      kind = value as CsvKind;
    } else if (name === '--size') sizeBytes = sizeOption(name, value);
    else if (name === '--out') out = value;
    else if (name === '--seed') seed = seedOption(value);
    else throw new UsageError(`unknown option: ${name}\n${USAGE}`);
  }
  if (kind === undefined || sizeBytes === undefined || out === undefined) throw new UsageError(`--kind, --size and --out are required\n${USAGE}`);
  return { options: { kind, sizeBytes, seed }, out };
}

async function main(): Promise<void> {
  const { options, out } = parseArguments(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const summary = await generateCsvFile(out, options);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${out}: ${summary.bytes} bytes, ${summary.rows} rows, ${(summary.bytes / 1e6 / seconds).toFixed(0)} MB/s\n`);
}

runIfMain(import.meta.url, 'generate', main);
