// What the Chromium-only browser tests share: the demo opened in Debian's Chromium
// through playwright-core (server and flags: browsers.mjs; CLI references: reference.mjs).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { ENGINES, chromiumFlags, startServer } from './browsers.mjs';
import { artifacts, cli, root } from './reference.mjs';

export { artifacts, cli, cliIds, root, tokenizerModel } from './reference.mjs';
export { chromiumFlags, startServer } from './browsers.mjs';
export const chromiumPath = ENGINES.chromium.executable;

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
