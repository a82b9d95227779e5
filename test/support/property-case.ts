// One property-based case: a seeded random CSV in a random dialect, scanned by every engine at
// random windows, cut into random byte ranges (`range` + `merge`) and scanned by several worker
// threads over tiny ranges; every answer must be the reference's (test/reference), and the JSON
// byte-identical across engines and windows (across ranges and threads too, but for docs/spec.md's one
// exception). Used by test/property.test.ts and by the fuzz runner (scripts/fuzz.ts): no vitest.

import { rmSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { scanBytes, scanFile } from '../../src/api.js';
import { IO_MODES } from '../../src/options.js';
import { ENGINE_NAMES, type EngineName, type IoMode } from '../../src/types.js';
import { generateCsv, generateUnterminated, SeededRandom } from '../reference/generate.js';
import {
  comparableOutcome,
  FILE_NAME,
  outcomeDifferences,
  outcomeKind,
  printedOutcome,
  productOutcome,
  queriesFor,
  queryOptions,
  referenceOutcome,
  type Input,
  type Outcome,
  type Query,
} from './outcomes.js';
import { shardAndMerge, type ShardOptions } from './shards.js';
import { KERNEL_WINDOWS, LARGER_WINDOWS, SMALL_WINDOWS } from './windows.js';

/** Windows every engine is tried at over the seeds (undefined: the default), besides random ones. */
const WINDOWS = KERNEL_WINDOWS;
/** Threads are clamped to the cores (docs/spec.md); to cut a file into more ranges than that, see pretendCores. */
const MAX_THREADS = 8;

export interface PropertyCase {
  seed: number;
  input: Input;
  queries: Query[];
}

/** A scan of the case's bytes, as data: printable, and replayable on a shrunk input. */
export type ScanConfig =
  | { kind: 'window'; engine: EngineName; window?: number }
  | { kind: 'ranges'; cuts: number[]; shards: { engine: EngineName; window?: number; io: IoMode }[]; order: number[] }
  | { kind: 'threads'; threads: number; minBytesPerThread: number; engine: EngineName; window?: number; io: IoMode };

export interface Mismatch {
  seed: number;
  queryIndex: number;
  query: Query;
  config: ScanConfig;
  /** what the reference answered: a shrunk input must keep it */
  referenceKind: ReturnType<typeof outcomeKind>;
  differences: string[];
}

/** The CSV of `seed` and the scans asked of it; the same seed always gives the same case. */
export function propertyCase(seed: number): PropertyCase {
  const random = new SeededRandom(mix(seed, 0x70726f70));
  if (random.chance(0.08)) {
    // Malformed input: only queries that do not depend on a column (an unknown column and an
    // unterminated quote are both errors; docs/spec.md does not say which one wins).
    const { bytes, header, delimiter, quote } = generateUnterminated(seed);
    return { seed, input: { bytes, header, delimiter, quote }, queries: [{ mode: 'count', columns: null }, { mode: 'stats', columns: null }] };
  }
  const generated = generateCsv(seed, { maxRows: random.pick([5, 30, 30, 80]), maxColumns: random.pick([3, 6, 6, 10]) });
  const { bytes, header, delimiter, quote } = generated;
  return { seed, input: { bytes, header, delimiter, quote }, queries: queriesFor(generated, seed) };
}

/** A 32-bit seed from a case seed and a salt (seeds go up to 2^32: the product stays below 2^53). */
function mix(seed: number, salt: number): number {
  return (seed * 1_000_003 + salt) >>> 0;
}

function pickWindow(random: SeededRandom): number | undefined {
  return random.chance(0.8) ? random.pick(WINDOWS) : random.int(1, 300);
}

/**
 * The scans of query `queryIndex` of `input`: the baseline first (the default engine at
 * the default window), then every engine at three windows, two splits into ranges, two threaded scans.
 */
export function scanConfigs(seed: number, queryIndex: number, input: Input): ScanConfig[] {
  const random = new SeededRandom(mix(seed, queryIndex + 1));
  const configs: ScanConfig[] = [{ kind: 'window', engine: ENGINE_NAMES[0]! }];
  for (const engine of ENGINE_NAMES) {
    // a small window, a larger or the default one, any other
    configs.push({ kind: 'window', engine, window: random.pick(SMALL_WINDOWS) });
    configs.push({ kind: 'window', engine, window: random.pick(LARGER_WINDOWS) });
    configs.push({ kind: 'window', engine, window: random.int(4, 300) });
  }
  for (let split = 0; split < 2; split++) configs.push(rangesConfig(random, input));
  for (let run = 0; run < 2; run++) {
    configs.push({
      kind: 'threads',
      threads: random.int(2, MAX_THREADS),
      // 1: ranges as tiny as the file allows; now and then a few bytes each, so fewer threads start
      minBytesPerThread: random.chance(0.7) ? 1 : random.int(2, 64),
      engine: random.pick(ENGINE_NAMES),
      window: pickWindow(random),
      io: random.pick(IO_MODES),
    });
  }
  return configs;
}

/**
 * Byte offsets where a cut is most likely to go wrong: inside and right after quoted fields,
 * between CR and LF, at and after LF, after a delimiter, inside the BOM.
 */
function trickyOffsets({ bytes, quote, delimiter }: Input): number[] {
  const offsets = [1, 2, 3];
  for (let i = 1; i < bytes.length; i++) {
    const before = bytes[i - 1]!;
    const byte = bytes[i]!;
    if (before === quote || byte === quote || before === 0x0a || byte === 0x0a || before === 0x0d || before === delimiter) offsets.push(i);
  }
  return offsets.filter((offset) => offset < bytes.length);
}

function rangesConfig(random: SeededRandom, input: Input): ScanConfig {
  const size = input.bytes.length;
  const tricky = trickyOffsets(input);
  const cuts = new Set<number>();
  const wanted = Math.min(size - 1, random.int(1, 10));
  while (cuts.size < wanted) {
    const cut = tricky.length > 0 && random.chance(0.6) ? random.pick(tricky) : random.int(1, size - 1);
    cuts.add(cut);
    // a range of one or two bytes
    if (random.chance(0.3) && cut + 1 < size) cuts.add(cut + random.int(1, 2));
  }
  const end = random.chance(0.2) || size === 0 ? size + random.int(1, 100) : size;
  const sorted = [0, ...[...cuts].filter((cut) => cut < size).sort((a, b) => a - b), end];
  const shards = sorted.slice(0, -1).map(() => ({ engine: random.pick(ENGINE_NAMES), window: pickWindow(random), io: random.pick(IO_MODES) }));
  const order = shards.map((_, i) => i);
  if (random.chance(0.5)) shuffle(random, order); // merge takes the partials in any order
  return { kind: 'ranges', cuts: sorted, shards, order };
}

function shuffle<T>(random: SeededRandom, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** A scan replayed on a shorter input: the cuts of ranges past its end dropped, the last range to its end. */
export function fitConfig(config: ScanConfig, size: number): ScanConfig {
  if (config.kind !== 'ranges') return config;
  const inner = config.cuts.slice(1, -1).filter((cut) => cut < size);
  const cuts = [0, ...inner, Math.max(size, config.cuts.at(-1)!)];
  const shards = config.shards.slice(0, cuts.length - 1);
  return { kind: 'ranges', cuts, shards, order: config.order.filter((i) => i < shards.length) };
}

export function describeConfig(config: ScanConfig): string {
  const window = (size: number | undefined): string => (size === undefined ? 'default' : String(size));
  switch (config.kind) {
    case 'window':
      return `engine ${config.engine}, window ${window(config.window)}`;
    case 'ranges': {
      const shards = config.shards.map(
        (shard, i) => `${config.cuts[i]}:${config.cuts[i + 1]} (${shard.engine}, window ${window(shard.window)}, io ${shard.io})`,
      );
      return `ranges ${shards.join(' ')}, merged in the order ${config.order.map((i) => `part${i + 1}`).join(' ')}`;
    }
    case 'threads':
      return `threads ${config.threads}, minBytesPerThread ${config.minBytesPerThread}, engine ${config.engine}, window ${window(config.window)}, io ${config.io}`;
  }
}

/** The case's bytes as a file, for the scans that need one (ranges, threads). */
export interface CaseFile {
  path: string;
  bytes: Uint8Array;
}

let fileCount = 0;

export function writeCaseFile(dir: string, bytes: Uint8Array): CaseFile {
  const path = join(dir, `case-${process.pid}-${++fileCount}.csv`);
  writeFileSync(path, bytes);
  return { path, bytes };
}

export function removeCaseFile(file: CaseFile): void {
  rmSync(file.path, { force: true });
}

/** An outcome, or a failure docs/spec.md does not allow (a crash, an unexpected error): always a mismatch. */
type ScanOutcome = Outcome | { failed: string };

export async function runConfig(config: ScanConfig, file: CaseFile, input: Input, query: Query): Promise<ScanOutcome> {
  const common = { ...queryOptions(query), header: input.header, delimiter: input.delimiter, quote: input.quote };
  const windowOption = (window: number | undefined): { window?: number } => (window === undefined ? {} : { window });
  try {
    switch (config.kind) {
      case 'window':
        return await productOutcome(() => scanBytes(file.bytes, { ...common, engine: config.engine, ...windowOption(config.window) }, FILE_NAME));
      case 'ranges': {
        const shardOptions = (shard: number): ShardOptions => {
          const { engine, io, window } = config.shards[shard]!;
          return { ...common, engine, io, ...windowOption(window) };
        };
        return await productOutcome(async () => (await shardAndMerge(file.path, config.cuts, shardOptions, config.order)).result);
      }
      case 'threads':
        return await productOutcome(() =>
          scanFile(file.path, {
            ...common,
            threads: config.threads,
            minBytesPerThread: config.minBytesPerThread,
            engine: config.engine,
            io: config.io,
            ...windowOption(config.window),
          }),
        );
    }
  } catch (error) {
    return { failed: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/**
 * How a scan's outcome is wrong: different from the reference's, or (against the baseline, the
 * default engine at the default window) not the same JSON: byte for byte across engines and
 * windows, and across ranges and threads but for docs/spec.md's tolerances outside the exact domain.
 */
export function outcomeProblems(config: ScanConfig, actual: ScanOutcome, reference: Outcome, baseline: ScanOutcome): string[] {
  if ('failed' in actual) return [`the scan failed: ${actual.failed}`];
  const problems = outcomeDifferences(actual, reference);
  if ('failed' in baseline) return problems;
  const printed = config.kind === 'window' ? printedOutcome(actual) : comparableOutcome(actual, baseline);
  if (printed !== printedOutcome(baseline)) {
    problems.push(`JSON differs from the default engine's at the default window:\n  got      ${printed}\n  baseline ${printedOutcome(baseline)}`);
  }
  return problems;
}

/** Runs every scan of the case; returns the first mismatch, or null when all agree with the reference. */
export async function findMismatch(testCase: PropertyCase, dir: string): Promise<Mismatch | null> {
  const file = writeCaseFile(dir, testCase.input.bytes);
  try {
    for (const [queryIndex, query] of testCase.queries.entries()) {
      const reference = referenceOutcome(testCase.input, query);
      const configs = scanConfigs(testCase.seed, queryIndex, testCase.input);
      const baseline = await runConfig(configs[0]!, file, testCase.input, query);
      for (const config of configs) {
        const actual = config === configs[0] ? baseline : await runConfig(config, file, testCase.input, query);
        const differences = outcomeProblems(config, actual, reference, baseline);
        if (differences.length > 0) {
          return { seed: testCase.seed, queryIndex, query, config, referenceKind: outcomeKind(reference), differences };
        }
      }
    }
    return null;
  } finally {
    removeCaseFile(file);
  }
}

/**
 * What a problem is about, to keep a shrunk input failing the same way: the member that differs
 * (`sum`, `stddev`, `rows`...), `JSON` for a difference from the baseline, or `failed`.
 */
function problemKind(problem: string): string {
  if (problem.startsWith('the scan failed')) return 'failed';
  if (problem.startsWith('JSON differs')) return 'JSON';
  return /^(?:column \d+: )?(\w+):/.exec(problem)?.[1] ?? 'outcome';
}

/**
 * Whether `bytes` (in the case's dialect) still shows the mismatch: the reference answers the same
 * kind of thing (a result stays a result, not an error), and the same scan, or one of the scans of
 * its kind planned for these bytes, still disagrees about the same member.
 */
export async function stillMismatches(mismatch: Mismatch, input: Input, bytes: Uint8Array, dir: string): Promise<boolean> {
  const candidate: Input = { ...input, bytes };
  const reference = referenceOutcome(candidate, mismatch.query);
  if (outcomeKind(reference) !== mismatch.referenceKind) return false;
  const wanted = problemKind(mismatch.differences[0]!);
  const file = writeCaseFile(dir, bytes);
  try {
    const planned = scanConfigs(mismatch.seed, mismatch.queryIndex, candidate);
    const baseline = await runConfig(planned[0]!, file, candidate, mismatch.query);
    const configs = [fitConfig(mismatch.config, bytes.length), ...planned.filter((config) => config.kind === mismatch.config.kind)];
    for (const config of configs) {
      const actual = await runConfig(config, file, candidate, mismatch.query);
      if (outcomeProblems(config, actual, reference, baseline).some((problem) => problemKind(problem) === wanted)) return true;
    }
    return false;
  } finally {
    removeCaseFile(file);
  }
}

/**
 * Threads are clamped to the cores (docs/spec.md, options.ts plannedThreads); the properties need more
 * ranges than a CI machine's two cores, so the tests and the fuzzer report `count` cores to this
 * process (node:os's export, which threads.ts reads per scan). Returns the restore function.
 */
export function pretendCores(count: number): () => void {
  const os = createRequire(import.meta.url)('node:os') as typeof import('node:os');
  const original = os.availableParallelism;
  os.availableParallelism = () => count;
  syncBuiltinESMExports();
  return () => {
    os.availableParallelism = original;
    syncBuiltinESMExports();
  };
}
