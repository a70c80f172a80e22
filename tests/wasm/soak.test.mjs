// Soak: many calls and load/dispose cycles of every object kind leave the module's memory
// and the JS heap flat, aborted generations leave the module usable, and mixed use in a
// Worker stays flat. CI runs the short form (~1 minute); EDGEPIECE_SOAK=long runs the
// issue's figures (1,000,000 encodes, 10,000 cycles of each kind, one hour in a Worker):
//   EDGEPIECE_SOAK=long node --test --test-timeout=0 tests/wasm/soak.test.mjs
// (docs/hardening.md records a run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { edgepiece, publicDocuments, repoRoot } from './support.mjs';

const { EdgepieceWorker, Model, Tokenizer, Trainer, init } = edgepiece;
const LONG = process.env.EDGEPIECE_SOAK === 'long';
const COUNTS = LONG
  ? { encodes: 1_000_000, cycles: 10_000, heavyCycles: 10_000, workerCycles: 10_000, aborts: 2_000, workerSeconds: 3600 }
  : { encodes: 100_000, cycles: 200, heavyCycles: 20, workerCycles: 5, aborts: 100, workerSeconds: 10 };
// EDGEPIECE_SOAK=off skips the file (a second run of tests/wasm, e.g. on another Node version).
const SKIP = process.env.EDGEPIECE_SOAK === 'off';
// EDGEPIECE_SOAK_<COUNT> overrides one count, e.g. EDGEPIECE_SOAK_WORKER_SECONDS=600.
for (const [key, name] of Object.entries({
  encodes: 'ENCODES', cycles: 'CYCLES', heavyCycles: 'HEAVY_CYCLES', workerCycles: 'WORKER_CYCLES', aborts: 'ABORTS',
  workerSeconds: 'WORKER_SECONDS',
})) {
  const value = process.env[`EDGEPIECE_SOAK_${name}`];
  if (value) COUNTS[key] = Number(value);
}
const MB = 1024 * 1024;
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const read = (relative) => new Uint8Array(readFileSync(path.join(repoRoot, relative)));
const module = await init();
const tokenizerFile = read('models/kjvzh-8k.model');
const int8File = read('models/int8/kjvzh-lm-int8.safetensors');
const tinyFile = read('tests/golden/model/tiny.safetensors');
const texts = publicDocuments().slice(0, 2000).flatMap((d) => d.split('\n')).filter((t) => t.length > 0);
const figures = [];

let trainerModule = null;  // the trainer's module, once Trainer.train has loaded it

// Memory of both modules and the JS heap (after a full GC) now.
function measure() {
  gc();
  const wasm = module.memory.buffer.byteLength + (trainerModule?.memory.buffer.byteLength ?? 0);
  return { wasm, heap: process.memoryUsage().heapUsed };
}

// Runs `step(i)` `count` times; memory after the first tenth (the warm-up: pools, caches and
// scratch buffers reach their size) and at the end must be within the margins.
async function expectFlat(what, count, step, { wasmMargin = 1 * MB, heapMargin = 8 * MB } = {}) {
  const warmup = Math.max(1, Math.floor(count / 10));
  let before = null;
  const start = performance.now();
  for (let i = 0; i < count; ++i) {
    if (i === warmup) before = measure();
    await step(i);
  }
  const after = measure();
  before ??= after;
  const seconds = (performance.now() - start) / 1000;
  figures.push(`${what}: ${count} in ${seconds.toFixed(1)} s; module memory ${before.wasm / MB} -> ` +
    `${after.wasm / MB} MB, JS heap ${(before.heap / MB).toFixed(1)} -> ${(after.heap / MB).toFixed(1)} MB`);
  assert.ok(after.wasm - before.wasm <= wasmMargin, `${what}: module memory ${before.wasm} -> ${after.wasm}`);
  assert.ok(after.heap - before.heap <= heapMargin, `${what}: JS heap ${before.heap} -> ${after.heap}`);
}

test('encode calls: module memory and JS heap flat', { skip: SKIP }, async () => {
  const tok = await Tokenizer.load(tokenizerFile);
  await expectFlat('encode', COUNTS.encodes, (i) => {
    const text = texts[i % texts.length];
    const ids = i % 5 === 4 ? tok.encode(text, { alpha: 0.1 }) : tok.encode(text);
    if (i % 1000 === 0) assert.equal(tok.decode(ids), text.normalize('NFC'));
  });
  tok.dispose();
});

