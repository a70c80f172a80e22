// The web demo checks both engines run, written once against the Page of
// support/browsers.mjs: demo.test.mjs registers them for Chromium, firefox.test.mjs
// for Firefox ESR (or the engine EDGEPIECE_CORE_ENGINE names). Each file keeps the
// checks only its engine runs, and calls these where its page is in the state they
// need (the checks of one file share one page, in order).
//
// `demo` is filled in by the caller's before(): { page (a browsers.mjs Page, the demo
// loaded, the ids box open), errors (the array of the page's console errors and
// uncaught exceptions), requests (the array of every URL the page asked for, from its
// first request), origin (the served origin), shot(name) (the path of the screenshot
// `name`) }.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cliGenerate, cliIds, root, tokenizerModel } from './browsers.mjs';
import { TEXTS } from './reference.mjs';

// Every id, from the ids box (the token view draws only the rows on screen).
async function pageIds(page) {
  const ids = await page.value('#ids');
  return ids === '' ? [] : ids.split(',').map(Number);
}

// The first token chips drawn, which must agree with the ids box.
function drawnIds(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('#tokens [data-token-id]')].map((s) => Number(s.dataset.tokenId)));
}

// Waits until the tokenizer has re-rendered after an input: the page marks the
// token view busy at once on every change and clears it when the latest text's
// tokens are drawn (the encoding runs in a worker).
async function settle(page) {
  await page.waitForSelector('#tokens[aria-busy="false"]');
  await page.settle();
}

async function setText(page, text) {
  await page.fill('#text', text);
  await settle(page);
}

/**
 * The demo loads with no console errors, shows its load times and sizes, and fetches nothing
 * outside the served tree; then checks that the driver hears console errors and exceptions.
 * `engineChecks(t)` checks what else its engine saw fetched.
 */
