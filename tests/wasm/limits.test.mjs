// Memory limits in WebAssembly: a module whose memory a page caps (init({maximumMemory}))
// answers a model, a tokenizer file or an input that does not fit with OUT_OF_MEMORY, and
// every object in it keeps working: nothing traps. This file's module is capped at
// LIMIT (node --test runs each file in a process of its own).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { edgepiece, packageDir, publicDocuments, repoRoot } from './support.mjs';

const { EdgepieceWorker, Model, Tokenizer, Trainer, init } = edgepiece;
const read = (relative) => new Uint8Array(readFileSync(path.join(repoRoot, relative)));
const MB = 1024 * 1024;
const LIMIT = 20 * MB;  // below what the F16 model needs (its file, then 2x in f32)
const module = await init({ maximumMemory: LIMIT });
const memoryBytes = () => module.memory.buffer.byteLength;
const isOutOfMemory = (e) => e instanceof edgepiece.EdgepieceError && e.code === 'OUT_OF_MEMORY';

// Valid UTF-8 of `bytes` bytes that is not a single piece: text of the public documents.
function textOf(bytes) {
  const docs = publicDocuments().join('\n');
  return docs.repeat(Math.ceil(bytes / docs.length)).slice(0, bytes);
}

const tokenizer = await Tokenizer.load(read('models/kjvzh-8k.model'));
const sentence = 'In the beginning God created the heaven and the earth.';
const sentenceIds = Array.from(tokenizer.encode(sentence));

// Every call either works or throws OUT_OF_MEMORY; afterwards the tokenizer still gives the
// same ids for the sentence.
function expectWorksOrOutOfMemory(what, call) {
  let failed = false;
  try {
    call();
  } catch (error) {
    assert.ok(isOutOfMemory(error), `${what}: ${error}`);
    failed = true;
  }
  assert.deepEqual(Array.from(tokenizer.encode(sentence)), sentenceIds, `${what}: after`);
  assert.ok(memoryBytes() <= LIMIT, `${what}: memory ${memoryBytes()} over the limit`);
  return failed;
}

test('maximumMemory is checked', async () => {
  const { instantiate } = await import(path.join(packageDir, 'core.js'));
  for (const bad of [-1, 1024, Number.NaN, '64000000']) {
    await assert.rejects(instantiate({ maximumMemory: bad }, new URL('file:///nonexistent.wasm')),
      (e) => e.code === 'INVALID_ARGUMENT', String(bad));
  }
});

test('a model larger than the limit is OUT_OF_MEMORY; the tokenizer loads and encodes after it', async () => {
  // The file fits; its weights in f32 do not.
  await assert.rejects(Model.load(read('models/kjvzh-lm.safetensors')),
    (e) => isOutOfMemory(e) && /weights: cannot allocate/.test(e.message));
  assert.ok(memoryBytes() <= LIMIT);
  const again = await Tokenizer.load(read('models/kjvzh-8k.model'));
  assert.deepEqual(Array.from(again.encode(sentence)), sentenceIds);
  again.dispose();
  // The int8 model fits: it loads, generates and snapshots within the limit.
  const model = await Model.load(read('models/int8/kjvzh-lm-int8.safetensors'), tokenizer);
  const session = model.session();
  let text = '';
  for await (const piece of session.generate('And God said', { maxTokens: 20, seed: 1 })) text += piece;
  assert.ok(text.length > 0);
  assert.ok(session.snapshot().length > 0);
  session.dispose();
  model.dispose();
});

test('inputs too large for the limit are OUT_OF_MEMORY, smaller ones work, nothing traps', () => {
  let outOfMemory = 0;
  for (let bytes = 64 * 1024; bytes <= 16 * MB; bytes *= 2) {
    const text = textOf(bytes);
    const raw = new TextEncoder().encode(text);
    outOfMemory += expectWorksOrOutOfMemory(`encode ${bytes}`, () => tokenizer.encode(raw));
    outOfMemory += expectWorksOrOutOfMemory(`encode string ${bytes}`, () => tokenizer.encode(text));
    expectWorksOrOutOfMemory(`sampled ${bytes}`, () => tokenizer.encode(raw, { alpha: 0.1 }));
    expectWorksOrOutOfMemory(`offsets ${bytes}`, () => tokenizer.encodeWithOffsets(raw));
    expectWorksOrOutOfMemory(`batch ${bytes}`, () => tokenizer.encodeBatch([raw.subarray(0, bytes >> 1), raw.subarray(bytes >> 1)]));
    // One byte per id: the decoded text is as long as the ids (4 bytes each) allow.
    expectWorksOrOutOfMemory(`decode ${bytes}`, () => tokenizer.decode(new Int32Array(bytes >> 2).fill(tokenizer.encode('x')[0])));
    // Many long pieces: the decoded text is much longer than the ids.
    const long = tokenizer.encode(sentence).reduce((a, b) => (tokenizer.idToBytes(a).length >= tokenizer.idToBytes(b).length ? a : b));
    expectWorksOrOutOfMemory(`decode long ${bytes}`, () => tokenizer.decode(new Int32Array(bytes).fill(long)));
  }
  assert.ok(outOfMemory > 0, 'the largest inputs do not fit');
  // A 1 MB input still works after all of it.
  assert.equal(tokenizer.decode(tokenizer.encode(textOf(MB))), textOf(MB));
});

test('a tokenizer file too large for the limit is OUT_OF_MEMORY', async () => {
  // A valid JSON tokenizer file of ~12 MB: its parse and automaton need several times that.
  const entries = ['{'];
  for (let i = 0; i < 400000; ++i) {
    const piece = Buffer.from(`p${i.toString(36)}q`).toString('base64');
    entries.push(`${i ? ',' : ''}"${piece}":[${i + 3},1]`);
  }
  entries.push('}');
  const file = new TextEncoder().encode(entries.join(''));
  let error = null;
  try {
    (await Tokenizer.load(file)).dispose();
  } catch (e) {
    error = e;
  }
  assert.ok(error === null || isOutOfMemory(error), String(error));
  assert.ok(error !== null, `a ${file.length}-byte tokenizer file loaded in ${LIMIT} bytes`);
  assert.deepEqual(Array.from(tokenizer.encode(sentence)), sentenceIds);
});

test('a corpus whose counts do not fit is OUT_OF_MEMORY; the trainer module keeps working', async () => {
  const trainer = await Trainer.init({ maximumMemory: 8 * MB });
  // Random CJK text: nearly every n-gram is new, the count tables outgrow 8 MB.
  const corpus = Array.from({ length: 3000 }, (_, i) => Array.from({ length: 400 },
    (_, j) => String.fromCharCode(0x4e00 + ((i * 7919 + j * 104729) % 20000))).join(''));
  await assert.rejects(Trainer.train(corpus, { vocabSize: 1000 }), isOutOfMemory);
  const small = ['hello world', 'the quick brown fox'];
  const file = await Trainer.train(small, { vocabSize: 300 });
  assert.deepEqual(await Trainer.train(small, { vocabSize: 300 }), file);
  assert.ok(trainer.memory.buffer.byteLength <= 8 * MB);
});

test('a Worker takes maximumMemory', async () => {
  const worker = await EdgepieceWorker.create({ maximumMemory: LIMIT });
  try {
    await worker.loadTokenizer(read('models/kjvzh-8k.model'));
    await assert.rejects(worker.loadModel(read('models/kjvzh-lm.safetensors')), isOutOfMemory);
    assert.deepEqual(Array.from(await worker.encode(sentence)), sentenceIds);
  } finally {
    worker.terminate();
  }
});
