// The JS API: encode/decode round trips, offsets, RNG streams, every error
// path, and no WASM memory growth over 10,000 load/encode/dispose cycles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { edgepiece, tokenizerBytes, publicDocuments, repoRoot } from './support.mjs';

const { Tokenizer, EdgepieceError } = edgepiece;
const bundled = new Uint8Array(readFileSync(path.join(repoRoot, 'models/kjvzh-8k.model')));

test('encode and decode round-trip NFC text', async () => {
  const tok = await Tokenizer.load(bundled);
  for (const text of ['', 'In the beginning', '天行健，君子以自强不息。', 'e\u0301 and \u212b', '😀 emoji\n\n\nlines']) {
    assert.equal(tok.decode(tok.encode(text)), text.normalize('NFC'));
  }
  assert.equal(tok.vocabSize, 7999);
  tok.dispose();
});

test('bos, eos and offsets', async () => {
  const tok = await Tokenizer.load(bundled);
  const text = 'In the beginning 天行健';
  const plain = tok.encode(text);
  const both = tok.encode(text, { bos: true, eos: true });
  assert.deepEqual(Array.from(both), [1, ...plain, 2]);
  const { ids, offsets } = tok.encodeWithOffsets(text);
  assert.deepEqual(ids, plain);
  assert.equal(offsets.length, 2 * ids.length);
  assert.equal(offsets[0], 0);
  assert.equal(offsets[offsets.length - 1], text.length);
  for (let i = 0; i < ids.length; ++i) {
    // A token holding part of a character (byte fallback) decodes to '' and
    // its range collapses onto the character; all others cover their text.
    const piece = tok.decode([ids[i]]);
    if (piece !== '') assert.equal(text.slice(offsets[2 * i], offsets[2 * i + 1]), piece);
    if (i > 0) assert.equal(offsets[2 * i], offsets[2 * i - 1]);
  }
  tok.dispose();
});

test('byte input: invalid UTF-8 falls back to bytes and round-trips', async () => {
  const tok = await Tokenizer.load(bundled);
  const bytes = new Uint8Array([0x41, 0xff, 0xe4, 0xbd, 0x0a, 0xc0, 0x80]);
  assert.deepEqual(tok.decodeBytes(tok.encode(bytes)), bytes);
  assert.equal(tok.decode(tok.encode(bytes)), 'A\n');
  tok.dispose();
});

