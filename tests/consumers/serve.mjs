// A static file server for the consumer tests: serves one folder on 127.0.0.1 through
// tools/serve_demo.mjs's handler with a Content-Security-Policy on every response (pages,
// scripts, workers, .wasm) and collects the violation reports the policy's report-uri sends, so
// a test sees violations in workers too.
import { createServer } from 'node:http';
import { staticHandler } from '../../tools/serve_demo.mjs';

// The policy the package and the demo must run under (issue 15): no inline script, no eval,
// nothing from other origins; WebAssembly compilation allowed.
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const REPORT_PATH = '/__csp-report';

/**
 * Serves `root` with the policy `csp` (plus a report-uri). Resolves to { url, reports, close }:
 * `reports` fills with the parsed violation reports as they arrive.
 */
export function serve(root, csp = STRICT_CSP) {
  const reports = [];
  const policy = `${csp}; report-uri ${REPORT_PATH}`;
  // tools/serve_demo.mjs's file serving, the policy on every response.
  const files = staticHandler(root, { headers: { 'Content-Security-Policy': policy, 'Cache-Control': 'no-store' } });
  const server = createServer((request, response) => {
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
    files(request, response);
  });
  return new Promise((resolveServer) => {
    server.listen(0, '127.0.0.1', () => resolveServer({
      url: `http://127.0.0.1:${server.address().port}/`,
      reports,
      close: () => new Promise((done) => server.close(done)),
    }));
  });
}