export function testPageLoads(demo, engineChecks) {
  test('the page loads with no console errors, shows load time and sizes, from the served tree only',
    async (t) => {
      const { page, errors, requests, origin } = demo;
      assert.deepEqual(errors, []);
      const status = await page.text('#load-status');
      assert.match(status, /Tokenizer ready in \d+ ms, language model in \d+ ms/);
      assert.match(status, /edgepiece\.wasm \d+ KB, tokenizer 545 KB, model 3\.7 MB/);
      assert.equal(await page.text('#gen-status'), 'Ready.');
      // The browser reports the page's requests (else the check below could not fail).
      assert.ok(requests.includes(`${origin}/web-demo/app.js`), requests.join(' '));
      // Works offline: nothing outside the served tree is fetched.
      assert.deepEqual(requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:')), []);
      await engineChecks(t);

      // The driver hears console errors and uncaught exceptions (else no check of errors could fail).
      await page.evaluate(() => {
        console.error('probe');
        setTimeout(() => { throw new Error('probe'); });
      });
      for (let i = 0; i < 100 && errors.length < 2; ++i) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(errors.map((e) => e.replace(/^(\w+): (Error: |Uncaught Error: )?/, '$1: ')).sort(),
        ['console: probe', 'pageerror: probe']);
      errors.length = 0;
    });
}

/** One test per text of TEXTS: the page's ids, chips and counts equal the CLI's. */
export function testDeterministicIds(demo) {
  for (const [name, text] of Object.entries(TEXTS)) {
    test(`deterministic ids equal the CLI's: ${name}`, async () => {
      const { page } = demo;
      await setText(page, text);
      const expected = cliIds(text);
      assert.ok(expected.length > 0);
      assert.deepEqual(await pageIds(page), expected);
      assert.equal(await page.value('#ids'), expected.join(','));
      const drawn = await drawnIds(page);
      assert.ok(drawn.length > 0);
      assert.deepEqual(drawn, expected.slice(0, drawn.length));
      assert.equal(await page.text('#stat-tokens'), expected.length.toLocaleString('en'));
      const bytes = Buffer.byteLength(text.normalize('NFC'));
      assert.equal(await page.text('#stat-bytes'), bytes.toLocaleString('en'));
      assert.equal(await page.text('#stat-ratio'), (bytes / expected.length).toFixed(2));
    });
  }
}

/** Sampling in the page, with a fixed seed and alpha, equals the CLI's; reseeding samples anew. */
export function testSampledIds(demo) {
  test('sampled ids with a fixed seed and alpha equal the CLI\'s', async () => {
    const { page } = demo;
    await page.setChecked('#sample', true);
    const runs = [
      ['english', 0.1, 0], ['english', 0.5, 123], ['chinese', 0.2, 7],
      ['emoji', 0.05, 42], ['long', 0.3, 2024],
    ];
    for (const [name, alpha, seed] of runs) {
      await page.fill('#alpha', alpha);
      await page.fill('#seed', seed);
      await setText(page, TEXTS[name]);
      const expected = cliIds(TEXTS[name], ['--alpha', String(alpha), '--seed', String(seed)]);
      assert.deepEqual(await pageIds(page), expected, `${name} alpha ${alpha} seed ${seed}`);
      assert.match(await page.text('#cli-command'), new RegExp(`--alpha ${alpha} --seed ${seed}`));
    }
    const mixed = `${TEXTS.english}\n${TEXTS.chinese} 🙂`;
    await setText(page, mixed);
    assert.deepEqual(await pageIds(page), cliIds(mixed, ['--alpha', '0.3', '--seed', '2024']));
    // Re-rendering with the same seed gives the same ids; another seed samples anew.
    await page.fill('#alpha', 0.1);
    await setText(page, TEXTS.english);
    const first = await pageIds(page);
    await setText(page, `${TEXTS.english} `);
    await setText(page, TEXTS.english);
    assert.deepEqual(await pageIds(page), first);
    await page.fill('#seed', 99);
    await settle(page);
    assert.notDeepEqual(await pageIds(page), first);
    // The screenshot: mixed scripts, sampled.
    await setText(page, mixed);
    assert.deepEqual(await pageIds(page), cliIds(mixed, ['--alpha', '0.1', '--seed', '99']));
    await page.screenshot(demo.shot('tokenizer'), '#tokenizer-playground');
    await page.setChecked('#sample', false);
    await settle(page);
    assert.deepEqual(await pageIds(page), cliIds(mixed));
    assert.deepEqual(demo.errors, []);
  });
}

/**
 * The package imported into the page itself (no worker): generation equals the CLI's, and
 * generate() visits the event loop between tokens, so timers fire and an abort ends it.
 */
export function testMainThreadGeneration(demo) {
  test('on the main thread, generation equals the CLI\'s, lets timers run, an abort ends it with AbortError',
    async (t) => {
      const result = await demo.page.evaluate(async () => {
        const { Model, Tokenizer } = await import('/build/wasm/package/index.js');
        const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
        const tokenizer = await Tokenizer.load(await bytes('/models/kjvzh-8k.model'));
        const model = await Model.load(await bytes('/models/kjvzh-lm.safetensors'), tokenizer);
        const text = async (session, prompt, options) => {
          let out = '';
          for await (const piece of session.generate(prompt, options)) out += piece;
          return out;
        };
        const options = { maxTokens: 64, temperature: 0.8, topP: 0.95, seed: 7 };
        // A fresh model's first session, before any abort.
        const generated = await text(model.session(), 'And God said', options);
        const session = model.session();
        const controller = new AbortController();
        let abortedAt = 0;
        let ticks = 0;
        const ticker = setInterval(() => { ticks += 1; }, 5);
        setTimeout(() => { abortedAt = performance.now(); controller.abort(); }, 50);
        let error = null;
        try {
          await text(session, 'In the beginning',
            { maxTokens: 20000, ignoreEos: true, seed: 9, signal: controller.signal });
        } catch (e) {
          error = e;
        }
        const stoppedAt = performance.now();
        clearInterval(ticker);
        const tokens = session.generatedTokens;
        // The aborted session goes on as a fresh one would.
        const again = await text(session, 'And God said', options);
        const fresh = model.session();
        const expected = await text(fresh, 'And God said', options);
        // What one token and one event-loop turn (a MessageChannel round trip) cost here.
        let start = performance.now();
        await text(fresh, 'In the beginning', { maxTokens: 500, ignoreEos: true, seed: 1 });
        const msPerToken = (performance.now() - start) / 500;
        const channel = new MessageChannel();
        let resume = null;
        channel.port1.onmessage = () => resume();
        start = performance.now();
        for (let i = 0; i < 2000; ++i) {
          await new Promise((resolve) => { resume = resolve; channel.port2.postMessage(0); });
        }
        const msPerTurn = (performance.now() - start) / 2000;
        channel.port1.close();
        session.dispose();
        fresh.dispose();
        model.dispose();
        tokenizer.dispose();
        return {
          errorName: error?.name ?? null, isDomException: error instanceof DOMException, abortedAt,
          stopMs: stoppedAt - abortedAt, ticks, tokens, generated, again, expected, msPerToken, msPerTurn,
        };
      });
      t.diagnostic(`${result.msPerToken.toFixed(3)} ms per token, ` +
        `${(result.msPerTurn * 1000).toFixed(1)} us per event-loop turn`);
      assert.ok(result.abortedAt > 0, 'the timer never fired during generation');
      assert.ok(result.ticks > 0, 'an interval never fired during generation');
      assert.equal(result.errorName, 'AbortError');
      assert.equal(result.isDomException, true);
      assert.ok(result.stopMs < 2000, `stopped ${result.stopMs} ms after the abort`);
      assert.ok(result.tokens > 0 && result.tokens < 20000, `${result.tokens} tokens`);
      assert.equal('And God said' + result.generated, cliGenerate('And God said',
        ['--max-tokens', '64', '--temperature', '0.8', '--top-p', '0.95', '--seed', '7']));
      assert.equal(result.again, result.generated);
      assert.equal(result.expected, result.generated);
      assert.deepEqual(demo.errors, []);
    });
}

/**
 * Tokenizer.load, Model.load and a worker's loadTokenizer from URLs: streamed progress, a copy in
 * the Cache API verified by SHA-256, and a second load with models/ unreachable served from it.
 * `network` is how the caller's engine cuts models/ off: { cut(), restore(), assertCut() (only
 * the uncached load asked), dropErrors() (removes from demo.errors what the browser logged of
 * the refused request, checking that it logged nothing else) }.
 */
export function testLoadingFromUrls(demo, network) {
  test('loading from URLs: streamed progress, a verified Cache API copy, an offline second load', async () => {
    const sha256 = (file) => createHash('sha256').update(readFileSync(`${root}${file}`)).digest('hex');
    const sizes = {
      tokenizer: readFileSync(`${root}${tokenizerModel}`).length,
      weights: readFileSync(`${root}models/kjvzh-lm.safetensors`).length,
    };
    const hashes = { tokenizer: sha256(tokenizerModel), weights: sha256('models/kjvzh-lm.safetensors') };
    const load = (offline) => demo.page.evaluate(async ({ hashes, offline }) => {
      const { EdgepieceWorker, Model, Tokenizer } = await import('/build/wasm/package/index.js');
      const cacheName = 'edgepiece-browser-test';
      const cached = async () => (await (await caches.open(cacheName)).keys()).map((r) => new URL(r.url).pathname);
      const out = { codes: [], hasCaches: typeof caches !== 'undefined' };
      const code = async (promise) => {
        try { await promise; out.codes.push('ok'); } catch (e) { out.codes.push(e.code ?? e.name); }
      };
      if (!offline) {
        await caches.delete(cacheName);
        // A wrong SHA-256: a specific error, and nothing cached.
        await code(Tokenizer.load('/models/kjvzh-8k.model', { cache: cacheName, integrity: '0'.repeat(64) }));
        out.afterMismatch = await cached();
      } else {
        // The server is unreachable for models/: without the cache a load fails.
        await code(Tokenizer.load('/models/kjvzh-8k.model'));
      }
      const progress = { tokenizer: [], weights: [] };
      const tokenizer = await Tokenizer.load('/models/kjvzh-8k.model', {
        cache: cacheName, integrity: hashes.tokenizer, onProgress: (p) => progress.tokenizer.push(p),
      });
      const model = await Model.load(new URL('/models/kjvzh-lm.safetensors', location.href), tokenizer, {
        cache: cacheName, integrity: hashes.weights, onProgress: (p) => progress.weights.push(p),
      });
      out.ids = Array.from(tokenizer.encode('In the beginning'));
      out.parameters = model.numParameters;
      out.cached = (await cached()).sort();
      out.progress = progress;
      model.dispose();
      tokenizer.dispose();
      // A worker fetches a relative URL against the page, from the same cache, with progress.
      const worker = await EdgepieceWorker.create();
      try {
        const reports = [];
        await worker.loadTokenizer('../models/kjvzh-8k.model', {
          cache: cacheName, integrity: hashes.tokenizer, onProgress: (p) => reports.push(p),
        });
        out.workerIds = Array.from(await worker.encode('In the beginning'));
        out.workerLast = reports.at(-1);
      } finally {
        worker.terminate();
      }
      return out;
    }, { hashes, offline });
    const check = (result) => {
      assert.equal(result.hasCaches, true, 'no Cache API on the test origin');
      assert.deepEqual(result.ids, cliIds('In the beginning'));
      assert.deepEqual(result.workerIds, result.ids);
      assert.deepEqual(result.cached, ['/models/kjvzh-8k.model', '/models/kjvzh-lm.safetensors']);
      for (const [name, reports] of Object.entries(result.progress)) {
        assert.ok(reports.length >= 1, name);
        for (let i = 1; i < reports.length; ++i) assert.ok(reports[i].loaded >= reports[i - 1].loaded, name);
        assert.deepEqual(reports.at(-1), { loaded: sizes[name], total: sizes[name] }, name);
      }
      assert.deepEqual(result.workerLast, { loaded: sizes.tokenizer, total: sizes.tokenizer });
    };
    const first = await load(false);
    assert.deepEqual(first.codes, ['INTEGRITY_MISMATCH']);
    assert.deepEqual(first.afterMismatch, []);
    // The 7.4 MB weights arrive in many chunks: progress is streamed.
    assert.ok(first.progress.weights.length >= 4, `${first.progress.weights.length} reports`);
    check(first);
    // Offline for models/ (the page's and the worker's requests alike): the second load comes
    // from the cache.
    await network.cut();
    try {
      const second = await load(true);
      assert.deepEqual(second.codes, ['IO_ERROR']);
      network.assertCut();
      check(second);
    } finally {
      await network.restore();
      await demo.page.evaluate(() => caches.delete('edgepiece-browser-test'));
    }
    network.dropErrors();
    assert.deepEqual(demo.errors, []);
  });
}
