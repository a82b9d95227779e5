// Installing on a machine without a C/C++ compiler (issue 11 #11): the mmap addon cannot build,
// yet `npm ci` must succeed and csvscan must work, reading files instead of mapping them. Runs the
// real install of the package's tracked files in a temporary directory, with CC and CXX failing.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/build.js';
import { csvscan } from './support/cli.js';

const NPM = join(dirname(process.execPath), 'npm');

let checkout: string;
let install: ReturnType<typeof spawnSync>;
beforeAll(() => {
  checkout = mkdtempSync(join(tmpdir(), 'csvscan-install-'));
  // The working tree's version of every tracked file: what a clone of this commit holds.
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const path of tracked) {
    if (existsSync(join(ROOT, path))) cpSync(join(ROOT, path), join(checkout, path));
  }
  install = spawnSync(existsSync(NPM) ? NPM : 'npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: checkout,
    env: { ...process.env, CC: '/bin/false', CXX: '/bin/false' },
    encoding: 'utf8',
    timeout: 600_000,
  });
}, 660_000);
afterAll(() => rmSync(checkout, { recursive: true, force: true }));

describe('npm ci without a C/C++ compiler', () => {
  it('succeeds, without the optional addon, and says what that means', () => {
    expect(install.status, `${install.stdout}${install.stderr}`).toBe(0);
    expect(existsSync(join(checkout, 'node_modules', '@riaskov', 'mmap-io'))).toBe(false);
    expect(`${install.stdout}${install.stderr}`).toMatch(/patch-mmap-io: csvscan will read files instead of mapping them/);
  });

  it('gives a working csvscan that reads files, notes why once, and refuses --io mmap clearly', () => {
    const bin = join(checkout, 'bin', 'csvscan.js');
    const stats = spawnSync(process.execPath, [bin, 'stats', 'examples/prices.csv', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(stats.stdout).toBe(csvscan(['stats', 'examples/prices.csv', '--json']).stdout);
    expect(stats.stderr).toBe('csvscan: note: reading files instead of mapping them: the optional addon @riaskov/mmap-io is not installed (it needs a C/C++ compiler to build)\n');
    expect(stats.status).toBe(0);

    // large enough for two threads: the workers read too
    const large = join(checkout, 'large.csv');
    writeFileSync(large, `a,b\n${'1,2.5\n'.repeat(2_000_000)}`);
    const threaded = spawnSync(process.execPath, [bin, 'sum', large, '-c', 'b', '--threads', '2'], { cwd: ROOT, encoding: 'utf8' });
    expect(threaded.stdout).toBe('b\t5000000\n');
    expect(threaded.status).toBe(0);

    const read = spawnSync(process.execPath, [bin, 'count', 'examples/prices.csv', '--io', 'read'], { cwd: ROOT, encoding: 'utf8' });
    expect(read.stderr).toBe('');
    expect(read.stdout).toBe(csvscan(['count', 'examples/prices.csv']).stdout);

    const mapped = spawnSync(process.execPath, [bin, 'count', 'examples/prices.csv', '--io', 'mmap'], { cwd: ROOT, encoding: 'utf8' });
    expect(mapped.stderr).toMatch(/^csvscan: --io mmap is not available: .*; use --io read\n$/);
    expect(mapped.status).toBe(2);
  });
});
