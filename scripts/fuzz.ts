// `npm run fuzz -- --minutes N [--seed S] [--seeds N]`: the property test's cases
// (test/support/property-case.ts) over random seeds until the time is up. On the first mismatch it
// prints the seed, the dialect, the query and the scan, shrinks the input (records, then columns,
// fields, bytes, while the mismatch remains), writes it to build/fuzz-failures/, prints the commands
// that reproduce it and exits 1. Exit 0 when every seed agrees with the reference, 2 on a usage error.
//
// Compiled by tsconfig.fuzz.json into build/fuzz (it runs the test support code, which the package
// build leaves out).

import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { optionValue, positiveIntegerOption, seedOption, UsageError } from '../bench/script.js';
import { packageRoot } from '../src/util/package-root.js';
import { describeDialect, describeInput, printedOutcome, referenceOutcome, type Input, type Query } from '../test/support/outcomes.js';
import {
  describeConfig,
  findMismatch,
  fitConfig,
  pretendCores,
  propertyCase,
  runConfig,
  stillMismatches,
  type Mismatch,
  type ScanConfig,
} from '../test/support/property-case.js';
import { shrink } from '../test/support/shrink.js';

const USAGE = `usage: npm run fuzz -- [--minutes N] [--seed S] [--seeds N]
  --minutes N  run seeds for N minutes (default 1, unless --seed or --seeds bounds the run)
  --seed S     start at seed S; alone, run only seed S (how a failure is reproduced)
  --seeds N    run N seeds (from --seed S, else from a random seed)`;
const MAX_SEED = 2 ** 32 - 1;
const PROGRESS_EVERY_MS = 5000;
/** as in the property test: more ranges than a CI machine has cores */
const PRETENDED_CORES = 16;

interface FuzzOptions {
  minutes: number | null;
  firstSeed: number | null;
  seeds: number | null;
}

function parseArguments(argv: readonly string[]): FuzzOptions {
  const options: FuzzOptions = { minutes: null, firstSeed: null, seeds: null };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    if (name === '--minutes') {
      const text = optionValue(argv, ++i, name);
      const minutes = Number(text);
      if (!(minutes > 0 && Number.isFinite(minutes))) throw new UsageError(`--minutes must be a number > 0, got ${text}`);
      options.minutes = minutes;
    } else if (name === '--seed') {
      options.firstSeed = seedOption(optionValue(argv, ++i, name));
      if (options.firstSeed > MAX_SEED) throw new UsageError(`--seed must be at most ${MAX_SEED}`);
    } else if (name === '--seeds') {
      options.seeds = positiveIntegerOption(name, optionValue(argv, ++i, name));
    } else if (name === '--help' || name === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      throw new UsageError(`unknown option ${name}\n${USAGE}`);
    }
  }
  if (options.minutes === null && options.seeds === null) {
    if (options.firstSeed !== null) options.seeds = 1;
    else options.minutes = 1;
  }
  return options;
}

/** Warns when build/kernel is older than the kernel's source: the fuzzer would test an old kernel. */
function warnIfKernelStale(root: string): void {
  const mtime = (path: string): number => {
    try {
      return statSync(join(root, path)).mtimeMs;
    } catch {
      return 0;
    }
  };
  const source = Math.max(mtime('assembly/index.ts'), mtime('assembly/layout.ts'));
  const built = Math.min(mtime('build/kernel/simd.wasm'), mtime('build/kernel/scalar.wasm'));
  if (built < source) console.error('fuzz: build/kernel is older than assembly/: run `npm run build` first');
}

// ---- reporting a mismatch ----------------------------------------------------------------------

