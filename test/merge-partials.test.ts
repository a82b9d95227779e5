// `csvscan merge` refuses a damaged partial (issue 11: defect 2). docs/spec.md: "No input, option or
// partial JSON yields a silently wrong number". Real shards of a small file, from
// `csvscan sum --range ... --json`, are damaged one member at a time and merged through the real
// command line: each must be refused with exit 2 and one line naming the shard (its file) and the
// member, without a stack trace. The undamaged shards still merge to the whole-file answer.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvscanError } from '../src/errors.js';
import { merge } from '../src/scan/partial.js';
import { csvscan, expectCleanError } from './support/cli.js';

/** Records 1-3 fall in the first shard, 4-6 in the second; `note` has invalid values in both. */
const CSV = 'id,price,qty,note\n1,1.25,3,fresh\n2,0.50,12,\n3,,7,NA\n4,10,-2,"said ""hi"""\n5, 0.1 ,0.2,x\n6,2.5,1,ok\n';
const SIZE = Buffer.byteLength(CSV);
const CUT = 50;
const QUERY = ['sum', '-c', 'price', '-c', 'qty', '-c', 'note'];

/** A shard's --json result, as damaged here. */
interface Shard {
  file: unknown;
  partial: Record<string, unknown> & { columns: Record<string, unknown>[] };
  [member: string]: unknown;
}

let dir: string;
let csvPath: string;
let head: Shard;
let tail: Shard;
let whole: string;

function scanJson(args: string[]): string {
  const run = csvscan(args);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'csvscan-merge-partials-'));
  csvPath = join(dir, 'sales.csv');
  writeFileSync(csvPath, CSV);
  head = JSON.parse(scanJson([...QUERY, csvPath, '--range', `0:${CUT}`, '--json'])) as Shard;
  tail = JSON.parse(scanJson([...QUERY, csvPath, '--range', `${CUT}:${SIZE}`, '--json'])) as Shard;
  whole = scanJson([...QUERY, csvPath, '--json']);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Write the shards as a.json and b.json and merge them with the real CLI. */
