// The command line as a few CommonJS files instead of ~50 ES modules and commander's 7 (`npm run
// build:host`, after tsc). Node resolves, reads, compiles and links the modules of an ES module
// graph one by one, builds an ES module view of every node: module imported (node:fs's touches all
// its lazy members), and an ES module entry starts its ES module loader; together that, not the
// scan, was most of the start-up of `csvscan count` on a small file (bench/RESULTS.md,
// "Start-up"). The input is tsc's output (build/host), so the bundle runs the code the library and
// the tests run. bin/csvscan.js (CommonJS: bin/package.json) requires build/cli/main.cjs, which
// re-exports:
//
//   cli-*.cjs   the CLI and commander: all --help, --version and a usage error load
//   scan-*.cjs  every module a scan of a file loads (what file-scan.js imports statically), loaded
//               by the first scan (src/cli/scan.ts imports file-scan.js when it needs it)
//   *-*.cjs     one chunk per module only some scans load (threads, spills, --range, merge, the JS
//               engine, `csvscan bench`), with the node: modules only they use (node:crypto alone
//               costs ~2.5 ms to load)
//
// CommonJS has no top-level await, and src/kernel/wasm-kernel.ts has one: under Node it awaits
// `import('./kernel-module.js')` (a dynamic import, so that browsers never fetch node: modules). The
// bundle runs only under Node, so `staticKernelLoader` makes that a static import there; the build
// fails, saying so, if that line changes. Worker threads (scan/worker.js, io/gunzip-worker.js) are
// not bundled: their URL beside the bundle does not exist, so they start from build/host.

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

const cli = staticImports('cli/main.js');
// (kernel-module.js: imported statically once staticKernelLoader has run)
const scan = staticImports('file-scan.js', 'kernel/kernel-module.js');

const WASM_KERNEL = resolve(HOST, 'kernel', 'wasm-kernel.js');
const KERNEL_LOADER_AWAIT = "(await import('./kernel-module.js')).loadKernelModule";

/** wasm-kernel.js's top-level `await import('./kernel-module.js')` as a static import. */
const staticKernelLoader = {
  name: 'static-kernel-loader',
  transform(code, id) {
    if (id !== WASM_KERNEL) return null;
    if (code.split(KERNEL_LOADER_AWAIT).length !== 2) {
      this.error(`${id}: expected ${KERNEL_LOADER_AWAIT} once (the top-level await rolldown.config.mjs turns into a static import)`);
    }
    return {
      code: `import { loadKernelModule as loadKernelModuleUnderNode } from './kernel-module.js';\n${code.replace(KERNEL_LOADER_AWAIT, 'loadKernelModuleUnderNode')}`,
      map: null,
    };
  },
};

export default {
  input: { main: resolve(HOST, 'cli', 'main.js') },
  platform: 'node',
  plugins: [staticKernelLoader],
  checks: { circularDependency: true },
  output: {
    dir: 'build/cli',
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
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
