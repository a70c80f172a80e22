// Browser test of the generation playground's conversation in headless
// Chromium: a run cut in two (the state stored in IndexedDB, the page
// reloaded, the state restored, Continue) writes the same text as one
// uninterrupted run, nothing on the page moves while tokens stream, and
// each generated token's probability (kept across the reload) is the
// model's own, given everything before it.
//   (cd tests/browser && npm ci) && node --test tests/browser/conversation.test.mjs
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
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
  // Per-token probabilities: every generated token a span with the probability the model gave
  // it while writing (the ids it generated, the first turn's restored from the stored state),
  // equal to the model's own log2 softmax given the whole sequence before it.
  await page.locator('#output .p-token').nth(3).hover();
  assert.match(await page.textContent('#gen-token-info'), /: p = \S+ · id \d+/);
  await page.click('#probs');
  await page.waitForFunction(() => document.body.dataset.probabilities === 'shown', null, { timeout: 120_000 });
  assert.equal(await page.getAttribute('#probs', 'aria-pressed'), 'true');
  const parts = await page.$$eval('#output > *', (all) => all.map((node) => (node.tagName === 'STRONG'
    ? { prompt: node.textContent }
    : { text: node.textContent, ids: node.dataset.ids.split(' ').map(Number), log2p: Number(node.dataset.log2p), title: node.title })));
  const spans = parts.filter((part) => part.ids);
  assert.equal(parts.map((part) => part.prompt ?? part.text).join(''), more);
  assert.equal(spans.reduce((n, s) => n + s.ids.length, 0), 25 + 35 + 5);
  assert.ok(spans.every((s) => s.log2p <= 0 && /^p = \S+ · id \d+/.test(s.title)), JSON.stringify(spans.slice(0, 3)));
  // The demo's model: the int8 weights.
  const { Model, Tokenizer } = await import(pathToFileURL(`${root}build/wasm/package/index.js`).href);
  const tokenizer = await Tokenizer.load(readFileSync(`${root}models/kjvzh-8k.model`));
  const model = await Model.load(readFileSync(`${root}models/int8/kjvzh-lm-int8.safetensors`), tokenizer);
  const session = model.session();
  session.feed([model.bosId]);
  let bits = 0;
  for (const part of parts) {
    if (part.prompt !== undefined) {
      if (part.prompt) session.feed(tokenizer.encode(part.prompt));
      continue;
    }
    let log2p = 0;
    for (const id of part.ids) {
      const logits = session.logits();
      const max = logits.reduce((a, b) => Math.max(a, b), -Infinity);
      const sum = logits.reduce((a, x) => a + Math.exp(x - max), 0);
      log2p += (logits[id] - max - Math.log(sum)) / Math.LN2;
      session.feed([id]);
    }
    assert.ok(Math.abs(part.log2p - log2p) < 1e-3, `${part.text}: ${part.log2p} vs ${log2p}`);
    bits -= log2p;
  }
  model.dispose();
  const [, shown] = (await page.textContent('#gen-status')).match(/^65 generated tokens, -log2 p = ([\d.]+) bits under the model/);
  assert.ok(Math.abs(Number(shown) - bits) < 0.01, `${shown} vs ${bits}`);
  await page.locator('#generation-playground').screenshot({ path: `${artifacts}/generation-probabilities.png` });

  await page.click('#forget');
  await page.waitForFunction(() => document.querySelector('#gen-status').textContent === 'Conversation cleared.');
  await load();
  assert.equal(await page.textContent('#output'), '');
  assert.equal(await page.isDisabled('#continue'), true);
  assert.deepEqual(errors, []);
});
