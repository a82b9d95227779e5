#!/usr/bin/env node
import { main, reportUncaughtFailures } from '../build/host/src/cli/main.js';
import { processIo } from '../build/host/src/cli/io.js';

const io = processIo();
reportUncaughtFailures(io);
main(process.argv, io).then((code) => {
  process.exitCode = code;
});