function shellQuote(text: string): string {
  return /^[\w./:=-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A delimiter or quote byte as a shell word the CLI reads as that byte. */
function shellByte(byte: number): string {
  if (byte === 0x09) return 'tab';
  if (byte >= 0x20 && byte < 0x7f) return shellQuote(String.fromCharCode(byte));
  return `$'\\x${byte.toString(16).padStart(2, '0')}'`;
}

function describeQuery(query: Query): string {
  return `${query.mode}${query.columns ? query.columns.map((column) => ` -c ${shellQuote(column)}`).join('') : ''}`;
}

/** The CLI commands that make the failing scan of `file` (a library call for threads: see below). */
function cliCommands(config: ScanConfig, file: string, input: Input, query: Query): string[] {
  const csvscan = `node bin/csvscan.js ${describeQuery(query)} ${shellQuote(file)}`;
  const dialect = `-d ${shellByte(input.delimiter)} --quote ${shellByte(input.quote)}${input.header ? '' : ' --no-header'}`;
  const window = (size: number | undefined): string => (size === undefined ? '' : ` --window ${size}`);
  switch (config.kind) {
    case 'window':
      return [`${csvscan} ${dialect} --engine ${config.engine}${window(config.window)} --threads 1 --json`];
    case 'ranges':
      return [
        ...config.shards.map(
          (shard, i) =>
            `${csvscan} ${dialect} --engine ${shard.engine}${window(shard.window)} --io ${shard.io} --range ${config.cuts[i]}:${config.cuts[i + 1]} --json > part${i + 1}.json`,
        ),
        `node bin/csvscan.js merge ${config.order.map((i) => `part${i + 1}.json`).join(' ')} --json`,
        '(when merge asks for a rescan of a part, rescan it with the range it names)',
      ];
    case 'threads':
      return [
        `${csvscan} ${dialect} --engine ${config.engine}${window(config.window)} --io ${config.io} --threads ${config.threads} --json`,
        `(the fuzzer scans with minBytesPerThread ${config.minBytesPerThread} and ${PRETENDED_CORES} cores pretended; the CLI uses 4 MiB and at most the cores)`,
      ];
  }
}

async function reportMismatch(mismatch: Mismatch, input: Input, workDir: string, root: string): Promise<void> {
  const log = (line = ''): void => console.log(line);
  log(`fuzz: MISMATCH at seed ${mismatch.seed}`);
  log(`  dialect: ${describeDialect(input)}`);
  log(`  query:   ${describeQuery(mismatch.query)}`);
  log(`  scan:    ${describeConfig(mismatch.config)}`);
  for (const difference of mismatch.differences) log(`  - ${difference}`);
  log(`  input (${input.bytes.length} bytes): ${describeInput(input, 400)}`);

  log(`fuzz: shrinking (records, then columns, fields, bytes)...`);
  const shrunk = await shrink(input.bytes, (candidate) => stillMismatches(mismatch, input, candidate, workDir), {
    delimiter: input.delimiter,
  });
  const shrunkInput: Input = { ...input, bytes: shrunk };
  const directory = join(root, 'build', 'fuzz-failures');
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `seed-${mismatch.seed}.csv`);
  writeFileSync(path, shrunk);
  const shown = relative(root, path);
  log(`  shrunk input (${shrunk.length} bytes): ${describeInput(shrunkInput, 2000)}`);
  log(`  written to ${shown}`);

  // What the scan that failed gives on the shrunk input, beside the reference's answer.
  const config = fitConfig(mismatch.config, shrunk.length);
  const file = { path, bytes: shrunk };
  const actual = await runConfig(config, file, shrunkInput, mismatch.query);
  log(`  product:   ${'failed' in actual ? actual.failed : printedOutcome(actual)}  (${describeConfig(config)})`);
  log(`  reference: ${printedOutcome(referenceOutcome(shrunkInput, mismatch.query))}`);
  log(`reproduce: npm run fuzz -- --seed ${mismatch.seed}`);
  log(`by hand, on the shrunk input (the scan may have to be one planned for its size to fail):`);
  for (const command of cliCommands(config, shown, shrunkInput, mismatch.query)) log(`  ${command}`);
}

// ---- the run -----------------------------------------------------------------------------------

async function main(argv: readonly string[]): Promise<number> {
  let options: FuzzOptions;
  try {
    options = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`fuzz: ${error.message}`);
    return 2;
  }
  const root = packageRoot();
  warnIfKernelStale(root);
  pretendCores(PRETENDED_CORES);
  const workDir = mkdtempSync(join(tmpdir(), 'csvscan-fuzz-'));
  const firstSeed = options.firstSeed ?? randomInt(0, MAX_SEED - 1_000_000);
  const started = Date.now();
  const deadline = options.minutes === null ? Infinity : started + options.minutes * 60_000;
  const seconds = (): string => ((Date.now() - started) / 1000).toFixed(1);
  let nextProgress = started + PROGRESS_EVERY_MS;
  let ran = 0;
  console.log(
    `fuzz: seeds from ${firstSeed}` +
      (options.seeds !== null ? `, ${options.seeds} of them` : '') +
      (options.minutes !== null ? `, for ${options.minutes} minute${options.minutes === 1 ? '' : 's'}` : ''),
  );
  try {
    while ((options.seeds === null || ran < options.seeds) && Date.now() < deadline && firstSeed + ran <= MAX_SEED) {
      const seed = firstSeed + ran;
      const testCase = propertyCase(seed);
      const mismatch = await findMismatch(testCase, workDir);
      if (mismatch) {
        await reportMismatch(mismatch, testCase.input, workDir, root);
        return 1;
      }
      ran += 1;
      if (Date.now() >= nextProgress) {
        console.log(`fuzz: ${ran} seeds agree (${firstSeed}..${seed}), ${seconds()} s`);
        nextProgress += PROGRESS_EVERY_MS;
      }
    }
    console.log(`fuzz: all ${ran} seeds agree with the reference (${firstSeed}..${firstSeed + ran - 1}) in ${seconds()} s`);
    return 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
