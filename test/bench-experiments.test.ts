// bench/experiments: probe.ts prints one line per file and command with a digest of the --json
// result, which compare.sh sets side by side for a base and a patched kernel; so the digest must be
// that of the result (here: of the js engine's, which SPEC.md requires to be the same).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBytes } from '../src/api.js';
import type { ScanMode } from '../src/types.js';

const ROOT = join(import.meta.dirname, '..');
const PROBE = join(ROOT, 'build', 'host', 'bench', 'experiments', 'probe.js');

describe.skipIf(!existsSync(PROBE))('bench/experiments', () => {
  it('probe.js prints ns per record and the digest of each case\'s result', async () => {
    const run = spawnSync(process.execPath, [PROBE, '--size', '768K', '--runs', '1'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => line.split('\t'));
    expect(lines.map(([file, command]) => `${file} ${command}`)).toEqual([
      'numeric-768k.csv count', 'numeric-768k.csv sum -c price', 'numeric-768k.csv stats',
      'mixed-768k.csv count', 'mixed-768k.csv sum -c amount', 'mixed-768k.csv stats',
    ]);
    for (const [file, command, nsPerRecord, digest] of lines) {
      expect(Number(nsPerRecord)).toBeGreaterThan(0);
      const [mode, , column] = command!.split(' ');
      const bytes = readFileSync(join(ROOT, 'bench', 'data', file!));
      const result = await scanBytes(bytes, { mode: mode as ScanMode, columns: column ? [column] : null, engine: 'js', threads: 1 }, basename(file!));
      expect(digest).toBe(createHash('sha256').update(JSON.stringify(result)).digest('hex').slice(0, 12));
    }
  });

  it('probe.js refuses unknown options with exit 2, compare.sh a missing patch', () => {
    expect(spawnSync(process.execPath, [PROBE, '--nope', '1'], { encoding: 'utf8' }).status).toBe(2);
    const compare = spawnSync('bash', [join(ROOT, 'bench', 'experiments', 'compare.sh'), 'no-such.patch'], { cwd: ROOT, encoding: 'utf8' });
    expect(compare.status).toBe(2);
    expect(compare.stderr).toMatch(/usage/);
  });
});
