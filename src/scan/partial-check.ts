// Reading a partial back (merge): every member of a shard's `partial` is checked against what
// scanShard() writes before any of its numbers is used, so that a damaged shard is refused, naming
// its file and the member (exit 2), instead of merging into a wrong total (docs/spec.md: no partial JSON
// yields a silently wrong number).
//
// The shape is declared once, as data (PARTIAL, from the small checks below: each takes a JSON value
// and the member's path and returns the value decoded: bigints, doubles, bytes). What ties members to
// one another (a column per slot, count + empty + invalid = records, offsets inside the file and the
// range) is stated by RULES and COLUMN_RULES; SAME_FILE and SAME_SCAN are what the shards of one merge
// must share.

import { DISTINCT_EXACT_LIMIT, HLL_REGISTERS, INVALID_CAPTURE, MAX_FIELDS, MAX_SLOTS, QUANTILE_KEYS } from '../../assembly/layout.js';
import { addToRegisters, HashSet128 } from '../kernel/profile.js';
import { usageError, type CsvscanError } from '../errors.js';
import { decodeGroups } from '../results/groups.js';
import type { BucketCounts, DistinctSketch, PartialScanJson, QuantileSketch, RawColumn, RawScan } from '../types.js';

export const PARTIAL_FORMAT: PartialScanJson['format'] = 'csvscan-partial/4';

/** A member that is not as scanShard() writes it; `member` is its path, e.g. `partial.columns[1].count`. */
class Damage extends Error {
  constructor(
    readonly member: string,
    readonly problem: string,
  ) {
    super(`${member} ${problem}`);
  }
}

/** Checks the JSON value of `member` and returns it decoded, or throws Damage. */
type Check<T> = (value: unknown, member: string) => T;
type Checked<C> = C extends Check<infer T> ? T : never;

function damaged(member: string, problem: string): never {
  throw new Damage(member, problem);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- checks --------------------------------------------------------------------------------------

/** A safe integer in [min, max]: a count or an offset that a double holds exactly. */
function integer(min: number, max = Number.MAX_SAFE_INTEGER): Check<number> {
  const wanted =
    max < Number.MAX_SAFE_INTEGER ? `an integer from ${min} to ${max}`
    : min === 1 ? 'a positive integer'
    : min === 0 ? 'a non-negative integer'
    : '-1 or a non-negative integer';
  return (value, member) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max ? value : damaged(member, `must be ${wanted}`);
}

const bool: Check<boolean> = (value, member) => (typeof value === 'boolean' ? value : damaged(member, 'must be true or false'));

const text: Check<string> = (value, member) => (typeof value === 'string' ? value : damaged(member, 'must be a string'));

function oneOf<T extends string>(...choices: T[]): Check<T> {
  const wanted = choices.map((choice) => JSON.stringify(choice)).join(', ');
  return (value, member) =>
    choices.includes(value as T) ? (value as T) : damaged(member, choices.length === 1 ? `must be ${wanted}` : `must be one of ${wanted}`);
}

function matching(pattern: RegExp, wanted: string): Check<string> {
  return (value, member) => (typeof value === 'string' && pattern.test(value) ? value : damaged(member, `must be ${wanted}`));
}

/** An exact accumulator: a bigint written as decimal text. */
function integerText(nonNegative: boolean): Check<bigint> {
  const pattern = nonNegative ? /^\d+$/ : /^-?\d+$/;
  const wanted = nonNegative ? 'a non-negative integer as decimal text' : 'an integer as decimal text';
  return (value, member) => (typeof value === 'string' && pattern.test(value) ? BigInt(value) : damaged(member, `must be ${wanted}`));
}

/** What JSON has no number for is written as one of these strings (scan/partial.ts). */
const DOUBLE_WORDS = new Map<unknown, number>([['Infinity', Infinity], ['-Infinity', -Infinity], ['NaN', NaN], ['-0', -0]]);

const double: Check<number> = (value, member) =>
  typeof value === 'number' ? value
  : DOUBLE_WORDS.has(value) ? DOUBLE_WORDS.get(value)!
  : damaged(member, 'must be a number or one of "Infinity", "-Infinity", "NaN", "-0"');

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Padded base64 of min to max bytes, written as toBase64() writes it (no stray bits, no spaces). */
function base64Bytes(min: number, max: number): Check<Uint8Array> {
  return (value, member) => {
    if (typeof value === 'string' && BASE64.test(value)) {
      const bytes = Uint8Array.from(atob(value), (character) => character.charCodeAt(0));
      if (bytes.length >= min && bytes.length <= max && toBase64(bytes) === value) return bytes;
    }
    return damaged(member, `must be base64 (padded, RFC 4648) of ${min} to ${max} bytes`);
  };
}

function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, member) => (value === null ? null : check(value, member));
}

