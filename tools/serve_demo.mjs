#!/usr/bin/env node
// A tiny static file server for the web demo (web-demo/): serves the
// repository root on 127.0.0.1 so the page can import the npm package as
// built (build/wasm/package) and fetch the bundled models (models/). No
// dependencies, no server logic, GET and HEAD only, no directory listings.
//
//   node tools/serve_demo.mjs [PORT]      (or PORT=...; default 8080, 0 = any free port)
//
// Prints "serving ROOT at http://127.0.0.1:PORT/web-demo/" once listening.
// Imported, it only exports its request handler (staticHandler) and MIME table.
import { createReadStream, realpathSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The Content-Type of each file extension served (anything else: application/octet-stream).
export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/**
 * A request handler for node:http serving the files under `root`: GET and HEAD only, index.html
 * for a folder, no listings, no ".." and no dotfiles (.git). `headers` go on every response
 * (a file's may override its Cache-Control and X-Content-Type-Options); `home`, if given, is
 * where "/" redirects to. The tests reuse it (tests/consumers/serve.mjs).
 */
export function staticHandler(root, { headers = {}, home = null } = {}) {
  root = resolve(root);
  const send = (response, status, text, extra = {}) => {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers, ...extra });
    response.end(text);
  };
  // Maps a URL path to a file under root, or null: no "..", no dotfiles (.git).
  const filePath = (urlPath) => {
    let decoded;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.split('/').some((part) => part.startsWith('.'))) return null;
    const path = resolve(join(root, decoded));
    return path === root || path.startsWith(root + sep) ? path : null;
  };
  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const url = new URL(request.url, 'http://localhost');
    if (home && url.pathname === '/') {
      send(response, 302, `see ${home}\n`, { Location: home });
      return;
    }
    let path = filePath(url.pathname);
    if (!path) {
      send(response, 404, 'not found\n');
      return;
    }
    try {
      let info = await stat(path);
      if (info.isDirectory()) {
        if (!url.pathname.endsWith('/')) {
          send(response, 301, 'moved\n', { Location: `${url.pathname}/${url.search}` });
          return;
        }
        path = join(path, 'index.html');
        info = await stat(path);
      }
      if (!info.isFile()) throw new Error('not a file');
      response.writeHead(200, {
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        ...headers,
        'Content-Type': MIME[extname(path).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': info.size,
      });
      if (request.method === 'HEAD') {
        response.end();
        return;
      }
      createReadStream(path).on('error', () => response.destroy()).pipe(response);
    } catch {
      send(response, 404, 'not found\n');
    }
  };
}

// Run as a script (not imported): serve the repository.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve_demo: bad port "${process.argv[2] ?? process.env.PORT}"`);
    process.exit(2);
  }
  const server = createServer(staticHandler(root, { home: '/web-demo/' }));
  server.listen(port, '127.0.0.1', () => {
    console.log(`serving ${root} at http://127.0.0.1:${server.address().port}/web-demo/`);
  });
}
