// The second-language host: examples/python/csvscan_host.py, written from docs/kernel-abi.md alone
// (Python and wasmtime, nothing of src/), against the CLI's --json on the examples, edge files
// (quoted line breaks, CRLF, BOM, blank lines, an unterminated quote, overflowing and long numbers)
// and generated CSVs, at windows of 1, 7, 4096 bytes and the default, with both kernels; without
// groups and by key (`count --by`, `sum -c C --by K`, `stats --by K`, single and composite keys);
// and the column profile (`stats --all`, `--distinct`, `--quantiles`), on these files and on larger
// generated ones: a column of more than 100000 distinct values (the HyperLogLog estimate) and long
// quoted values that span windows. The output must equal the CLI's `--json` byte for byte.
//
// It needs python3 with the wasmtime package (.ci/run installs it when the machine's package
// sources have it); without them the comparisons are skipped, saying why. CSVSCAN_PYTHON names
// another interpreter.

import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import * as layout from '../assembly/layout.js';
import { generateCsv, SeededRandom } from './reference/generate.js';
import { BIN } from './support/cli.js';
import { ROOT } from './support/build.js';

const run = promisify(execFile);
const PYTHON = process.env.CSVSCAN_PYTHON ?? 'python3';
const HOST_DIR = join(ROOT, 'examples', 'python');
const BATCH = join(ROOT, 'test', 'support', 'python-host-batch.py');
const WINDOWS: readonly (string | null)[] = ['1', '7', '4096', null]; // null: the host's default
const KERNELS = ['simd', 'scalar'];

/** Why the Python host cannot run here, or null when it can. */
function unavailable(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import wasmtime'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error) return `${PYTHON} cannot be run (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} has no wasmtime module (pip install wasmtime; .ci/run installs it when it can)`;
  return null;
}
const skipReason = unavailable();
if (skipReason) console.warn(`test/python-host.test.ts: the Python host comparisons are skipped: ${skipReason}`);

