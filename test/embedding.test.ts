// Embedding csvscan: the streaming scanner against scanBytes, the kernel built from a compiled
// module, the kernel ABI document against assembly/layout.ts, and the runnable examples
// (examples/library.mjs, examples/bare-wasm.mjs) against the CLI.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import * as layout from '../assembly/layout.js';
import { createScanner, CsvscanError, scanBytes, scanStream, type ScanOptions, type ScanResult } from '../src/index.js';
import { loadKernelModule } from '../src/kernel/kernel-module.js';
import { registerKernelModule, WasmKernel } from '../src/kernel/wasm-kernel.js';
import { ENGINE_NAMES, type EngineName } from '../src/types.js';
import { generateCsv, generateUnterminated, SeededRandom } from './reference/generate.js';
import { KERNEL_WINDOWS } from './support/windows.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'csvscan.js');
const NAME = 'stream.csv';
const WINDOWS = KERNEL_WINDOWS;
const SEEDS = 60;

const ENGINES: readonly EngineName[] = ENGINE_NAMES;

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Cut `bytes` into pieces: 1-byte runs, tiny, medium and larger-than-window pieces, mixed. */
function randomChunks(bytes: Uint8Array, random: SeededRandom): Uint8Array[] {
  const style = random.int(0, 3);
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    let size: number;
    if (style === 0) size = 1;
    else if (style === 1) size = random.int(1, 5);
    else if (style === 2) size = random.int(1, 200);
    else size = random.pick([1, 2, random.int(3, 40), random.int(100, 5000)]);
    if (random.chance(0.05)) chunks.push(new Uint8Array(0)); // empty pushes are allowed
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

type Outcome = { result: ScanResult } | { error: { message: string; exitCode: number } };

async function outcome(scan: () => Promise<ScanResult> | ScanResult): Promise<Outcome> {
  try {
    return { result: await scan() };
  } catch (error) {
    if (!(error instanceof CsvscanError)) throw error;
    return { error: { message: error.message, exitCode: error.exitCode } };
  }
}

function pushAll(chunks: Uint8Array[], options: ScanOptions): ScanResult {
  const scanner = createScanner(options, NAME);
  for (const chunk of chunks) scanner.push(chunk);
  return scanner.finish();
}

describe('createScanner', () => {
  it('has the engines to compare', () => {
    expect(ENGINES).toContain('wasm');
    expect(ENGINES).toContain('wasm-scalar');
  });

  it('equals scanBytes on the concatenation, over random chunkings, windows and engines', async () => {
    let compared = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const generated = generateCsv(seed, { maxRows: 40 });
      const random = new SeededRandom(seed * 31 + 7);
      const names = generated.columnNames ?? [];
      const pickColumn = (): string => (names.length > 0 && random.chance(0.5) ? random.pick(names) : String(random.int(1, generated.width)));
      const queries: Pick<ScanOptions, 'mode' | 'columns'>[] = [
        { mode: 'count' },
        { mode: 'stats' },
        { mode: 'sum', columns: [pickColumn(), pickColumn()] },
      ];
      for (const query of queries) {
        const base: ScanOptions = { ...query, header: generated.header, delimiter: generated.delimiter, quote: generated.quote };
        for (const engine of ENGINES) {
          const window = WINDOWS[(seed + compared) % WINDOWS.length];
          const options: ScanOptions = { ...base, engine, ...(window === undefined ? {} : { window }) };
          // the same engine and window: this compares the feeding, not the engines
          const expected = await outcome(() => scanBytes(generated.bytes, options, NAME));
          const chunks = randomChunks(generated.bytes, random);
          const got = await outcome(() => pushAll(chunks, options));
          expect(got, `seed ${seed} ${query.mode} ${engine} window ${window}`).toEqual(expected);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThanOrEqual(SEEDS * 3 * 2);
  });

  it('reports an unterminated quote exactly as scanBytes does', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const generated = generateUnterminated(seed);
      for (const engine of ENGINES) {
        const options: ScanOptions = { mode: 'stats', header: generated.header, delimiter: generated.delimiter, quote: generated.quote, engine, window: 5 };
        const expected = await outcome(() => scanBytes(generated.bytes, options, NAME));
        expect('error' in expected && expected.error.exitCode).toBe(1);
        const got = await outcome(() => pushAll(randomChunks(generated.bytes, new SeededRandom(seed)), options));
        expect(got, `seed ${seed} ${engine}`).toEqual(expected);
      }
    }
  });

  it('handles a BOM split across pushes, a long quoted header, and input that ends inside the header', async () => {
    const longName = 'x'.repeat(70_000);
    const cases = [
      '\xef\xbb\xbfa,b\r\n1,2\r\n3,4',
      `"${longName}","multi\nline ""name"""\n1,2\n,x\n`,
      '\n\r\n\na,b\n1,2\n',
      'a,b',
      '',
      '\xef\xbb',
      '"a\n',
    ];
    for (const text of cases) {
      const bytes = Uint8Array.from(text, (char) => char.charCodeAt(0) & 0xff);
      for (const header of [true, false]) {
        for (const mode of ['count', 'stats'] as const) {
          const options: ScanOptions = { mode, header, window: 16 };
          const expected = await outcome(() => scanBytes(bytes, options, NAME));
          for (const size of [1, 2, 3, 1000, 100_000]) {
            const chunks: Uint8Array[] = [];
            for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.slice(at, at + size));
            expect(await outcome(() => pushAll(chunks, options)), `${JSON.stringify(text.slice(0, 20))} ${mode} header ${header} size ${size}`).toEqual(expected);
          }
        }
      }
    }
  });

  it('throws option errors like scanBytes, and cannot be used after finish or an error', async () => {
    const bytes = encode('a,b\n1,2\n');
    const unknown: ScanOptions = { mode: 'sum', columns: ['nope'] };
    const expected = await outcome(() => scanBytes(bytes, unknown, NAME));
    if (!('error' in expected)) throw new Error('scanBytes accepted an unknown column');
    expect(expected.error.exitCode).toBe(2);
    const failing = createScanner(unknown, NAME);
    expect(() => failing.push(bytes)).toThrow(CsvscanError);
    expect(() => failing.finish()).toThrow(expected.error.message);

    expect(() => createScanner({ mode: 'count', window: 0 })).toThrow(CsvscanError);
    expect(() => createScanner({ mode: 'count', range: [0, 10] })).toThrow(CsvscanError);

    const scanner = createScanner({ mode: 'count' });
    scanner.push(bytes);
    expect(scanner.finish().rows).toBe(1);
    expect(() => scanner.push(bytes)).toThrow(/finished/);
  });

  it('copies pushed bytes, so a caller may reuse its buffer', () => {
    const scanner = createScanner({ mode: 'sum', columns: ['v'], window: 4 });
    const buffer = new Uint8Array(3);
    for (const byte of encode('v\n1\n2\n3\n')) {
      buffer.fill(0);
      buffer[0] = byte;
      scanner.push(buffer.subarray(0, 1));
    }
    expect(scanner.finish().columns?.[0]?.sum_text).toBe('6');
  });

  it('reports progress with the bytes received and an unknown total', () => {
    const calls: [number, number | null][] = [];
    const scanner = createScanner({ mode: 'count', onProgress: (done, total) => calls.push([done, total]) });
    scanner.push(encode('a\n1\n'));
    scanner.push(encode('2\n'));
    scanner.finish();
    expect(calls.at(-1)).toEqual([6, null]);
  });

  it('scans web ReadableStreams and async iterables (scanStream)', async () => {
    const bytes = encode('x,y\n1.5,2\n2.25,\n');
    const expected = await scanBytes(bytes, { mode: 'stats' }, NAME);
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 5));
        controller.enqueue(bytes.subarray(5));
        controller.close();
      },
    });
    expect(await scanStream(web, { mode: 'stats' }, NAME)).toEqual(expected);
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (const byte of bytes) yield Uint8Array.of(byte);
    }
    expect(await scanStream(pieces(), { mode: 'stats' }, NAME)).toEqual(expected);
  });
});

