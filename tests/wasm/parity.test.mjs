// Native CLI vs WebAssembly on 1,000 random strings (deterministic and
// sampled with one glibc stream) and on invalid UTF-8 given as bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { edgepiece, goldenDir, tokenizerBytes, nativeCli, publicDocuments } from './support.mjs';

// Deterministic PRNG (xorshift32) so failures reproduce.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

const POOL = [
  ...'abcdefghijklmnopqrstuvwxyz ABCXYZ .,;:!?\'"-()0123456789', '\n', '\n\n', '\t', '  ',
  ...'天行健君子以自强不息。，的一是在不了有和人这中大为上个国我', 'é', 'e\u0301', 'a\u0323\u0301',
  '\u212b', '\u1100\u1161', '한국어', '😀', '👍🏽', '\u0000', '\u00a0', '—', '…', 'ﬁ',
];

function randomStrings(count, seed) {
  const next = rng(seed);
  const out = [];
  for (let i = 0; i < count; ++i) {
    const length = Math.floor(next() * 40);
    let s = '';
    for (let k = 0; k < length; ++k) s += POOL[Math.floor(next() * POOL.length)];
    out.push(s);
  }
  return out;
}

function runCli(args, input) {
  const result = spawnSync(nativeCli, args, { input, maxBuffer: 1 << 28 });
  assert.equal(result.status, 0, `edgepiece ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.toString('utf8');
}

test('the native CLI is built', () => {
  assert.ok(existsSync(nativeCli), `${nativeCli} missing: build the release preset first`);
});

for (const model of ['kjvzh-8k', 'plus40k']) {
  for (const [mode, alpha, seed] of [['deterministic', -1, 0], ['sampling a=0.5', 0.5, 99]]) {
    test(`${model} ${mode}: 1,000 random strings give native ids`, async () => {
      const texts = randomStrings(1000, 12345);
      const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-parity-'));
      const jsonl = path.join(dir, 'docs.jsonl');
      writeFileSync(jsonl, texts.map((text) => JSON.stringify({ text })).join('\n') + '\n');
      const args = ['encode', '--model', path.join(goldenDir, `${model}.model`), '--jsonl',
        '--rng', 'glibc', '--seed', String(seed), '--alpha', String(alpha), jsonl];
      const output = runCli(args);
      if (alpha < 0) assert.equal(runCli([...args, '--threads', '2']), output, '--threads 2');
      const native = output.split('\n');
      const tok = await edgepiece.Tokenizer.load(tokenizerBytes(model), { seed, rng: 'glibc' });
      for (let i = 0; i < texts.length; ++i) {
        assert.equal(tok.encode(texts[i], { alpha }).join(','), native[i], `text #${i}: ${JSON.stringify(texts[i])}`);
      }
      tok.dispose();
    });
  }
}

test('invalid UTF-8 bytes: native and WASM agree', async () => {
  const next = rng(777);
  const tok = await edgepiece.Tokenizer.load(tokenizerBytes('kjvzh-8k'));
  const modelPath = path.join(goldenDir, 'kjvzh-8k.model');
  for (let i = 0; i < 100; ++i) {
    const bytes = new Uint8Array(1 + Math.floor(next() * 24));
    for (let k = 0; k < bytes.length; ++k) {
      bytes[k] = next() < 0.5 ? 0x61 + Math.floor(next() * 3) : Math.floor(next() * 256);
    }
    const native = runCli(['encode', '--model', modelPath], Buffer.from(bytes)).trimEnd();
    assert.equal(tok.encode(bytes).join(','), native, `bytes #${i}: ${Buffer.from(bytes).toString('hex')}`);
  }
  tok.dispose();
});

test('a plain document over many 64 KB blocks: the streaming CLI equals one encode', async () => {
  // The CLI encodes plain input block by block (native/input_reader.h); ids,
  // sampled ids, <bos>/<eos> and offsets must be those of one call on the
  // whole text. Runs of '\n' and combining marks after '\n' are common here
  // so some fall on block edges.
  const texts = randomStrings(12000, 4242);
  const text = texts.join('\n') + '\n\n\u0301e\u0301';  // > 200 KB, no final '\n'
  assert.ok(Buffer.byteLength(text) > 3 * 65536);
  const modelPath = path.join(goldenDir, 'kjvzh-8k.model');
  for (const [flags, options] of [[[], {}], [['--bos', '--eos'], { bos: true, eos: true }],
    [['--alpha', '0.1', '--rng', 'glibc', '--seed', '3'], { alpha: 0.1 }]]) {
    const tok = await edgepiece.Tokenizer.load(tokenizerBytes('kjvzh-8k'), { seed: 3, rng: 'glibc' });
    const ids = tok.encode(text, options);
    const native = runCli(['encode', '--model', modelPath, ...flags], Buffer.from(text));
    assert.equal(native, ids.join(',') + '\n', `flags ${flags.join(' ')}`);
    if (options.alpha === undefined) {  // deterministic: any number of threads
      assert.equal(runCli(['encode', '--model', modelPath, '--threads', '3', ...flags],
        Buffer.from(text)), native, `--threads 3 ${flags.join(' ')}`);
    }
    tok.setSeed(3);
    const bytes = Buffer.from(text.normalize('NFC'));
    const expected = tok.encodeWithOffsets(bytes, options);  // byte offsets
    const json = JSON.parse(runCli(['encode', '--model', modelPath, '--format', 'json', ...flags],
      Buffer.from(text)));
    assert.deepEqual(json.ids, Array.from(expected.ids), `json ids, flags ${flags.join(' ')}`);
    assert.deepEqual(json.offsets.flat(), Array.from(expected.offsets), `offsets, flags ${flags.join(' ')}`);
    assert.equal(runCli(['decode', '--model', modelPath], native), text.normalize('NFC'));
    tok.dispose();
  }
  assert.equal(runCli(['encode', '--model', modelPath, '--bos', '--eos', '--format', 'json'], ''),
    '{"ids":[1,2],"offsets":[[0,0],[0,0]]}\n');
});

test('packed tokenizer files (edgepiece pack) load in WASM and encode like their JSON', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-pack-'));
  const docs = publicDocuments().filter((_, i) => i % 11 === 0);
  for (const model of ['kjvzh-8k', 'plus40k']) {
    const packedPath = path.join(dir, `${model}.bpk`);
    runCli(['pack', '--model', path.join(goldenDir, `${model}.model`), '--output', packedPath]);
    const packed = new Uint8Array(readFileSync(packedPath));
    assert.ok(packed.length * 5 < tokenizerBytes(model).length, 'packed is 5x smaller');
    const fromJson = await edgepiece.Tokenizer.load(tokenizerBytes(model), { seed: 8, rng: 'glibc' });
    const fromPacked = await edgepiece.Tokenizer.load(packed, { seed: 8, rng: 'glibc' });
    assert.equal(fromPacked.vocabSize, fromJson.vocabSize);
    assert.deepEqual(fromJson.pack(), packed, 'Tokenizer.pack() is what edgepiece pack writes');
    assert.deepEqual(fromPacked.pack(), packed);
    for (const doc of docs) {
      assert.deepEqual(fromPacked.encode(doc, { alpha: 0.1 }), fromJson.encode(doc, { alpha: 0.1 }));
      assert.deepEqual(fromPacked.encode(doc), fromJson.encode(doc));
    }
    await assert.rejects(edgepiece.Tokenizer.load(packed.subarray(0, packed.length - 1)),
      (e) => e.code === 'INVALID_MODEL' && /packed tokenizer file/.test(e.message));
    fromJson.dispose();
    fromPacked.dispose();
  }
});
