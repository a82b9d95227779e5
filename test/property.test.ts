// Property-based differential test: for each seed, a random CSV in a random dialect (quotes,
// CRLF and lone CR, BOM, ragged rows, numbers at the edges of the exact domain) is scanned by every
// engine at random windows, cut into random byte ranges scanned with `range` and merged, and
// scanned by several worker threads over tiny ranges; each answer must be the reference's
// (test/support/property-case.ts). `npm run fuzz` runs the same cases for minutes (README "Testing").
//
// CSVSCAN_PROPERTY_SEEDS=N runs seeds 1..N (default 100).

import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInput } from './support/outcomes.js';
import { describeConfig, findMismatch, pretendCores, propertyCase } from './support/property-case.js';

const SEEDS = Number(process.env.CSVSCAN_PROPERTY_SEEDS ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'csvscan-property-'));
let restoreCores: () => void = () => {};

beforeAll(() => {
  restoreCores = pretendCores(16);
});
afterAll(() => {
  restoreCores();
  rmSync(dir, { recursive: true, force: true });
});

it('cuts files into more ranges than this machine has cores', () => {
  // threads.ts reads node:os's export, as this module does
  expect(availableParallelism()).toBe(16);
});

describe('every engine, window, range split and thread count gives the reference answer', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}`, async () => {
      const testCase = propertyCase(seed);
      const mismatch = await findMismatch(testCase, dir);
      const context = mismatch
        ? `seed ${seed} (npm run fuzz -- --seed ${seed}): ${mismatch.query.mode} -c ${JSON.stringify(mismatch.query.columns)}, ` +
          `${describeConfig(mismatch.config)}\n${describeInput(testCase.input)}`
        : '';
      expect(mismatch?.differences ?? [], context).toEqual([]);
    });
  }
});
