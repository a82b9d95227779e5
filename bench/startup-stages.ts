// The child processes of bench/startup.ts's stage table. It loads nothing of csvscan's but the
// module bin/csvscan.js takes main() from, so every module of csvscan's it loads is one the CLI loads.
//
//   node build/host/bench/startup-stages.js cli ENTRY_URL BIN_PATH SMALL_FILE
//     stamps (ms since the process started): this script loaded, ENTRY_URL imported, main(--version),
//     the first `count SMALL_FILE` and a second one; prints them as JSON
//   node build/host/bench/startup-stages.js wasm KERNEL.wasm
//     times reading, compiling and instantiating the kernel alone; prints them as JSON

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTTY: boolean;
  debug: boolean;
}

interface CliMain {
  main(argv: string[], io: CliIo): Promise<number>;
}

async function cliStages(entry: string, bin: string, file: string): Promise<Record<string, number>> {
  const stages: Record<string, number> = { 'node started, this script loaded': performance.now() };
  // as bin/csvscan.js loads it: required when it is CommonJS, imported when it is an ES module
  const { main } = (entry.endsWith('.cjs') ? createRequire(import.meta.url)(fileURLToPath(entry)) : await import(entry)) as CliMain;
  stages['CLI modules imported'] = performance.now();
  let out = '';
  const io: CliIo = { stdout: (text) => void (out += text), stderr: (text) => void (out += text), stderrIsTTY: false, debug: false };
  const run = async (label: string, args: string[], expected: RegExp): Promise<void> => {
    out = '';
    const code = await main([process.execPath, bin, ...args], io);
    stages[label] = performance.now();
    if (code !== 0 || !expected.test(out)) throw new Error(`${label}: exit ${code}, printed ${JSON.stringify(out)}`);
  };
  await run('main(--version)', ['--version'], /^\d+\.\d+\.\d+/);
  await run('first count (scan modules, kernel, scan)', ['count', file], /^2\n$/);
  await run('second count (the scan alone)', ['count', file], /^2\n$/);
  return stages;
}

function wasmStages(path: string): Record<string, number> {
  const t0 = performance.now();
  const bytes = readFileSync(path);
  const t1 = performance.now();
  const module = new WebAssembly.Module(bytes);
  const t2 = performance.now();
  new WebAssembly.Instance(module, { env: { parseNumberText: () => 0 } });
  const t3 = performance.now();
  return { 'read the kernel (simd.wasm)': t1 - t0, 'compile it (new WebAssembly.Module)': t2 - t1, 'instantiate it': t3 - t2 };
}

const [what, ...args] = process.argv.slice(2);
const stages = what === 'cli' ? await cliStages(args[0]!, args[1]!, args[2]!) : wasmStages(args[0]!);
process.stdout.write(JSON.stringify(stages));
