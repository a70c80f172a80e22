// A static file server for the consumer tests: serves one folder on 127.0.0.1 with a
// Content-Security-Policy on every response (pages, scripts, workers, .wasm) and collects the
// violation reports the policy's report-uri sends, so a test sees violations in workers too.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

// The policy the package and the demo must run under (issue 15): no inline script, no eval,
// nothing from other origins; WebAssembly compilation allowed.
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const REPORT_PATH = '/__csp-report';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * Serves `root` with the policy `csp` (plus a report-uri). Resolves to { url, reports, close }:
 * `reports` fills with the parsed violation reports as they arrive.
 */
export function serve(root, csp = STRICT_CSP) {
  root = resolve(root);
  const reports = [];
  const policy = `${csp}; report-uri ${REPORT_PATH}`;
  const server = createServer(async (request, response) => {
    const url = new URL(request.url, 'http://localhost');
    if (request.method === 'POST' && url.pathname === REPORT_PATH) {
      let body = '';
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => {
        try {
          reports.push(JSON.parse(body)['csp-report'] ?? JSON.parse(body));
        } catch {
          reports.push({ unparsed: body });
        }
        response.writeHead(204).end();
      });
      return;
    }
    if (url.pathname === '/favicon.ico') {  // what a browser asks every page for: none, no error
      response.writeHead(204, { 'Content-Security-Policy': policy }).end();
      return;
    }
    let path = resolve(join(root, decodeURIComponent(url.pathname)));
    if (path !== root && !path.startsWith(root + sep)) path = null;
    try {
      if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
      const { size } = await stat(path);
      response.writeHead(200, {
        'Content-Type': MIME[extname(path)] ?? 'application/octet-stream',
        'Content-Length': size,
        'Content-Security-Policy': policy,
        'Cache-Control': 'no-store',
      });
      createReadStream(path).pipe(response);
    } catch {
      response.writeHead(404, { 'Content-Security-Policy': policy }).end('not found\n');
    }
  });
  return new Promise((resolveServer) => {
    server.listen(0, '127.0.0.1', () => resolveServer({
      url: `http://127.0.0.1:${server.address().port}/`,
      reports,
      close: () => new Promise((done) => server.close(done)),
    }));
  });
}
