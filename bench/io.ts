// I/O benchmark: how fast the bytes of a file already in the page cache reach a fixed window buffer,
// with no parsing, so that the way the file is read is all that is measured. Every configuration runs
// in its own process under GNU time (peak RSS and minor page faults are per process):
//
//   - read():          fs.readSync at explicit positions into the window
//   - mmap + copy:     segments mapped with @riaskov/mmap-io and copied into the window, with
//                      MADV_SEQUENTIAL on/off and MAP_POPULATE on/off, pages behind the copy released
//                      with MADV_DONTNEED as src/io/mmap-source.ts does
//   - csvscan source:  src/io's own sources (openSource with --io mmap / read), read and release as the scan loop does
//   - csvscan CLI:     `node bin/csvscan.js count FILE --io mmap|read --window W`, the whole product
//
//   node build/host/bench/io.js [--quick] [--size 1G] [--runs N] [--seed N] [--out PATH]
//   node build/host/bench/io.js --worker --method read|mmap|source-read|source-mmap --window SIZE
//                               [--segment SIZE] [--sequential on|off] [--populate on|off] FILE
//
// See bench/README.md ("I/O") for how to read the table.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSource } from '../src/io/index.js';
import { loadMmapBinding, type MmapBinding } from '../src/io/mmap-binding.js';
import { DEFAULT_SEED, sizeLabel } from '../src/bench/generate.js';
import {
  CLI_PATH,
  DEFAULT_SIZE,
  REPO_ROOT,
  log,
  machineDescription,
  missingBuild,
  prepareGeneratedFile,
  printReport,
  type GeneratedFile,
} from './data-files.js';
import { markdownTable } from './markdown.js';
import { Failed, Mismatch, optionValue, parseTimedFileArguments, runIfMain, sizeOption, UsageError, type TimedFileOptions } from './script.js';
import { megabytesPerSecond } from '../src/bench/statistics.js';
import { formatMiB, formatSpeed } from '../src/bench/table.js';
import { warmPageCache } from '../src/bench/target.js';
import { bestTiming, firstLine, missingTimeBinary, runTimed, type ProcessTiming } from './process-timing.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;
const WINDOW_SIZES = [64 * KIB, 256 * KIB, MIB, 4 * MIB, 16 * MIB];
const SEGMENT_SIZES = [64 * MIB, 256 * MIB, GIB];
/** src/io/mmap-source.ts: its default segment and its release step behind the scan. */
const PRODUCT_SEGMENT_SIZE = 256 * MIB;
const RELEASE_STEP = 8 * MIB;
/** The checksum reads one byte per page, so it touches every page without costing a parse. */
const CHECKSUM_STRIDE = 4096;
/** The file of `--quick`: each cell only copies it, so it can be larger than the other scripts' 16M. */
const QUICK_IO_SIZE = 64 * MIB;

type IoMethod = 'read' | 'mmap' | 'source-read' | 'source-mmap';
const IO_METHODS: readonly IoMethod[] = ['read', 'mmap', 'source-read', 'source-mmap'];

export interface IoConfig {
  method: IoMethod;
  windowBytes: number;
  /** mmap and source-mmap only */
  segmentBytes: number | null;
  /** mmap only: MADV_SEQUENTIAL on each segment */
  sequential: boolean;
  /** mmap only: MAP_POPULATE on each segment (prefaults the whole segment) */
  populate: boolean;
}


// ---------------------------------------------------------------------------------------------
// The worker: one configuration, one process.

export function workerArguments(config: IoConfig, file: string): string[] {
  const args = ['--worker', '--method', config.method, '--window', String(config.windowBytes)];
  if (config.segmentBytes !== null) args.push('--segment', String(config.segmentBytes));
  if (config.method === 'mmap') {
    args.push('--sequential', config.sequential ? 'on' : 'off', '--populate', config.populate ? 'on' : 'off');
  }
  return [...args, file];
}