/** A JSON array of `length` entries (any number when omitted), each checked as `member[i]`. */
function list<T>(entry: Check<T>, length?: number): Check<T[]> {
  return (value, member) => {
    if (!Array.isArray(value) || (length !== undefined && value.length !== length)) {
      damaged(member, length === undefined ? 'must be a list' : `must be a list of ${length} entries`);
    }
    return value.map((item, index) => entry(item, `${member}[${index}]`));
  };
}

/** A JSON object with exactly these members, each present and checked. */
function record<Shape extends Record<string, Check<unknown>>>(shape: Shape): Check<{ [Key in keyof Shape]: Checked<Shape[Key]> }> {
  return (value, member) => {
    if (!isObject(value)) damaged(member, 'must be an object');
    const checked: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      if (!Object.hasOwn(value, key)) damaged(`${member}.${key}`, 'is missing');
      checked[key] = check(value[key], `${member}.${key}`);
    }
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) damaged(`${member}.${key}`, 'is not a member of a partial');
    }
    return checked as { [Key in keyof Shape]: Checked<Shape[Key]> };
  };
}

function then<T, U>(check: Check<T>, convert: (value: T) => U): Check<U> {
  return (value, member) => convert(check(value, member));
}

// ---- the shape scanShard() writes ------------------------------------------------------------------

const count = integer(0);
const offset = integer(0);
/** an offset, or -1 for none */
const offsetOrNone = integer(-1);
const byte = integer(0, 255);
const fieldIndex = integer(1, MAX_FIELDS);

/**
 * stats --distinct: the sorted hashes of at most DISTINCT_EXACT_LIMIT distinct values, each with its
 * 4th word's top bit set (null: over the limit), and HLL_REGISTERS registers of ranks up to 33
 * (null: no value). With a set, the registers are exactly those its hashes give.
 */
const distinctSketch: Check<DistinctSketch> = (value, member) => {
  const json = record({ hashes: nullable(base64Bytes(0, DISTINCT_EXACT_LIMIT * 16)), registers: nullable(base64Bytes(HLL_REGISTERS, HLL_REGISTERS)) })(value, member);
  const registers = json.registers;
  if (registers && registers.some((rank) => rank > 33)) damaged(`${member}.registers`, 'must hold ranks from 0 to 33');
  if (!json.hashes) {
    if (!registers) damaged(`${member}.registers`, 'must be given when hashes is null (over the exact limit)');
    return { hashes: null, registers };
  }
  if (json.hashes.length % 16 !== 0) damaged(`${member}.hashes`, 'must hold 16 bytes per value');
  const view = new DataView(json.hashes.buffer, json.hashes.byteOffset, json.hashes.length);
  const hashes = Uint32Array.from({ length: json.hashes.length / 4 }, (_, i) => view.getUint32(4 * i, true));
  const set = new HashSet128();
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let at = 0; at < hashes.length; at += 4) {
    const [h1, h2, h3, h4] = [hashes[at]!, hashes[at + 1]!, hashes[at + 2]!, hashes[at + 3]!];
    if (h4 < 0x80000000) damaged(`${member}.hashes`, 'must have the top bit of each value\'s 4th word set');
    if (!set.add(h1, h2, h3, h4)) damaged(`${member}.hashes`, 'must not repeat a value');
    addToRegisters(expected, h2, h3);
  }
  const given = registers ?? new Uint8Array(HLL_REGISTERS);
  if (expected.some((rank, i) => rank !== given[i])) damaged(`${member}.registers`, 'must be those of the hashes');
  return { hashes, registers };
};

/** [first key, counts]: counts whole and not negative, the first and last above 0 (or none, first 0). */
const buckets: Check<BucketCounts> = (value, member) => {
  const [first, counts] = list((entry: unknown) => entry, 2)(value, member) as [unknown, unknown];
  const counted = list(integer(0))(counts, `${member}[1]`);
  const start = integer(0, QUANTILE_KEYS - counted.length)(first, `${member}[0]`);
  if (counted.length === 0 ? start !== 0 : counted[0] === 0 || counted[counted.length - 1] === 0) {
    damaged(member, 'must have counts above 0 at both ends (no counts: first key 0)');
  }
  return { first: start, counts: Float64Array.from(counted) };
};

