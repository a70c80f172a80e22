// The web demo's core checks in a second engine: Debian's Firefox ESR
// (/usr/bin/firefox-esr, or FIREFOX=...) driven by puppeteer-core over
// WebDriver BiDi. The page, the package loaded by a page, its Worker, the
// Cache API and IndexedDB (snapshot.test.mjs) are checked against the native
// CLI (build/release/native/edgepiece) as in Chromium (demo.test.mjs). The
// checks use only support/browsers.mjs, so EDGEPIECE_CORE_ENGINE=chromium
// runs them in Chromium. The checks demo.test.mjs runs in Chromium too are in
// support/demo-checks.mjs. Screenshots: build/test-artifacts/<engine>-*.png.
//   (cd tests/browser && npm ci) && node --test tests/browser/
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ENGINES, Server, artifacts, assertBuilt, cliGenerate, cliIds, demoLm, launch,
} from './support/browsers.mjs';
import {
  testDeterministicIds, testLoadingFromUrls, testMainThreadGeneration, testPageLoads, testSampledIds,
} from './support/demo-checks.mjs';
import { TEXTS, cliTrain } from './support/reference.mjs';

const engine = process.env.EDGEPIECE_CORE_ENGINE ?? 'firefox';

describe(`web demo in ${ENGINES[engine].title}`, { timeout: 300_000 }, () => {
  let server;
  let browser;
  let page;
  const demo = {};  // what the checks both engines run see (support/demo-checks.mjs)

  before(async () => {
    assertBuilt();
    server = await Server.start();
    browser = await launch(engine);
    page = await browser.newPage();
    Object.assign(demo, {
      page, errors: page.errors, requests: page.requests, origin: server.origin,
      shot: (name) => `${artifacts}/${engine}-${name}.png`,
    });
    await page.goto(`${server.origin}/web-demo/`);
    await page.waitForSelector('body[data-tokenizer-ready="true"]', { timeout: 60_000 });
    await page.waitForSelector('body[data-model-ready="true"]', { timeout: 120_000 });
    await page.click('#ids-details summary');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  testPageLoads(demo, (t) => {
    t.diagnostic(`${browser.title} ${browser.version}`);
    assert.ok(server.requests.includes('/build/wasm/package/edgepiece.wasm'), server.requests.join(' '));
    assert.ok(server.requests.includes('/build/wasm/package/worker.js'), 'the demo\'s worker was not started');
    assert.deepEqual(server.requests.filter((url) => url.includes('edgepiece-trainer')), []);
  });

  testDeterministicIds(demo);
  testSampledIds(demo);

  test('the demo\'s worker generates the CLI\'s text for a fixed seed (int8 weights), and stops', async () => {
    await page.fill('#prompt', 'And God said');
    await page.fill('#max-tokens', '40');
    await page.fill('#gen-seed', '85');
    await page.setChecked('#stop-at-eos', false);
    await page.click('#generate');
    await page.waitForSelector('#generate:not([disabled])', { timeout: 60_000 });
    assert.match(await page.text('#gen-status'), /^Done: 40 tokens/);
    assert.equal(await page.text('#output'), cliGenerate('And God said',
      ['--max-tokens', '40', '--temperature', '0.8', '--top-p', '0.95', '--seed', '85', '--ignore-eos'], demoLm));
    await page.screenshot(`${artifacts}/${engine}-generation.png`, '#generation-playground');

    // A long run stops when asked.
    await page.fill('#max-tokens', '10000');
    await page.click('#generate');
    await page.waitForFunction(() => Number(document.querySelector('#gen-tokens').textContent) >= 20, null,
      { timeout: 60_000 });
    await page.click('#stop');
    await page.waitForSelector('#generate:not([disabled])', { timeout: 10_000 });
    assert.match(await page.text('#gen-status'), /^Stopped: \d+ tokens/);
    await page.setChecked('#stop-at-eos', true);
    assert.deepEqual(page.errors, []);
  });

  testMainThreadGeneration(demo);

  test('the package\'s EdgepieceWorker: ids, generation and training equal the CLI\'s', async () => {
    const docs = TEXTS.long.split('\n').slice(0, 60).map((line, i) => `${line} ٣${i % 10}٤ ０${i}\n`);
    const options = { vocabSize: 400, order: 4, minCount: 2, isolateDigits: true };
    const result = await page.evaluate(async ({ texts, docs, options }) => {
      const { EdgepieceWorker } = await import('/build/wasm/package/index.js');
      const worker = await EdgepieceWorker.create();
      try {
        await worker.loadTokenizer('/models/kjvzh-8k.model');
        await worker.loadModel('/models/kjvzh-lm.safetensors');
        const ids = [];
        for (const text of texts) ids.push(Array.from(await worker.encode(text)));
        let generated = '';
        const run = await worker.generate('And God said', { maxTokens: 30, seed: 3, ignoreEos: true },
          (piece) => { generated += piece; });
        const file = await worker.train(() => docs.values(), options);
        return { ids, generated, tokens: run.tokens, file: Array.from(file) };
      } finally {
        worker.terminate();
      }
    }, { texts: [TEXTS.english, TEXTS.emoji], docs, options });
    assert.deepEqual(result.ids, [cliIds(TEXTS.english), cliIds(TEXTS.emoji)]);
    assert.equal(result.tokens, 30);
    assert.equal('And God said' + result.generated,
      cliGenerate('And God said', ['--max-tokens', '30', '--seed', '3', '--ignore-eos']));
    assert.ok(server.requests.includes('/build/wasm/package/edgepiece-trainer.wasm'));
    const cliModel = cliTrain(docs, ['--vocab-size', '400', '--order', '4', '--min-count', '2', '--isolate-digits']);
    assert.ok(Buffer.from(result.file).equals(cliModel), 'the worker\'s model differs from the CLI\'s');
    assert.deepEqual(page.errors, []);
  });

  testLoadingFromUrls(demo, {
    cut: () => { server.block = /^\/models\//; },
    restore: () => { server.block = null; },
    // Firefox retries a GET whose connection was reset: the same request, asked again.
    assertCut: () => assert.deepEqual([...new Set(server.blocked)], ['/models/kjvzh-8k.model']),
    // The refused request is all the browser may log (Chromium: net::ERR_EMPTY_RESPONSE).
    dropErrors: () => {
      const refused = (e) => e.includes('kjvzh-8k.model') || e.includes('net::ERR_EMPTY_RESPONSE');
      assert.ok(page.errors.every(refused), page.errors.join('\n'));
      page.errors.length = 0;
    },
  });

  test('the whole page, at phone width', async () => {
    const phone = await browser.newPage({ width: 360, height: 800 });
    try {
      await phone.goto(`${server.origin}/web-demo/`);
      await phone.waitForSelector('body[data-tokenizer-ready="true"]', { timeout: 60_000 });
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page is ${overflow} px wider than a 360 px screen`);
      await phone.screenshot(`${artifacts}/${engine}-phone.png`);
      assert.deepEqual(phone.errors, []);
    } finally {
      await phone.close();
    }
  });
});
