// The command line as a few files instead of ~50 ES modules and commander's 7 (`npm run build:host`,
// after tsc): node resolves, reads, compiles and links the modules of an ES module graph one by
// one, and that, not the scan, was most of the start-up of `csvscan count` on a small file
// (bench/RESULTS.md, "Start-up"). The input is tsc's output (build/host), so the bundle runs the
// code the library and the tests run. bin/csvscan.js imports build/cli/main.js, which re-exports:
//
//   cli-*.js   the CLI and commander: all --help, --version and a usage error load
//   scan-*.js  every module a scan of a file loads (what file-scan.js imports statically), loaded
//              by the first scan (src/cli/scan.ts imports file-scan.js when it needs it)
//   *-*.js     one chunk per module only some scans load (threads, spills, --range, merge, the JS
//              engine, `csvscan bench`), with the node: modules only they use (node:crypto alone
//              costs ~2.5 ms to import)
//
// wasm-kernel.js (scan) loads kernel-module.js with a top-level await. Were kernel-module.js in a
// chunk that imports the scan chunk back, that await would never end and csvscan would exit without
// a word; so it and what it imports are in the cli chunk, evaluated before any scan starts.
// Worker threads (scan/worker.js, io/gunzip-worker.js) are not bundled: their URL beside the bundle
// does not exist, so they start from build/host.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST = resolve(dirname(fileURLToPath(import.meta.url)), 'build', 'host', 'src');

/** The modules the `entries` reach through static imports and re-exports (relative ones: ours). */
function staticImports(...entries) {
  const reached = new Set();
  const visit = (file) => {
    if (reached.has(file)) return;
    reached.add(file);
    // tsc writes one statement a line: `import ... from './x.js';`, `export ... from './x.js';`, `import './x.js';`
    for (const [, from, bare] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)'|^import\s+'(\.{1,2}\/[^']+)'/gm)) {
      visit(resolve(dirname(file), from ?? bare));
    }
  };
  for (const entry of entries) visit(resolve(HOST, entry));
  return reached;
}

const cli = staticImports('cli/main.js', 'kernel/kernel-module.js');
const scan = staticImports('file-scan.js');

export default {
  input: { main: resolve(HOST, 'cli', 'main.js') },
  platform: 'node',
  checks: { circularDependency: true },
  output: {
    dir: 'build/cli',
    format: 'esm',
    cleanDir: true,
    // the sources keep the comments; the bundle is parsed at every start
    comments: false,
    codeSplitting: {
      groups: [
        { name: 'cli', test: (id) => cli.has(id) || /node_modules|rolldown[\\/]runtime/.test(id), priority: 2 },
        { name: 'scan', test: (id) => scan.has(id) && !cli.has(id), priority: 1 },
      ],
    },
  },
};