const quantileSketch: Check<QuantileSketch> = record({ zeros: integer(0), negative: buckets, positive: buckets });

const COLUMN: Check<RawColumn> = record({
  count,
  // -1 in a shard that ends inside a quoted field: the open record's field is accumulated, the
  // record itself is not counted (see COLUMN_RULES)
  empty: integer(-1),
  invalid: count,
  outside: count,
  exactSum: integerText(false),
  exactSquares: integerText(true),
  fsum: double,
  fsumComp: double,
  shift: double,
  fdev: double,
  fdevComp: double,
  fsq: double,
  fsqComp: double,
  min: double,
  max: double,
  firstInvalid: nullable(
    then(record({ line: integer(1), base64: base64Bytes(1, INVALID_CAPTURE) }), ({ line, base64 }) => ({ line, value: base64 })),
  ),
  // Infinity and 0 when the column has no field that is not empty
  minLength: (value: unknown, member: string): number => (value === 'Infinity' ? Infinity : integer(1)(value, member)),
  maxLength: count,
  forms: integer(0, 3),
  distinct: nullable(distinctSketch),
  quantiles: nullable(quantileSketch),
});

/** A group's column (null when damaged). */
function decodeColumn(json: unknown): RawColumn | null {
  try {
    return COLUMN(json, 'column');
  } catch (error) {
    if (error instanceof Damage) return null;
    throw error;
  }
}

const PARTIAL = record({
  format: oneOf(PARTIAL_FORMAT),
  file: record({ size: offset, fingerprint: matching(/^sha256:[0-9a-f]{64}$/, '"sha256:" and 64 lowercase hex digits') }),
  range: then(list(offset, 2), ([start, end]): [number, number] => [start!, end!]),
  dataStart: offset,
  midFile: bool,
  query: record({
    mode: oneOf('count', 'sum', 'stats'),
    columns: nullable(list(text)),
    delimiter: byte,
    quote: byte,
    header: bool,
    profile: nullable(record({ distinct: bool, quantiles: bool })),
  }),
  plan: record({
    outputs: list(record({ name: text, index: fieldIndex, slot: integer(0, MAX_SLOTS - 1) })),
    allFields: bool,
    indexesToCheck: list(record({ requested: text, index: fieldIndex })),
  }),
  records: count,
  lines: count,
  bytes: count,
  short: count,
  long: count,
  maxFields: count,
  expectedFields: count,
  headerFields: count,
  firstRecord: offsetOrNone,
  linesBeforeFirst: count,
  stopPosition: offsetOrNone,
  unterminatedQuote: nullable(record({ line: integer(1), byte: offset })),
  columns: list(COLUMN),
  keys: nullable(
    record({
      fields: list(integer(0, MAX_FIELDS - 1)),
      names: list(text),
      indexesToCheck: list(record({ requested: text, index: fieldIndex })),
    }),
  ),
  // decoded in readShard(): its width is the keys'
  groups: (value: unknown): unknown => value,
});

/** A partial as merge uses it: every member checked, the accumulators decoded. */
export type CheckedPartial = Checked<typeof PARTIAL>;

// ---- what ties members together ----------------------------------------------------------------------

const LF = 0x0a;
const CR = 0x0d;
const BOM_LENGTH = 3;

/** null when `holds`, else the damage. */
function unless(holds: boolean, member: string, problem: string): Damage | null {
  return holds ? null : new Damage(member, problem);
}

/** Kernel slots the plan uses: every slot from 0 up, numbered in order of first use (columns.ts). */
function slotsOf(partial: CheckedPartial): number {
  return partial.plan.allFields ? Math.min(partial.maxFields, MAX_SLOTS) : new Set(partial.plan.outputs.map((output) => output.slot)).size;
}

