// Grouped scans in memory, several builds side by side: each build's scanBytes() (the wasm engine,
// one thread, the grouped default window) over one file read once, the builds in turn in every round.
// Prints, per case, the best ns per record of each build and a digest of its result (equal digests:
// the same answer). The host's reading of the groups out of the kernel is included, so on a 64 MiB
// file `sum --by date` (10950 groups) carries a fixed cost that a 1 GiB file spreads thinner.
//
//   node bench/experiments/grouped.mjs FILE ROUNDS CHECKOUT... (each CHECKOUT built: build/host/src/api.js)
//   CASES='count --by date,sum amount --by date' node bench/experiments/grouped.mjs ...   (some cases only)

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [file, roundsText, ...checkouts] = process.argv.slice(2);
if (!file || !(Number(roundsText) >= 1) || checkouts.length === 0) {
  console.error('usage: grouped.mjs FILE ROUNDS CHECKOUT...');
  process.exit(2);
}
const bytes = readFileSync(file);
const apis = [];
for (const checkout of checkouts) apis.push(await import(pathToFileURL(resolve(checkout, 'build/host/src/api.js')).href));
const cases = [
  ['count', { mode: 'count' }],
  ['count --by name', { mode: 'count', by: ['name'] }],
  ['count --by date', { mode: 'count', by: ['date'] }],
  ['sum amount', { mode: 'sum', columns: ['amount'] }],
  ['sum amount --by name', { mode: 'sum', columns: ['amount'], by: ['name'] }],
  ['sum amount --by date', { mode: 'sum', columns: ['amount'], by: ['date'] }],
  ['stats', { mode: 'stats' }],
].filter(([label]) => !process.env.CASES || process.env.CASES.split(',').includes(label));
const { rows } = await apis[0].scanBytes(bytes, { mode: 'count', engine: 'js', threads: 1 }, 'file');
const best = cases.map(() => checkouts.map(() => Infinity));
const digests = cases.map(() => checkouts.map(() => ''));
for (let round = 0; round < Number(roundsText); round++) {
  for (let c = 0; c < cases.length; c++) {
    for (let b = 0; b < checkouts.length; b++) {
      const started = performance.now();
      const result = await apis[b].scanBytes(bytes, { engine: 'wasm', threads: 1, ...cases[c][1] }, 'file');
      best[c][b] = Math.min(best[c][b], performance.now() - started);
      digests[c][b] = createHash('sha256').update(JSON.stringify(result)).digest('hex').slice(0, 10);
    }
  }
}
for (let c = 0; c < cases.length; c++) {
  const figures = checkouts.map((_, b) => `${((best[c][b] * 1e6) / rows).toFixed(1).padStart(7)} ns ${digests[c][b]}`);
  console.log(`${cases[c][0].padEnd(22)}${figures.join('  |  ')}`);
}
