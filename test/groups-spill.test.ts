// count --by past --memory (docs/spec.md §10, spilling): groups spilled to temporary files and read
// back give exactly the groups of an unspilled scan and of the reference, in every engine, on
// threads and in --range partials; the temporary directory is left empty after success, an error
// and Ctrl-C; peak memory stays bounded with millions of keys under a small budget.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanFile } from '../src/api.js';
import { ENGINE_NAMES, type ScanOptions, type ScanResult } from '../src/types.js';
import { GroupSpill, closeSpilled, gatherSpilled, orderSpilled } from '../src/scan/spill.js';
import { groupOrder, keyComponents } from '../src/results/groups.js';
import type { RawScan } from '../src/types.js';
import { scanRange, type RangeTask } from '../src/scan/range.js';
import { createEngine, loadEngine } from '../src/kernel/engine.js';
import { referenceGroups } from './reference/reference.js';
import { BIN, csvscan, csvscanWithPeakMemory, expectCleanError } from './support/cli.js';
import { ROOT } from './support/build.js';
import { SeededRandom } from './reference/generate.js';

const dir = mkdtempSync(join(tmpdir(), 'csvscan-spill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A temporary directory of its own for each case: it must be empty afterwards. */
let temps = 0;
function tempDir(): string {
  const path = join(dir, `temp-${++temps}`);
  mkdirSync(path);
  return path;
}

/** `records` records over `distinct` keys (two columns, so that two-component keys spill too), in a scrambled order. */
function keyedCsv(records: number, distinct: number): string {
  const lines = ['k,n,v'];
  for (let i = 0; i < records; i++) {
    const key = (i * 7919) % distinct;
    lines.push(`key${key},${key % 7 === 0 ? '"q,' + (key % 3) + '"' : key % 5},${i}`);
  }
  return `${lines.join('\n')}\n`;
}

/** 3 million records over 2 million distinct keys, written once. */
function bigCsv(): string {
  const path = join(dir, 'big.csv');
  if (!existsSync(path)) writeFileSync(path, keyedCsv(3_000_000, 2_000_000));
  return path;
}

function groupsOf(result: ScanResult): unknown {
  return { rows: result.rows, by: result.by, group_count: result.group_count, groups: result.groups?.map(({ key, rows }) => ({ key, rows })) };
}

describe('count --by: spilling groups past --memory', () => {
  const csv = keyedCsv(120_000, 80_000);
  const path = join(dir, 'keys.csv');
  writeFileSync(path, csv);
  const bytes = new TextEncoder().encode(csv);

  it('gives the unspilled groups and the reference in every engine, on threads, with --top', async () => {
    for (const [by, byIndexes] of [[['k'], [1]], [['n', 'k'], [2, 1]]] as const) {
      const expected = referenceGroups(bytes, { by: [...byIndexes] });
      const unspilled = groupsOf(await scanFile(path, { mode: 'count', by: [...by], memory: 256 * 1024 * 1024, threads: 1 }));
      expect(unspilled).toMatchObject({ group_count: expected.group_count, groups: expected.groups });
      const top = groupsOf(await scanFile(path, { mode: 'count', by: [...by], memory: 256 * 1024 * 1024, threads: 1, top: 25 }));
      for (const engine of ENGINE_NAMES) {
        for (const threads of [1, 2]) {
          const temp = tempDir();
          const options: ScanOptions = { mode: 'count', by: [...by], engine, threads, minBytesPerThread: 1, memory: 64 * 1024, window: 8192, tempDir: temp };
          expect(groupsOf(await scanFile(path, options)), `${engine} ${threads} threads`).toEqual(unspilled);
          expect(groupsOf(await scanFile(path, { ...options, top: 25 })), `${engine} ${threads} threads --top`).toEqual(top);
          expect(readdirSync(temp)).toEqual([]);
        }
      }
    }
  }, 60_000);

  it('spills keys of any bytes as the unspilled scan and the reference give them: empty, zero bytes, invalid and multi-byte UTF-8, quoted, prefixes of each other', async () => {
    // the spilled records escape zero bytes and separate components in their own bytes (src/kernel/group-record.ts)
    const pieces = [Buffer.from(''), Buffer.from([0]), Buffer.from([0, 0]), Buffer.from('a'), Buffer.from([0x61, 0]), Buffer.from([0xff, 0xfe]), Buffer.from('é'), Buffer.from([0xc3]), Buffer.from('"q,"""'), Buffer.from('ab')];
    const random = new SeededRandom(5);
    const lines: Buffer[] = [Buffer.from('k,n\n')];
    for (let i = 0; i < 30_000; i++) {
      const parts = Array.from({ length: random.int(0, 3) }, () => random.pick(pieces));
      const key = Buffer.concat([...parts, Buffer.from(String(random.int(0, 2000)))]);
      const quoted = key.includes(0x22) || key.includes(0x2c);
      lines.push(Buffer.concat([quoted ? Buffer.from(`"${key.toString('latin1').replaceAll('"', '""')}"`, 'latin1') : key, Buffer.from(`,${random.pick(pieces).toString('latin1').replace(/[",]/g, '')}\n`, 'latin1')]));
    }
    const bytes = Buffer.concat(lines);
    const path = join(dir, 'odd-keys.csv');
    writeFileSync(path, bytes);
    for (const [by, byIndexes] of [[['k'], [1]], [['n', 'k'], [2, 1]]] as const) {
      const expected = referenceGroups(bytes, { by: [...byIndexes] });
      const unspilled = groupsOf(await scanFile(path, { mode: 'count', by: [...by], memory: 256 * 1024 * 1024, threads: 1 }));
      expect(unspilled).toMatchObject({ group_count: expected.group_count, groups: expected.groups });
      for (const engine of ENGINE_NAMES) {
        const temp = tempDir();
        const options: ScanOptions = { mode: 'count', by: [...by], engine, threads: 2, minBytesPerThread: 1, memory: 64 * 1024, window: 4096, tempDir: temp };
        expect(groupsOf(await scanFile(path, options)), `${engine} by ${by.join(',')}`).toEqual(unspilled);
        const sums = await scanFile(path, { ...options, mode: 'sum', columns: ['k'] });
        const unspilledSums = await scanFile(path, { ...options, mode: 'sum', columns: ['k'], memory: 256 * 1024 * 1024, tempDir: undefined });
        expect(sums.groups, `${engine} sum by ${by.join(',')}`).toEqual(unspilledSums.groups);
        expect(readdirSync(temp)).toEqual([]);
      }
    }
  }, 60_000);

  it('writes partials with every group of their shard, merged as an unspilled scan', () => {
    const temp = tempDir();
    const small = keyedCsv(40_000, 20_000);
    const path = join(dir, 'small.csv');
    writeFileSync(path, small);
    const whole = csvscan(['count', path, '--by', 'k', '--top', '10', '--json']);
    const half = Math.floor(small.length / 2);
    const shards = [`0:${half}`, `${half}:${small.length}`].map((range, i) => {
      const out = join(dir, `shard-${i}.json`);
      const run = csvscan(['count', path, '--by', 'k', '--range', range, '--memory', '64K', '--window', '8K', '--temp-dir', temp, '--json']);
      expect(run.status, run.stderr).toBe(0);
      writeFileSync(out, run.stdout);
      return out;
    });
    const merged = csvscan(['merge', ...shards, '--top', '10', '--json']);
    expect(merged.status, merged.stderr).toBe(0);
    const strip = (text: string): unknown => {
      const { groups, group_count } = JSON.parse(text) as { groups: unknown; group_count: number };
      return { groups, group_count };
    };
    expect(strip(merged.stdout)).toEqual(strip(whole.stdout));
    expect(readdirSync(temp)).toEqual([]);
  });

  it('leaves the temporary directory empty after an error, and refuses one that is not writable', () => {
    const temp = tempDir();
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, `${csv}key1,"unterminated\n`);
    expectCleanError(csvscan(['count', broken, '--by', 'k', '--memory', '64K', '--window', '8K', '--temp-dir', temp]), 1, /unterminated quote|quote/);
    expect(readdirSync(temp)).toEqual([]);
    expectCleanError(csvscan(['count', path, '--by', 'k', '--temp-dir', join(dir, 'missing')]), 2, /--temp-dir .*missing: not a writable directory/);
  });

  it.runIf(process.platform === 'linux')('opens its files unnamed on Linux: no signal between creating and unlinking one can leave it behind', () => {
    const temp = tempDir();
    const spill = new GroupSpill(temp);
    spill.write(new Map([['a', 1], ['b', 2], ['c', 3]]));
    const spilled = spill.finish()!;
    const fds = spilled.fds.filter((fd) => fd !== -1);
    expect(fds.length).toBeGreaterThan(0);
    for (const fd of fds) {
      // an O_TMPFILE file reads `DIR/#INODE (deleted)`; one created by name and unlinked keeps its name
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      expect(target.startsWith(`${temp}/#`), target).toBe(true);
    }
    closeSpilled([spilled]);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('leaves nothing behind when interrupted (SIGINT, SIGTERM) mid-scan', async () => {
    const big = bigCsv();
    for (const [name, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const temp = tempDir();
      const child = spawn(process.execPath, [BIN, 'count', big, '--by', 'k', '--memory', '64K', '--window', '8K', '--temp-dir', temp, '--threads', '1'], { cwd: ROOT, stdio: 'ignore' });
      // listened for from the start: a scan that ends during the wait below is not waited for forever
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
      // wait until the scan spills (its files are unlinked as soon as they are opened), then interrupt
      await new Promise((resolve) => setTimeout(resolve, 1500));
      child.kill(name);
      const [exit, signal] = await exited;
      // killed by the signal: the shell reports 128 + its number
      expect(exit === code || signal === name, `${name}: exit ${exit} ${signal}`).toBe(true);
      expect(readdirSync(temp)).toEqual([]);
    }
  }, 30_000);

  it('splits a partition larger than the budget again by a second hash, and refuses one that still does not fit', () => {
    const temp = tempDir();
    const expected = new Map<string, number>();
    const spill = new GroupSpill(temp);
    for (let part = 0; part < 3; part++) {
      const groups = new Map<string, number>();
      for (let i = part * 5000; i < part * 5000 + 20_000; i++) groups.set(`key${i}\u0100${i % 3}`, i % 4 + 1);
      for (const [key, records] of groups) expected.set(key, (expected.get(key) ?? 0) + records);
      spill.write(groups);
    }
    const raw = { spilled: [spill.finish()!], groups: new Map([['key1\u01001', 5]]) } as unknown as Parameters<typeof gatherSpilled>[0];
    expected.set('key1\u01001', expected.get('key1\u01001')! + 5);
    const gathered = gatherSpilled(raw, temp, 8 * 4096);
    expect(new Map([...gathered.groups!].sort())).toEqual(new Map([...expected].sort()));
    const again = new GroupSpill(temp);
    again.write(expected);
    const tooSmall = { spilled: [again.finish()!], groups: new Map() } as unknown as Parameters<typeof gatherSpilled>[0];
    expect(() => gatherSpilled(tooSmall, temp, 16)).toThrow(/a partition of the spilled groups \(\d+ bytes on disk\) does not fit in --memory 16: raise --memory/);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('orders spilled groups through sorted runs (merged in passes past 64 runs), read as often as asked, for any --top', () => {
    const temp = tempDir();
    // 30000 keys, some spilled twice (their counts add up), with a zero byte and prefixes of each other
    const expected = new Map<string, number>();
    const parts: Map<string, number>[] = [];
    for (let part = 0; part < 2; part++) {
      const groups = new Map<string, number>();
      for (let i = part * 10_000; i < part * 10_000 + 20_000; i++) {
        const key = `${i % 7 === 0 ? 'k\u0000' : 'k'}${i % 1000}\u0100${i}`;
        groups.set(key, (i % 5) + 1);
      }
      for (const [key, records] of groups) expected.set(key, (expected.get(key) ?? 0) + records);
      parts.push(groups);
    }
    const leftover = new Map([['k1\u0100x', 3]]);
    expected.set('k1\u0100x', 3);
    for (const byRecords of [true, false]) {
      const order = groupOrder(byRecords);
      const sorted = [...expected].sort(order);
      // an eighth of 16 KiB a run: some 150 runs, merged in passes; of 1 MiB: a few, merged at once
      for (const [top, budget] of [[null, 16 * 1024], [10, 16 * 1024], [70_000, 16 * 1024], [null, 1 << 20]] as const) {
        const spill = new GroupSpill(temp);
        for (const groups of parts) spill.write(groups);
        const raw = { spilled: [spill.finish()!], groups: leftover } as unknown as RawScan;
        const ordered = orderSpilled(raw, temp, top, budget, byRecords).ordered!;
        expect(ordered.count).toBe(expected.size);
        const first = [...ordered.entries()];
        expect(first, `byRecords ${byRecords} top ${top}`).toEqual(sorted.slice(0, top ?? sorted.length).map(([key, value]) => [keyComponents(key), value]));
        expect([...ordered.entries()]).toEqual(first);
        ordered.close();
      }
    }
    expect(readdirSync(temp)).toEqual([]);
  });

  it('prints 2 million groups without --top in bounded memory (output streamed, spilled groups merged from sorted runs)', () => {
    const temp = tempDir();
    const big = bigCsv();
    const run = csvscanWithPeakMemory(['count', big, '--by', 'k', '--memory', '16M', '--temp-dir', temp, '--threads', '1', '--csv']);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines.shift()).toBe('k,rows');
    expect(lines.length).toBe(2_000_000);
    let total = 0;
    let previous: [number, string] = [Infinity, ''];
    for (const line of lines) {
      const [key, rows] = [line.slice(0, line.lastIndexOf(',')), Number(line.slice(line.lastIndexOf(',') + 1))];
      total += rows;
      // most records first, ties by key
      expect(rows < previous[0] || (rows === previous[0] && key > previous[1]), line).toBe(true);
      previous = [rows, key];
    }
    expect(total).toBe(3_000_000);
    const top = csvscan(['count', big, '--by', 'k', '--memory', '16M', '--temp-dir', temp, '--threads', '1', '--csv', '--top', '1000']);
    expect(top.stdout).toBe(['k,rows', ...lines.slice(0, 1000), ''].join('\r\n'));
    expect(run.maxRssKiB).toBeLessThan(256 * 1024);
    expect(readdirSync(temp)).toEqual([]);
  }, 120_000);

  it('spills the groups left at the end of a scan when as host objects they would pass half the budget', async () => {
    // 5000 keys: in the kernel's table they fit 1 MiB (nothing spilled mid-scan); as objects (about
    // 384 bytes each, 704 with a column) they would pass half of it, not half of 4 MiB without a column
    const lines = ['k,v'];
    for (let i = 0; i < 5000; i++) lines.push(`key${(i * 7919) % 5000},${i % 10}`);
    const bytes = new TextEncoder().encode(`${lines.join('\n')}\n`);
    const reader = { read: (dst: Uint8Array, position: number): number => {
      const part = bytes.subarray(position, position + dst.length);
      dst.set(part);
      return part.length;
    }, release: () => {} };
    for (const engine of ENGINE_NAMES) {
      await loadEngine(engine);
      for (const [mode, slotFields, memory, spills] of [
        ['count', [], 1 << 20, true],
        ['count', [], 4 << 20, false],
        ['sum', [1], 4 << 20, true],
      ] as const) {
        const temp = tempDir();
        const task: RangeTask = {
          dialect: { delimiter: 44, quote: 34, header: true }, slotFields: [...slotFields], allFields: false, mode, windowSize: 65536, dataStart: 0,
          headerAt: 0, expectedFields: 0, groups: { by: [0], memory, tempDir: temp }, start: 0, stop: -1, startIsRecordStart: true,
        };
        const { raw } = scanRange(reader, createEngine(engine), task, undefined, new GroupSpill(temp));
        const context = `${engine} ${mode} ${memory}`;
        expect(raw.spilled !== undefined, context).toBe(spills);
        expect(raw.groups!.size, context).toBe(spills ? 0 : 5000);
        const ordered = orderSpilled(raw, temp, null, memory, mode === 'count');
        const entries = ordered.ordered ? [...ordered.ordered.entries()] : [...ordered.groups!];
        ordered.ordered?.close();
        expect(entries.length, context).toBe(5000);
        expect(entries.reduce((total, [, value]) => total + (typeof value === 'number' ? value : value.records), 0), context).toBe(5000);
        expect(readdirSync(temp)).toEqual([]);
      }
    }
  });

  it('bounds the whole process by --memory (plus node itself): the threads share it, and a table is given back before its groups are ordered', () => {
    const big = bigCsv();
    let first: string | null = null;
    for (const threads of ['1', '2']) {
      const temp = tempDir();
      const run = csvscanWithPeakMemory(['count', big, '--by', 'k', '--memory', '256M', '--temp-dir', temp, '--threads', threads, '--csv']);
      expect(run.status, run.stderr).toBe(0);
      first ??= run.stdout;
      expect(run.stdout === first, `--threads ${threads}`).toBe(true);
      // before: each thread's table could grow to the whole budget and stayed while the host
      // ordered the groups (370-400 MiB here)
      expect(run.maxRssKiB, `--threads ${threads}`).toBeLessThan((256 + 64) * 1024);
      expect(readdirSync(temp)).toEqual([]);
    }
  }, 120_000);

  it("release() gives a grown table's memory back, and the engine scans again as before", async () => {
    const bytes = new TextEncoder().encode(keyedCsv(60_000, 50_000));
    const reader = { read: (dst: Uint8Array, position: number): number => {
      const part = bytes.subarray(position, position + dst.length);
      dst.set(part);
      return part.length;
    }, release: () => {} };
    const task: RangeTask = {
      dialect: { delimiter: 44, quote: 34, header: true }, slotFields: [2], allFields: false, mode: 'sum', windowSize: 65536, dataStart: 0,
      headerAt: 0, expectedFields: 0, groups: { by: [0], memory: 64 << 20 }, start: 0, stop: -1, startIsRecordStart: true,
    };
    for (const name of ENGINE_NAMES) {
      await loadEngine(name);
      const engine = createEngine(name);
      const first = scanRange(reader, engine, task).raw;
      expect(first.groups!.size, name).toBe(50_000);
      const grown = engine.window(65536).buffer.byteLength;
      engine.release();
      const again = scanRange(reader, engine, task).raw;
      expect(again, name).toEqual(first);
      if (name !== 'js') {
        // a fresh instance: back to a new engine's memory, below the table's
        const fresh = createEngine(name).window(65536).buffer.byteLength;
        expect(grown, name).toBeGreaterThan(fresh);
        engine.release();
        expect(engine.window(65536).buffer.byteLength, name).toBe(fresh);
      }
    }
  });

  it('keeps peak memory bounded with 2 million keys under --memory 16M', () => {
    const temp = tempDir();
    const big = bigCsv();
    const run = csvscanWithPeakMemory(['count', big, '--by', 'k', '--memory', '16M', '--top', '5', '--temp-dir', temp, '--threads', '1', '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { group_count: number }).group_count).toBe(2_000_000);
    expect(run.maxRssKiB).toBeLessThan(200 * 1024);
    expect(readdirSync(temp)).toEqual([]);
  }, 60_000);
});
