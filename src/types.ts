// Types shared by the host modules: what a scan is asked to do, what an engine returns for a range
// of bytes (a mergeable partial), and the result objects of docs/spec.md. It imports nothing, so
// every module can depend on it.

/** wasm: the SIMD kernel (default); wasm-scalar: the scalar reference kernel; js: plain JavaScript. */
export type EngineName = 'wasm' | 'wasm-scalar' | 'js';
/** Every engine, the default first. */
export const ENGINE_NAMES: readonly EngineName[] = ['wasm', 'wasm-scalar', 'js'];
export type IoMode = 'mmap' | 'read';
/**
 * count: records only; sum and stats: every statistic of the selected columns (sum prints only the
 * sums as text); stats without columns takes them all.
 */
export type ScanMode = 'count' | 'sum' | 'stats';

/** The CSV dialect, as bytes. */
export interface Dialect {
  delimiter: number;
  quote: number;
  header: boolean;
}

/**
 * Which fields the kernel accumulates. `fields[i]` is the 0-based field index of slot i.
 * `allFields` means every field index i < MAX_SLOTS goes to slot i (stats without -c and no header).
 */
export interface Selection {
  fields: number[];
  allFields: boolean;
}

/** stats --distinct, --quantiles: which parts of the column profile a scan gathers. */
export interface ProfileRequest {
  distinct: boolean;
  quantiles: boolean;
}

/**
 * stats --distinct: a column's distinct non-empty values (src/kernel/profile.ts). The hashes are
 * MurmurHash3_x86_128 of each value's bytes (assembly/layout.ts "The column profile").
 */
export interface DistinctSketch {
  /** the distinct values' hashes, 4 words each (h1, h2, h3, h4), in no order; null: more than DISTINCT_EXACT_LIMIT */
  hashes: Uint32Array | null;
  /** HyperLogLog registers (HLL_REGISTERS bytes); null: all zero (no value yet) */
  registers: Uint8Array | null;
}

/** Counts of numbers by bucket key (assembly/layout.ts): counts[i] is key first + i's. */
export interface BucketCounts {
  first: number;
  counts: Float64Array;
}

/** stats --quantiles: a column's numbers counted by log-linear bucket of their magnitude. */
export interface QuantileSketch {
  zeros: number;
  negative: BucketCounts;
  positive: BucketCounts;
}

/** One column's accumulators for a scanned range: everything needed to merge and to finalize. */
export interface RawColumn {
  count: number;
  empty: number;
  invalid: number;
  /** numbers outside the exact decimal domain (then sum_text is null) */
  outside: number;
  /** exact sum of the in-domain numbers, in units of 10^-35 */
  exactSum: bigint;
  /** exact sum of squares of the in-domain numbers, in units of 10^-70 (0n in count mode) */
  exactSquares: bigint;
  /**
   * Numbers outside the exact domain, as doubles: fsum (Neumaier, value and compensation) is their
   * sum; shift is the first one; fdev is the Neumaier sum of (double - shift) and fsq of its square,
   * for the variance (and for the sum when fsum overflows: outside * shift + fdev).
   */
  fsum: number;
  fsumComp: number;
  shift: number;
  fdev: number;
  fdevComp: number;
  fsq: number;
  fsqComp: number;
  /** Infinity / -Infinity when count is 0 */
  min: number;
  max: number;
  /** line is 1-based relative to the scan's first line; value is raw bytes cut to 64 */
  firstInvalid: { line: number; value: Uint8Array } | null;
  /** bytes of the shortest and longest field that is not empty (a number or invalid); Infinity and 0 when none */
  minLength: number;
  maxLength: number;
  /** FORM_* bits (assembly/layout.ts) of its numbers: a '.', an exponent */
  forms: number;
  /** with --distinct (else absent or null) */
  distinct?: DistinctSketch | null;
  /** with --quantiles (else absent or null) */
  quantiles?: QuantileSketch | null;
}

