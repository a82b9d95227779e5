// csvscan as a library: the same scan of one CSV four ways. Run it with
//
//   node examples/library.mjs [FILE.csv]
//
// (after `npm run build`; FILE defaults to examples/prices.csv). Each line it prints is
// `label<TAB>result as JSON`; the four results are the same (but for the name in `file`).

import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CsvscanError, createScanner, scanBytes, scanFile, scanStream } from 'csvscan';

const file = process.argv[2] ?? fileURLToPath(new URL('./prices.csv', import.meta.url));
const options = { mode: 'stats', columns: ['price', 'qty'] };

// 1. A file on disk: mapped and scanned window by window, in constant memory.
const fromFile = await scanFile(file, options);
console.log(`file\t${JSON.stringify(fromFile)}`);

// 2. Bytes already in memory.
const fromBytes = await scanBytes(readFileSync(file), options, file);
console.log(`bytes\t${JSON.stringify(fromBytes)}`);

// 3. Bytes that arrive in pieces of any size (a socket, a fetch body, a zip entry): push them as
//    they come, then finish(). Here: 7-byte pieces.
const scanner = createScanner(options, file);
const whole = readFileSync(file);
for (let at = 0; at < whole.length; at += 7) scanner.push(whole.subarray(at, at + 7));
const fromPieces = scanner.finish();
console.log(`pieces\t${JSON.stringify(fromPieces)}`);

// 4. A stream: a Node Readable, or a web ReadableStream such as `(await fetch(url)).body`.
const fromStream = await scanStream(createReadStream(file, { highWaterMark: 4096 }), options, file);
console.log(`stream\t${JSON.stringify(fromStream)}`);

// Malformed input and bad options throw CsvscanError, whose exitCode is the CLI's (1 or 2).
try {
  await scanBytes(new TextEncoder().encode('a,b\n"1,2\n'), { mode: 'count' }, 'broken.csv');
} catch (error) {
  if (!(error instanceof CsvscanError)) throw error;
  console.log(`error\t${JSON.stringify({ message: error.message, exitCode: error.exitCode })}`);
}