function mergeFiles(a: unknown, b: unknown, extra: string[] = []): { run: ReturnType<typeof csvscan>; a: string; b: string } {
  const aPath = join(dir, 'a.json');
  const bPath = join(dir, 'b.json');
  writeFileSync(aPath, JSON.stringify(a));
  writeFileSync(bPath, JSON.stringify(b));
  return { run: csvscan(['merge', aPath, bPath, ...extra]), a: aPath, b: bPath };
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type Damage = (shard: Shard) => void;
const column = (shard: Shard, index: number): Record<string, unknown> => shard.partial.columns[index]!;
const firstInvalid = (shard: Shard, index: number): Record<string, unknown> => column(shard, index)['firstInvalid'] as Record<string, unknown>;
const plan = (shard: Shard): { outputs: Record<string, unknown>[] } & Record<string, unknown> => shard.partial['plan'] as never;
const query = (shard: Shard): Record<string, unknown> => shard.partial['query'] as Record<string, unknown>;
const sixtyFiveBytes = Buffer.alloc(65, 'x').toString('base64');

/** [what, damage done to b.json, the refusal after `csvscan: merge: b.json: `] */
const DAMAGED: [string, Damage, string][] = [
  // the column of `qty` lost: it used to be padded as an empty column (a wrong count and empty)
  ['a column lost from partial.columns', (b) => void b.partial.columns.splice(1, 1), 'partial.columns must have 3 entries (one per slot of partial.plan.outputs), has 2'],
  ['a negative count', (b) => void (column(b, 1)['count'] = -1), 'partial.columns[1].count must be a non-negative integer'],
  ['a fractional count', (b) => void (column(b, 1)['count'] = 1.5), 'partial.columns[1].count must be a non-negative integer'],
  ['a count as text', (b) => void (column(b, 1)['count'] = '3'), 'partial.columns[1].count must be a non-negative integer'],
  ['a count past 2^53', (b) => void (column(b, 1)['count'] = 2 ** 53), 'partial.columns[1].count must be a non-negative integer'],
  ['a count that disagrees with the records', (b) => void (column(b, 1)['count'] = 4), 'partial.columns[1].count + empty + invalid must equal partial.records (3), is 4'],
  ['negative records', (b) => void (b.partial['records'] = -3), 'partial.records must be a non-negative integer'],
  ['fractional records', (b) => void (b.partial['records'] = 2.5), 'partial.records must be a non-negative integer'],
  ['a missing exactSquares', (b) => void delete column(b, 0)['exactSquares'], 'partial.columns[0].exactSquares is missing'],
  ['a negative exactSquares', (b) => void (column(b, 0)['exactSquares'] = '-5'), 'partial.columns[0].exactSquares must be a non-negative integer as decimal text'],
  ['an exactSum that is not an integer', (b) => void (column(b, 0)['exactSum'] = '12.6'), 'partial.columns[0].exactSum must be an integer as decimal text'],
  ['an exactSum as a number', (b) => void (column(b, 0)['exactSum'] = 126), 'partial.columns[0].exactSum must be an integer as decimal text'],
  ['a double that is not a number', (b) => void (column(b, 0)['fsum'] = 'zero'), 'partial.columns[0].fsum must be a number or one of "Infinity", "-Infinity", "NaN", "-0"'],
  ['min above max', (b) => void (column(b, 0)['min'] = 11), 'partial.columns[0].min must be at most max (10) when count is above 0'],
  ['min and max of a column without numbers', (b) => void (column(b, 2)['min'] = 0), 'partial.columns[2].min must be "Infinity" when count is 0'],
  ['more numbers outside the exact domain than numbers', (b) => void (column(b, 0)['outside'] = 4), 'partial.columns[0].outside must be at most count (3)'],
  ['a slot past the columns', (b) => void (plan(b).outputs[1]!['slot'] = 7), 'partial.plan.outputs[1].slot must be at most 1 (slots are numbered from 0 in order of first use)'],
  ['a negative slot', (b) => void (plan(b).outputs[1]!['slot'] = -1), 'partial.plan.outputs[1].slot must be an integer from 0 to 2047'],
  ['an output without a name', (b) => void delete plan(b).outputs[0]!['name'], 'partial.plan.outputs[0].name is missing'],
  ['bad base64', (b) => void (firstInvalid(b, 2)['base64'] = 'not base64!'), 'partial.columns[2].firstInvalid.base64 must be base64 (padded, RFC 4648) of 1 to 64 bytes'],
  ['unpadded base64', (b) => void (firstInvalid(b, 2)['base64'] = 'TkE'), 'partial.columns[2].firstInvalid.base64 must be base64 (padded, RFC 4648) of 1 to 64 bytes'],
  ['base64 with stray bits', (b) => void (firstInvalid(b, 2)['base64'] = 'TkF='), 'partial.columns[2].firstInvalid.base64 must be base64 (padded, RFC 4648) of 1 to 64 bytes'],
  ['base64 of more than 64 bytes', (b) => void (firstInvalid(b, 2)['base64'] = sixtyFiveBytes), 'partial.columns[2].firstInvalid.base64 must be base64 (padded, RFC 4648) of 1 to 64 bytes'],
  ['empty base64', (b) => void (firstInvalid(b, 2)['base64'] = ''), 'partial.columns[2].firstInvalid.base64 must be base64 (padded, RFC 4648) of 1 to 64 bytes'],
  ['a first invalid value without its line', (b) => void delete firstInvalid(b, 2)['line'], 'partial.columns[2].firstInvalid.line is missing'],
  ['a first invalid value on line 0', (b) => void (firstInvalid(b, 2)['line'] = 0), 'partial.columns[2].firstInvalid.line must be a positive integer'],
  ['no first invalid value for invalid fields', (b) => void (column(b, 2)['firstInvalid'] = null), 'partial.columns[2].firstInvalid must be given when invalid is above 0'],
  ['an unknown member', (b) => void (column(b, 0)['extra'] = 1), 'partial.columns[0].extra is not a member of a partial'],
  ['a column that is not an object', (b) => void (b.partial.columns[0] = 5 as never), 'partial.columns[0] must be an object'],
  ['columns that are not a list', (b) => void (b.partial['columns'] = {} as never), 'partial.columns must be a list'],
  ['a range that is not a pair', (b) => void (b.partial['range'] = [CUT]), 'partial.range must be a list of 2 entries'],
  ['a range with START >= END', (b) => void (b.partial['range'] = [SIZE, CUT]), `partial.range must be [START, END] with START < END, is [${SIZE}, ${CUT}]`],
  ['a first record before the range', (b) => void (b.partial['firstRecord'] = 20), `partial.firstRecord must be an offset from ${CUT} to ${SIZE - 1} (a record start in the range)`],
  ['a stop position below -1', (b) => void (b.partial['stopPosition'] = -2), 'partial.stopPosition must be -1 or a non-negative integer'],
  ['more bytes than the file', (b) => void (b.partial['bytes'] = 10_000), `partial.bytes must be at most partial.file.size (${SIZE})`],
  ['more lines than bytes', (b) => void (b.partial['lines'] = 60), 'partial.lines must be at most partial.bytes (49)'],
  ['more records than lines', (b) => void Object.assign(b.partial, { records: 9, short: 0 }), 'partial.records must be at most partial.lines + 1 (5)'],
  ['a fingerprint that is not a SHA-256', (b) => void ((b.partial['file'] as Record<string, unknown>)['fingerprint'] = 'md5:abc'), 'partial.file.fingerprint must be "sha256:" and 64 lowercase hex digits'],
  ['a delimiter that is not a byte', (b) => void (query(b)['delimiter'] = 300), 'partial.query.delimiter must be an integer from 0 to 255'],
  ['an unknown mode', (b) => void (query(b)['mode'] = 'avg'), 'partial.query.mode must be one of "count", "sum", "stats"'],
  ['midFile that is not a boolean', (b) => void (b.partial['midFile'] = 'yes'), 'partial.midFile must be true or false'],
  ['a missing plan', (b) => void delete b.partial['plan'], 'partial.plan is missing'],
  ['an unterminated quote on line 0', (b) => void (b.partial['unterminatedQuote'] = { line: 0, byte: 60 }), 'partial.unterminatedQuote.line must be a positive integer'],
  ['a file name that is not a string', (b) => void (b.file = 5), 'file must be a string'],
  ['no partial', (b) => void Reflect.deleteProperty(b, 'partial'), 'not a partial result: write one with --range START:END --json'],
  // the shards of one merge must agree with each other: the member that differs is named
  ['another file size', (b) => void ((b.partial['file'] as Record<string, number>)['size'] = SIZE + 1), 'a shard of another file than A (partial.file.size differs)'],
  ['another mode', (b) => void (query(b)['mode'] = 'stats'), 'scanned with other options than A (partial.query.mode is "stats", not "sum")'],
  ['other columns', (b) => void (query(b)['columns'] = ['qty', 'price', 'note']), 'scanned with other options than A (partial.query.columns is ["qty","price","note"], not ["price","qty","note"])'],
  ['another plan', (b) => void (plan(b).outputs[2]!['index'] = 1), 'scanned with other options than A (partial.plan.outputs differs)'],
];

describe('merge refuses a damaged partial, naming the shard and the member (issue 11: defect 2)', () => {
  it('merges the undamaged shards to the whole-file answer, in any order', () => {
    expect(mergeFiles(head, tail, ['--json']).run.stdout).toBe(whole);
    expect(mergeFiles(tail, head, ['--json']).run.stdout).toBe(whole);
  });

  it.each(DAMAGED)('%s', (_what, damage, refusal) => {
    const damaged = copy(tail);
    damage(damaged);
    const { run, a, b } = mergeFiles(head, damaged, ['--json']);
    const message = refusal.replace(/\bA\b/, a);
    expectCleanError(run, 2, new RegExp(`^csvscan: merge: ${escaped(b)}: ${escaped(message)}$`, 'm'));
  });

  it('names the first shard when it is the damaged one', () => {
    const damaged = copy(head);
    damaged.partial['headerFields'] = -4;
    const { run, a } = mergeFiles(damaged, tail);
    expectCleanError(run, 2, new RegExp(`^csvscan: merge: ${escaped(a)}: partial.headerFields must be a non-negative integer$`, 'm'));
  });

  it("refuses in the library's merge() with the same message", () => {
    const damaged = copy(tail);
    column(damaged, 1)['count'] = -1;
    expect(() => merge([head, damaged], ['a.json', 'b.json'])).toThrow(CsvscanError);
    expect(() => merge([head, damaged], ['a.json', 'b.json'])).toThrow(/^merge: b\.json: partial\.columns\[1\]\.count must be a non-negative integer$/);
    expect(() => merge([head, damaged])).toThrow(/^merge: part 2: partial\.columns\[1\]\.count/);
  });
});