/** What one engine returns for one scan of a byte range (or a whole file). */
export interface RawScan {
  records: number;
  /** LF bytes in the scanned bytes before `stopPosition` (or to EOF) */
  lines: number;
  bytes: number;
  short: number;
  long: number;
  maxFields: number;
  /** header width, else the first record's width; 0 when no record was seen */
  expectedFields: number;
  headerFields: number;
  /** absolute offset of the first record boundary found (the first record counted, if any); -1 if none */
  firstRecord: number;
  /** LF bytes passed before the first record counted (relative line offset of that record) */
  linesBeforeFirst: number;
  /** absolute offset of the first record at/after the range end; -1 when the scan ran to EOF */
  stopPosition: number;
  /** set when EOF fell inside a quoted field */
  unterminatedQuote: { line: number; byte: number } | null;
  columns: RawColumn[];
  /** with --by: key (components in --by order, see src/kernel/groups.ts) -> records, or records and columns */
  groups?: Map<string, GroupValue>;
  /** with --by, when groups were spilled to disk (src/scan/spill.ts): the spilled parts, besides `groups` */
  spilled?: SpilledGroups[];
  /** with --by, once spilled groups were read back (src/scan/spill.ts): the groups in order, instead of `groups` */
  ordered?: OrderedRawGroups;
}

/**
 * A scan's groups in their output order (docs/spec.md "Groups"), not all held as objects: read as
 * often as needed (text output reads them twice: widths, then lines), then closed. In memory
 * (src/results/groups.ts) or merged from sorted runs on disk (src/scan/spill.ts).
 */
export interface OrderedRawGroups {
  /** how many groups the scan has (group_count), --top or not */
  readonly count: number;
  /** the groups in order, the first --top of them: each key as its components' UTF-8 text */
  entries(): Iterable<[string[], GroupValue]>;
  /** releases what holds them (temporary files); idempotent */
  close(): void;
}

/** OrderedRawGroups as results: each group finalized when it is reached. */
export interface OrderedGroups {
  readonly count: number;
  each(): Iterable<GroupResult>;
  close(): void;
}

/** One group of sum or stats by key: its records and its columns' accumulators (slot order). */
export interface ColumnGroup {
  records: number;
  columns: RawColumn[];
}

/** A group's figures: its records (count --by), or its records and columns (sum and stats --by). */
export type GroupValue = number | ColumnGroup;

/**
 * Groups spilled to disk: one temporary file per partition of the keys (by a hash of the key), each
 * unlinked as soon as it was opened; fds[p] is partition p's open file descriptor (-1: none).
 */
export interface SpilledGroups {
  fds: number[];
  /** lines of the spilled columns' first invalid fields are relative: add this to make them the file's */
  lineOffset: number;
}

/** docs/spec.md `--json` column object. */
export interface ColumnResult {
  name: string;
  index: number;
  count: number;
  empty: number;
  invalid: number;
  /** line is null in a shard that starts mid-file (its lines are relative; see scan/partial.ts) */
  first_invalid: { line: number | null; value: string } | null;
  sum: number | null;
  sum_text: string | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
  /** the column profile (docs/spec.md §5): always */
  type: ColumnType;
  /** bytes of the shortest and longest field that is not empty; null when there is none */
  min_length: number | null;
  max_length: number | null;
  /** stats --distinct (null without it): distinct non-empty values, and whether that is exact */
  distinct: number | null;
  distinct_exact: boolean | null;
  /** stats --quantiles (null without it) */
  q1: number | null;
  median: number | null;
  q3: number | null;
}

/** empty: no field but empty ones; text: more invalid fields than numbers; else the widest form of its numbers. */
export type ColumnType = 'empty' | 'text' | 'integer' | 'decimal' | 'float';

/** A column of the output: its name, its 1-based field index, and the kernel slot that holds it. */
export interface OutputColumn {
  name: string;
  /** 1-based field index */
  index: number;
  slot: number;
}

/** --by: the key columns, as the header or indexes resolved them. */
export interface KeyPlan {
  fields: number[];
  names: string[];
  indexesToCheck: { requested: string; index: number }[];
}

/** Groups as a partial holds them: [[base64 of each component...], records] (count), or with their columns (sum, stats). */
export type GroupsJson = ([string[], number] | [string[], number, PartialColumnJson[]])[];

/** A double as JSON: a number, or one of the strings for what JSON has no number for. */
export type JsonDouble = number | 'Infinity' | '-Infinity' | 'NaN' | '-0';

/** A DistinctSketch as JSON: the hashes sorted, as base64 of their little-endian words; the registers as base64. */
export interface DistinctSketchJson {
  hashes: string | null;
  registers: string | null;
}

/** A QuantileSketch as JSON: each sign's buckets as [first key, counts]. */
export interface QuantileSketchJson {
  zeros: number;
  negative: [number, number[]];
  positive: [number, number[]];
}

