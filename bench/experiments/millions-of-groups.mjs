// Millions of groups, every one written out: csvscan `count --by id --csv` and `sum -c amount --by id
// --csv` next to DuckDB and polars writing the same groups with their own CSV writers (DuckDB's COPY
// ... TO, polars' writeCSV), each tool a process of its own timed by /usr/bin/time, 2 threads each.
// The peers' runners of `npm run bench:peers` hand every group to JavaScript as objects: with
// millions of groups that conversion, not the peer, is what they measure (and sum by id runs out of
// node's heap there). The outputs are compared before any time is printed: count byte for byte (the
// same order: most records first, ties by key), sum by key with the sums as numbers.
//
// Usage: node bench/experiments/millions-of-groups.mjs FILE [--key id] [--column amount] [--threads 2]
// (FILE: bench/data/mixed-1g.csv, written by `npm run bench:peers -- --size 1G`). Peers come from the
// devDependencies (bench/README.md, "polars" for its binary).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { key: { type: 'string', default: 'id' }, column: { type: 'string', default: 'amount' }, threads: { type: 'string', default: '2' } },
});
const [file] = positionals;
if (!file) throw new Error('usage: node bench/experiments/millions-of-groups.mjs FILE [--key id] [--column amount] [--threads 2]');
const { key, column, threads } = values;
const root = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'csvscan-groups-'));

const sql = (text) => `'${text.replaceAll("'", "''")}'`;
const ident = (text) => `"${text.replaceAll('"', '""')}"`;

// each peer as a script of its own, run in a child process (its memory is its own)
const duckdbScript = join(work, 'duckdb.mjs');
writeFileSync(
  duckdbScript,
  `import { createRequire } from 'node:module';
const { DuckDBInstance } = await import(createRequire(${JSON.stringify(join(root, 'package.json'))}).resolve('@duckdb/node-api'));
const [mode, out] = process.argv.slice(2);
const connection = await (await DuckDBInstance.create(':memory:')).connect();
await connection.run('SET threads = ${Number(threads)}');
const source = (serial) => \`read_csv(${sql(file).replaceAll('`', '\\`')}, header = true, types = {${sql(key)}: 'VARCHAR'}\${serial ? ', parallel = false' : ''})\`;
const query = (serial) => mode === 'count'
  ? \`COPY (SELECT ${ident(key)}, count(*) AS n FROM \${source(serial)} GROUP BY ALL ORDER BY n DESC, ${ident(key)}) TO '\${out}' (HEADER)\`
  : \`COPY (SELECT ${ident(key)}, count(*) AS n, sum(${ident(column)}) AS s FROM \${source(serial)} GROUP BY ALL ORDER BY ${ident(key)}) TO '\${out}' (HEADER)\`;
// DuckDB's parallel reader refuses files with quoted line breaks and asks for parallel = false
try { await connection.run(query(false)); } catch (error) { if (!/parallel = false/.test(String(error.message))) throw error; await connection.run(query(true)); }
`,
);
const polarsScript = join(work, 'polars.mjs');
writeFileSync(
  polarsScript,
  `import { createRequire } from 'node:module';
process.env.POLARS_MAX_THREADS = '${Number(threads)}';
const pl = createRequire(${JSON.stringify(join(root, 'package.json'))})('nodejs-polars');
const [mode, out] = process.argv.slice(2);
const options = { hasHeader: true, missingUtf8IsEmptyString: true };
const schema = { ...pl.scanCSV(${JSON.stringify(file)}, options).head(0).collectSync().schema, ${JSON.stringify(key)}: pl.String };
const frame = pl.scanCSV(${JSON.stringify(file)}, { ...options, schema }).groupBy(${JSON.stringify(key)});
const query = mode === 'count'
  ? frame.agg(pl.len().alias('rows')).sort(['rows', ${JSON.stringify(key)}], [true, false])
  : frame.agg(pl.len().alias('rows'), pl.col(${JSON.stringify(column)}).sum().alias('s')).sort(${JSON.stringify(key)});
query.collectSync({ engine: 'streaming' }).writeCSV(out);
`,
);

const tools = {
  csvscan: (mode, out) => [
    'sh', ['-c', `node ${join(root, 'bin/csvscan.js')} ${mode === 'count' ? 'count' : `sum -c ${column}`} ${file} --by ${key} --threads ${threads} --csv > ${out}`],
  ],
  duckdb: (mode, out) => ['node', [duckdbScript, mode, out]],
  polars: (mode, out) => ['node', [polarsScript, mode, out]],
};

/** One tool's run: seconds and peak RSS from /usr/bin/time; its output file. */
function run(tool, mode) {
  const out = join(work, `${tool}-${mode}.csv`);
  const [command, args] = tools[tool](mode, out);
  const timeFile = join(work, 'time');
  execFileSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %M', command, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const [seconds, kib] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number);
  return { tool, mode, seconds, mib: kib / 1024, out };
}

/** The output's rows as [key, rows, sum?] (CRLF or LF, no quoting in these keys). */
function rowsOf(path) {
  const lines = readFileSync(path, 'latin1').split(/\r?\n/);
  lines.shift();
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function agreement(reference, other, mode) {
  const a = rowsOf(reference);
  const b = rowsOf(other);
  if (a.length !== b.length) return `${b.length} groups, csvscan ${a.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const [ka, ra, sa] = a[i].split(',');
    const [kb, rb, sb] = b[i].split(',');
    if (mode === 'count' || ka !== kb || ra !== rb || Number(sa) !== Number(sb)) return `differs at group ${i + 1}: ${b[i]} (csvscan ${a[i]})`;
  }
  return mode === 'count' ? 'identical' : 'same keys, rows and sums';
}

const results = [];
try {
  for (const mode of ['count', 'sum']) {
    const runs = ['csvscan', 'duckdb', 'polars'].map((tool) => run(tool, mode));
    for (const r of runs) r.agreement = r.tool === 'csvscan' ? 'reference' : agreement(runs[0].out, r.out, mode);
    results.push(...runs);
    for (const r of runs) rmSync(r.out);
  }
  if (results.some((r) => !['reference', 'identical', 'same keys, rows and sums'].includes(r.agreement))) {
    for (const r of results) console.log(`${r.tool} ${r.mode}: ${r.agreement}`);
    throw new Error('the tools disagree: no times printed');
  }
  console.log(`| tool | case | time | peak RSS | agreement |\n| --- | --- | --: | --: | --- |`);
  for (const r of results) {
    const what = r.mode === 'count' ? `count --by ${key}` : `sum ${column} --by ${key}`;
    console.log(`| ${r.tool} | ${what} | ${r.seconds.toFixed(2)} s | ${r.mib.toFixed(0)} MiB | ${r.agreement} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