const RULES: ((partial: CheckedPartial) => Damage | null)[] = [
  ({ range: [start, end] }) => unless(start < end, 'partial.range', `must be [START, END] with START < END, is [${start}, ${end}]`),
  (p) => unless(p.dataStart === 0 || (p.dataStart === BOM_LENGTH && p.file.size >= BOM_LENGTH), 'partial.dataStart', 'must be 0, or 3 after a byte order mark'),
  (p) => unless(p.bytes <= p.file.size, 'partial.bytes', `must be at most partial.file.size (${p.file.size})`),
  (p) => unless(p.lines <= p.bytes, 'partial.lines', `must be at most partial.bytes (${p.bytes})`),
  (p) => unless(p.linesBeforeFirst <= p.lines, 'partial.linesBeforeFirst', `must be at most partial.lines (${p.lines})`),
  // every record but the last ends with a line feed
  (p) => unless(p.records <= p.lines + 1, 'partial.records', `must be at most partial.lines + 1 (${p.lines + 1})`),
  (p) => unless(p.short + p.long <= p.records, 'partial.short', `must be at most partial.records - partial.long (${p.records - p.long})`),
  (p) => {
    // The shard counts the records that start in its range (a shard from the data start counts the
    // record there even when END is before it); firstRecord is the first record boundary it found,
    // also when it counted none.
    const first = Math.max(p.range[0], p.dataStart);
    const last = Math.max(first, Math.min(p.range[1], p.file.size) - 1);
    return p.records > 0
      ? unless(p.firstRecord >= first && p.firstRecord <= last, 'partial.firstRecord', `must be an offset from ${first} to ${last} (a record start in the range)`)
      : unless(p.firstRecord === -1 || (p.firstRecord >= first && p.firstRecord <= p.file.size), 'partial.firstRecord', `must be -1 or an offset from ${first} to ${p.file.size}`);
  },
  (p) => {
    const [, end] = p.range;
    const size = p.file.size;
    const stop = p.stopPosition;
    return unless(stop === -1 || (stop >= end && stop <= size), 'partial.stopPosition', `must be -1 or an offset from ${end} to ${size} (the first record start at or after END)`);
  },
  ({ unterminatedQuote: quote, file: { size } }) =>
    unless(quote === null || quote.byte < size, 'partial.unterminatedQuote.byte', `must be below partial.file.size (${size})`),
  ({ unterminatedQuote: quote, lines }) =>
    unless(quote === null || quote.line <= lines + 1, 'partial.unterminatedQuote.line', `must be at most partial.lines + 1 (${lines + 1})`),
  ({ query: { delimiter } }) => unless(delimiter !== LF && delimiter !== CR, 'partial.query.delimiter', 'must not be a line break'),
  ({ query: { delimiter, quote } }) =>
    unless(quote !== LF && quote !== CR && quote !== delimiter, 'partial.query.quote', 'must not be a line break nor the delimiter'),
  ({ query: { mode, columns } }) =>
    mode === 'count'
      ? unless(columns === null, 'partial.query.columns', 'must be null in count mode')
      : unless(columns === null || columns.length > 0, 'partial.query.columns', 'must be null or a non-empty list'),
  ({ query: { mode, header }, plan: { allFields, outputs } }) =>
    // count accumulates no column; stats of all columns without a header maps fields to slots as
    // they come (allFields); otherwise the plan names the output columns
    mode === 'count' ? unless(!allFields && outputs.length === 0, 'partial.plan', 'must have no outputs and allFields false in count mode')
    : allFields ? unless(outputs.length === 0 && !header, 'partial.plan', 'must have no outputs and no header when allFields is true')
    : unless(outputs.length > 0, 'partial.plan.outputs', `must not be empty in ${mode} mode`),
  ({ plan: { outputs } }) => {
    let slots = 0;
    for (const [index, { slot }] of outputs.entries()) {
      if (slot > slots) return new Damage(`partial.plan.outputs[${index}].slot`, `must be at most ${slots} (slots are numbered from 0 in order of first use)`);
      if (slot === slots) slots++;
    }
    return null;
  },
  (p) => {
    // grouped, the columns are the groups' (partial.groups)
    const slots = p.keys === null ? slotsOf(p) : 0;
    const why = p.keys !== null ? 'grouped: the columns are in partial.groups' : p.plan.allFields ? 'one per field of the widest record, partial.maxFields' : 'one per slot of partial.plan.outputs';
    return unless(p.columns.length === slots, 'partial.columns', `must have ${slots} entries (${why}), has ${p.columns.length}`);
  },
  (p) => unless(p.keys === null || !p.plan.allFields, 'partial.plan.allFields', 'must be false when grouped'),
  (p) => unless(p.query.profile === null || (p.query.mode === 'stats' && p.keys === null), 'partial.query.profile', 'must be null unless stats without --by'),
];

