// bench/experiments: probe.ts prints one line per file and command with a digest of the --json
// result, which compare.sh sets side by side for a base and a patched kernel; so the digest must be
// that of the result (here: of the js engine's, which docs/spec.md requires to be the same).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanBytes } from '../src/api.js';
import { generateCsvBytes } from '../src/bench/generate.js';
import type { ScanMode } from '../src/types.js';

const ROOT = join(import.meta.dirname, '..');
const PROBE = join(ROOT, 'build', 'host', 'bench', 'experiments', 'probe.js');
const directory = mkdtempSync(join(tmpdir(), 'csvscan-probe-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe.skipIf(!existsSync(PROBE))('bench/experiments', () => {
  it('probe.js prints ns per record and the digest of each case\'s result', async () => {
    const numeric = join(directory, 'numeric.csv');
    const mixed = join(directory, 'mixed.csv');
    writeFileSync(numeric, generateCsvBytes({ kind: 'numeric', sizeBytes: 256 * 1024 }));
    writeFileSync(mixed, generateCsvBytes({ kind: 'mixed', sizeBytes: 256 * 1024 }));
    const run = spawnSync(process.execPath, [PROBE, '--runs', '1', `${numeric}:price`, `${mixed}:amount`], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => line.split('\t'));
    expect(lines.map(([file, command]) => `${file} ${command}`)).toEqual([
      'numeric.csv count', 'numeric.csv sum -c price', 'numeric.csv stats',
      'mixed.csv count', 'mixed.csv sum -c amount', 'mixed.csv stats',
    ]);
    for (const [file, command, nsPerRecord, digest] of lines) {
      expect(Number(nsPerRecord)).toBeGreaterThan(0);
      const [mode, , column] = command!.split(' ');
      const bytes = readFileSync(join(directory, file!));
      const result = await scanBytes(bytes, { mode: mode as ScanMode, columns: column ? [column] : null, engine: 'js', threads: 1 }, basename(file!));
      expect(digest).toBe(createHash('sha256').update(JSON.stringify(result)).digest('hex').slice(0, 12));
    }
  });

  it('probe.js refuses unknown options and bad arguments with exit 2, compare.sh a missing patch', () => {
    for (const args of [['--nope', '1'], ['--runs', '0', 'f.csv:price'], ['f.csv'], []]) {
      expect(spawnSync(process.execPath, [PROBE, ...args], { encoding: 'utf8' }).status, args.join(' ')).toBe(2);
    }
    const compare = spawnSync('bash', [join(ROOT, 'bench', 'experiments', 'compare.sh'), 'no-such.patch'], { cwd: ROOT, encoding: 'utf8' });
    expect(compare.status).toBe(2);
    expect(compare.stderr).toMatch(/usage/);
  });
});