/** A RawColumn as JSON: bigints as decimal strings, doubles as JsonDouble, the invalid bytes as base64. */
export interface PartialColumnJson {
  firstInvalid: { line: number; base64: string } | null;
  distinct: DistinctSketchJson | null;
  quantiles: QuantileSketchJson | null;
  [accumulator: string]: JsonDouble | string | { line: number; base64: string } | DistinctSketchJson | QuantileSketchJson | null;
}

/** The `partial` member of a shard's result. */
export interface PartialScanJson extends Omit<RawScan, 'columns' | 'groups'> {
  /** PARTIAL_FORMAT (scan/partial-check.ts) */
  format: 'csvscan-partial/4';
  /** the scanned file: its size and a SHA-256 of its first and last 64 KiB */
  file: { size: number; fingerprint: string };
  /** the requested [START, END) */
  range: [number, number];
  /** first byte after a BOM */
  dataStart: number;
  /** START was inside a record: the kernel guessed where the next one starts */
  midFile: boolean;
  query: { mode: ScanMode; columns: string[] | null; delimiter: number; quote: number; header: boolean; profile: ProfileRequest | null };
  plan: { outputs: OutputColumn[]; allFields: boolean; indexesToCheck: { requested: string; index: number }[] };
  /** --by: the key columns (null: not grouped) */
  keys: KeyPlan | null;
  /** --by: every group of the shard, keys as base64 (src/results/groups.ts) */
  groups: GroupsJson | null;
  /** RawScan's fields come from the base type (lines relative to the first byte scanned); its columns as JSON: */
  columns: PartialColumnJson[];
}

/** One group of a --by result: its key (UTF-8, invalid sequences as U+FFFD) and records. */
export interface GroupResult {
  key: string[];
  rows: number;
  /** sum and stats --by: the group's columns */
  columns?: ColumnResult[];
}

export interface ScanResult {
  file: string;
  rows: number;
  bytes: number;
  ragged: { short: number; long: number };
  columns?: ColumnResult[];
  /** with --by: the key columns' names, the number of groups and the groups (sorted, cut to --top) */
  by?: string[];
  group_count?: number;
  groups?: GroupResult[];
  /** a `range` scan's raw accumulators, for merge() (scan/partial.ts) */
  partial?: PartialScanJson;
}

/**
 * Options of a scan, mirroring the CLI (docs/spec.md). Everything but `mode` has the documented default; all
 * are checked by resolveOptions() (src/options.ts), as the CLI's are.
 */
export interface ScanOptions {
  mode: ScanMode;
  /** one byte: its number, or a one-byte string (`'\t'` and `'tab'` mean TAB); default `,` */
  delimiter?: number | string;
  /** one byte, as `delimiter`; default `"` */
  quote?: number | string;
  header?: boolean;
  /** `-c` values: header names, else 1-based indexes (a number is its index's text); null/undefined = all columns (stats) */
  columns?: (string | number)[] | null;
  engine?: EngineName;
  /** worker threads for a file; 1 scans on the calling thread; undefined = available cores */
  threads?: number;
  /**
   * For tests: the fewest bytes worth a thread of their own (default 4 MiB; fewer threads are used
   * for smaller files). 1 lets tests put range edges anywhere in a tiny file.
   */
  minBytesPerThread?: number;
  /** bytes per window, 1 to 1 GiB; undefined = default */
  window?: number;
  /** how a regular file is read; undefined = mmap */
  io?: IoMode;
  /** [start, end) byte range: scan the records that start in it; the result carries `partial` */
  range?: [number, number] | null;
  /** count by these key columns (names or 1-based indexes, as `columns`); count only */
  by?: (string | number)[] | null;
  /** with `by`: keep the first N groups of the order (a whole number >= 1) */
  top?: number | null;
  /** bytes the group table may use (default 1 GiB; at least 64 KiB); past it, groups are spilled to disk */
  memory?: number;
  /** where groups past `memory` are spilled (Node): a writable directory; default the OS's temporary directory */
  tempDir?: string | null;
  /** stats: count each column's distinct non-empty values (exact up to 100000, else estimated) */
  distinct?: boolean;
  /** stats: each column's quartiles (q1, median, q3), within 0.5% */
  quantiles?: boolean;
  /** called now and then with bytes done so far and the total (null when unknown, e.g. stdin) */
  onProgress?: (bytesDone: number, totalBytes: number | null) => void;
}