export function parseWorkerArguments(argv: string[]): { config: IoConfig; file: string } {
  const config: IoConfig = { method: 'read', windowBytes: MIB, segmentBytes: null, sequential: false, populate: false };
  let file: string | null = null;
  const onOff = (text: string, name: string): boolean => {
    if (text !== 'on' && text !== 'off') throw new UsageError(`${name} must be on or off, got ${text}`);
    return text === 'on';
  };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    if (name === '--worker') continue;
    if (!name.startsWith('--')) {
      file = name;
      continue;
    }
    const value = optionValue(argv, ++i, name);
    if (name === '--method') {
      if (!(IO_METHODS as readonly string[]).includes(value)) throw new UsageError(`--method must be one of ${IO_METHODS.join(', ')}`);
      config.method = value as IoMethod;
    } else if (name === '--window') config.windowBytes = sizeOption(name, value);
    else if (name === '--segment') config.segmentBytes = sizeOption(name, value);
    else if (name === '--sequential') config.sequential = onOff(value, name);
    else if (name === '--populate') config.populate = onOff(value, name);
    else throw new UsageError(`unknown worker option: ${name}`);
  }
  if (file === null) throw new UsageError('the worker needs a FILE');
  if ((config.method === 'mmap' || config.method === 'source-mmap') && config.segmentBytes === null) {
    config.segmentBytes = PRODUCT_SEGMENT_SIZE;
  }
  return { config, file };
}

interface WorkerResult {
  bytes: number;
  /** seconds of the read loop alone (no start-up, no open) */
  seconds: number;
  checksum: number;
}

/**
 * Adds the byte at every absolute file offset that is a multiple of CHECKSUM_STRIDE: the same for
 * every window size and method, so a configuration that copied the wrong bytes is caught.
 */
export function addPageChecksum(checksum: number, window: Uint8Array, length: number, filePosition: number): number {
  let offset = (CHECKSUM_STRIDE - (filePosition % CHECKSUM_STRIDE)) % CHECKSUM_STRIDE;
  for (; offset < length; offset += CHECKSUM_STRIDE) checksum = (checksum + window[offset]! * ((filePosition + offset) / CHECKSUM_STRIDE + 1)) % 2 ** 32;
  return checksum;
}

type MmapWithPopulate = MmapBinding & { readonly MAP_POPULATE?: number };

/** Whether this platform's addon exposes MAP_POPULATE (Linux only). */
function mapPopulateFlag(): number | null {
  const binding = loadMmapBinding() as MmapWithPopulate;
  return typeof binding.MAP_POPULATE === 'number' ? binding.MAP_POPULATE : null;
}

/**
 * A file mapped in segments and copied out, like src/io/mmap-source.ts but with the mapping flags
 * and advice as parameters: a segment is dropped once the copy has passed it, and pages behind the
 * copy are released (MADV_DONTNEED) every RELEASE_STEP bytes.
 */
class SegmentCopier {
  private readonly segments = new Map<number, { start: number; view: Buffer; releasedTo: number }>();
  private readonly flags: number;
  private readonly advice: number;

  constructor(
    private readonly mmap: MmapWithPopulate,
    private readonly fd: number,
    private readonly size: number,
    private readonly segmentBytes: number,
    sequential: boolean,
    populate: boolean,
  ) {
    const populateFlag = mapPopulateFlag();
    if (populate && populateFlag === null) throw new UsageError('@riaskov/mmap-io does not expose MAP_POPULATE here');
    this.flags = mmap.MAP_SHARED | (populate ? populateFlag! : 0);
    // advice 0 makes the addon skip madvise: the kernel's default (MADV_NORMAL) read-around
    this.advice = sequential ? mmap.MADV_SEQUENTIAL : 0;
  }

  copy(window: Uint8Array, position: number): number {
    const end = Math.min(position + window.length, this.size);
    let at = position;
    while (at < end) {
      const segment = this.segmentAt(at);
      const to = Math.min(end - segment.start, segment.view.length);
      segment.view.copy(window, at - position, at - segment.start, to);
      at = segment.start + to;
    }
    return end - position;
  }

