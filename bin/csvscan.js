#!/usr/bin/env node
// The CLI's bundle (build/cli, made by `npm run build` from tsc's output: rolldown.config.mjs).
import { main, processIo, reportUncaughtFailures } from '../build/cli/main.js';

const io = processIo();
reportUncaughtFailures(io);
main(process.argv, io).then((code) => {
  process.exitCode = code;
});