/** Rules of each column; members are relative to `partial.columns[i]`. */
const COLUMN_RULES: ((column: RawColumn, partial: CheckedPartial) => Damage | null)[] = [
  // every record gives each column a number, an invalid field or an empty one (a missing field is empty)
  ({ count, empty, invalid }, { records }) =>
    unless(count + empty + invalid === records, '.count', `+ empty + invalid must equal partial.records (${records}), is ${count + empty + invalid}`),
  ({ empty }, { unterminatedQuote }) =>
    unless(empty >= 0 || unterminatedQuote !== null, '.empty', 'must be a non-negative integer (-1 only with partial.unterminatedQuote)'),
  ({ count, outside }) => unless(outside <= count, '.outside', `must be at most count (${count})`),
  ({ invalid, firstInvalid }) =>
    invalid > 0
      ? unless(firstInvalid !== null, '.firstInvalid', 'must be given when invalid is above 0')
      : unless(firstInvalid === null, '.firstInvalid', 'must be null when invalid is 0'),
  ({ firstInvalid }, { lines }) =>
    unless(firstInvalid === null || firstInvalid.line <= lines + 1, '.firstInvalid.line', `must be at most partial.lines + 1 (${lines + 1})`),
  ({ count, outside, exactSum, exactSquares }) =>
    unless(count > outside || (exactSum === 0n && exactSquares === 0n), '.exactSum', 'and exactSquares must be "0" when no number is in the exact domain (count = outside)'),
  ({ count, min, max }) =>
    count === 0
      ? (unless(min === Infinity, '.min', 'must be "Infinity" when count is 0') ?? unless(max === -Infinity, '.max', 'must be "-Infinity" when count is 0'))
      : unless(min <= max, '.min', `must be at most max (${max}) when count is above 0`),
  // lengths are of the fields that are not empty: numbers and invalid ones (a shard may hold none)
  ({ count, invalid, minLength, maxLength }) =>
    count + invalid === 0
      ? (unless(minLength === Infinity, '.minLength', 'must be "Infinity" when count + invalid is 0') ?? unless(maxLength === 0, '.maxLength', 'must be 0 when count + invalid is 0'))
      : unless(minLength <= maxLength, '.minLength', `must be at most maxLength (${maxLength}) when count + invalid is above 0`),
  ({ count, forms }) => unless(count > 0 || forms === 0, '.forms', 'must be 0 when count is 0'),
  // the profile's sketches: present exactly when asked for, and of this column's values
  ({ distinct }, { query: { profile } }) =>
    unless((distinct !== null) === (profile?.distinct ?? false), '.distinct', profile?.distinct ? 'must be given (partial.query.profile.distinct)' : 'must be null without partial.query.profile.distinct'),
  ({ quantiles }, { query: { profile } }) =>
    unless((quantiles !== null) === (profile?.quantiles ?? false), '.quantiles', profile?.quantiles ? 'must be given (partial.query.profile.quantiles)' : 'must be null without partial.query.profile.quantiles'),
  ({ distinct, count, invalid }) =>
    unless(!distinct?.hashes || distinct.hashes.length / 4 <= count + invalid, '.distinct.hashes', `must hold at most count + invalid (${count + invalid}) values`),
  ({ quantiles, count }) => {
    if (!quantiles) return null;
    let total = quantiles.zeros;
    for (const part of [quantiles.negative, quantiles.positive]) for (const n of part.counts) total += n;
    return unless(total === count, '.quantiles', `must count count (${count}) numbers, counts ${total}`);
  },
];

// ---- shards ----------------------------------------------------------------------------------------

/** One shard as merge uses it. */
export interface Shard {
  /** names the shard in errors: its file, or `part N` */
  label: string;
  /** the `file` member of its result */
  file: string;
  partial: CheckedPartial;
  start: number;
  end: number;
  raw: RawScan;
}

function refusal(label: string, problem: string): CsvscanError {
  return usageError(`merge: ${label}: ${problem}`);
}

/**
 * Check one shard's result (a `--range ... --json` object, parsed) completely and decode it. Throws
 * a CsvscanError (exit 2) naming `label` and the first damaged member.
 */