  release(position: number): void {
    for (const [index, segment] of this.segments) {
      if (segment.start + segment.view.length <= position) {
        // Passed: release what is left and drop it (the unmapping waits for the garbage collector).
        this.adviseDontNeed(segment, segment.view.length);
        this.segments.delete(index);
        continue;
      }
      // Whole pages behind the copy, in steps: one madvise per small window would cost more than it saves.
      const pageSize = this.mmap.PAGESIZE;
      const releasable = Math.floor((position - segment.start) / pageSize) * pageSize;
      if (releasable - segment.releasedTo >= RELEASE_STEP) this.adviseDontNeed(segment, releasable);
    }
  }

  private adviseDontNeed(segment: { view: Buffer; releasedTo: number }, upTo: number): void {
    if (upTo <= segment.releasedTo) return;
    this.mmap.advise(segment.view, segment.releasedTo, upTo - segment.releasedTo, this.mmap.MADV_DONTNEED);
    segment.releasedTo = upTo;
  }

  private segmentAt(position: number): { start: number; view: Buffer; releasedTo: number } {
    const index = Math.floor(position / this.segmentBytes);
    let segment = this.segments.get(index);
    if (!segment) {
      const start = index * this.segmentBytes;
      const view = this.mmap.map(Math.min(this.segmentBytes, this.size - start), this.mmap.PROT_READ, this.flags, this.fd, start, this.advice);
      segment = { start, view, releasedTo: 0 };
      this.segments.set(index, segment);
    }
    return segment;
  }
}

