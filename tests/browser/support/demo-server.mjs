// What the web demo's browser tests share: the repository paths, the native
// CLI as the reference for ids and models, tools/serve_demo.mjs on a free
// port, and Debian's Chromium.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const cli = `${root}build/release/native/edgepiece`;
export const tokenizerModel = 'models/kjvzh-8k.model';
export const artifacts = `${root}build/test-artifacts`;
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const chromiumFlags = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** The CLI's ids for `text` as one document (stdin, no trailing newline). */
export function cliIds(text, args = [], model = tokenizerModel) {
  const result = spawnSync(cli, ['encode', '--model', model, ...args], {
    cwd: root, input: Buffer.from(text, 'utf8'), encoding: 'utf8', maxBuffer: 1 << 28,
  });
  assert.equal(result.status, 0, `edgepiece encode failed: ${result.stderr}`);
  const line = result.stdout.trim();
  return line === '' ? [] : line.split(/[ ,]/).map(Number);  // a .model's ids: spaces, as spm_encode
}

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