describe('WasmKernel from a compiled module', () => {
  it('scans the same with a module handed to it as with a variant name', async () => {
    const bytes = encode('p,q\n1.10,x\n2.20,3\n');
    const expected = await scanBytes(bytes, { mode: 'stats', engine: 'wasm' }, NAME);
    const module = loadKernelModule('simd');
    const kernel = new WasmKernel(module);
    const window = kernel.window(8);
    // twice with one instance: reset() starts a scan afresh (docs/kernel-abi.md says so)
    for (let round = 0; round < 2; round++) {
      kernel.configure({
        dialect: { delimiter: 0x2c, quote: 0x22, header: true },
        slotFields: [0, 1],
        allFields: false,
        mode: 'stats',
        startOffset: 0,
        stopOffset: -1,
        midFile: false,
      });
      for (let at = 0; at < bytes.length; at += window.length) {
        const piece = bytes.subarray(at, at + window.length);
        window.set(piece);
        kernel.scan(piece.length);
      }
      kernel.finish();
      const raw = kernel.results();
      expect(raw.records).toBe(expected.rows);
      expect(raw.columns[0]!.exactSum).toBe(330n * 10n ** 33n);
      expect(raw.columns[1]!.invalid).toBe(1);
    }
    // registering the same module keeps createEngine('wasm') working as before
    registerKernelModule('simd', module);
    expect(await scanBytes(bytes, { mode: 'stats', engine: 'wasm' }, NAME)).toEqual(expected);
  });

  it('refuses a module that is not a csvscan kernel', () => {
    const empty = new WebAssembly.Module(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0));
    expect(() => new WasmKernel(empty)).toThrow(/layout/);
  });

  it('loads in a module graph without Node APIs (the browser entry, its worker, the stream scanner)', () => {
    // Static imports only: dynamic ones (the Node kernel loader, worker threads) run under Node alone.
    const visited = new Set<string>();
    const visit = (file: string): void => {
      if (visited.has(file)) return;
      visited.add(file);
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(text, file).not.toMatch(/\brequire\(/);
      for (const match of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)) {
        if (match[1]) continue; // erased by tsc
        const specifier = match[2]!;
        expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\.?\//);
        visit(join(file, '..', specifier.replace(/\.js$/, '.ts')));
      }
    };
    for (const entry of ['src/browser/index.ts', 'src/browser/worker.ts', 'src/stream.ts']) visit(entry);
    expect([...visited]).toEqual(expect.arrayContaining(['src/scan/run.ts', 'src/kernel/wasm-kernel.ts', 'assembly/layout.ts']));
  });
});