/** Reads the whole file into one window buffer the configured way. */
export function runWorker(config: IoConfig, file: string): WorkerResult {
  const window = new Uint8Array(config.windowBytes);
  let checksum = 0;
  let position = 0;
  let started: bigint;

  if (config.method === 'read' || config.method === 'mmap') {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const copier = config.method === 'mmap' && size > 0
        ? new SegmentCopier(loadMmapBinding(), fd, size, config.segmentBytes ?? PRODUCT_SEGMENT_SIZE, config.sequential, config.populate)
        : null;
      started = process.hrtime.bigint();
      while (position < size) {
        const got = copier
          ? copier.copy(window, position)
          : readSync(fd, window, 0, Math.min(window.length, size - position), position);
        if (got === 0) throw new Error(`${file}: ended at ${position} of ${size} bytes`);
        checksum = addPageChecksum(checksum, window, got, position);
        position += got;
        copier?.release(position);
      }
    } finally {
      closeSync(fd);
    }
  } else {
    const source = openSource(file, config.method === 'source-mmap' ? 'mmap' : 'read', {
      segmentSize: config.segmentBytes ?? undefined,
    });
    try {
      started = process.hrtime.bigint();
      for (;;) {
        const got = source.read(window, position);
        if (got === 0) break;
        checksum = addPageChecksum(checksum, window, got, position);
        position += got;
        source.release(position);
      }
    } finally {
      source.close();
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { bytes: position, seconds, checksum };
}

// ---------------------------------------------------------------------------------------------
// The harness

type IoOptions = TimedFileOptions;

function usage(): string {
  return [
    'usage: node build/host/bench/io.js [options]',
    '  --quick        a 64 MiB file, 1 run each (smoke test)',
    '  --size SIZE    size of the generated numeric file (default 1G)',
    '  --runs N       runs per configuration, the fastest is reported (default 3; 1 with --quick)',
    '  --seed N       generator seed (default 1)',
    '  --timeout S    a configuration running longer is stopped and shown as timed out (default 120)',
    '  --out PATH     also write the markdown report to PATH',
  ].join('\n');
}

export function parseIoArguments(argv: string[]): IoOptions {
  return parseTimedFileArguments(argv, { quick: false, sizeBytes: DEFAULT_SIZE, runs: 3, seed: DEFAULT_SEED, timeoutSeconds: 120, out: null }, QUICK_IO_SIZE, usage);
}

/** One row of the table: a way of reading, measured at every window size. */
export interface IoRowSpec {
  /** what is measured: read(), mmap + copy, csvscan source, csvscan CLI */
  path: string;
  io: 'read' | 'mmap';
  segmentBytes: number | null;
  sequential: boolean | null;
  populate: boolean | null;
  /** the process to run at a window size */
  command(windowBytes: number, file: string): string[];
  /** whole-process speed (the CLI) rather than the copy loop's */
  wholeProcess: boolean;
  /** why it cannot run here, or null */
  unavailable: string | null;
}

function ioRowSpecs(populateAvailable: boolean): IoRowSpec[] {
  const worker = (config: Omit<IoConfig, 'windowBytes'>) => (windowBytes: number, file: string): string[] => [
    process.execPath,
    fileURLToPath(import.meta.url),
    ...workerArguments({ ...config, windowBytes }, file),
  ];
  const specs: IoRowSpec[] = [
    {
      path: 'read()', io: 'read', segmentBytes: null, sequential: null, populate: null, wholeProcess: false, unavailable: null,
      command: worker({ method: 'read', segmentBytes: null, sequential: false, populate: false }),
    },
  ];
  for (const segmentBytes of SEGMENT_SIZES) {
    for (const sequential of [true, false]) {
      for (const populate of [false, true]) {
        specs.push({
          path: 'mmap + copy', io: 'mmap', segmentBytes, sequential, populate, wholeProcess: false,
          unavailable: populate && !populateAvailable ? '@riaskov/mmap-io does not expose MAP_POPULATE here' : null,
          command: worker({ method: 'mmap', segmentBytes, sequential, populate }),
        });
      }
    }
  }
  specs.push({
    path: 'csvscan source', io: 'read', segmentBytes: null, sequential: null, populate: null, wholeProcess: false, unavailable: null,
    command: worker({ method: 'source-read', segmentBytes: null, sequential: false, populate: false }),
  });
  for (const segmentBytes of SEGMENT_SIZES) {
    // src/io/mmap-source.ts maps with MADV_SEQUENTIAL and without MAP_POPULATE.
    specs.push({
      path: 'csvscan source', io: 'mmap', segmentBytes, sequential: true, populate: false, wholeProcess: false, unavailable: null,
      command: worker({ method: 'source-mmap', segmentBytes, sequential: true, populate: false }),
    });
  }
  for (const io of ['mmap', 'read'] as const) {
    specs.push({
      path: 'csvscan CLI count', io,
      segmentBytes: io === 'mmap' ? PRODUCT_SEGMENT_SIZE : null,
      sequential: io === 'mmap' ? true : null,
      populate: io === 'mmap' ? false : null,
      wholeProcess: true,
      unavailable: null,
      command: (windowBytes, file) => [process.execPath, CLI_PATH, 'count', file, '--io', io, '--window', String(windowBytes), '--no-progress'],
    });
  }
  return specs;
}

interface IoCell {
  windowBytes: number;
  timing: ProcessTiming | null;
  /** copy-loop seconds (workers) or null (CLI) */
  loopSeconds: number | null;
  note: string | null;
}

export interface IoRow {
  spec: IoRowSpec;
  cells: IoCell[];
}

/** MB/s of a cell: the copy loop's for workers, the whole process's for the CLI. */
function cellSpeed(row: IoRow, cell: IoCell, bytes: number): number | null {
  if (!cell.timing) return null;
  return megabytesPerSecond(bytes, row.spec.wholeProcess || cell.loopSeconds === null ? cell.timing.seconds : cell.loopSeconds);
}

/** 12345 -> "12k", 987 -> "987": fault counts vary over orders of magnitude. */
export function formatCount(count: number): string {
  if (count >= 1e6) return `${(count / 1e6).toFixed(1)}M`;
  if (count >= 1e4) return `${Math.round(count / 1e3)}k`;
  return String(count);
}

function onOff(flag: boolean | null): string {
  return flag === null ? '-' : flag ? 'on' : 'off';
}

export function renderIoTable(rows: IoRow[], bytes: number): string[] {
  const windows = rows[0]?.cells.map((cell) => cell.windowBytes) ?? WINDOW_SIZES;
  return markdownTable(
    ['path', 'io', 'segment', 'MADV_SEQUENTIAL', 'MAP_POPULATE', ...windows.map((window) => `window ${sizeLabel(window).toUpperCase()}`)],
    ['left', 'left', 'left', 'left', 'left', ...windows.map(() => 'right' as const)],
    rows.map((row) => [
      row.spec.path,
      row.spec.io,
      row.spec.segmentBytes === null ? '-' : sizeLabel(row.spec.segmentBytes).toUpperCase(),
      onOff(row.spec.sequential),
      onOff(row.spec.populate),
      ...row.cells.map((cell) => {
        const speed = cellSpeed(row, cell, bytes);
        if (speed === null || !cell.timing) return cell.note ?? '-';
        return `${formatSpeed(speed)} · ${formatMiB(cell.timing.maxRssKiB)} · ${formatCount(cell.timing.minorFaults)}`;
      }),
    ]),
  );
}

interface Candidate {
  io: 'read' | 'mmap';
  windowBytes: number;
  speed: number;
  rssKiB: number;
  faults: number;
}

/** Candidates within this fraction of the fastest are taken as equally fast. */
const EQUALLY_FAST = 0.05;

/**
 * The rule for the defaults: the fastest CLI configuration, and among all within 5% of it the one
 * with the lowest peak RSS, then the smaller window (memory that does not grow is docs/spec.md's promise;
 * a 5% speed difference is within the noise of whole-process timings).
 */
export function chooseDefault(candidates: Candidate[]): Candidate | null {
  if (candidates.length === 0) return null;
  const fastest = Math.max(...candidates.map((candidate) => candidate.speed));
  const near = candidates.filter((candidate) => candidate.speed >= fastest * (1 - EQUALLY_FAST));
  near.sort((a, b) => a.rssKiB - b.rssKiB || a.windowBytes - b.windowBytes);
  return near[0]!;
}

function cliCandidates(rows: IoRow[], bytes: number): Candidate[] {
  return rows
    .filter((row) => row.spec.path === 'csvscan CLI count')
    .flatMap((row) =>
      row.cells.flatMap((cell) => {
        const speed = cellSpeed(row, cell, bytes);
        return speed === null || !cell.timing
          ? []
          : [{ io: row.spec.io, windowBytes: cell.windowBytes, speed, rssKiB: cell.timing.maxRssKiB, faults: cell.timing.minorFaults }];
      }),
    );
}

function mmapCell(rows: IoRow[], segmentBytes: number, sequential: boolean, populate: boolean, windowBytes: number): { row: IoRow; cell: IoCell } | null {
  const row = rows.find(
    (candidate) =>
      candidate.spec.path === 'mmap + copy' &&
      candidate.spec.segmentBytes === segmentBytes &&
      candidate.spec.sequential === sequential &&
      candidate.spec.populate === populate,
  );
  const cell = row?.cells.find((candidate) => candidate.windowBytes === windowBytes && candidate.timing !== null);
  return row && cell ? { row, cell } : null;
}

function percentChange(from: number, to: number): string {
  const change = ((to - from) / from) * 100;
  return `${change >= 0 ? '+' : ''}${change.toFixed(0)}%`;
}

/** The recommendation paragraph, its numbers taken from this run. */
export function recommendation(rows: IoRow[], bytes: number): string {
  const candidates = cliCandidates(rows, bytes);
  const chosen = chooseDefault(candidates);
  if (!chosen) return 'No recommendation: no CLI configuration ran.';
  const window = sizeLabel(chosen.windowBytes).toUpperCase();
  const other = candidates.filter((candidate) => candidate.io !== chosen.io);
  const otherBest = other.length > 0 ? other.reduce((best, candidate) => (candidate.speed > best.speed ? candidate : best)) : null;
  const parts = [
    `**Recommendation** (rule: take the fastest \`csvscan count\` configuration; among all within ${EQUALLY_FAST * 100}% of it, ` +
      'prefer the lowest peak RSS, then the smaller window, since flat memory is what docs/spec.md promises and 5% is within ' +
      `the noise of whole-process timings): default \`--io ${chosen.io} --window ${window}\`, ${formatSpeed(chosen.speed)} MB/s, ` +
      `peak RSS ${formatMiB(chosen.rssKiB)} MiB, ${formatCount(chosen.faults)} minor faults.`,
  ];
  if (otherBest) {
    parts.push(
      `The best \`--io ${otherBest.io}\` (window ${sizeLabel(otherBest.windowBytes).toUpperCase()}) reaches ` +
        `${formatSpeed(otherBest.speed)} MB/s at ${formatMiB(otherBest.rssKiB)} MiB and ${formatCount(otherBest.faults)} faults.`,
    );
  }
  const sequentialOn = mmapCell(rows, PRODUCT_SEGMENT_SIZE, true, false, chosen.windowBytes);
  const sequentialOff = mmapCell(rows, PRODUCT_SEGMENT_SIZE, false, false, chosen.windowBytes);
  if (sequentialOn && sequentialOff) {
    const on = cellSpeed(sequentialOn.row, sequentialOn.cell, bytes)!;
    const off = cellSpeed(sequentialOff.row, sequentialOff.cell, bytes)!;
    parts.push(`On raw mmap (256M segments, window ${window}) MADV_SEQUENTIAL changes the copy speed by ${percentChange(off, on)}.`);
  }
  const populated = mmapCell(rows, PRODUCT_SEGMENT_SIZE, true, true, chosen.windowBytes);
  if (sequentialOn && populated) {
    parts.push(
      `MAP_POPULATE changes it by ${percentChange(cellSpeed(sequentialOn.row, sequentialOn.cell, bytes)!, cellSpeed(populated.row, populated.cell, bytes)!)} ` +
        `and the minor faults from ${formatCount(sequentialOn.cell.timing!.minorFaults)} to ${formatCount(populated.cell.timing!.minorFaults)}, ` +
        `but peak RSS goes from ${formatMiB(sequentialOn.cell.timing!.maxRssKiB)} to ${formatMiB(populated.cell.timing!.maxRssKiB)} MiB ` +
        '(the whole segment is resident at once).',
    );
  } else if (!populated) parts.push('MAP_POPULATE was not measured (not exposed by @riaskov/mmap-io here).');
  return parts.join(' ');
}

function checkWorkerOutput(label: string, stdout: string, expectedBytes: number, expectedChecksum: number | null): WorkerResult {
  let result: WorkerResult;
  try {
    result = JSON.parse(stdout) as WorkerResult;
  } catch {
    throw new Mismatch(`${label}: output is not a worker result: ${stdout.slice(0, 300)}`);
  }
  if (result.bytes !== expectedBytes) throw new Mismatch(`${label}: read ${result.bytes} bytes of ${expectedBytes}`);
  if (expectedChecksum !== null && result.checksum !== expectedChecksum) {
    throw new Mismatch(`${label}: checksum ${result.checksum}, read() gave ${expectedChecksum}: other bytes were copied`);
  }
  return result;
}

async function main(): Promise<number> {
  const options = parseIoArguments(process.argv.slice(2));
  const environmentProblem = missingTimeBinary() ?? missingBuild();
  if (environmentProblem) throw new UsageError(environmentProblem);
  const file: GeneratedFile = await prepareGeneratedFile('numeric', options.sizeBytes, options.seed, false);
  const fileName = basename(file.path);
  log(`warming the page cache with ${fileName} ...`);
  warmPageCache(file.path);

  const populateAvailable = mapPopulateFlag() !== null;
  const specs = ioRowSpecs(populateAvailable);
  let referenceChecksum: number | null = null;
  const rows: IoRow[] = [];
  for (const spec of specs) {
    const row: IoRow = { spec, cells: [] };
    rows.push(row);
    for (const windowBytes of WINDOW_SIZES) {
      const label = `${spec.path} ${spec.io}${spec.segmentBytes ? ` segment ${sizeLabel(spec.segmentBytes)}` : ''}` +
        `${spec.sequential === null ? '' : ` sequential ${onOff(spec.sequential)}`}${spec.populate === null ? '' : ` populate ${onOff(spec.populate)}`}` +
        ` window ${sizeLabel(windowBytes)}`;
      if (spec.unavailable) {
        row.cells.push({ windowBytes, timing: null, loopSeconds: null, note: 'n/a' });
        continue;
      }
      log(label);
      const timings: ProcessTiming[] = [];
      const loopSeconds: number[] = [];
      let failure: string | null = null;
      for (let run = 0; run < options.runs; run++) {
        const finished = runTimed(spec.command(windowBytes, file.path), { cwd: REPO_ROOT, timeoutSeconds: options.timeoutSeconds });
        if (finished.timedOut) {
          // A hang is a finding, not a reason to lose the other measurements: the cell says so.
          log(`  timed out after ${options.timeoutSeconds} s`);
          failure = `timed out (${options.timeoutSeconds} s)`;
          break;
        }
        if (finished.status !== 0 || !finished.timing) {
          throw new Failed(`${label}: exit ${finished.status}: ${firstLine(finished.stderr)}`);
        }
        timings.push(finished.timing);
        if (spec.wholeProcess) {
          // `count` prints the number of records alone (docs/spec.md): it must be the generator's.
          if (finished.stdout.trim() !== String(file.rows)) {
            throw new Mismatch(`${label}: counted ${finished.stdout.trim()}, the generator wrote ${file.rows} records`);
          }
        } else {
          const result = checkWorkerOutput(label, finished.stdout, file.bytes, referenceChecksum);
          referenceChecksum ??= result.checksum;
          loopSeconds.push(result.seconds);
        }
      }
      if (failure !== null) {
        row.cells.push({ windowBytes, timing: null, loopSeconds: null, note: failure });
        continue;
      }
      // The fastest run stands for the configuration (a worker's by its copy loop); its faults with it, and the largest RSS seen.
      row.cells.push({
        windowBytes,
        timing: bestTiming(timings, spec.wholeProcess ? undefined : loopSeconds),
        loopSeconds: spec.wholeProcess ? null : Math.min(...loopSeconds),
        note: null,
      });
    }
  }
  const baseline = runTimed([process.execPath, '-e', ''], { cwd: REPO_ROOT, timeoutSeconds: 60 });

  // Every configuration has been checked (bytes, checksum, count) by now: only now are speeds printed.
  const report = [
    '## csvscan I/O: getting a warm file into a window buffer',
    '',
    ...machineDescription(),
    `- file: ${fileName}: ${file.bytes} bytes, ${file.rows} records (numeric kind), in the page cache`,
    `- runs: ${options.runs === 1 ? 'one per cell' : `fastest of ${options.runs} per cell (largest peak RSS of them)`}; ` +
      `every configuration read the same bytes (page checksum) and every CLI run counted ${file.rows} records`,
    `- MAP_POPULATE: ${populateAvailable ? 'exposed by @riaskov/mmap-io (passed in the flags of each segment\'s mmap)' : 'not exposed by @riaskov/mmap-io on this platform: not measured'}`,
    baseline.timing
      ? `- node start-up alone (\`node -e ''\`): ${baseline.timing.seconds.toFixed(2)} s, peak RSS ${formatMiB(baseline.timing.maxRssKiB)} MiB, ${formatCount(baseline.timing.minorFaults)} minor faults`
      : '- node start-up alone: not measured',
    '',
    'Each cell: MB/s · peak RSS MiB · minor page faults. MB/s is file bytes / 10^6 / seconds of the copy loop alone',
    '(read() and mmap rows, in a worker process), or of the whole process for the CLI rows (node start-up and kernel',
    'compilation included). Peak RSS and faults are always the whole process\'s (`/usr/bin/time %M %R`).',
    '',
    ...renderIoTable(rows, file.bytes),
    '',
    recommendation(rows, file.bytes),
  ];
  printReport(report, options.out);
  return 0;
}

/** `--worker`: one configuration, its result as one JSON line. */
async function workerMain(): Promise<void> {
  const { config, file } = parseWorkerArguments(process.argv.slice(2));
  process.stdout.write(JSON.stringify(runWorker(config, file)) + '\n');
}

runIfMain(import.meta.url, 'bench:io', process.argv.includes('--worker') ? workerMain : main);
