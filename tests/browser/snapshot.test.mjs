// A conversation kept in IndexedDB across a page reload, in headless
// Chromium and Firefox ESR (support/browsers.mjs; EDGEPIECE_BROWSERS picks):
// the page generates, stores session.snapshot() in IndexedDB, reloads (every
// JS object and the module instance are gone), restores the bytes into a new
// session and continues; the text and the logits are those of one
// uninterrupted run in the same page. Uses the package as built
// (build/wasm/package) and the bundled models, served by tools/serve_demo.mjs.
//   (cd tests/browser && npm ci) && node --test tests/browser/
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENGINES, Server, assertBuilt, enginesToTest, launch } from './support/browsers.mjs';

// Runs in the page: loads the package and the model, and defines the
// IndexedDB helpers, on window.lm.
async function setUp() {
  const { Tokenizer, Model } = await import('/build/wasm/package/index.js');
  const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
  const tok = await Tokenizer.load(await bytes('/models/kjvzh-8k.model'));
  const model = await Model.load(await bytes('/models/kjvzh-lm.safetensors'), tok);
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('edgepiece-snapshot-test', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('state');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const request = (mode, use) => new Promise((resolve, reject) => {
    const r = use(db.transaction('state', mode).objectStore('state'));
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const collect = async (stream) => {
    let text = '';
    for await (const piece of stream) text += piece;
    return text;
  };
  window.lm = { model, request, collect };
}

for (const engine of enginesToTest()) {
  describe(`snapshots in ${ENGINES[engine].title}`, () => {
    let server;
    let browser;
    let page;

    before(async () => {
      assertBuilt();
      server = await Server.start();
      browser = await launch(engine);
      page = await browser.newPage();
      // Any page of the served origin: IndexedDB is per origin.
      await page.goto(`${server.origin}/tests/browser/package.json`);
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('a snapshot stored in IndexedDB continues a conversation after a reload', { timeout: 180_000 }, async () => {
      const options = { temperature: 0.9, ignoreEos: true };
      await page.evaluate(setUp);
      const first = await page.evaluate(async (options) => {
        const { model, request, collect } = window.lm;
        const session = model.session();
        const text = await collect(session.generate('And God said', { ...options, seed: 6, maxTokens: 40 }));
        const snapshot = session.snapshot();
        await request('readwrite', (store) => store.put(snapshot, 'conversation'));
        // The reply's next turn, here without a reload: the reference.
        const reply = await collect(session.generate(' And', { ...options, append: true, maxTokens: 30 }));
        return { text, reply, logits: Array.from(session.logits().subarray(0, 64)) };
      }, options);

      await page.reload();
      assert.equal(await page.evaluate(() => typeof window.lm), 'undefined', 'the reload cleared the page');
      await page.evaluate(setUp);
      const second = await page.evaluate(async (options) => {
        const { model, request, collect } = window.lm;
        const stored = await request('readonly', (store) => store.get('conversation'));
        const session = model.session({ seed: 999 });  // the stream comes from the snapshot
        session.restore(stored);
        const reply = await collect(session.generate(' And', { ...options, append: true, maxTokens: 30 }));
        // One uninterrupted run of both turns in this page.
        const whole = model.session();
        const text = await collect(whole.generate('And God said', { ...options, seed: 6, maxTokens: 40 }));
        const wholeReply = await collect(whole.generate(' And', { ...options, append: true, maxTokens: 30 }));
        let rejected = '';
        try {
          session.restore(stored.subarray(0, stored.length - 1));
        } catch (error) {
          rejected = error.code;
        }
        return {
          stored: stored instanceof Uint8Array, reply, text, wholeReply, rejected,
          logits: Array.from(session.logits().subarray(0, 64)),
          wholeLogits: Array.from(whole.logits().subarray(0, 64)),
        };
      }, options);

      assert.ok(second.stored, 'IndexedDB gives back a Uint8Array');
      assert.ok(first.reply.length > 0);
      assert.equal(second.reply, first.reply);
      assert.equal(second.text, first.text);
      assert.equal(second.wholeReply, first.reply);
      assert.deepEqual(second.logits, first.logits);
      assert.deepEqual(second.logits, second.wholeLogits);
      assert.equal(second.rejected, 'INVALID_ARGUMENT');
      // Uncaught exceptions (the served package.json has no favicon: a console 404 in Chromium).
      assert.deepEqual(page.errors.filter((e) => e.startsWith('pageerror')), []);
    });
  });
}