/** `csvscan ARGS --json` parsed. */
async function cliJson(...args: string[]): Promise<ScanResult> {
  const { stdout } = await run(process.execPath, [CLI, ...args, '--json'], { cwd: ROOT });
  return JSON.parse(stdout) as ScanResult;
}

describe('examples/library.mjs', () => {
  it('prints the same result four ways, equal to the CLI, and a CsvscanError', async () => {
    expect(existsSync(join(ROOT, 'build/host/src/stream.js')), 'build the host first: npm run build:host').toBe(true);
    const { stdout } = await run(process.execPath, ['examples/library.mjs', 'examples/prices.csv'], { cwd: ROOT });
    const lines = new Map(stdout.trim().split('\n').map((line) => line.split('\t') as [string, string]));
    expect([...lines.keys()]).toEqual(['file', 'bytes', 'pieces', 'stream', 'error']);
    const cli = await cliJson('stats', 'examples/prices.csv', '-c', 'price', '-c', 'qty');
    for (const label of ['file', 'bytes', 'pieces', 'stream']) expect(JSON.parse(lines.get(label)!), label).toEqual(cli);
    expect(JSON.parse(lines.get('error')!)).toEqual({ message: 'broken.csv: line 2 (byte 4): quoted field never closed', exitCode: 1 });
  });
});

