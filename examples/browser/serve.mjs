// A tiny static server for the browser example, on 127.0.0.1, read-only. It serves the page
// (examples/browser/) and the built files the page loads (the host modules, the kernel layout and
// the kernels under build/), nothing else: no sources, no node_modules, no dot-files. Any other
// request gets 404, a malformed one 400; request text never goes into a response header, and no
// request can stop the server.
//
//   npm run build && node examples/browser/serve.mjs      then open the URL it prints
//
// The browser test imports serveStatic() from here; test/serve.test.ts runs it as a child process.

import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, STATUS_CODES } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The page's URL; app.js is loaded relative to it, so the directory's slash is needed. */
const PAGE_URL = '/examples/browser/';

/** The page's directory and its own files: exact URL paths, each to its file there. */
const PAGE_DIRECTORY = 'examples/browser/';
const PAGE_FILES = new Map([
  [PAGE_URL, 'index.html'],
  [`${PAGE_URL}index.html`, 'index.html'],
  [`${PAGE_URL}app.js`, 'app.js'],
]);

/**
 * Build directories the page loads from (app.js imports build/host/src/browser/index.js, which
 * imports its modules, the kernel layout in build/host/assembly/, and fetches build/kernel/*.wasm).
 * Their URL path and their directory are the same relative to the package root.
 */
const BUILD_DIRECTORIES = ['build/host/src/', 'build/host/assembly/', 'build/kernel/'];

/** Fixed redirects to the page: the Location is always one of these constants. */
const REDIRECTS = new Map([
  ['/', PAGE_URL],
  [PAGE_URL.slice(0, -1), PAGE_URL],
]);

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Longer request targets are refused: the page's longest path is under 100 bytes. */
const MAX_TARGET_LENGTH = 2048;
/** A directory or file name under a build directory: no dot-files, no `.` or `..`, no separators. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** NUL and other control characters, and backslashes, are in no file name of the page. */
const FORBIDDEN = /[\p{Cc}\\]/u;

/**
 * What to answer to `method target`: { status: 200, directory, file } (both relative to the package
 * root: the file inside the directory it is allowed from), { status: 301, location } with a
 * constant location, or { status } for a refusal.
 */
function route(method, target) {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405 };
  if (typeof target !== 'string' || !target.startsWith('/') || target.length > MAX_TARGET_LENGTH) return { status: 400 };
  let path;
  try {
    path = decodeURIComponent(target.split(/[?#]/, 1)[0]);
  } catch {
    return { status: 400 }; // bad percent-encoding
  }
  if (FORBIDDEN.test(path)) return { status: 400 };
  const location = REDIRECTS.get(path);
  if (location) return { status: 301, location };
  const page = PAGE_FILES.get(path);
  if (page) return { status: 200, directory: PAGE_DIRECTORY, file: page };
  return builtFile(path) ?? { status: 404 };
}

/** `path` as a file of a build directory the page loads from, or null. */
function builtFile(path) {
  const relative = path.slice(1);
  const directory = BUILD_DIRECTORIES.find((prefix) => relative.startsWith(prefix));
  if (!directory) return null;
  const file = relative.slice(directory.length);
  if (!file.split('/').every((name) => NAME.test(name)) || !Object.hasOwn(CONTENT_TYPES, extname(file))) return null;
  return { status: 200, directory, file };
}

/**
 * The real path and size of `file` when it is a regular file inside `directory` (under `root`),
 * symbolic links resolved; else null.
 */
function servedFile(root, directory, file) {
  try {
    const home = realpathSync(resolve(root, directory));
    const real = realpathSync(resolve(home, file));
    if (!real.startsWith(home + sep)) return null;
    const stat = statSync(real);
    return stat.isFile() ? { real, size: stat.size } : null;
  } catch {
    return null; // missing (e.g. not built yet) or unreadable
  }
}

/** An answer without a file: a constant body, constant headers. */
function answer(response, status, headers = {}) {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  response.end(`${status} ${STATUS_CODES[status]}\n`);
}

function handle(root, request, response) {
  const decision = route(request.method, request.url);
  if (decision.status === 405) return answer(response, 405, { allow: 'GET, HEAD' });
  if (decision.status === 301) return answer(response, 301, { location: decision.location });
  if (decision.status !== 200) return answer(response, decision.status);
  const found = servedFile(root, decision.directory, decision.file);
  if (!found) return answer(response, 404);
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(decision.file)],
    'content-length': found.size,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (request.method === 'HEAD') return response.end();
  // a file that vanishes or a client that leaves mid-way only ends this response
  pipeline(createReadStream(found.real), response, () => {});
}

/** Serve the browser example of the package at `root` on host:port (port 0: any free one). Resolves to { url, close() }. */
export function serveStatic(root, { host = '127.0.0.1', port = 0 } = {}) {
  const base = resolve(root);
  const server = createServer((request, response) => {
    try {
      handle(base, request, response);
    } catch {
      // a bug here must not end the server for every other request
      if (response.headersSent) response.destroy();
      else answer(response, 500);
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolvePromise({
        url: `http://${host}:${address.port}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const port = Number(process.env.PORT ?? 8080);
  const { url } = await serveStatic(root, { port });
  console.log(`csvscan browser example: ${url}${PAGE_URL.slice(1)}`);
}
