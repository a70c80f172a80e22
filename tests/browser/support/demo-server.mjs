// What the Chromium-only browser tests share: tools/serve_demo.mjs on a free
// port and Debian's Chromium (paths and the CLI references: reference.mjs).
import { spawn } from 'node:child_process';
import { root } from './reference.mjs';

export { artifacts, cli, cliIds, root, tokenizerModel } from './reference.mjs';
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const chromiumFlags = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** Starts tools/serve_demo.mjs on a free port; resolves to { process, url }. */
export function startServer() {
  const server = spawn(process.execPath, [`${root}tools/serve_demo.mjs`, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/(http:\/\/127\.0\.0\.1:\d+\/web-demo\/)/);
      if (match) resolve({ process: server, url: match[1] });
    });
    server.once('exit', (code) => reject(new Error(`serve_demo exited with ${code}`)));
  });
}
