// The command line as one file, build/cli/main.js, instead of ~50 modules and commander's 7
// (`npm run build:host`, after tsc). Node resolves, reads, compiles and links the modules of an ES
// module graph one by one, and that, not the scan, was most of the start-up of `csvscan count` on a
// small file (bench/RESULTS.md, "Start-up").
//
// The input is tsc's output (build/host), so the bundle runs the code the library and the tests
// run. One file, not chunks: src/kernel/wasm-kernel.ts loads kernel-module.ts with a top-level
// await, and a chunk that awaits a dynamic import of a chunk that imports it back never finishes
// evaluating (rolldown's own splitting keeps clear of that, at ~20 chunks for one scan). Worker
// threads (scan/worker.js, io/gunzip-worker.js) are not bundled: their URL beside the bundle does
// not exist, so they start from build/host.

export default {
  input: { main: 'build/host/src/cli/main.js' },
  platform: 'node',
  checks: { circularDependency: true },
  output: {
    dir: 'build/cli',
    format: 'esm',
    cleanDir: true,
    codeSplitting: false,
    // the sources keep the comments; the bundle is parsed at every start
    comments: false,
  },
};
