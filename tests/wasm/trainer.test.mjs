// The trainer in WebAssembly (Trainer.train, and through EdgepieceWorker):
// the reference's model bytes for the order-3 golden, the native CLI's bytes
// for another setting (isolateDigits on non-ASCII digits), errors as
// EdgepieceErrors, corpora that can and cannot be read twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { edgepiece, goldenDir, nativeCli, packageDir, publicDocuments } from './support.mjs';

const { EdgepieceError, Tokenizer, Trainer } = edgepiece;
const trainerGoldenDir = path.join(goldenDir, '../trainer');

test('the order-3 golden: the reference model byte for byte, with progress', async () => {
  const docs = publicDocuments();
  const reports = [];
  // The event loop runs during training: a timer set now (the module loaded) fires
  // before pass 2 ends.
  await edgepiece.init();
  let timerFired = false;
  setTimeout(() => { timerFired = true; }, 0);
  let firedBeforeSegmentEnd = false;
  const model = await Trainer.train(docs, {
    order: 3, vocabSize: 2000, minCount: 16, ensureUnicode: false,
  }, (progress) => {
    reports.push(progress);
    if (progress.phase === 'segment') firedBeforeSegmentEnd ||= timerFired;
  });
  assert.ok(firedBeforeSegmentEnd, 'no timer ran during training');
  const golden = new Uint8Array(readFileSync(path.join(trainerGoldenDir, 'public.o3.v2000.m16.nounicode.model')));
  assert.equal(model.length, golden.length);
  assert.ok(Buffer.from(model).equals(Buffer.from(golden)));
  const last = reports.at(-1);
  assert.equal(last.phase, 'finish');
  assert.equal(last.bytesCounted, last.bytesSegmented);
  const corpusBytes = docs.reduce((sum, doc) => sum + Buffer.byteLength(doc.normalize('NFC')), 0);
  assert.equal(last.bytesCounted, corpusBytes);
  assert.ok(last.ngramsKept > 0 && last.piecesSeen > 0);
  assert.ok(reports.some((r) => r.phase === 'count' && r.documents === docs.length));
  assert.ok(reports.some((r) => r.phase === 'segment' && r.documents === docs.length));
  // The counters only grow.
  for (let i = 1; i < reports.length; ++i) {
    assert.ok(reports[i].bytesCounted >= reports[i - 1].bytesCounted);
    assert.ok(reports[i].bytesSegmented >= reports[i - 1].bytesSegmented);
  }
  const tokenizer = await Tokenizer.load(model);
  assert.equal(tokenizer.vocabSize, 2000);
  assert.equal(tokenizer.decode(tokenizer.encode(docs[0])), docs[0].normalize('NFC'));
  tokenizer.dispose();
});

for (const [file, options] of [
  ['public.o6.v8000.m4.model', { order: 6, vocabSize: 8000, minCount: 4 }],
  ['public.o6.v30000.m2.digits.model', { order: 6, vocabSize: 30000, minCount: 2, isolateDigits: true }],
]) {
  test(`${file}: the reference model byte for byte`, async () => {
    const model = await Trainer.train(publicDocuments(), options);
    assert.ok(Buffer.from(model).equals(readFileSync(path.join(trainerGoldenDir, file))));
  });
}

// Documents with digits of several scripts, text to normalize (NFD input) and
// newline runs, for a setting other than the goldens'.
function digitDocuments() {
  const digits = ['0123456789', '٠١٢٣٤٥٦٧٨٩', '०१२३४५६७८९', '０１２３４５６７８９', '𝟎𝟏𝟐𝟑']
    .map((d) => Array.from(d));  // code points, not UTF-16 units
  const docs = [];
  for (let i = 0; i < 300; ++i) {
    const d = digits[i % digits.length];
    docs.push(`Item ${d.slice(i % 3, i % 3 + 4).join('')} costs ${i * 7} café — caf\u0065\u0301 ${d.join('')}\n\n`
      + `第${i % 13}章 数字 ${[...d].reverse().join('')} and more text here.\n`.repeat(1 + i % 3));
  }
  return docs.concat(publicDocuments().slice(0, 200));
}

