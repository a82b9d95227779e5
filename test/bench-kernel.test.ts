// bench/kernel.ts (`npm run bench:kernel`): it prints a row per file, command and engine, and only
// after the engines agreed with each other and with the independent reference; bad options exit 2.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const SCRIPT = join(ROOT, 'build', 'host', 'bench', 'kernel.js');

function runKernelBench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe.skipIf(!existsSync(SCRIPT))('npm run bench:kernel', () => {
  it('prints every file x command x engine, checked, on small generated files', () => {
    const run = runKernelBench(['--size', '1M', '--runs', '1', '--engines', 'wasm,js']);
    expect(run.status, run.stderr).toBe(0);
    const rows = run.stdout.split('\n').filter((line) => /^\| (numeric|mixed)-1m\.csv \|/.test(line));
    expect(rows).toHaveLength(2 * 3 * 2);
    for (const row of rows) {
      const cells = row.split('|').map((cell) => cell.trim());
      expect(['count', 'sum -c price', 'sum -c amount', 'stats']).toContain(cells[2]);
      expect(['wasm', 'js']).toContain(cells[3]);
      expect(Number(cells[4])).toBeGreaterThan(0);
      expect(Number(cells[5])).toBeGreaterThan(0);
      expect(cells[6]).toBe('engines agree, = reference');
    }
  });

  it('refuses unknown options and engines with exit 2', () => {
    expect(runKernelBench(['--nope']).status).toBe(2);
    const engine = runKernelBench(['--engines', 'wasm,fast']);
    expect(engine.status).toBe(2);
    expect(engine.stderr).toMatch(/unknown engine fast/);
  });
});