test('sampling: one stream per tokenizer, setSeed restarts it', async () => {
  const a = await Tokenizer.load(bundled, { seed: 42 });
  const b = await Tokenizer.load(bundled, { seed: 42 });
  const text = 'And God said, Let there be light: and there was light.';
  const first = a.encode(text, { alpha: 0.1 });
  const second = a.encode(text, { alpha: 0.1 });
  assert.deepEqual(b.encode(text, { alpha: 0.1 }), first);
  assert.deepEqual(b.encode(text, { alpha: 0.1 }), second);
  a.setSeed(42);
  assert.deepEqual(a.encode(text, { alpha: 0.1 }), first);
  assert.deepEqual(a.encode(text, { alpha: 0.0 }).length > 0, true);
  // nbestSize is SentencePiece Unigram's: BytePiece takes only the default (-1).
  assert.throws(() => a.encode(text, { alpha: 0.1, nbestSize: 4 }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => a.encodeBatch([text], { alpha: 0.1, nbestSize: 4 }), { code: 'INVALID_ARGUMENT' });
  b.setSeed(42);
  assert.deepEqual(b.encode(text, { alpha: 0.1, nbestSize: -1 }), first);
  a.dispose();
  b.dispose();
});

test('errors are typed, and the module keeps working after them', async () => {
  const tok = await Tokenizer.load(bundled);
  const expectCode = async (fn, code) => {
    await assert.rejects(async () => fn(), (e) => e instanceof EdgepieceError && e.code === code);
  };
  await expectCode(() => Tokenizer.load(new TextEncoder().encode('{"QQ==": [3, "A", 1]}')), 'INVALID_MODEL');
  await expectCode(() => Tokenizer.load(new TextEncoder().encode('{"QQ==": [3, "A", ')), 'MALFORMED_JSON');
  await expectCode(() => Tokenizer.load(new TextEncoder().encode('[]')), 'MALFORMED_JSON');
  await expectCode(() => Tokenizer.load(42), 'INVALID_ARGUMENT');
  await expectCode(() => Tokenizer.load('no such file'), 'IO_ERROR');  // a string is a path or URL
  await expectCode(() => Tokenizer.load(bundled, { rng: 'mt19937' }), 'INVALID_ARGUMENT');
  await expectCode(() => Tokenizer.load(bundled, { rng: 'toString' }), 'INVALID_ARGUMENT');
  await expectCode(() => Tokenizer.load(bundled, { seed: -1 }), 'INVALID_ARGUMENT');
  await expectCode(() => tok.decode([7999]), 'OUT_OF_RANGE');
  await expectCode(() => tok.decode([-1]), 'OUT_OF_RANGE');
  await expectCode(() => tok.encode('x', { alpha: NaN }), 'INVALID_ARGUMENT');
  await expectCode(() => tok.encode(42), 'INVALID_ARGUMENT');
  await expectCode(() => tok.setSeed(1.5), 'INVALID_ARGUMENT');
  assert.equal(tok.decode(tok.encode('still works')), 'still works');
  tok.dispose();
  tok.dispose();  // idempotent
  await expectCode(() => tok.encode('x'), 'DISPOSED');
  await expectCode(() => tok.vocabSize, 'DISPOSED');
});

// A small valid model: the 256 bytes plus a few pieces, in id order.
function smallModel() {
  const pieces = [];
  for (let b = 0; b < 256; ++b) pieces.push(new Uint8Array([b]));
  for (const word of [' t', 'he', 'in', ' the', 'beginning']) pieces.push(new TextEncoder().encode(word));
  pieces.sort((a, b) => a.length - b.length || Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const entries = pieces.map((p, i) => `"${Buffer.from(p).toString('base64')}": [${i + 3}, "", ${i + 1}]`);
  return new TextEncoder().encode(`{${entries.join(',')}}`);
}

test('10,000 load/encode/dispose cycles do not grow WASM memory', async () => {
  const model = smallModel();
  const cycle = async () => {
    const tok = await Tokenizer.load(model, { seed: 1 });
    tok.encode('In the beginning God created the heaven and the earth.', { alpha: 0.1 });
    tok.dispose();
  };
  for (let i = 0; i < 200; ++i) await cycle();  // warm up the allocator
  const memory = (await edgepiece.init()).memory;
  const before = memory.buffer.byteLength;
  for (let i = 0; i < 10000; ++i) await cycle();
  assert.equal(memory.buffer.byteLength, before);
});

test('results stay right when the module memory grows and the input buffer moves', async () => {
  // The JS layer keeps typed views of module memory between calls; growth
  // replaces the memory's buffer and a longer input moves the scratch buffer.
  const tok = await Tokenizer.load(bundled);
  const line = 'In the beginning God created the heaven and the earth.\n';
  const expected = Array.from(tok.encode(line));
  const memory = (await edgepiece.init()).memory;
  const before = memory.buffer.byteLength;
  const long = line.repeat(Math.ceil((before + (16 << 20)) / line.length));  // > the whole memory
  const ids = tok.encode(long);
  assert.ok(memory.buffer.byteLength > before, 'the memory grew');
  assert.deepEqual(Array.from(ids.subarray(0, expected.length)), expected);
  assert.equal(tok.decode(ids), long);
  assert.deepEqual(Array.from(tok.encode(line)), expected);
  tok.dispose();
});

test('pooled results keep their values while later results fill the pool', async () => {
  // Results up to 2 KB are views of a shared pool buffer (core.js copyOut):
  // each must keep its own values however many results follow it.
  const tok = await Tokenizer.load(tokenizerBytes('kjvzh-8k'));
  const docs = publicDocuments().slice(0, 200);
  const texts = [...docs.flatMap((d) => d.split('\n')), ...docs];  // 0 to > 1,024 ids each
  const kept = texts.map((t) => tok.encode(t));
  const sizes = kept.map((ids) => ids.byteLength);
  assert.ok(sizes.some((b) => b <= 64) && sizes.some((b) => b > 64 && b <= 2048) &&
            sizes.some((b) => b > 2048), 'results on both sides of both thresholds');
  assert.ok(kept.reduce((n, ids) => n + ids.byteLength, 0) > 4 * 16384, 'several pools');
  const expected = tok.encodeBatch(texts);
  kept.forEach((ids, i) => assert.deepEqual(Array.from(ids), Array.from(expected[i])));
  const bytes = kept.map((ids) => tok.decodeBytes(ids));
  bytes.forEach((b, i) => assert.equal(new TextDecoder().decode(b), texts[i].normalize('NFC')));
  const own = kept[1].slice();
  assert.equal(own.buffer.byteLength, own.byteLength);
  // Transferring a pooled result's buffer detaches the pool; later results
  // must come from a new one.
  const pooled = tok.encode(texts.find((t) => tok.encode(t).byteLength > 64));
  const expectedIds = Array.from(pooled);
  const moved = structuredClone(pooled, { transfer: [pooled.buffer] });
  assert.deepEqual(Array.from(moved), expectedIds);
  assert.equal(pooled.length, 0, 'the transfer detached the pool');
  kept.slice(0, 500).forEach((ids, i) => assert.deepEqual(Array.from(tok.encode(texts[i])), Array.from(expected[i])));
  tok.dispose();
});

test('encodeBatch equals one encode per text, deterministic and sampled', async () => {
  const { Tokenizer: Tok } = edgepiece;
  const tok = await Tok.load(tokenizerBytes('kjvzh-8k'), { seed: 9 });
  const texts = publicDocuments().slice(0, 300).flatMap((d) => d.split('\n'));
  texts.push('', new Uint8Array([0xe4, 0xb8]), 'e\u0301');  // empty, invalid UTF-8, non-NFC
  const batch = tok.encodeBatch(texts, { bos: true });
  assert.equal(batch.length, texts.length);
  texts.forEach((t, i) => assert.deepEqual(Array.from(batch[i]), Array.from(tok.encode(t, { bos: true }))));
  tok.setSeed(5);
  const sampled = tok.encodeBatch(texts, { alpha: 0.1 });
  tok.setSeed(5);
  texts.forEach((t, i) => assert.deepEqual(Array.from(sampled[i]), Array.from(tok.encode(t, { alpha: 0.1 }))));
  assert.deepEqual(tok.encodeBatch([]), []);
  assert.throws(() => tok.encodeBatch('x'), (e) => e.code === 'INVALID_ARGUMENT');
  assert.throws(() => tok.encodeBatch([1]), (e) => e.code === 'INVALID_ARGUMENT');
  tok.dispose();
});

test('out of memory is a typed error and the module keeps working', async () => {
  const { Tokenizer: Tok, Model } = edgepiece;
  const huge = new Uint8Array(2 ** 31 + 16);  // beyond the module's 2 GiB memory limit
  await assert.rejects(Tok.load(huge), (e) => e instanceof edgepiece.EdgepieceError && e.code === 'OUT_OF_MEMORY');
  await assert.rejects(Model.load(huge), (e) => e.code === 'OUT_OF_MEMORY');
  const tok = await Tok.load(tokenizerBytes('kjvzh-8k'));
  assert.ok(tok.encode('still works').length > 0);
  tok.dispose();
});
