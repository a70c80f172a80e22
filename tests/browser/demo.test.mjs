// Browser tests of the web demo (web-demo/) in a real, headless Chromium:
// serves the repository with tools/serve_demo.mjs on a free port, drives
// Debian's /usr/bin/chromium with playwright-core, and checks the page
// against the native CLI (build/release/native/edgepiece). The checks that
// Firefox runs too (firefox.test.mjs) are in support/demo-checks.mjs, driven
// through support/browsers.mjs's Page. Screenshots go to build/test-artifacts/.
//   (cd tests/browser && npm ci) && node --test tests/browser/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { artifacts, cliIds, openDemo, root, tokenizerModel } from './support/demo-server.mjs';
import { Page } from './support/browsers.mjs';
import {
  testDeterministicIds, testLoadingFromUrls, testMainThreadGeneration, testPageLoads, testSampledIds,
} from './support/demo-checks.mjs';
import { TEXTS, cliTrain } from './support/reference.mjs';

describe('web demo in Chromium', { timeout: 300_000 }, () => {
  let server;
  let browser;
  let page;
  const errors = [];  // console errors and uncaught exceptions
  const requests = [];  // every URL the page asked for
  const demo = {};  // what the checks both engines run see (support/demo-checks.mjs)

  // Waits until the tokenizer has re-rendered after an input: the page marks
  // the token view busy at once on every change and clears it when the
  // latest text's tokens are drawn (the encoding runs in a worker).
  const settle = () => page.waitForSelector('#tokens[aria-busy="false"]');
  // Every id, from the ids box (the token view draws only the rows on screen).
  const pageIds = async () => {
    const ids = await page.inputValue('#ids');
    return ids === '' ? [] : ids.split(',').map(Number);
  };
  async function setText(text) {
    await page.fill('#text', text);
    await settle();
  }
  async function setRange(selector, value) {
    await page.$eval(selector, (input, v) => {
      input.value = v;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, String(value));
    await settle();
  }

  before(async () => {
    ({ server, browser, page } = await openDemo({ errors, requests }));
    Object.assign(demo, {
      page: new Page('chromium', page), errors, requests, origin: new URL(server.url).origin,
      shot: (name) => `${artifacts}/${name}.png`,
    });
    await page.waitForSelector('body[data-tokenizer-ready="true"]', { timeout: 60_000 });
    await page.waitForSelector('body[data-model-ready="true"]', { timeout: 120_000 });
    await page.click('#ids-details summary');
  });

  after(async () => {
    await browser?.close();
    server?.process.kill();
  });

  testPageLoads(demo, () => {
    // The trainer and SentencePiece are modules of their own that a page which neither trains
    // nor loads a .model never fetches.
    assert.ok(requests.some((url) => url.endsWith('/edgepiece.wasm')), 'edgepiece.wasm not requested');
    assert.deepEqual(requests.filter((url) => url.includes('edgepiece-trainer')), []);
    assert.deepEqual(requests.filter((url) => url.includes('edgepiece-spm')), []);
  });

  test('every control has an accessible label', async () => {
    const unlabelled = await page.$$eval('input, select, textarea, button', (controls) => controls
      .filter((c) => !(c.labels?.length || c.getAttribute('aria-label') || (c.tagName === 'BUTTON' && c.textContent.trim())))
      .map((c) => c.id || c.outerHTML));
    assert.deepEqual(unlabelled, []);
  });

  testDeterministicIds(demo);

  test('token spans show the pieces, whitespace made visible', async () => {
    await setText(TEXTS.english);
    const labels = await page.$$eval('#tokens .token .piece', (spans) => spans.map((s) => s.textContent));
    assert.equal(labels.join('').replaceAll('␣', ' ').replaceAll('↵', '\n'), TEXTS.english);
    await setText('😀');
    const emoji = await page.$$eval('#tokens .token .piece', (spans) => spans.map((s) => s.textContent));
    // Byte fallback splits the emoji into pieces that are not UTF-8 on their own.
    assert.ok(emoji.join('') === '😀' || emoji.some((label) => /<0x[0-9A-F]{2}>/.test(label)), emoji.join(' '));
  });

  testSampledIds(demo);

  test('an invalid model file shows an error and the page keeps working', async () => {
    await page.setInputFiles('#model-file', {
      name: 'broken.model', mimeType: 'application/json', buffer: Buffer.from('{"pieces": [1, 2'),
    });
    await page.waitForSelector('#model-error:not([hidden])');
    assert.match(await page.textContent('#model-error'), /Could not load "broken\.model" as a tokenizer file: malformed JSON: /);
    await page.setInputFiles('#model-file', {
      name: 'not-bytepiece.model', mimeType: 'application/json', buffer: Buffer.from('{"hello": "world"}'),
    });
    await page.waitForFunction(() => document.querySelector('#model-error').textContent.includes('not-bytepiece.model'));
    assert.match(await page.textContent('#model-error'), /invalid model: /);
    assert.equal(await page.inputValue('#model-select'), 'bundled');
    await setText(TEXTS.chinese);
    assert.deepEqual(await pageIds(), cliIds(TEXTS.chinese));

    // A valid user file is offered next to the bundled one and gives the same ids.
    await page.setInputFiles('#model-file', {
      name: 'mine.model', mimeType: 'application/json', buffer: readFileSync(`${root}${tokenizerModel}`),
    });
    await page.waitForFunction(() => document.querySelector('#model-select').value.startsWith('user:'));
    assert.equal(await page.isHidden('#model-error'), true);
    assert.deepEqual(await pageIds(), cliIds(TEXTS.chinese));
    assert.match(await page.textContent('#cli-command'), /--model mine\.model/);
    await page.selectOption('#model-select', 'bundled');
    await settle();
    assert.deepEqual(errors, []);
  });

  test('generation streams tokens in a worker, input is handled meanwhile, stop stops it', async () => {
    // Past <eos> and up to 10,000 tokens: seconds of generation, far more
    // than the steps below need, whatever the model and the seed.
    await page.fill('#prompt', 'And God said');
    await page.fill('#max-tokens', '10000');
    await page.fill('#gen-seed', '85');
    await page.uncheck('#stop-at-eos');
    await page.click('#generate');
    await page.waitForFunction(() => Number(document.querySelector('#gen-tokens').textContent) >= 20, null, { timeout: 60_000 });

    // An input event during generation: the tokenizer re-renders at once.
    const typed = 'Typed while the model writes: 天地';
    const expected = cliIds(typed).join(',');
    await page.fill('#text', typed);
    await page.waitForFunction((ids) => document.querySelector('#ids').value === ids, expected,
      { polling: 20, timeout: 5_000 });
    assert.deepEqual((await pageIds()).join(','), expected);
    // The main thread answers at once while the worker computes.
    const lag = await page.evaluate(() => new Promise((resolve) => {
      const start = performance.now();
      setTimeout(() => resolve(performance.now() - start), 0);
    }));
    assert.equal(await page.isEnabled('#stop'), true, 'generation still running after the input');
    assert.ok(lag < 250, `main thread blocked for ${lag} ms`);

    await page.click('#stop');
    await page.waitForSelector('#generate:not([disabled])', { timeout: 10_000 });
    assert.match(await page.textContent('#gen-status'), /^Stopped: \d+ tokens/);
    const tokens = Number(await page.textContent('#gen-tokens'));
    assert.ok(tokens >= 20 && tokens < 10000, `${tokens} tokens`);
    const output = await page.textContent('#output');
    assert.ok(output.startsWith('And God said') && output.length > 'And God said'.length + 20, output);
    assert.equal(await page.isDisabled('#stop'), true);
    // Stopped means stopped: no more pieces arrive.
    await page.waitForTimeout(300);
    assert.equal(await page.textContent('#output'), output);
    await page.locator('#generation-playground').screenshot({ path: `${artifacts}/generation.png` });

    // A short run finishes by itself: exactly max tokens, <eos> not stopping it.
    await page.fill('#max-tokens', '25');
    await page.click('#generate');
    await page.waitForSelector('#generate:not([disabled])', { timeout: 60_000 });
    assert.match(await page.textContent('#gen-status'), /^Done.*: \d+ tokens/);
    assert.equal(Number(await page.textContent('#gen-tokens')), 25);
    await page.check('#stop-at-eos');
    assert.match(await page.textContent('#gen-rate'), /^\d+$/);
    assert.deepEqual(errors, []);
  });

  testMainThreadGeneration(demo);

  test('the package trains in a Web Worker: a streamed corpus gives the CLI\'s model bytes', async () => {
    const docs = TEXTS.long.split('\n').map((line, i) => `${line} ٣${i % 10}٤ ０${i}\n`);
    const options = { vocabSize: 400, order: 4, minCount: 2, isolateDigits: true };
    const result = await page.evaluate(async ({ docs, options }) => {
      const { EdgepieceWorker } = await import('/build/wasm/package/index.js');
      const worker = await EdgepieceWorker.create();
      try {
        const phases = new Set();
        let passes = 0;
        const file = await worker.train(() => { passes += 1; return docs.values(); }, options,
          (progress) => phases.add(progress.phase));
        const copied = await worker.train(docs, options);
        let code = null;
        try { await worker.train([], options); } catch (e) { code = e.code; }
        return { file: Array.from(file), same: file.join() === copied.join(), phases: [...phases].sort(), passes, code };
      } finally {
        worker.terminate();
      }
    }, { docs, options });
    const cliModel = cliTrain(docs, ['--vocab-size', '400', '--order', '4', '--min-count', '2', '--isolate-digits']);
    assert.ok(Buffer.from(result.file).equals(cliModel), 'the worker\'s model differs from the CLI\'s');
    assert.ok(result.same);
    // The worker fetched the trainer module when it first trained.
    assert.ok(requests.some((url) => url.endsWith('/build/wasm/package/edgepiece-trainer.wasm')));
    assert.equal(result.passes, 2);
    assert.deepEqual(result.phases, ['count', 'finish', 'segment']);
    assert.equal(result.code, 'INVALID_ARGUMENT');
    assert.deepEqual(errors, []);
  });

  const blocked = [];  // the requests for models/ refused while offline
  testLoadingFromUrls(demo, {
    cut: () => page.context().route('**/models/**', (route) => {
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    }),
    restore: () => page.context().unroute('**/models/**'),
    // Only the uncached load asked the network.
    assertCut: () => assert.equal(blocked.length, 1, blocked.join(' ')),
    // The blocked request is the one console error Chromium logs here.
    dropErrors: () => {
      const disconnected = errors.filter((e) => e.includes('net::ERR_INTERNET_DISCONNECTED'));
      assert.equal(disconnected.length, 1);
      errors.splice(0, errors.length, ...errors.filter((e) => !disconnected.includes(e)));
    },
  });

  test('a shared link restores the text and the sampling settings', async () => {
    await page.check('#sample');
    await setRange('#alpha', 0.25);
    await page.fill('#seed', '31');
    await setText(TEXTS.emoji);
    const expected = cliIds(TEXTS.emoji, ['--alpha', '0.25', '--seed', '31']);
    assert.deepEqual(await pageIds(), expected);
    await page.click('#share');
    await page.waitForFunction(() => document.querySelector('#share-status').textContent !== '');
    const shared = await browser.newPage();
    shared.on('pageerror', (error) => errors.push(`pageerror (shared link): ${error.message}`));
    await shared.goto(page.url());
    await shared.waitForSelector('body[data-tokenizer-ready="true"]');
    await shared.waitForSelector('#tokens[aria-busy="false"]');
    assert.equal(await shared.inputValue('#text'), TEXTS.emoji);
    assert.equal(await shared.isChecked('#sample'), true);
    assert.deepEqual(await shared.$$eval('#tokens [data-token-id]', (spans) => spans.map((s) => Number(s.dataset.tokenId))), expected);
    await shared.close();
    await page.uncheck('#sample');
    await settle();
  });

  test('usable at phone width', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await setText(TEXTS.emoji);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow} px wider than a 360 px screen`);
    await page.screenshot({ path: `${artifacts}/phone.png`, fullPage: true });
    assert.deepEqual(errors, []);
  });
});
