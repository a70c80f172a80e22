// What a developer's own generation loop is built from: the streaming decoder, idToBytes and
// idToPiece, vocabSize, the memory figures, and EdgepieceWorker's versions of the main-thread
// calls (encodeBatch, decodeBytes, pack, feed/logits/sample/reset, ...).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { edgepiece, repoRoot } from './support.mjs';

const { EdgepieceError, EdgepieceWorker, Model, Tokenizer } = edgepiece;
const tokenizerFile = new Uint8Array(readFileSync(path.join(repoRoot, 'models/kjvzh-8k.model')));
const weightsPath = path.join(repoRoot, 'models/kjvzh-lm.safetensors');
const tok = await Tokenizer.load(tokenizerFile);
const text = 'In the beginning 起初，神创造天地。😀 naïve\n\n';

// A deterministic stream of pseudo-random numbers (the tests must not be flaky).
function* lcg(seed) {
  let x = seed >>> 0;
  for (;;) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    yield x;
  }
}

test('the streaming decoder gives decode()\'s text however the ids are split', async () => {
  const ids = [...tok.encode(text)];
  // Byte tokens that split characters (ids 3 + byte for the byte-fallback pieces), invalid
  // bytes and the specials among them.
  const byteId = (byte) => {
    const id = [...tok.encode(new Uint8Array([byte]))][0];
    assert.deepEqual([...tok.idToBytes(id)], [byte]);
    return id;
  };
  const split = [...new TextEncoder().encode('中😀')].map(byteId);
  // It ends with the first three of 😀's four bytes.
  const stream = [...ids, ...split, byteId(0xff), 1, byteId(0xe4), byteId(0xb8), 2, ...split.slice(3, 6)];
  const expected = tok.decode(stream);
  const random = lcg(7);
  for (let round = 0; round < 50; ++round) {
    const decoder = tok.decoder();
    let out = '';
    for (let i = 0; i < stream.length;) {
      const n = random.next().value % 4;  // 0..3 ids per push (0: an empty push)
      out += decoder.push(stream.slice(i, i + n));
      i += n;
    }
    assert.equal(decoder.pendingBytes, 3);  // the last three bytes of 😀 never came
    out += decoder.end();
    assert.equal(decoder.pendingBytes, 0);
    assert.equal(out, expected);
  }
  // A character split across tokens comes whole with its last byte.
  const decoder = tok.decoder();
  assert.equal(decoder.push(split.slice(0, 2)), '');
  assert.equal(decoder.push(split.slice(2, 3)), '中');
  assert.equal(decoder.push(Int32Array.from(split.slice(3))), '😀');
  assert.throws(() => decoder.push([1e6]), (e) => e instanceof EdgepieceError && e.code === 'OUT_OF_RANGE');
  // A refused push decodes none of its ids: the held-back bytes stay, and end() starts anew.
  assert.equal(decoder.push(split.slice(0, 1)), '');
  assert.throws(() => decoder.push([split[1], -1]), { code: 'OUT_OF_RANGE' });
  assert.equal(decoder.pendingBytes, 1);
  assert.equal(decoder.push(split.slice(1, 3)), '中');
  assert.equal(decoder.push(split.slice(3, 5)) + decoder.end(), '');
  assert.equal(decoder.push(split.slice(0, 3)), '中');
  decoder.dispose();
  decoder.dispose();
  assert.throws(() => decoder.push([1]), { code: 'DISPOSED' });
  assert.throws(() => decoder.pendingBytes, { code: 'DISPOSED' });
  // The decoder keeps the tokenizer's data: it outlives the Tokenizer object.
  const own = await Tokenizer.load(tokenizerFile);
  const outliving = own.decoder();
  own.dispose();
  assert.equal(outliving.push(split.slice(0, 3)), '中');
  outliving.dispose();
});

test('idToBytes, idToPiece and vocabSize describe the vocabulary', () => {
  // Pieces + <pad>, <bos>, <eos>.
  assert.equal(tok.vocabSize, Object.keys(JSON.parse(new TextDecoder().decode(tokenizerFile))).length + 3);
  assert.deepEqual(['<pad>', '<bos>', '<eos>'], [0, 1, 2].map((id) => tok.idToPiece(id)));
  assert.equal(tok.idToBytes(1).length, 0);
  const decoded = [];
  for (let id = 0; id < tok.vocabSize; ++id) decoded.push(...tok.idToBytes(id));
  assert.deepEqual(decoded, [...tok.decodeBytes(Array.from({ length: tok.vocabSize }, (_, i) => i))]);
  // A piece of whole characters displays as its text.
  const strict = new TextDecoder('utf-8', { fatal: true });
  let whole = 0;
  for (let id = 3; id < tok.vocabSize; ++id) {
    let pieceText = null;
    try { pieceText = strict.decode(tok.idToBytes(id)); } catch { continue; }
    assert.equal(tok.idToPiece(id), pieceText);
    whole += 1;
  }
  assert.ok(whole > 7000, `${whole}`);
  const byteId = [...tok.encode(new Uint8Array([0xe4]))][0];
  assert.equal(tok.idToPiece(byteId), '<0xE4>');
  assert.equal(tok.idToPiece([...tok.encode(' the')][0]), ' the');
  assert.throws(() => tok.idToBytes(tok.vocabSize), (e) => e.code === 'OUT_OF_RANGE');
  assert.throws(() => tok.idToPiece(-1), (e) => e.code === 'OUT_OF_RANGE');
  assert.throws(() => tok.idToPiece(1.5), (e) => e.code === 'INVALID_ARGUMENT');
});

