// Differential test: the product against the reference implementation (test/reference) on seeded
// random CSVs. Each case runs over many window sizes, so a record, a field, a quote or a CRLF split
// across windows must give the same answer as when it is whole.
//
// CSVSCAN_DIFF_SEEDS=N runs seeds 1..N (default 200).

import { describe, expect, it } from 'vitest';
import { ENGINE_NAMES, type EngineName } from '../src/types.js';
import { generateCsv, generateUnterminated } from './reference/generate.js';
import {
  asJson,
  describeInput,
  outcomeDifferences,
  productOutcome,
  scanInput,
  queriesFor,
  referenceOutcome,
  type Input,
  type Outcome,
  type Query,
} from './support/outcomes.js';
import { KERNEL_WINDOWS } from './support/windows.js';

const SEEDS = Number(process.env.CSVSCAN_DIFF_SEEDS ?? 200);
const UNTERMINATED_SEEDS = Math.max(1, Math.floor(SEEDS / 4));
const WINDOWS = KERNEL_WINDOWS;

/** Engines to compare: all of them. */
const ENGINES = ENGINE_NAMES;

function scanOutcome(input: Input, query: Query, window: number | undefined, engine: EngineName): Promise<Outcome> {
  return productOutcome(() => scanInput(input, query, engine, window));
}

describe(`product (${ENGINES.join(', ')}) matches the reference on generated CSVs`, () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}`, async () => {
      const generated = generateCsv(seed);
      for (const query of queriesFor(generated, seed)) {
        const expected = referenceOutcome(generated, query);
        for (const engine of ENGINES) {
          let firstJson: string | undefined;
          for (const window of WINDOWS) {
            const asked = `${query.mode} -c ${JSON.stringify(query.columns)}`;
            const context = `seed ${seed} ${engine} ${asked} window ${window ?? 'default'}\n${describeInput(generated)}`;
            const actual = await scanOutcome(generated, query, window, engine);
            // (a) every window size (and engine) gives the same JSON, byte for byte
            const json = asJson(actual);
            firstJson ??= json;
            expect(json, context).toBe(firstJson);
            // (b) and it is the reference's answer
            expect(outcomeDifferences(actual, expected), context).toEqual([]);
          }
        }
      }
    });
  }
});

describe('product reports unterminated quotes like the reference', () => {
  for (let seed = 1; seed <= UNTERMINATED_SEEDS; seed++) {
    it(`seed ${seed}`, async () => {
      const generated = generateUnterminated(seed);
      const expected: Outcome = { malformed: generated.expected };
      for (const query of [
        { mode: 'count', columns: null },
        { mode: 'stats', columns: null },
      ] satisfies Query[]) {
        expect(referenceOutcome(generated, query)).toEqual(expected);
        for (const engine of ENGINES) {
          for (const window of WINDOWS) {
            const context = `seed ${seed} ${engine} ${query.mode} window ${window ?? 'default'}\n${describeInput(generated)}`;
            expect(await scanOutcome(generated, query, window, engine), context).toEqual(expected);
          }
        }
      }
    });
  }
});

describe('regressions', () => {
  // Numbers outside the exact domain were summed as deviations from the first of them, and
  // x - first loses what is small next to 1e18: 5e-19, -1e18 and 1e18 summed to 1.5e-18, or to 0
  // in another order (found by the fuzzer, seed 34).
  it('sum and mean outside the exact domain keep a small value beside huge ones, in any order', async () => {
    for (const text of ['x\n0.5e-18\n-1e18\n1e18\n', 'x\n-1e18\n1e18\n0.5e-18\n', 'x\n1e18\n0.5e-18\n-1e18\n']) {
      const input: Input = { bytes: new TextEncoder().encode(text), header: true, delimiter: 0x2c, quote: 0x22 };
      const query: Query = { mode: 'stats', columns: null };
      const expected = referenceOutcome(input, query);
      expect('result' in expected && expected.result.columns![0]!.sum).toBe(5e-19);
      for (const engine of ENGINES) {
        expect(outcomeDifferences(await scanOutcome(input, query, undefined, engine), expected), `${engine} ${JSON.stringify(text)}`).toEqual([]);
      }
    }
  });

  // Outside the exact domain a variance from (sum of squares - sum^2/n) in doubles cancels
  // catastrophically for large, close values: 1e19 and 1e19 + 4096 have stddev 2896.309...
  it('stddev of large, close values outside the exact domain', async () => {
    const generated: Input = {
      bytes: new TextEncoder().encode('x\n10000000000000000000\n10000000000000004096\n'),
      header: true,
      delimiter: 0x2c,
      quote: 0x22,
    };
    const query: Query = { mode: 'stats', columns: null };
    const actual = await scanOutcome(generated, query, undefined, 'wasm');
    expect(outcomeDifferences(actual, referenceOutcome(generated, query)), 'cancellation').toEqual([]);
  });
});
