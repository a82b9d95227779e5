// The browser example's server (examples/browser/serve.mjs, issue 11: defect 10), run as users run
// it (`node examples/browser/serve.mjs`, a child process on a free port) and sent hostile requests
// over a raw socket, byte for byte as written here: it must answer each with a 4xx status, never
// redirect off-site, never put request text in a header, never die, and serve only the page and the
// built files the page loads. No browser needed (test/browser.test.ts drives the page in Chromium).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/build.js';


interface Response {
  /** null: the connection closed without a response */
  status: number | null;
  headers: Record<string, string>;
  body: Buffer;
}

let server: ChildProcess;
let port: number;
let serverOutput = '';

/** Start `node examples/browser/serve.mjs` on a free port; resolves once it prints its URL. */
function startServer(): Promise<void> {
  server = spawn(process.execPath, [join(ROOT, 'examples', 'browser', 'serve.mjs')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server printed no URL: ${serverOutput}`)), 30_000);
    const onOutput = (chunk: Buffer): void => {
      serverOutput += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/examples\/browser\//.exec(serverOutput);
      if (match) {
        clearTimeout(timer);
        port = Number(match[1]);
        resolve();
      }
    };
    server.stdout!.on('data', onOutput);
    server.stderr!.on('data', onOutput);
    server.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening: ${serverOutput}`));
    });
  });
}

/** One request, its target sent exactly as given (no URL normalisation, as a hostile client would). */
function request(target: string, method = 'GET'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(20_000, () => socket.destroy(new Error(`no answer to ${method} ${target.slice(0, 80)}`)));
    // written, not ended: the server closes the connection after its answer (Connection: close)
    socket.on('connect', () => socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // the server may close a connection it refuses (e.g. an oversized request line) before reading it all
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(parse(Buffer.concat(chunks)));
      else reject(error);
    });
    socket.on('close', () => resolve(parse(Buffer.concat(chunks))));
  });
}

function parse(raw: Buffer): Response {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: null, headers: {}, body: Buffer.alloc(0) };
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)?.[1] ?? NaN), headers, body: raw.subarray(end + 4) };
}

/** The server is still running and still serves the page. */
async function expectServing(): Promise<void> {
  expect(server.exitCode, `the server exited: ${serverOutput}`).toBeNull();
  expect(server.signalCode).toBeNull();
  const page = await request('/examples/browser/');
  expect(page.status).toBe(200);
}

/** No header of the answer sends the browser elsewhere, nor carries the request's text. */
function expectNoRedirect(response: Response): void {
  expect(response.headers['location']).toBeUndefined();
  expect(response.status === null || response.status < 300 || response.status >= 400).toBe(true);
}

beforeAll(async () => {
  expect(existsSync(join(ROOT, 'build', 'kernel', 'simd.wasm')), 'build the kernel first: npm run build').toBe(true);
  await startServer();
}, 180_000);

afterAll(() => {
  server?.kill();
});

const LONG = 'a'.repeat(5_000);
const HUGE = 'a'.repeat(100_000);

/** [target, status]: requests that must be refused. */
const HOSTILE: [string, number][] = [
  // (defect 10) the decoded path went into a Location header: ERR_INVALID_CHAR killed the server
  ['/%E4%B8%AD%2F..%2Fsrc', 404],
  ['/%E4%B8%AD/', 404],
  // (defect 10) an open redirect to //evil.example/../src/
  ['/%2Fevil.example%2F..%2Fsrc', 404],
  ['//evil.example/..%2Fsrc', 404],
  ['/%5Cevil.example%2F..%2Fsrc', 400],
  ['/\\evil.example/', 400],
  // traversal, however spelled
  ['/examples/browser/../../package.json', 404],
  ['/examples/browser/%2e%2e/%2e%2e/package.json', 404],
  ['/examples/browser/..%2F..%2Fpackage.json', 404],
  ['/build/host/src/../../../package.json', 404],
  ['/build/host/src/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json', 404],
  ['/build/kernel/..%5C..%5Cpackage.json', 400],
  ['/build/kernel/%2e%2e/%2e%2e/src/api.ts', 404],
  ['/..%2f..%2f..%2f..%2fetc%2fpasswd', 404],
  ['/build/host/src/./api.js', 404],
  // files the page does not need: sources, dependencies, the repository, the server itself
  ['/src/api.ts', 404],
  ['/node_modules/vitest/package.json', 404],
  ['/package.json', 404],
  ['/.git/HEAD', 404],
  ['/.git/config', 404],
  ['/README.md', 404],
  ['/examples/browser/serve.mjs', 404],
  ['/examples/library.mjs', 404],
  ['/build/host/src/api.js.map', 404],
  ['/build/host/src/api.d.ts', 404],
  ['/build/host/bench/run.js', 404],
  ['/build/host/src/', 404],
  ['/build/', 404],
  ['/build/kernel/simd.wasm/', 404],
  // encoded NUL and control bytes, bad percent-encoding
  ['/examples/browser/app.js%00', 400],
  ['/build/kernel/simd.wasm%00.html', 400],
  ['/examples/browser/%0d%0aSet-Cookie:%20x=1', 400],
  ['/%E4%B8', 400],
  ['/%zz', 400],
  ['/%', 400],
  // not a path
  ['http://evil.example/examples/browser/', 400],
  ['*', 400],
  // very long paths
  [`/${LONG}`, 400],
  [`/examples/browser/${LONG}%2F..%2F`, 400],
];

