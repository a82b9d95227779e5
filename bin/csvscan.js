#!/usr/bin/env node
// CommonJS (bin/package.json), like the CLI's bundle it runs: build/cli, made by `npm run build`
// from tsc's output (rolldown.config.mjs). An ES module entry would cost node its ES module loader.
const { main, processIo, reportUncaughtFailures } = require('../build/cli/main.cjs');

const io = processIo();
reportUncaughtFailures(io);
main(process.argv, io).then((code) => {
  process.exitCode = code;
});
