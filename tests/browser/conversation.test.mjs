// Browser test of the generation playground's conversation in headless
// Chromium: a run cut in two (the state stored in IndexedDB, the page
// reloaded, the state restored, Continue) writes the same text as one
// uninterrupted run, nothing on the page moves while tokens stream, and
// the per-token probabilities add up to the model's score of the text.
//   (cd tests/browser && npm ci) && node --test tests/browser/conversation.test.mjs
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { artifacts, chromiumFlags, chromiumPath, root, startServer } from './support/demo-server.mjs';

let server;
let browser;
let page;
const errors = [];

async function load() {
  await page.goto(server.url);
  await page.waitForSelector('body[data-model-ready="true"]', { timeout: 120_000 });
}

// Sets the fields and clicks `button`; resolves to the output when the run is done.
async function run(button, { prompt, maxTokens, seed }) {
  await page.fill('#prompt', prompt);
  await page.fill('#max-tokens', String(maxTokens));
  await page.fill('#gen-seed', seed === undefined ? '' : String(seed));
  await page.uncheck('#stop-at-eos');
  const saved = Number(await page.evaluate(() => document.body.dataset.conversationSaved ?? 0));
  await page.click(button);
  await page.waitForFunction((n) => Number(document.body.dataset.conversationSaved ?? 0) > n, saved, { timeout: 120_000 });
  assert.match(await page.textContent('#gen-status'), /^Done: \d+ tokens/);
  return page.textContent('#output');
}

before(async () => {
  assert.ok(existsSync(`${root}build/wasm/package/edgepiece.wasm`), 'build the wasm preset first');
  server = await startServer();
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags });
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await load();
});

after(async () => {
  await browser?.close();
  server?.process.kill();
});

test('a conversation continued from its stored state after a reload equals an uninterrupted run', { timeout: 300_000 }, async () => {
  assert.equal(await page.isDisabled('#continue'), true);
  // Nothing moves while tokens stream (shifts right after the click are the user's own).
  await page.evaluate(() => {
    window.shifts = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.shifts += entry.value;
    }).observe({ type: 'layout-shift', buffered: false });
  });
  const whole = await run('#generate', { prompt: 'And God said', maxTokens: 60, seed: 7 });
  assert.equal(await page.evaluate(() => window.shifts), 0, 'layout shift while tokens streamed');

  const first = await run('#generate', { prompt: 'And God said', maxTokens: 25, seed: 7 });
  assert.ok(whole.startsWith(first) && first.length < whole.length, `${first} | ${whole}`);
  await load();
  assert.match(await page.textContent('#gen-status'), /^Restored your conversation/);
  assert.equal(await page.textContent('#output'), first);
  assert.equal(await page.isEnabled('#continue'), true);
  // Continue with no prompt and no seed: the same sampling stream goes on.
  const continued = await run('#continue', { prompt: '', maxTokens: 35 });
  assert.equal(continued, whole);
  assert.equal(await page.textContent('#gen-seed-used'), 'continued');

  // A new prompt in the conversation follows the state; Forget clears it for good.
  const more = await run('#continue', { prompt: ' And', maxTokens: 5 });
  assert.ok(more.startsWith(`${whole} And`) && more.length > whole.length + 4, more);
  // Per-token probabilities: the text as token spans, their -log2 p summing to the model's score.
  await page.click('#probs');
  await page.waitForFunction(() => document.body.dataset.probabilities === 'shown', null, { timeout: 120_000 });
  const spans = await page.$$eval('#output .p-token', (all) => all.map((s) => ({ text: s.textContent, p: Number(s.dataset.p), title: s.title })));
  assert.equal(spans.map((s) => s.text).join(''), more);
  assert.ok(spans.every((s) => s.p > 0 && s.p <= 1 && /^p = \S+ · id \d+/.test(s.title)), JSON.stringify(spans.slice(0, 3)));
  const [, byToken, byScore] = (await page.textContent('#gen-status')).match(/= ([\d.]+) bits by token, ([\d.]+) bits by the model's score/);
  assert.ok(Math.abs(Number(byToken) - Number(byScore)) < 0.05, `${byToken} vs ${byScore}`);
  await page.locator('#output .p-token').nth(3).hover();
  assert.match(await page.textContent('#gen-token-info'), /: p = \S+ · id \d+/);
  await page.locator('#generation-playground').screenshot({ path: `${artifacts}/generation-probabilities.png` });

  await page.click('#forget');
  await page.waitForFunction(() => document.querySelector('#gen-status').textContent === 'Conversation cleared.');
  await load();
  assert.equal(await page.textContent('#output'), '');
  assert.equal(await page.isDisabled('#continue'), true);
  assert.deepEqual(errors, []);
});
