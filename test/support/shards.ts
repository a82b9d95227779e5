// Shards as a user makes them (docs/spec.md `--range` and `merge`): each range scanned on its own, its
// --json line parsed back, the partials merged, and merge's rescan instructions followed. Shared by
// the range-merge and property tests and the fuzz runner (no vitest here).

import { scanFile } from '../../src/api.js';
import { CsvscanError } from '../../src/errors.js';
import { toJsonLine } from '../../src/results/format.js';
import { merge } from '../../src/scan/partial.js';
import type { ScanOptions, ScanResult } from '../../src/types.js';
import type { SeededRandom } from '../reference/generate.js';

export type ShardOptions = Omit<ScanOptions, 'range' | 'threads'>;

/** A shard as it travels: the --json line, parsed back. */
export async function scanShard(path: string, options: ShardOptions, start: number, end: number): Promise<unknown> {
  return JSON.parse(toJsonLine(await scanFile(path, { ...options, range: [start, end], threads: 1 })));
}

const RESCAN = /^(part\d+\.json): its start guessed wrong \(a quoted field spans the cut at byte (\d+)\); rescan it with --range (\d+):(\d+)$/;

/**
 * Scan the shards [cuts[i], cuts[i + 1]) (shard i with `optionsOf(i)`), merge them (handed to
 * merge in `order`, default as cut), and follow merge's rescan instructions as a user would: the
 * rescan replaces that shard. Returns the merged result and how many rescans it took.
 */
export async function shardAndMerge(
  path: string,
  cuts: number[],
  optionsOf: (shard: number) => ShardOptions,
  order?: number[],
): Promise<{ result: ScanResult; rescans: number }> {
  const labels = cuts.slice(0, -1).map((_, i) => `part${i + 1}.json`);
  const parts = await Promise.all(labels.map((_, i) => scanShard(path, optionsOf(i), cuts[i]!, cuts[i + 1]!)));
  const sequence = order ?? labels.map((_, i) => i);
  for (let rescans = 0; ; rescans++) {
    try {
      return { result: merge(sequence.map((i) => parts[i]), sequence.map((i) => labels[i]!)), rescans };
    } catch (error) {
      const match = error instanceof CsvscanError ? RESCAN.exec(error.message) : null;
      if (!match || rescans > labels.length) throw error;
      const index = labels.indexOf(match[1]!);
      if (Number(match[2]) !== cuts[index]) throw new Error(`merge named the cut of ${match[1]} as byte ${match[2]}, not ${cuts[index]}`);
      parts[index] = await scanShard(path, optionsOf(index), Number(match[3]), Number(match[4]));
    }
  }
}

/**
 * `shards` ranges at random cuts covering [0, size]; the last sometimes ends past the end of the
 * file (always for an empty file: a range is never empty).
 */
export function randomCuts(random: SeededRandom, size: number, shards: number): number[] {
  const inner = new Set<number>();
  while (inner.size < Math.min(shards - 1, size - 1)) inner.add(random.int(1, size - 1));
  const end = random.chance(0.3) || size === 0 ? size + random.int(1, 1000) : size;
  return [0, ...[...inner].sort((a, b) => a - b), end];
}