test('load/dispose cycles of every object kind: flat', { skip: SKIP }, async () => {
  const tok = await Tokenizer.load(tokenizerFile);
  await expectFlat('Tokenizer load/dispose', COUNTS.cycles, async () => {
    const t = await Tokenizer.load(tokenizerFile);
    t.encode('cycle');
    t.dispose();
  });
  await expectFlat('TokenDecoder', COUNTS.cycles, () => {
    const decoder = tok.decoder();
    decoder.push(tok.encode('天地 cycle'));
    decoder.end();
  });
  await expectFlat('Model (tiny) load/dispose', COUNTS.cycles, async () => {
    const m = await Model.load(tinyFile);
    m.dispose();
  });
  const model = await Model.load(int8File, tok);
  // The heavy kinds (the int8 demo model, a training run): COUNTS.heavyCycles.
  await expectFlat('Model (int8 demo) load/dispose', COUNTS.heavyCycles, async () => {
    const m = await Model.load(int8File, tok);
    m.dispose();
  });
  await expectFlat('Session create/feed/snapshot/dispose', COUNTS.cycles, () => {
    const session = model.session();
    session.feed(tok.encode('And God said'));
    session.restore(session.snapshot());
    session.dispose();
  });
  const corpus = texts.slice(0, 200);
  trainerModule = await Trainer.init();
  await expectFlat('Trainer.train', COUNTS.heavyCycles, async () => {
    const file = await Trainer.train(corpus, { vocabSize: 300 });
    assert.ok(file.length > 0);
  }, { heapMargin: 16 * MB });
  model.dispose();
  tok.dispose();
});

test('generation aborted at random points: the module stays usable', { skip: SKIP }, async () => {
  const tok = await Tokenizer.load(tokenizerFile);
  const model = await Model.load(int8File, tok);
  const session = model.session();
  const expected = async () => {
    let text = '';
    for await (const piece of session.generate('In the beginning', { maxTokens: 16, seed: 5 })) text += piece;
    return text;
  };
  const reference = await expected();
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  await expectFlat('aborted generations', COUNTS.aborts, async () => {
    const controller = new AbortController();
    const stopAfter = Math.floor(random() * 40);
    let tokens = 0;
    try {
      for await (const piece of session.generate('And God said', { maxTokens: 64, signal: controller.signal })) {
        assert.equal(typeof piece, 'string');
        if (++tokens >= stopAfter) controller.abort();
      }
    } catch (error) {
      assert.equal(error.name, 'AbortError');
    }
    if (random() < 0.3) session.reset();
  });
  assert.equal(await expected(), reference);
  session.dispose();
  model.dispose();
  tok.dispose();
});

test('mixed use in a Worker: flat process memory', { skip: SKIP }, async () => {
  const rss = () => process.memoryUsage().rss;
  await expectFlat('Worker create/terminate', COUNTS.workerCycles, async () => {
    const w = await EdgepieceWorker.create();
    w.terminate();
  }, { wasmMargin: 0, heapMargin: 16 * MB });
  const worker = await EdgepieceWorker.create();
  try {
    await worker.loadTokenizer(tokenizerFile);
    await worker.loadModel(int8File);
    const deadline = performance.now() + COUNTS.workerSeconds * 1000;
    let round = 0;
    let warm = null;
    let checkpoint = performance.now() + COUNTS.workerSeconds * 100;  // a tenth in
    while (performance.now() < deadline) {
      const text = texts[round % texts.length];
      const ids = await worker.encode(text);
      assert.equal(await worker.decode(ids), text.normalize('NFC'));
      await worker.encodeBatch(texts.slice(round % 100, round % 100 + 8));
      if (round % 4 === 0) {
        const controller = new AbortController();
        const result = worker.generate(text.slice(0, 40), { maxTokens: 24, signal: controller.signal });
        if (round % 8 === 0) setTimeout(() => controller.abort(), 1);
        await result.catch((error) => assert.equal(error.name, 'AbortError', String(error)));
      }
      if (round % 16 === 0) await worker.score(text);
      if (round % 32 === 0) await worker.restore(await worker.snapshot());
      if (round % 64 === 63) {  // a new tokenizer drops the model: both again
        await worker.loadTokenizer(tokenizerFile);
        await worker.loadModel(int8File);
      }
      round += 1;
      if (warm === null && performance.now() > checkpoint) {
        gc();
        warm = { rss: rss(), heap: process.memoryUsage().heapUsed };
        checkpoint = Infinity;
      }
    }
    gc();
    warm ??= { rss: rss(), heap: process.memoryUsage().heapUsed };
    const end = { rss: rss(), heap: process.memoryUsage().heapUsed };
    figures.push(`Worker mixed use: ${round} rounds in ${COUNTS.workerSeconds} s; process RSS ` +
      `${(warm.rss / MB).toFixed(0)} -> ${(end.rss / MB).toFixed(0)} MB, JS heap ` +
      `${(warm.heap / MB).toFixed(1)} -> ${(end.heap / MB).toFixed(1)} MB`);
    assert.ok(end.rss - warm.rss <= 64 * MB, `RSS ${warm.rss} -> ${end.rss}`);
    assert.ok(end.heap - warm.heap <= 16 * MB, `heap ${warm.heap} -> ${end.heap}`);
  } finally {
    worker.terminate();
  }
});

test('figures', { skip: SKIP }, () => {
  console.log(figures.map((line) => `# soak: ${line}`).join('\n'));
});