describe('the browser example server refuses what is not the page (issue 11: defect 10)', () => {
  const named = HOSTILE.map(([target, status]) => [target.length > 100 ? `${target.slice(0, 40)}... (${target.length} bytes)` : target, target, status] as const);
  it.each(named)('GET %s', async (_name, target, status) => {
    const response = await request(target);
    expect(response.status).toBe(status);
    expectNoRedirect(response);
    expect(response.body.toString('latin1')).not.toContain('"name": "csvscan"');
    await expectServing();
  });

  it('survives a request line larger than Node accepts, raw non-ASCII bytes and other methods', async () => {
    const huge = await request(`/${HUGE}`);
    expect(huge.status === null || (huge.status >= 400 && huge.status < 500)).toBe(true);
    expectNoRedirect(huge);
    await expectServing();

    const raw = await request('/\u4e2d/../src');
    expect(raw.status === null || (raw.status >= 400 && raw.status < 500)).toBe(true);
    expectNoRedirect(raw);
    await expectServing();

    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const response = await request('/examples/browser/', method);
      expect(response.status).toBe(405);
      expect(response.headers['allow']).toBe('GET, HEAD');
    }
    await expectServing();
  });

  it('redirects only to the page, by a fixed same-site path', async () => {
    for (const target of ['/', '/examples/browser', '/examples/browser?window=1']) {
      const response = await request(target);
      expect(response.status).toBe(301);
      expect(response.headers['location']).toBe('/examples/browser/');
    }
  });
});

/** Relative module specifiers of a JavaScript module (static and dynamic imports, re-exports). */
function relativeImports(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]!);
  return [...new Set(specifiers)];
}

describe('the browser example server still serves the page and every file it loads', () => {
  it('serves the page, its script, every module they import, the worker and both kernels', async () => {
    const page = await request('/examples/browser/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body.toString()).toBe(readFileSync(join(ROOT, 'examples', 'browser', 'index.html'), 'utf8'));
    expect((await request('/examples/browser/index.html')).status).toBe(200);
    expect((await request('/examples/browser/?window=65536')).status).toBe(200);

    // every module reachable from the page's script and from the worker (src/browser/index.ts starts it)
    const pending = ['/examples/browser/app.js', '/build/host/src/browser/worker.js'];
    const served = new Set<string>();
    while (pending.length > 0) {
      const path = pending.pop()!;
      if (served.has(path)) continue;
      const response = await request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers['content-type'], path).toBe('text/javascript; charset=utf-8');
      expect(Number(response.headers['content-length']), path).toBe(response.body.length);
      served.add(path);
      for (const specifier of relativeImports(response.body.toString())) pending.push(new URL(specifier, `http://host${path}`).pathname);
    }
    expect(served).toContain('/build/host/src/browser/index.js');
    expect(served).toContain('/build/host/assembly/layout.js');
    expect(served.size).toBeGreaterThan(10);

    for (const kernel of ['simd', 'scalar']) {
      const path = `/build/kernel/${kernel}.wasm`;
      const response = await request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers['content-type']).toBe('application/wasm');
      expect(response.body.equals(readFileSync(join(ROOT, 'build', 'kernel', `${kernel}.wasm`)))).toBe(true);
    }
    const head = await request('/build/kernel/simd.wasm', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    await expectServing();
  });
});
