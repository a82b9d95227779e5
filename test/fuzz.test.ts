// The fuzz runner (`npm run fuzz`, scripts/fuzz.ts) and its shrinker (test/support/shrink.ts).

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/build.js';
import { shrink } from './support/shrink.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const COMMA = 0x2c;

describe('shrink', () => {
  const input = encoder.encode('id,price,qty\n1,2.5,3\n4,NA,6\n"7\nx",8,9\n10,11,12\n');

  it('shrinks to the one byte a failure needs', async () => {
    const fails = (bytes: Uint8Array): boolean => bytes.includes(0x4e); // 'N'
    expect(decoder.decode(await shrink(input, fails, { delimiter: COMMA }))).toBe('N');
  });

  it('keeps what a failure needs across records and fields', async () => {
    // fails while there are two records, the second with a field 'NA'
    const fails = (bytes: Uint8Array): boolean => /\n(.*,)?NA(,|\n|$)/.test(decoder.decode(bytes));
    expect(decoder.decode(await shrink(input, fails, { delimiter: COMMA }))).toBe('\nNA');
  });

  it('drops a column from every record', async () => {
    // fails while some column holds 'b' on one line and '5' on a later one
    const fails = (bytes: Uint8Array): boolean => {
      const lines = decoder.decode(bytes).split('\n').map((line) => line.split(','));
      return lines.some((fields, i) => fields.some((field, column) => field === 'b' && lines.slice(i + 1).some((later) => later[column] === '5')));
    };
    expect(decoder.decode(await shrink(encoder.encode('a,b,c\n1,2,3\n4,5,6\n'), fails, { delimiter: COMMA }))).toBe('b\n5');
  });

  it('returns the input when no smaller one fails, and stops after maxAttempts', async () => {
    expect(decoder.decode(await shrink(input, (bytes) => bytes.length === input.length, { delimiter: COMMA }))).toBe(decoder.decode(input));
    let calls = 0;
    const counted = (bytes: Uint8Array): boolean => {
      calls += 1;
      return bytes.includes(0x4e);
    };
    await shrink(input, counted, { delimiter: COMMA, maxAttempts: 5 });
    expect(calls).toBe(5);
  });
});

describe('npm run fuzz', () => {
  it('runs the seeds asked for and exits 0 when all agree with the reference', () => {
    const run = spawnSync('npm', ['run', '--silent', 'fuzz', '--', '--seed', '1', '--seeds', '3'], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^fuzz: seeds from 1, 3 of them\nfuzz: all 3 seeds agree with the reference \(1\.\.3\) in \d+\.\d s\n$/);
    expect(run.status).toBe(0);
  });

  it('refuses a bad option with exit 2 and its usage', () => {
    // built by the test above
    const run = spawnSync(process.execPath, [join(ROOT, 'build', 'fuzz', 'scripts', 'fuzz.js'), '--seeds', '0'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('fuzz: --seeds must be a positive integer, got 0\n');
    expect(run.status).toBe(2);
  });
});