// ---- docs/kernel-abi.md and examples/bare-wasm.mjs against assembly/layout.ts --------------------

const LAYOUT_SOURCE = join(ROOT, 'assembly', 'layout.ts');
const ABI_DOC = join(ROOT, 'docs', 'kernel-abi.md');
const TABLE_BEGIN = '<!-- layout-constants:begin -->';
const TABLE_END = '<!-- layout-constants:end -->';
/** Upper-case names in the doc that are not constants: regions, and the variable that rewrites the table. */
const NOT_CONSTANTS = new Set(['NUMBER_TEXT', 'COLUMN_MAP', 'CSVSCAN_WRITE_ABI_DOC']);
const layoutValues = new Map(Object.entries(layout as Record<string, number>));

/** The doc's constant table, from layout.ts's `export const NAME = VALUE; // note` lines. */
function constantsTable(): string {
  const rows = ['| constant | value | note |', '| --- | --- | --- |'];
  for (const line of readFileSync(LAYOUT_SOURCE, 'utf8').split('\n')) {
    const match = /^export const ([A-Z][A-Z0-9_]*) = (-?\d+);\s*(?:\/\/\s*(.*))?$/.exec(line);
    if (match) rows.push(`| \`${match[1]}\` | ${match[2]} | ${(match[3] ?? '').replaceAll('|', '\\|').trim()} |`);
  }
  return rows.join('\n');
}

describe('docs/kernel-abi.md', () => {
  const doc = (): string => readFileSync(ABI_DOC, 'utf8');

  it('has the constant table of assembly/layout.ts', () => {
    const table = constantsTable();
    if (process.env.CSVSCAN_WRITE_ABI_DOC === '1') {
      const text = doc();
      const [before, rest] = text.split(TABLE_BEGIN) as [string, string];
      writeFileSync(ABI_DOC, `${before}${TABLE_BEGIN}\n${table}\n${TABLE_END}${rest.split(TABLE_END)[1]}`);
    }
    const text = doc();
    const begin = text.indexOf(TABLE_BEGIN);
    const end = text.indexOf(TABLE_END);
    expect(begin).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(begin);
    const documented = text.slice(begin + TABLE_BEGIN.length, end).trim();
    expect(documented, 'regenerate: CSVSCAN_WRITE_ABI_DOC=1 npx vitest run test/embedding.test.ts').toBe(table);
    // every constant layout.ts exports is in the table, with its value
    for (const [name, value] of layoutValues) expect(documented).toContain(`| \`${name}\` | ${value} |`);
  });

  it('names only constants that layout.ts defines, with their values', () => {
    const text = doc();
    const names = new Set(text.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g) ?? []);
    expect(names.size).toBeGreaterThan(40);
    for (const name of names) {
      if (!NOT_CONSTANTS.has(name)) expect(layoutValues.has(name), `${name} is not in assembly/layout.ts`).toBe(true);
    }
    for (const match of text.matchAll(/`?\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`?\s*=\s*(-?\d+)\b/g)) {
      if (!NOT_CONSTANTS.has(match[1]!)) expect(layoutValues.get(match[1]!), `${match[1]} = ${match[2]}`).toBe(Number(match[2]));
    }
  });

  it('is right that the module starts with room for a default window', () => {
    const instance = new WebAssembly.Instance(loadKernelModule('simd'), { env: { parseNumberText: () => 0 } });
    const memory = instance.exports['memory'] as WebAssembly.Memory;
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(layout.WINDOW_OFFSET + layout.DEFAULT_WINDOW + layout.WINDOW_SLACK);
    expect(Object.keys(instance.exports).sort()).toEqual(['_start', 'clearGroups', 'finish', 'layoutVersion', 'memory', 'reset', 'scan']);
  });
});

