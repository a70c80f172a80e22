// What the Chromium-only browser tests share: tools/serve_demo.mjs on a free
// port and Debian's Chromium (paths and the CLI references: reference.mjs).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { artifacts, cli, root } from './reference.mjs';

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

/**
 * Checks the builds, starts the demo server and Chromium, and opens the demo in a
 * 1100x900 page whose console errors and uncaught exceptions go to `errors` and, if given,
 * every request's URL to `requests`. Resolves to { server, browser, page }.
 */
export async function openDemo({ errors, requests = null }) {
  assert.ok(existsSync(cli), `${cli} missing: build the release preset first`);
  assert.ok(existsSync(`${root}build/wasm/package/edgepiece.wasm`), 'build the wasm preset first');
  mkdirSync(artifacts, { recursive: true });
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags });
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  if (requests) page.on('request', (request) => requests.push(request.url()));
  await page.goto(server.url);
  return { server, browser, page };
}
