// The browser example in a real headless Chromium: serve the package on 127.0.0.1, load
// examples/browser/, choose a generated CSV in the file input, wait for the worker's scan, and
// compare the page's table with `csvscan stats FILE --json`; then choose group-by columns and compare
// the grouped table with `csvscan count FILE --by COLUMN --top 100 --json`. Skipped (with a message) only when no
// Chromium is installed; `.ci/run` installs Debian's.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnResult, ScanResult } from '../src/types.js';
import { serveStatic, type StaticServer } from '../examples/browser/serve.mjs';
import { SeededRandom } from './reference/generate.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
// node.md: without the networking flags Chromium keeps trying hosts this machine cannot reach.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const hasBrowser = existsSync(CHROMIUM);
if (!hasBrowser) console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

/** A CSV of about `rows` records: prices with exact decimals, blanks, NA, quoted text, a ragged row. */
function generatedCsv(rows: number, seed: number): string {
  const random = new SeededRandom(seed);
  const lines = ['id,product,price,qty,discount,note'];
  for (let row = 1; row <= rows; row++) {
    const price = `${random.int(0, 9999)}.${random.digits(2)}`;
    const qty = random.chance(0.01) ? 'NA' : String(random.int(-5, 500));
    const discount = random.chance(0.1) ? '' : `0.${random.digits(random.int(1, 17), true)}`;
    const note = random.chance(0.2) ? `"line one\nline two, ""quoted"""` : `n${row}`;
    lines.push(row === 7 ? `${row},short` : `${row},item ${random.int(1, 99)},${price},${qty},${discount},${note}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The table as the page shows it: one record of cell texts per column row. */
async function readTable(page: Page): Promise<string[][]> {
  return page.$$eval('#stats tbody tr', (rows) =>
    rows.map((row) => Array.from(row.children, (cell) => cell.textContent ?? '')),
  );
}

/** What the page must show for a column of the CLI's JSON (the CLI's text forms). */
function expectedCells(column: ColumnResult): string[] {
  const text = (value: number | string | null): string => (value === null ? '' : String(value));
  return [
    column.name,
    column.type,
    text(column.count),
    text(column.empty),
    text(column.invalid),
    column.sum_text ?? text(column.sum),
    text(column.min),
    text(column.max),
    text(column.mean),
    text(column.stddev),
    text(column.min_length),
    text(column.max_length),
    column.distinct === null ? '' : `${column.distinct_exact ? '' : '~'}${column.distinct}`,
    text(column.q1),
    text(column.median),
    text(column.q3),
    column.first_invalid ? `line ${column.first_invalid.line}: ${column.first_invalid.value}` : '',
  ];
}

/** The grouped table as the page shows it: [key, rows] per group. */
async function readGroups(page: Page): Promise<string[][]> {
  return page.$$eval('#groups tbody tr', (rows) => rows.map((row) => Array.from(row.children, (cell) => cell.textContent ?? '')));
}

describe.skipIf(!hasBrowser)('browser example (headless Chromium)', () => {
  let server: StaticServer;
  let context: BrowserContext;
  const profile = mkdtempSync(join(tmpdir(), 'csvscan-chromium-'));
  const data = mkdtempSync(join(tmpdir(), 'csvscan-browser-'));
  const pageErrors: string[] = [];

  beforeAll(async () => {
    expect(existsSync(join(ROOT, 'build/host/src/browser/index.js')), 'build the host first: npm run build:host').toBe(true);
    server = await serveStatic(ROOT);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  async function openPage(query = ''): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) pageErrors.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    await page.goto(`${server.url}examples/browser/${query}`);
    return page;
  }

  it('scans a chosen CSV in a worker, with progress, and shows the CLI --json numbers', async () => {
    const file = join(data, 'sales.csv');
    writeFileSync(file, generatedCsv(40_000, 1));
    const size = readFileSync(file).length;
    expect(size).toBeGreaterThan(1_500_000);

    const page = await openPage('?window=65536');
    // record every value the progress bar takes
    await page.evaluate(() => {
      const bar = document.getElementById('progress') as HTMLProgressElement;
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => seen.push(bar.value)).observe(bar, { attributes: true, attributeFilter: ['value'] });
    });
    await page.setInputFiles('#file', file);
    await page.waitForFunction(() => document.body.dataset.state === 'done' || document.body.dataset.state === 'error', null, { timeout: 60_000 });
    expect(await page.textContent('#error')).toBe('');
    expect(await page.getAttribute('body', 'data-state')).toBe('done');

    const cli = JSON.parse((await run(process.execPath, [join(ROOT, 'bin/csvscan.js'), 'stats', 'sales.csv', '--all', '--json'], { cwd: data })).stdout) as ScanResult;
    expect(await page.textContent('#summary-file')).toBe(cli.file);
    expect(await page.textContent('#summary-rows')).toBe(String(cli.rows));
    expect(await page.textContent('#summary-bytes')).toBe(String(cli.bytes));
    expect(await page.textContent('#summary-short')).toBe(String(cli.ragged.short));
    expect(await page.textContent('#summary-long')).toBe(String(cli.ragged.long));
    expect(cli.ragged.short).toBe(1);
    expect(await readTable(page)).toEqual(cli.columns!.map(expectedCells));

    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    const [max, value] = await page.$eval('#progress', (bar) => [(bar as HTMLProgressElement).max, (bar as HTMLProgressElement).value]);
    expect(max).toBe(size);
    expect(value).toBe(size);
    expect(new Set(seen).size, 'the bar moved through several values').toBeGreaterThan(5);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));

    // Group by: the chooser lists the header's columns; each choice runs count --by in the worker.
    expect(await page.isVisible('#grouping')).toBe(true);
    expect(await page.$$eval('#group-by option', (options) => options.map((option) => option.textContent))).toEqual([
      'choose a column',
      ...cli.columns!.map((column) => column.name),
    ]);
    // product: 99 keys, all shown; note: tens of thousands, a quoted key with a line break, cut to the top 100
    for (const column of ['product', 'note']) {
      await page.selectOption('#group-by', { label: column });
      await page.waitForFunction(() => document.body.dataset.groups === 'done' || document.body.dataset.groups === 'error', null, { timeout: 60_000 });
      expect(await page.textContent('#group-error')).toBe('');
      const grouped = JSON.parse(
        (await run(process.execPath, [join(ROOT, 'bin/csvscan.js'), 'count', 'sales.csv', '--by', column, '--top', '100', '--json'], { cwd: data, maxBuffer: 1 << 26 }))
          .stdout,
      ) as ScanResult;
      expect(await page.textContent('#group-key')).toBe(column);
      expect(await page.textContent('#group-count')).toBe(String(grouped.group_count));
      expect(await readGroups(page)).toEqual(grouped.groups!.map((group) => [group.key[0], String(group.rows)]));
      if (column === 'product') {
        expect(grouped.group_count).toBeLessThanOrEqual(100);
        expect(await page.textContent('#group-shown')).toBe('');
      } else {
        expect(grouped.group_count).toBeGreaterThan(100);
        expect(grouped.groups![0]!.key[0]).toBe('line one\nline two, "quoted"');
        expect(await page.textContent('#group-shown')).toBe(', the 100 most frequent shown');
      }
      await page.evaluate(() => delete document.body.dataset.groups);
    }
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('shows the CLI error for malformed input, and honours the delimiter and header choices', async () => {
    const broken = join(data, 'broken.csv');
    writeFileSync(broken, 'a,b\n1,2\n3,"never closed\n4,5\n');
    const page = await openPage();
    await page.setInputFiles('#file', broken);
    await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 30_000 });
    const cliError = await run(process.execPath, [join(ROOT, 'bin/csvscan.js'), 'stats', 'broken.csv'], { cwd: data }).then(
      () => null,
      (error: { stderr: string; code: number }) => error,
    );
    expect(cliError?.code).toBe(1);
    expect(`csvscan: ${await page.textContent('#error')}`).toBe(cliError!.stderr.trim());

    const semicolons = join(data, 'semicolons.csv');
    writeFileSync(semicolons, '1;2.5\n3;-0.25\n;x\n');
    await page.selectOption('#delimiter', ';');
    await page.uncheck('#header');
    await page.setInputFiles('#file', semicolons);
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 30_000 });
    const cli = JSON.parse(
      (await run(process.execPath, [join(ROOT, 'bin/csvscan.js'), 'stats', 'semicolons.csv', '-d', ';', '--no-header', '--all', '--json'], { cwd: data })).stdout,
    ) as ScanResult;
    expect(await readTable(page)).toEqual(cli.columns!.map(expectedCells));

    // The chooser lists this file's columns (no header: by index), and groups with its options.
    expect(await page.$$eval('#group-by option', (options) => options.map((option) => option.textContent))).toEqual([
      'choose a column',
      ...cli.columns!.map((column) => column.name),
    ]);
    await page.selectOption('#group-by', '2');
    await page.waitForFunction(() => document.body.dataset.groups === 'done', null, { timeout: 30_000 });
    const grouped = JSON.parse(
      (await run(process.execPath, [join(ROOT, 'bin/csvscan.js'), 'count', 'semicolons.csv', '--by', '2', '-d', ';', '--no-header', '--top', '100', '--json'], { cwd: data }))
        .stdout,
    ) as ScanResult;
    expect(await page.textContent('#group-key')).toBe(grouped.by![0]);
    expect(await page.textContent('#group-count')).toBe('3');
    expect(await readGroups(page)).toEqual(grouped.groups!.map((group) => [group.key[0], String(group.rows)]));
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
