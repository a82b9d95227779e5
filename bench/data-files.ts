// Benchmark inputs shared with bench/run.ts: generated files in bench/data/ with the same names and
// the same sidecar (FILE.meta.json), so a file generated (and independently checked) by one
// benchmark is reused by the others. Also the machine description printed above every table.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { csvscanCliPath } from '../src/bench/child.js';
import { packageRoot } from '../src/util/package-root.js';
import { DEFAULT_SEED, GENERATOR_VERSION, generateCsvFile, sizeLabel, SUM_COLUMN, type CsvKind } from '../src/bench/generate.js';
import { referenceQuoted, referenceUnquoted, type ColumnReference } from './independent-check.js';
import { Mismatch } from './script.js';

export const REPO_ROOT = packageRoot();
const DATA_DIR = join(REPO_ROOT, 'bench', 'data');
export const CLI_PATH = csvscanCliPath();

/** Size of the generated files by default, and with `--big` (the 10 GiB peak-memory record). */
export const DEFAULT_SIZE = 2 ** 30;
export const BIG_SIZE = 10 * 2 ** 30;
/**
 * Size of the generated files with `--quick` (bench/run.ts and bench/peers.ts alike, so that
 * `npm run bench -- --quick` measures both on the same files): small enough that both parts, the
 * JavaScript parsers at tens of MB/s included, finish in well under a minute on 2 cores.
 */
export const QUICK_SIZE = 16 * 2 ** 20;

/** Whether a kind has quoted fields (delimiters and line breaks inside them). */
export const KIND_HAS_QUOTES: Record<CsvKind, boolean> = { numeric: false, mixed: true };

/** bench/run.ts's sidecar format; `reference` is filled in once per file. */
interface DataFileMeta {
  generatorVersion: number;
  kind: CsvKind;
  sizeBytes: number;
  seed: number;
  bytes: number;
  rows: number;
  reference?: ColumnReference;
}

export interface GeneratedFile {
  path: string;
  kind: CsvKind;
  bytes: number;
  /** data records, as the generator wrote them */
  rows: number;
  sumColumn: string;
  /** the independent reference of sumColumn; null when not asked for */
  reference: ColumnReference | null;
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A report's lines on stdout, and to `out` too when given. */
export function printReport(lines: string[], out: string | null): void {
  const text = lines.join('\n') + '\n';
  process.stdout.write(text);
  if (out) {
    writeFileSync(resolve(out), text);
    log(`written to ${out}`);
  }
}

function metaPathOf(dataPath: string): string {
  return `${dataPath}.meta.json`;
}

function readMeta(dataPath: string): DataFileMeta | null {
  try {
    return JSON.parse(readFileSync(metaPathOf(dataPath), 'utf8')) as DataFileMeta;
  } catch {
    return null;
  }
}

function generatedFilePath(kind: CsvKind, sizeBytes: number, seed: number): string {
  const seedSuffix = seed === DEFAULT_SEED ? '' : `-seed${seed}`;
  return join(DATA_DIR, `${kind}-${sizeLabel(sizeBytes)}${seedSuffix}.csv`);
}

/**
 * The generated file of this kind, size and seed: reused when its sidecar matches, generated
 * otherwise. With `withReference`, the independent reference pass (bench/independent-check.ts) runs
 * once and is cached in the sidecar; its row count must equal the generator's.
 */
export async function prepareGeneratedFile(
  kind: CsvKind,
  sizeBytes: number,
  seed: number,
  withReference: boolean,
): Promise<GeneratedFile> {
  mkdirSync(DATA_DIR, { recursive: true });
  const path = generatedFilePath(kind, sizeBytes, seed);
  let meta = readMeta(path);
  const reusable =
    meta !== null &&
    meta.generatorVersion === GENERATOR_VERSION &&
    meta.kind === kind &&
    meta.sizeBytes === sizeBytes &&
    meta.seed === seed &&
    existsSync(path) &&
    statSync(path).size === meta.bytes;
  if (!reusable || meta === null) {
    log(`generating ${relative(REPO_ROOT, path)} (${kind}, ${sizeBytes} bytes, seed ${seed}) ...`);
    const summary = await generateCsvFile(path, { kind, sizeBytes, seed });
    meta = { generatorVersion: GENERATOR_VERSION, kind, sizeBytes, seed, ...summary };
    writeFileSync(metaPathOf(path), JSON.stringify(meta, null, 2) + '\n');
  } else log(`reusing ${relative(REPO_ROOT, path)}`);

  const sumColumn = SUM_COLUMN[kind];
  if (withReference && (!meta.reference || meta.reference.column !== sumColumn)) {
    log(`independent reference pass over ${basename(path)} (rows, exact sum of ${sumColumn}) ...`);
    // The numeric kind has no quotes and LF ends: a plain line split is enough (and faster).
    meta.reference = kind === 'numeric' ? referenceUnquoted(path, sumColumn) : referenceQuoted(path, sumColumn);
    writeFileSync(metaPathOf(path), JSON.stringify(meta, null, 2) + '\n');
  }
  const reference = withReference ? meta.reference ?? null : null;
  if (reference && reference.rows !== meta.rows) {
    throw new Mismatch(`${basename(path)}: the reference pass counted ${reference.rows} rows, the generator wrote ${meta.rows}`);
  }
  return { path, kind, bytes: meta.bytes, rows: meta.rows, sumColumn, reference };
}

function git(args: string[]): string {
  const result = spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : 'unknown';
}

/** Date, CPU, memory, OS, node, commit and load: the lines to paste above a table of results. */
export function machineDescription(): string[] {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpuModel = match[1]!.trim();
  } catch {
    // not Linux: os.cpus() is the fallback
  }
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) === '' ? '' : ' (with uncommitted changes)';
  const [load1 = 0] = loadavg();
  const lines = [
    `- date: ${new Date().toISOString()}`,
    `- cpu: ${cpuModel}, ${availableParallelism()} cores available`,
    `- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- os: ${type()} ${release()}`,
    `- node: ${process.version}`,
    `- csvscan: commit ${git(['rev-parse', '--short', 'HEAD'])}${dirty}`,
    `- load average (1 min) at start: ${load1.toFixed(2)}`,
  ];
  if (load1 > 0.5) lines.push('- WARNING: the machine was busy at start; speeds are not representative');
  return lines;
}

/** Why csvscan cannot be run, or null when the CLI and its kernel are built. */
export function missingBuild(): string | null {
  if (!existsSync(CLI_PATH) || !existsSync(join(REPO_ROOT, 'build', 'kernel'))) {
    return 'csvscan is not built: run `npm run build` first';
  }
  return null;
}