const directory = mkdtempSync(join(tmpdir(), 'csvscan-python-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A file to compare on and the queries (command and options) to run on it. */
interface Case {
  file: string;
  queries: string[][];
}

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const UNGROUPED_QUERIES = [['count'], ['stats'], ['stats', '--no-header'], ['sum', '-c', '1']];
/** By key: single and composite keys, a key repeated, a key column also summed, without a header. */
const GROUPED_QUERIES = [
  ['count', '--by', '1'],
  ['count', '--by', '2', '--by', '1'],
  ['sum', '-c', '2', '--by', '1'],
  ['sum', '-c', '1', '-c', '2', '--by', '1', '--by', '1'],
  ['stats', '--by', '1'],
  ['stats', '--by', '2', '--by', '1'],
  ['stats', '-c', '2', '--by', '1', '--no-header'],
];
/** The column profile (docs/kernel-abi.md, "The column profile"). */
const PROFILE_QUERIES = [['stats', '--all'], ['stats', '--distinct'], ['stats', '--quantiles', '--no-header']];
const DEFAULT_QUERIES = [...UNGROUPED_QUERIES, ...GROUPED_QUERIES, ...PROFILE_QUERIES];

/** Tiny files at the grammar's and the numbers' edges. */
const EDGE_FILES: Record<string, string> = {
  'quoted-newlines': 'name,v,w\n"multi\nline",1.5,"x\n"\n"a ""q""",2,3\n"tail"x,"4"5,6\n',
  crlf: 'a,b\r\n1,2\r\n\r\n3,4\r\n5\r\n"6\r\n7",8\r\n',
  bom: '\xef\xbb\xbfa,b\n1,2\n3,x\n',
  'bom-crlf-no-final-newline': '\xef\xbb\xbfa;b\r\n1;2\r\n3;4',
  'blank-lines': '\n\r\n\nh1,h2\n\n1,2\n\r\n\n3,\n',
  'lone-cr': 'a,b\r1\nx,y\n\r',
  unterminated: 'a,b\n1,2\n3,"4\n5,6\n',
  'unterminated-header': '\n"never closed,b\n1,2\n',
  'overflow-cancels': 'x,y\n1e308,1\n-1e308,2\n1e308,3\n',
  'overflow-sum': 'x\n1e308\n1e308\n-5e307\n',
  'overflow-both': 'x\n1e308\n1e308\n-1e308\n',
  infinities: 'x,y\n1e999,1e-400\n-1e999,2\n5,-7e-330\n',
  'long-numbers': 'x\n1.2345678901234567890123456789\n123456789012345678\n0.1\n1e23\n9007199254740993\n',
  'exact-and-not': 'x\n0.1\n999999999999999999\n1e18\n-0.000000000000000001\n',
  empty: '',
  'header-only': 'a,b\n',
  ragged: 'a,b,c\n1\n1,2,3,4\n,,\n',
  'invalid-values': 'a\nNA\n1,5\n"é\xff"\n0x1F\n',
  // quartiles at the double range's ends: the infinite buckets, the last finite one (its upper bound
  // 2^1024 is no double), subnormals whose bounds are no doubles, zeros of both signs, a bucket bound
  // (144 = 128 x 1.125) as the nearest rank, distinct values equal as numbers but not as bytes; a
  // midpoint between two subnormals (low + (high - low) / 2 is low), a tie that toPrecision rounds
  // away from zero (143.25 to 4 digits: 143.3, where rounding to even gives 143.2)
  'profile-ends':
    'big,neg,tiny,mixed,bound,pair,tie\n' +
    '1.7976931348623157e308,-1e999,5.064e-321,-0,143.5,5.064e-321,143.125\n' +
    '1e999,-1.7976931348623157e308,5.07e-321,0,144,5.07e-321,143.375\n' +
    '1.5e308,-3,5e-324,0e9,144.25\n' +
    ',x,2.2250738585072014e-308,-2,143.75\n' +
    '1.7e308,"-3",-1e-310,1.0,144\n',
  // keys: quoted and not, empty, invalid UTF-8, a prefix, a line break; in group w, sums past 64 bits
  // and scales 10^18 apart (a wide block); numbers outside the exact domain; first invalid fields
  keys:
    'k,v,w\nab,1,1\na,2,x\n"a",1,3\n,0,\n\xff,1,2\nab\xc3,1,1e400\n"a\nb",2,-1e999\nA,1,5\nw,1e-18,y\n' +
    'w,999999999999999999,999999999999999999\n'.repeat(12) +
    'w,1e17,0.5\nA,1e308,1e308\nA,1e308,1\nA,-1e308,z\nab,"1,5",\n',
};

function cases(): Case[] {
  const all: Case[] = [];
  for (const name of readdirSync(join(ROOT, 'examples')).filter((entry) => entry.endsWith('.csv'))) {
    all.push({
      file: join('examples', name),
      queries: [
        ['count'],
        ['stats'],
        ['sum', '-c', 'price', '-c', 'qty'],
        ['sum', '-c', '3', '-c', 'price'],
        ['count', '--by', 'date'],
        ['count', '--by', 'qty', '--by', 'date'],
        ['sum', '-c', 'price', '-c', 'qty', '--by', 'product'],
        ['stats', '--by', 'date', '--by', '2'],
        ['stats', '--all'],
        ['stats', '-c', 'price', '--quantiles'],
        ['stats', '-c', 'product', '-c', 'price', '--distinct'],
        ['stats', '--all', '--by', 'date'], // refused (exit 2): the profile is of whole columns
        ['count', '--distinct'], // refused: stats only
      ],
    });
  }
  for (const [name, text] of Object.entries(EDGE_FILES)) {
    const file = join(directory, `${name}.csv`);
    writeFileSync(file, latin1(text));
    all.push({ file, queries: name.includes('bom-crlf') ? DEFAULT_QUERIES.map((query) => [...query, '-d', ';']) : DEFAULT_QUERIES });
  }
  for (let seed = 1; seed <= 10; seed++) {
    const generated = generateCsv(seed, { maxRows: 60, extremeExponents: true });
    const file = join(directory, `generated-${seed}.csv`);
    writeFileSync(file, generated.bytes);
    const dialect = ['-d', String.fromCharCode(generated.delimiter), '--quote', String.fromCharCode(generated.quote), ...(generated.header ? [] : ['--no-header'])];
    all.push({
      file,
      queries: [
        ['count', ...dialect],
        ['stats', ...dialect],
        ['count', '--by', '1', ...dialect],
        ['sum', '-c', '2', '-c', '3', '--by', '1', ...dialect],
        ['stats', '-c', '2', '-c', '3', '--by', '1', '--by', '2', ...dialect],
        ...(generated.header ? [['stats', '--by', '1', ...dialect]] : []),
        ['stats', '--all', ...dialect],
      ],
    });
  }
  // many groups: the table and the arena grow past their first sizes (STATUS_GROUPS_FULL)
  const rows = Array.from({ length: 3000 }, (_, i) => `key ${(i * 7919) % 2500},${i % 3},${i % 11 === 0 ? 'n/a' : (i * 0.25).toString()}\n`);
  const many = join(directory, 'many-groups.csv');
  writeFileSync(many, `k,j,v\n${rows.join('')}`);
  all.push({ file: many, queries: [['count', '--by', 'k'], ['sum', '-c', 'v', '--by', 'k', '--by', 'j'], ['stats', '--by', 'j', '--by', 'k']] });
  return all;
}

/**
 * Larger files for the profile: `id`, more than 100000 distinct numbers (past DISTINCT_EXACT_LIMIT:
 * the estimate); and long quoted values (up to 9000 bytes, numbers of 2000 digits, with
 * doubled quotes, delimiters, line breaks, bytes after the closing quote) that span windows of every
 * size, long numbers among them, values that differ only in their last byte.
 */
function profileFiles(): string[] {
  const random = new SeededRandom(16);
  const estimate = ['id'];
  for (let i = 0; i < 100_500; i++) estimate.push(String((i * 7919) % 100_501));
  const many = join(directory, 'profile-estimate.csv');
  writeFileSync(many, `${estimate.join('\n')}\n`);
  const rows = ['text,number,tail'];
  for (let i = 0; i < 240; i++) {
    const long = i % 12 === 0;
    const body = long ? `${'ab"",\r\nc'.repeat(random.int(200, 900))}${i % 5}` : random.pick(['x', 'y""', 'zz']);
    const number = long ? `"${random.pick(['', '-'])}${'9'.repeat(random.int(1, 4))}.${'0'.repeat(random.int(1000, 2000))}${random.int(1, 9)}"` : String(random.int(-500, 500) / 8);
    rows.push(`"${body}"${i % 4 === 0 ? 'after' : ''},${number},${long ? '"' + 'q'.repeat(random.int(4500, 9000)) + '"' : i % 3}`);
  }
  const quoted = join(directory, 'profile-long-quoted.csv');
  writeFileSync(quoted, `${rows.join('\r\n')}\r\n`);
  return [many, quoted];
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `csvscan QUERY FILE --json`, at most two at a time. */
async function cliOutcomes(runs: { query: string[]; file: string }[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array<Outcome>(runs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < runs.length) {
      const k = next++;
      const [command, ...options] = runs[k]!.query;
      try {
        const { stdout, stderr } = await run(process.execPath, [BIN, command!, runs[k]!.file, ...options, '--json'], { cwd: ROOT });
        outcomes[k] = { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        outcomes[k] = { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    }
  };
  await Promise.all([worker(), worker()]);
  return outcomes;
}

/** The Python host on every argument list, in one process. */
function pythonOutcomes(argvs: string[][]): Outcome[] {
  const batch = spawnSync(PYTHON, [BATCH], { cwd: ROOT, input: JSON.stringify(argvs), encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 });
  if (batch.error) throw batch.error;
  expect(batch.status, batch.stderr).toBe(0);
  return JSON.parse(batch.stdout) as Outcome[];
}

describe('examples/python (the kernel from Python, through wasmtime)', () => {
  it('names the ABI constants of assembly/layout.ts, and imports nothing of csvscan', () => {
    const kernelModule = readFileSync(join(HOST_DIR, 'csvscan_kernel.py'), 'utf8');
    const constants = [...kernelModule.matchAll(/^([A-Z][A-Z0-9_]*) = (-?\d+)$/gm)];
    expect(constants.length).toBeGreaterThan(40);
    const values = new Map(Object.entries(layout as Record<string, number>));
    for (const [, name, value] of constants) expect(values.get(name!), name).toBe(Number(value));
    for (const file of ['csvscan_kernel.py', 'csvscan_host.py']) {
      const text = readFileSync(join(HOST_DIR, file), 'utf8');
      for (const [, module] of text.matchAll(/^(?:from|import) ([\w.]+)/gm)) {
        expect(['argparse', 'json', 'math', 'os', 're', 'sys', 'fractions', 'wasmtime', 'csvscan_kernel'], `${file} imports ${module}`).toContain(module);
      }
    }
  });

  it('prints what csvscan --json prints, at windows 1/7/4096/default, with both kernels', async (context) => {
    if (skipReason) context.skip(`needs python3 with wasmtime: ${skipReason}`);
    const all = cases();
    const queries = all.flatMap(({ file, queries: list }) => list.map((query) => ({ query, file })));
    const cli = await cliOutcomes(queries);
    const argvs: string[][] = [];
    const labels: string[] = [];
    queries.forEach(({ query, file }) => {
      for (const window of WINDOWS) {
        for (const kernel of KERNELS) {
          const [command, ...options] = query;
          argvs.push([command!, file, ...options, '--kernel', kernel, ...(window ? ['--window', window] : [])]);
          labels.push(`${query.join(' ')} ${file} window ${window ?? 'default'} ${kernel}`);
        }
      }
    });
    const python = pythonOutcomes(argvs);
    let compared = 0;
    let errors = 0;
    python.forEach((got, k) => {
      const expected = cli[Math.floor(k / (WINDOWS.length * KERNELS.length))]!;
      const label = labels[k]!;
      expect(got.code, `${label}: ${got.stderr} / csvscan: ${expected.stderr}`).toBe(expected.code);
      if (expected.code === 0) {
        expect(got.stdout, label).toBe(expected.stdout); // byte for byte: numbers printed as JavaScript prints them
      } else if (expected.code === 1) {
        // malformed input: the same message after the program's name (line and byte of the quote)
        expect(got.stderr.replace(/^csvscan_host: /, 'csvscan: '), label).toBe(expected.stderr);
        errors++;
      }
      compared++;
    });
    expect(compared).toBeGreaterThan(2000);
    // the two unterminated files, every query but `stats --by 2 --by 1` on the one whose header is
    // read (both its columns are keys: refused before the scan)
    expect(errors).toBe((2 * DEFAULT_QUERIES.length - 1) * WINDOWS.length * KERNELS.length);
  });

  it('gives the column profile (--all, --distinct, --quantiles) byte for byte on larger files: an estimate past 100000 distinct values, long quoted values', async (context) => {
    if (skipReason) context.skip(`needs python3 with wasmtime: ${skipReason}`);
    const [estimate, quoted] = profileFiles() as [string, string];
    const queries = [estimate, quoted].flatMap((file) => [['stats', '--all'], ['stats', '--distinct'], ['stats', '--quantiles']].map((query) => ({ query, file })));
    const cli = await cliOutcomes(queries);
    // the estimate's column really is past the exact limit; the long values really are long
    const [idColumn] = (JSON.parse(cli[0]!.stdout) as { columns: { distinct: number; distinct_exact: boolean }[] }).columns;
    expect(idColumn!.distinct_exact).toBe(false);
    expect(Math.abs(idColumn!.distinct / 100_500 - 1)).toBeLessThan(0.03);
    const longest = (JSON.parse(cli[3]!.stdout) as { columns: { max_length: number }[] }).columns.map((column) => column.max_length);
    expect(Math.min(...longest)).toBeGreaterThan(1000);
    const argvs: string[][] = [];
    const expected: { outcome: Outcome; label: string }[] = [];
    queries.forEach(({ query, file }, k) => {
      // --all at every window; --distinct and --quantiles alone at 4096 bytes and the default (small
      // windows cost the Python host a wasmtime call per few bytes: they run for --all)
      for (const window of query[1] === '--all' ? WINDOWS : WINDOWS.slice(2)) {
        for (const kernel of KERNELS) {
          argvs.push([query[0]!, file, ...query.slice(1), '--kernel', kernel, ...(window ? ['--window', window] : [])]);
          expected.push({ outcome: cli[k]!, label: `${query.join(' ')} ${file} window ${window ?? 'default'} ${kernel}` });
        }
      }
    });
    const python = pythonOutcomes(argvs);
    python.forEach((got, k) => {
      const { outcome, label } = expected[k]!;
      expect(outcome.code, `csvscan: ${outcome.stderr}`).toBe(0);
      expect(got.code, `${label}: ${got.stderr}`).toBe(0);
      expect(got.stdout, label).toBe(outcome.stdout);
    });
    expect(python.length).toBe(2 * (WINDOWS.length + 2 * (WINDOWS.length - 2)) * KERNELS.length);
  });
});