test('memory figures: model.memoryBytes and a constant session.stateBytes', async () => {
  const model = await Model.load(weightsPath, tok);
  // At least a byte per parameter (f32 matrices, an f16 head: 14.8 MB for 3.7 M here).
  assert.ok(model.memoryBytes >= model.numParameters, `${model.memoryBytes}`);
  const session = model.session();
  const bytes = session.stateBytes;
  assert.ok(bytes > 0);
  session.feed(tok.encode(text.repeat(20), { bos: true }));
  assert.equal(session.stateBytes, bytes);
  session.dispose();
  assert.throws(() => session.stateBytes, (e) => e.code === 'DISPOSED');
  model.dispose();
  assert.throws(() => model.memoryBytes, (e) => e.code === 'DISPOSED');
});

test('a greedy loop of your own: feed, logits, sample and the decoder give generate()\'s text', async () => {
  const model = await Model.load(weightsPath, tok);
  const session = model.session();
  let generated = '';
  for await (const piece of session.generate('And God said', { maxTokens: 24, temperature: 0, ignoreEos: true })) {
    generated += piece;
  }
  session.reset();
  session.feed(tok.encode('And God said', { bos: true }));
  const decoder = tok.decoder();
  let own = '';
  for (let i = 0; i < 24; ++i) {
    const id = session.sample({ temperature: 0 });
    own += decoder.push([id]);
    session.feed([id]);
  }
  own += decoder.end();
  assert.equal(own, generated);
  session.dispose();
  model.dispose();
});

test('EdgepieceWorker offers the main thread\'s calls', async () => {
  const model = await Model.load(weightsPath, tok);
  const session = model.session();
  const worker = await EdgepieceWorker.create();
  try {
    assert.deepEqual(await worker.loadTokenizer(tokenizerFile), { vocabSize: tok.vocabSize, format: 'bytepiece' });
    // A path or URL is read by the worker, its progress relayed; a Response is read here.
    const reports = [];
    const loaded = await worker.loadModel(weightsPath, { onProgress: (p) => reports.push(p) });
    const size = readFileSync(weightsPath).length;
    assert.ok(reports.length >= 2);
    assert.deepEqual(reports.at(-1), { loaded: size, total: size });
    const fromResponse = [];
    await worker.loadTokenizer(new Response(tokenizerFile), { onProgress: (p) => fromResponse.push(p) });
    assert.deepEqual(fromResponse.at(-1), { loaded: tokenizerFile.length, total: tokenizerFile.length });
    for (const source of [tokenizerFile, new Response(tokenizerFile)]) {
      await assert.rejects(worker.loadTokenizer(source, { integrity: '0'.repeat(64) }),
        (e) => e instanceof EdgepieceError && e.code === 'INTEGRITY_MISMATCH');
    }
    await assert.rejects(worker.loadTokenizer(tokenizerFile, { cache: {} }), (e) => e.code === 'INVALID_ARGUMENT');
    await worker.loadModel(weightsPath);
    assert.deepEqual(loaded, {
      vocabSize: tok.vocabSize, numParameters: model.numParameters, memoryBytes: model.memoryBytes,
      stateBytes: session.stateBytes,
    });
    const texts = ['In the beginning', '起初', ''];
    const batch = await worker.encodeBatch(texts, { bos: true });
    assert.deepEqual(batch.map((ids) => [...ids]), tok.encodeBatch(texts, { bos: true }).map((ids) => [...ids]));
    const ids = tok.encode(text);
    assert.deepEqual([...await worker.decodeBytes(ids)], [...tok.decodeBytes(ids)]);
    assert.deepEqual([...await worker.pack()], [...tok.pack()]);
    assert.deepEqual([...await worker.idToBytes(ids[3])], [...tok.idToBytes(ids[3])]);
    assert.equal(await worker.idToPiece(2), '<eos>');
    // The worker's decoder: pushes made without waiting still come out in order.
    const split = [...new TextEncoder().encode('中😀')].map((byte) => tok.encode(new Uint8Array([byte]))[0]);
    const workerDecoder = worker.decoder();
    const pieces = await Promise.all([...ids, ...split].map((id) => workerDecoder.push([id])));
    assert.equal(pieces.join('') + await workerDecoder.end(), tok.decode([...ids, ...split]));
    assert.equal(pieces.at(-1), '😀');
    await workerDecoder.dispose();
    const prompt = tok.encode('And God said', { bos: true });
    session.feed(prompt);
    assert.deepEqual(await worker.feed(prompt), { position: prompt.length });
    assert.deepEqual([...await worker.logits()], [...session.logits()]);
    assert.equal(await worker.sample({ temperature: 0 }), session.sample({ temperature: 0 }));
    await worker.reset();
    assert.deepEqual(await worker.feed([1]), { position: 1 });
    await assert.rejects(worker.idToPiece(1e6), (e) => e instanceof EdgepieceError && e.code === 'OUT_OF_RANGE');
  } finally {
    worker.terminate();
    session.dispose();
    model.dispose();
  }
  await assert.rejects(worker.encode('after terminate'), { code: 'DISPOSED' });
});