// No piece of the model file holds a Unicode digit and another character.
function assertDigitsIsolated(model) {
  const pieces = Object.keys(JSON.parse(new TextDecoder().decode(model)))
    .map((key) => Buffer.from(key, 'base64').toString('utf8'));
  assert.ok(pieces.some((piece) => piece === '٣'));
  for (const piece of pieces) {
    assert.ok(!(/\p{Nd}/u.test(piece) && Array.from(piece).length > 1), piece);
  }
}

test('isolateDigits on non-ASCII digits: the native CLI\'s bytes', { skip: !existsSync(nativeCli) && 'no native CLI' }, async () => {
  const docs = digitDocuments();
  const options = { order: 4, vocabSize: 600, minCount: 3, maxPieceLength: 12, isolateDigits: true };
  const model = await Trainer.train(() => docs.values(), options);
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-wasm-train-'));
  try {
    const corpus = path.join(dir, 'corpus.jsonl');
    writeFileSync(corpus, docs.map((text) => JSON.stringify({ text })).join('\n') + '\n');
    const output = path.join(dir, 'native.model');
    execFileSync(nativeCli, ['train', '--quiet', '--jsonl', '--output', output, '--order', '4',
      '--vocab-size', '600', '--min-count', '3', '--max-piece-length', '12', '--isolate-digits',
      corpus]);
    assert.ok(Buffer.from(model).equals(readFileSync(output)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assertDigitsIsolated(model);
});

test('corpora: arrays, functions returning (async) iterables; one-shot iterators are refused', async () => {
  const docs = digitDocuments().slice(0, 100);
  const options = { order: 3, vocabSize: 400 };
  const fromArray = await Trainer.train(docs, options);
  const fromBytes = await Trainer.train(docs.map((d) => new TextEncoder().encode(d.normalize('NFC'))), options);
  assert.ok(Buffer.from(fromBytes).equals(Buffer.from(fromArray)));
  async function* generate() { for (const d of docs) yield d; }
  const fromAsync = await Trainer.train(generate, options);
  assert.ok(Buffer.from(fromAsync).equals(Buffer.from(fromArray)));
  const invalid = (e) => e instanceof EdgepieceError && e.code === 'INVALID_ARGUMENT';
  await assert.rejects(Trainer.train(generate(), options), invalid);
  await assert.rejects(Trainer.train(docs.values(), options), invalid);
  await assert.rejects(Trainer.train('text', options), invalid);
  await assert.rejects(Trainer.train([42], options), invalid);
  // A corpus that changes between the passes is an error, not a wrong model.
  let pass = 0;
  await assert.rejects(Trainer.train(() => (++pass === 1 ? docs : docs.slice(1)), options), invalid);
});

test('errors are EdgepieceErrors with codes', async () => {
  const invalid = (message) => (e) => e instanceof EdgepieceError && e.code === 'INVALID_ARGUMENT'
    && message.test(e.message);
  await assert.rejects(Trainer.train([], {}), invalid(/empty corpus/));
  await assert.rejects(Trainer.train(['', ''], {}), invalid(/empty corpus/));
  await assert.rejects(Trainer.train(['abc'], { vocabSize: 258 }), invalid(/259/));
  await assert.rejects(Trainer.train(['abc'], { order: 0 }), invalid(/order/));
  await assert.rejects(Trainer.train(['abc'], { order: 2.5 }), invalid(/order/));
  await assert.rejects(Trainer.train(['abc'], { vocabsize: 300 }), invalid(/vocabsize/));
  await assert.rejects(Trainer.train(['abc'], { isolateDigits: 1 }), invalid(/boolean/));
  await assert.rejects(Trainer.train(['abc'], { minCount: -1 }), invalid(/minCount/));
  await assert.rejects(Trainer.train(['abc'], { maxPieceLength: 0 }), invalid(/piece length/));
  await assert.rejects(Trainer.train([new Uint8Array([0x61, 0xff])], {}), invalid(/UTF-8/));
  // The module keeps working after errors.
  const model = await Trainer.train(['abc abc abc'], { vocabSize: 300 });
  assert.ok(model.length > 0);
});

test('EdgepieceWorker.train: the same bytes off the main thread, with progress', async () => {
  const docs = digitDocuments();
  const options = { order: 4, vocabSize: 500, isolateDigits: true };
  const expected = await Trainer.train(docs, options);
  const worker = await edgepiece.EdgepieceWorker.create();
  try {
    const phases = new Set();
    const model = await worker.train(docs, options, (progress) => phases.add(progress.phase));
    assert.ok(model instanceof Uint8Array);
    assert.ok(Buffer.from(model).equals(Buffer.from(expected)));
    assert.deepEqual([...phases].sort(), ['count', 'finish', 'segment']);
    await assert.rejects(worker.train([], options), (e) => e instanceof EdgepieceError && e.code === 'INVALID_ARGUMENT');
    // A streamed corpus: a function returning a fresh (async) iterable, called once per pass
    // on this side; the batches (about 1 MiB) go to the worker as it asks for them.
    let passes = 0;
    const streamed = await worker.train(() => { ++passes; return docs.values(); }, options);
    assert.equal(passes, 2);
    assert.ok(Buffer.from(streamed).equals(Buffer.from(expected)));
    const big = publicDocuments();
    async function* bigDocs() { for (const d of big) yield d; }
    const golden = await worker.train(bigDocs, { order: 3, vocabSize: 2000, minCount: 16, ensureUnicode: false });
    assert.ok(Buffer.from(golden).equals(readFileSync(path.join(trainerGoldenDir, 'public.o3.v2000.m16.nounicode.model'))));
    const invalid = (e) => e instanceof EdgepieceError && e.code === 'INVALID_ARGUMENT';
    await assert.rejects(worker.train(() => 42, options), invalid);
    await assert.rejects(worker.train(() => [1, 2], options), invalid);
    await assert.rejects(worker.train(docs.values(), options), invalid);
    await assert.rejects(worker.train(() => { throw new EdgepieceError('IO_ERROR', 'gone'); }, options),
      (e) => e instanceof EdgepieceError && e.code === 'IO_ERROR' && /gone/.test(e.message));
    let pass = 0;
    await assert.rejects(worker.train(() => (++pass === 1 ? docs : docs.slice(1)), options), invalid);
    assertDigitsIsolated(model);
    // The worker still answers after a failed run.
    await worker.loadTokenizer(model);
    const tokenizer = await Tokenizer.load(model);
    assert.deepEqual(Array.from(await worker.encode(docs[1])), Array.from(tokenizer.encode(docs[1])));
    tokenizer.dispose();
  } finally {
    worker.terminate();
  }
});

test('the trainer is a module of its own, loaded on first use', async () => {
  // A copy of the package without edgepiece-trainer.wasm tokenizes; only training needs it,
  // and a failed load is retried on the next call.
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-no-trainer-'));
  try {
    cpSync(packageDir, dir, { recursive: true });
    const trainerFile = path.join(dir, 'edgepiece-trainer.wasm');
    const bytes = readFileSync(trainerFile);
    unlinkSync(trainerFile);
    const copy = await import(path.join(dir, 'index.js'));
    const tokenizer = await copy.Tokenizer.load(new Uint8Array(
      readFileSync(path.join(goldenDir, 'kjvzh-8k.model'))));
    assert.ok(tokenizer.encode('In the beginning').length > 0);
    tokenizer.dispose();
    await assert.rejects(copy.Trainer.train(['abc abc'], { vocabSize: 300 }),
      (e) => e instanceof copy.EdgepieceError && e.code === 'IO_ERROR' && /edgepiece-trainer\.wasm/.test(e.message));
    writeFileSync(trainerFile, bytes);
    assert.ok((await copy.Trainer.train(['abc abc'], { vocabSize: 300 })).length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Trainer.init takes the trainer module\'s bytes; the worker takes trainerWasmBinary', async () => {
  const bytes = new Uint8Array(readFileSync(path.join(packageDir, 'edgepiece-trainer.wasm')));
  const expected = await Trainer.train(['one two three one two'], { vocabSize: 300 });
  const worker = await edgepiece.EdgepieceWorker.create({
    trainerWasmUrl: new URL('file:///nonexistent/edgepiece-trainer.wasm'),
  });
  try {
    await assert.rejects(worker.train(['x'], { vocabSize: 300 }), (e) => e.code === 'IO_ERROR');
  } finally {
    worker.terminate();
  }
  const withBinary = await edgepiece.EdgepieceWorker.create({ trainerWasmBinary: bytes });
  try {
    const model = await withBinary.train(['one two three one two'], { vocabSize: 300 });
    assert.ok(Buffer.from(model).equals(Buffer.from(expected)));
  } finally {
    withBinary.terminate();
  }
});
