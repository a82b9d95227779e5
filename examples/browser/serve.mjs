// A tiny static file server for the browser example: serves a directory (default: the package root)
// on 127.0.0.1, read-only, with the content types browsers need for ES modules and WebAssembly.
//
//   npm run build && node examples/browser/serve.mjs      then open the URL it prints
//
// The browser test imports serveStatic() from here.

import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serve `root` on host:port (port 0: any free one). Resolves to { url, close() }. */
export function serveStatic(root, { host = '127.0.0.1', port = 0 } = {}) {
  const base = resolve(root);
  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    let file = resolve(join(base, path));
    // nothing outside the served directory, however the path is spelled, and no dot-files (.git)
    if ((file !== base && !file.startsWith(base + sep)) || file.slice(base.length).split(sep).some((part) => part.startsWith('.'))) {
      response.writeHead(403).end();
      return;
    }
    let stat = statOrNull(file);
    if (stat?.isDirectory()) {
      if (!path.endsWith('/')) {
        response.writeHead(301, { location: `${path}/` }).end();
        return;
      }
      file = join(file, 'index.html');
      stat = statOrNull(file);
    }
    if (!stat?.isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': stat.size,
      'cache-control': 'no-store',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
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

function statOrNull(path) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const port = Number(process.env.PORT ?? 8080);
  const { url } = await serveStatic(root, { port });
  console.log(`csvscan browser example: ${url}examples/browser/`);
}