describe('examples/bare-wasm.mjs', () => {
  const example = join(ROOT, 'examples', 'bare-wasm.mjs');
  const directory = mkdtempSync(join(tmpdir(), 'csvscan-bare-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('uses no csvscan code, and the ABI constants of layout.ts', () => {
    const text = readFileSync(example, 'utf8');
    for (const match of text.matchAll(/^import .* from '([^']+)';$/gm)) expect(match[1], 'only node: imports').toMatch(/^node:/);
    const constants = [...text.matchAll(/^const ([A-Z][A-Z0-9_]*) = (-?\d+);/gm)];
    expect(constants.length).toBeGreaterThan(20);
    for (const [, name, value] of constants) expect(layoutValues.get(name!), name).toBe(Number(value));
  });

  /**
   * The example's `rows`, `count` and `sum` lines, the same from `csvscan sum --json`, and whether
   * that sum is exact (sum_text not null).
   */
  async function both(file: string, column: string): Promise<[Record<string, string>, Record<string, string>, boolean]> {
    const { stdout } = await run(process.execPath, [example, file, column], { cwd: ROOT });
    const printed = Object.fromEntries(stdout.trim().split('\n').map((line) => line.split('\t') as [string, string]));
    const cli = await cliJson('sum', file, '-c', column);
    const result = cli.columns![0]!;
    return [
      printed,
      { rows: String(cli.rows), count: String(result.count), sum: result.sum_text ?? String(result.sum) },
      result.sum_text !== null,
    ];
  }

  it('prints the rows, count and exact sum the CLI prints for examples/prices.csv', async () => {
    for (const column of ['price', 'qty', 'discount', '3']) {
      const [printed, cli] = await both('examples/prices.csv', column);
      expect(printed, column).toEqual(cli);
    }
    expect((await both('examples/prices.csv', 'price'))[0]).toEqual({ rows: '20', count: '19', sum: '230.12' });
  });

  it('agrees with the CLI on generated CSVs: BOM, CRLF, quotes across windows, exact and inexact sums', async () => {
    const exactness = new Set<boolean>();
    for (let seed = 1; seed <= 6; seed++) {
      const random = new SeededRandom(seed);
      const values = [
        () => `${random.chance(0.5) ? '-' : ''}${random.int(0, 99999)}.${random.digits(random.int(1, 6))}`,
        () => `"${random.int(0, 999)}.5"`,
        () => `"multi\nline ${random.int(0, 9)}"`,
        () => `${random.digits(18, true)}`,
        () => `0.${random.digits(17, true)}`,
        () => ` ${random.int(1, 9)}e${random.int(-5, 5)} `,
        () => random.pick(['', 'NA', '""', '"1,5"']),
        () => (seed % 3 === 0 ? '1e30' : '7'),
      ];
      let text = seed % 2 === 0 ? '\ufeff' : '';
      const lineEnd = seed % 2 === 0 ? '\r\n' : '\n';
      text += `id,amount,note${lineEnd}`;
      for (let row = 0; row < 200; row++) text += `${row},${random.pick(values)()},x${lineEnd}`;
      const file = join(directory, `generated-${seed}.csv`);
      writeFileSync(file, text);
      const [printed, cli, exact] = await both(file, 'amount');
      // outside the exact domain too: the example follows docs/kernel-abi.md's recipe to the bit
      expect(printed, `seed ${seed}`).toEqual(cli);
      exactness.add(exact);
    }
    expect([...exactness].sort()).toEqual([false, true]);
  });

  it('follows the doc for sums past the double range (issue 16): 1e308, -1e308, 1e308 is 1e308', async () => {
    const sums = ['1e308\n-1e308\n1e308', '1e308\n1e308\n-5e307', '1e308\n1e308', '1e999\n-1e999', '1e-320\n1\n-1', '0.1\n1e30\n-1e30\n0.2'];
    for (const [k, values] of sums.entries()) {
      const file = join(directory, `beyond-${k}.csv`);
      writeFileSync(file, `amount\n${values}\n`);
      const [printed, cli] = await both(file, 'amount');
      expect(printed, values).toEqual(cli);
    }
    expect((await both(join(directory, 'beyond-0.csv'), 'amount'))[0].sum).toBe('1e+308');
  });
});
