#!/usr/bin/env node
import { main } from '../build/host/src/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