export function readShard(result: unknown, label: string): Shard {
  if (!isObject(result) || !isObject(result['partial'])) {
    throw refusal(label, 'not a partial result: write one with --range START:END --json');
  }
  const format = result['partial']['format'];
  if (typeof format === 'string' && format !== PARTIAL_FORMAT) {
    throw refusal(label, `a partial of format ${JSON.stringify(format)}; this csvscan reads ${PARTIAL_FORMAT}`);
  }
  try {
    const file = text(result['file'], 'file');
    const partial = PARTIAL(result['partial'], 'partial');
    const damage = firstDamage(partial);
    if (damage) throw damage;
    const { range, columns, unterminatedQuote, keys } = partial;
    const groupColumns = partial.query.mode === 'count' ? 0 : slotsOf(partial);
    const groups = keys === null ? (partial.groups === null ? undefined : null) : decodeGroups(partial.groups, keys.fields.length, groupColumns, decodeColumn);
    if (groups === null) {
      damaged(
        'partial.groups',
        keys === null ? 'must be null without keys'
        : groupColumns === 0 ? `must be a list of [[base64 of ${keys.fields.length} key components], records]`
        : `must be a list of [[base64 of ${keys.fields.length} key components], records, [${groupColumns} columns]]`,
      );
    }
    const raw: RawScan = {
      records: partial.records,
      lines: partial.lines,
      bytes: partial.bytes,
      short: partial.short,
      long: partial.long,
      maxFields: partial.maxFields,
      expectedFields: partial.expectedFields,
      headerFields: partial.headerFields,
      firstRecord: partial.firstRecord,
      linesBeforeFirst: partial.linesBeforeFirst,
      stopPosition: partial.stopPosition,
      unterminatedQuote,
      columns,
      ...(groups ? { groups } : {}),
    };
    return { label, file, partial, start: range[0], end: range[1], raw };
  } catch (error) {
    if (error instanceof Damage) throw refusal(label, error.message);
    throw error;
  }
}

/** The first rule the partial breaks, columns last (their rules assume a consistent scan). */
function firstDamage(partial: CheckedPartial): Damage | null {
  for (const rule of RULES) {
    const damage = rule(partial);
    if (damage) return damage;
  }
  for (const [index, column] of partial.columns.entries()) {
    for (const rule of COLUMN_RULES) {
      const damage = rule(column, partial);
      if (damage) return new Damage(`partial.columns[${index}]${damage.member}`, damage.problem);
    }
  }
  return null;
}

/** What makes two shards parts of one file. */
const SAME_FILE: [member: string, value: (partial: CheckedPartial) => unknown][] = [
  ['partial.file.size', (p) => p.file.size],
  ['partial.file.fingerprint', (p) => p.file.fingerprint],
  ['partial.dataStart', (p) => p.dataStart],
];

/** What makes two shards parts of one scan: the command, columns and dialect; `shown` values are printed. */
const SAME_SCAN: [member: string, value: (partial: CheckedPartial) => unknown, shown: boolean][] = [
  ['partial.query.mode', (p) => p.query.mode, true],
  ['partial.query.columns', (p) => p.query.columns, true],
  ['partial.query.delimiter', (p) => p.query.delimiter, true],
  ['partial.query.quote', (p) => p.query.quote, true],
  ['partial.query.header', (p) => p.query.header, true],
  ['partial.query.profile', (p) => p.query.profile, true],
  ['partial.plan.outputs', (p) => p.plan.outputs, false],
  ['partial.plan.allFields', (p) => p.plan.allFields, true],
  ['partial.plan.indexesToCheck', (p) => p.plan.indexesToCheck, false],
];

/** Shards of one merge come from one file and one scan: refuse the first that does not, naming the member. */
export function checkSameScan(shards: readonly Shard[]): void {
  const first = shards[0]!;
  for (const shard of shards.slice(1)) {
    for (const [member, value] of SAME_FILE) {
      if (JSON.stringify(value(shard.partial)) !== JSON.stringify(value(first.partial))) {
        throw refusal(shard.label, `a shard of another file than ${first.label} (${member} differs)`);
      }
    }
    for (const [member, value, shown] of SAME_SCAN) {
      const theirs = JSON.stringify(value(shard.partial));
      const ours = JSON.stringify(value(first.partial));
      if (theirs !== ours) {
        throw refusal(shard.label, `scanned with other options than ${first.label} (${member} ${shown ? `is ${theirs}, not ${ours}` : 'differs'})`);
      }
    }
  }
}
