// Session snapshots in WebAssembly and across the native/WASM boundary
// (docs/model.md, "Session snapshots"): bit-identical continuation, append
// after restore, the worker, malformed bytes, the CLI's --save-state /
// --load-state round trip, and snapshots written natively restoring here
// (and the other way round).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { edgepiece, nativeCli, repoRoot } from './support.mjs';

const { Model, Tokenizer, EdgepieceError } = edgepiece;
const read = (relative) => new Uint8Array(readFileSync(path.join(repoRoot, relative)));
const weights = read('models/kjvzh-lm.safetensors');
const tokenizer = await Tokenizer.load(read('models/kjvzh-8k.model'));
const demo = await Model.load(weights, tokenizer);
const scratch = mkdtempSync(path.join(tmpdir(), 'edgepiece-snapshot-'));

const bits = (floats) => Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
const sameBits = (a, b) => bits(a).equals(bits(b));
const ids = (text, bos = false) => Array.from(tokenizer.encode(text, { bos }));

async function collect(stream) {
  let text = '';
  for await (const piece of stream) text += piece;
  return text;
}

function cli(args) {
  const result = spawnSync(nativeCli, args, { cwd: repoRoot, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function cliOk(args) {
  const result = cli(args);
  assert.equal(result.status, 0, `edgepiece ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.replace(/\n$/, '');
}

test('restoring continues with the same bits, in fresh and in busy sessions', () => {
  // 100 prompt tokens: a GAU chunk (C = 64) folded, the next one half full;
  // B crosses the next boundary.
  const a = Int32Array.from({ length: 100 }, (_, i) => 3 + ((i * 7919) % (demo.vocabSize - 3)));
  const b = Int32Array.from({ length: 40 }, (_, i) => 3 + ((i * 104729) % (demo.vocabSize - 3)));
  for (const cut of [1, 64, 100]) {
    const original = demo.session();
    original.feed(a.subarray(0, cut));
    const snapshot = original.snapshot();
    assert.ok(snapshot instanceof Uint8Array);
    const atSnapshot = original.logits();
    original.feed(b);
    const expected = original.logits();

    const fresh = demo.session();
    const busy = demo.session();
    busy.feed(b.subarray(0, 17));
    for (const session of [fresh, busy]) {
      session.restore(snapshot);
      assert.equal(session.position, cut);
      assert.ok(sameBits(session.logits(), atSnapshot));
      assert.ok(Buffer.from(session.snapshot()).equals(Buffer.from(snapshot)), 'snapshots to the same bytes');
      session.feed(b);
      assert.ok(sameBits(session.logits(), expected), `cut ${cut}`);
    }
    fresh.restore(snapshot.buffer.slice(snapshot.byteOffset, snapshot.byteOffset + snapshot.byteLength));
    assert.equal(fresh.position, cut, 'an ArrayBuffer restores too');
    for (const s of [original, fresh, busy]) s.dispose();
  }
});

test('generate with append after restore continues a sampled generation token for token', async () => {
  const options = { temperature: 0.9, ignoreEos: true };
  const whole = demo.session();
  const expected = await collect(whole.generate('And God said', { ...options, seed: 12, maxTokens: 120 }));
  const first = demo.session();
  let text = await collect(first.generate('And God said', { ...options, seed: 12, maxTokens: 50 }));
  const snapshot = first.snapshot();  // includes the last generated token and the stream
  const second = demo.session({ seed: 777 });
  second.restore(snapshot);
  text += await collect(second.generate('', { ...options, append: true, maxTokens: 70 }));
  assert.equal(text, expected);
  // A prompt prefilled once serves many continuations, each the same as from scratch.
  const prefix = demo.session();
  prefix.feed(ids('In the beginning', true));
  const cached = prefix.snapshot();
  for (const seed of [1, 2]) {
    prefix.restore(cached);
    const continued = await collect(prefix.generate('', { ...options, append: true, seed, maxTokens: 30 }));
    assert.equal(continued, await collect(prefix.generate('In the beginning', { ...options, seed, maxTokens: 30 })));
  }
  // feed() after generate() comes after the generated text: the same state as one feed of it all.
  const fed = demo.session();
  await collect(fed.generate('In', { ...options, seed: 3, maxTokens: 5 }));
  const position = fed.position;
  fed.feed(ids(' the'));
  assert.equal(fed.position, position + 1 + ids(' the').length);
  for (const s of [whole, first, second, prefix, fed]) s.dispose();
});

test('malformed, altered and foreign snapshots throw INVALID_ARGUMENT and change nothing', async () => {
  const session = demo.session();
  session.feed(ids('In the beginning', true));
  const good = session.snapshot();
  const victim = demo.session();
  victim.feed(ids('And God said', true));
  const before = victim.snapshot();
  const rejects = (bytes, pattern) => {
    assert.throws(() => victim.restore(bytes),
      (e) => e instanceof EdgepieceError && e.code === 'INVALID_ARGUMENT' && pattern.test(e.message));
    assert.ok(Buffer.from(victim.snapshot()).equals(Buffer.from(before)));
  };
  rejects(good.subarray(0, good.length - 1), /truncated/);
  rejects(good.subarray(0, 10), /truncated/);
  const altered = good.slice();
  altered[altered.length >> 1] ^= 4;
  rejects(altered, /checksum mismatch/);
  const magic = good.slice();
  magic[0] = 0;
  rejects(magic, /magic/);
  const version = good.slice();
  version[8] = 9;
  rejects(version, /version 9/);
  rejects(new Uint8Array([...good, 0]), /trailing bytes/);
  assert.throws(() => victim.restore('not bytes'), (e) => e.code === 'INVALID_ARGUMENT');
  // The same config with one weight changed (an F16 mantissa bit of the last tensor's data): another model.
  const otherWeights = weights.slice();
  otherWeights[otherWeights.length - 2] ^= 1;
  const other = await Model.load(otherWeights, tokenizer);
  const foreign = other.session();
  foreign.feed([1]);
  rejects(foreign.snapshot(), /another model of the same config/);
  foreign.dispose();
  other.dispose();
  session.dispose();
  victim.dispose();
});

test('EdgepieceWorker: snapshot and restore move a session between the worker and the page', async () => {
  const worker = await edgepiece.EdgepieceWorker.create();
  try {
    await worker.loadTokenizer(read('models/kjvzh-8k.model'));
    await worker.loadModel(weights);
    const options = { temperature: 0.8, ignoreEos: true };
    let text = '';
    await worker.generate('And God said', { ...options, seed: 4, maxTokens: 20 }, (piece) => { text += piece; });
    const snapshot = await worker.snapshot();
    assert.ok(snapshot instanceof Uint8Array);
    const here = demo.session();
    here.restore(snapshot);
    text += await collect(here.generate('', { ...options, append: true, maxTokens: 20 }));
    assert.equal(text, await collect(here.generate('And God said', { ...options, seed: 4, maxTokens: 40 })));
    await worker.restore(snapshot);
    let again = '';
    await worker.generate('', { ...options, append: true, maxTokens: 20 }, (piece) => { again += piece; });
    assert.equal(again, text.slice(text.length - again.length));
    assert.ok(again.length > 0);
    await assert.rejects(worker.restore(snapshot.subarray(1)), (e) => e.code === 'INVALID_ARGUMENT');
    here.dispose();
  } finally {
    worker.terminate();
  }
});

test('CLI: --save-state then --load-state prints what one uninterrupted run prints', () => {
  const state = path.join(scratch, 'cli.state');
  const common = ['generate', '--model', 'models', '--temperature', '0.9', '--ignore-eos'];
  const whole = cliOk([...common, '--prompt', 'In the beginning', '--seed', '8', '--max-tokens', '90']);
  const first = cliOk([...common, '--prompt', 'In the beginning', '--seed', '8', '--max-tokens', '40',
    '--save-state', state]);
  const second = cliOk([...common, '--load-state', state, '--max-tokens', '50']);
  assert.equal(first + second, whole);
  // --max-tokens 0 saves the prompt's prefill; a given --seed restarts the stream.
  cliOk([...common, '--prompt', 'In the beginning', '--max-tokens', '0', '--save-state', state]);
  const fromCache = cliOk([...common, '--load-state', state, '--seed', '8', '--max-tokens', '30']);
  assert.equal('In the beginning' + fromCache,
    cliOk([...common, '--prompt', 'In the beginning', '--seed', '8', '--max-tokens', '30']));
  // An appended prompt is printed and fed after the saved text.
  const appended = cliOk([...common, '--load-state', state, '--prompt', ' God', '--max-tokens', '5']);
  assert.ok(appended.startsWith(' God') && appended.length > ' God'.length);
  // Altered and foreign states: a specific error, exit status 1.
  const bytes = readFileSync(state);
  bytes[100] ^= 1;
  writeFileSync(path.join(scratch, 'altered.state'), bytes);
  const altered = cli([...common, '--load-state', path.join(scratch, 'altered.state')]);
  assert.equal(altered.status, 1);
  assert.match(altered.stderr, /cannot restore .*altered\.state.*checksum mismatch/);
  const missing = cli([...common, '--load-state', path.join(scratch, 'missing.state')]);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /missing\.state/);
});

// Native kernels (AVX2/AVX-512 on x86) and WebAssembly's 128-bit ones sum in
// different orders, so the same state computed on both sides differs in the
// last bits: continuing a native snapshot here matches native within the
// tolerance the model goldens use (1e-4 of the logits' spread; measured
// ~1e-6), and a restored state's own logits are the native bits exactly.
test('a snapshot written natively restores here, and one written here restores natively', () => {
  const a = 'In the beginning God created the heaven and the earth.';
  const b = ' And the earth was without form, and void; and darkness was upon the face of the deep.';
  const afterA = path.join(scratch, 'a.state');
  const afterAB = path.join(scratch, 'ab.state');
  cliOk(['generate', '--model', 'models', '--prompt', a, '--max-tokens', '0', '--save-state', afterA]);
  cliOk(['generate', '--model', 'models', '--load-state', afterA, '--prompt', b, '--max-tokens', '0',
    '--save-state', afterAB]);
  const nativeA = new Uint8Array(readFileSync(afterA));
  const nativeAB = new Uint8Array(readFileSync(afterAB));

  const session = demo.session();
  session.feed(ids(a, true));
  const wasmA = session.snapshot();
  assert.equal(wasmA.length, nativeA.length);
  assert.ok(Buffer.from(wasmA.subarray(0, 80)).equals(Buffer.from(nativeA.subarray(0, 80))),
    'the same header: fingerprint, position, config, stream');

  session.restore(nativeA);
  const nativeLogits = new Float32Array(nativeA.buffer.slice(80 + 4 * 4, 80 + 4 * 4 + 4 * demo.vocabSize));
  assert.ok(sameBits(session.logits(), nativeLogits), 'restored logits are the snapshot\'s bits');
  session.feed(ids(b));
  const continued = session.logits();
  const reference = demo.session();
  reference.restore(nativeAB);
  const expected = reference.logits();
  let mean = 0;
  for (const v of expected) mean += v / expected.length;
  let spread = 0;
  for (const v of expected) spread += (v - mean) ** 2 / expected.length;
  spread = Math.sqrt(spread);
  let worst = 0;
  for (let i = 0; i < expected.length; ++i) worst = Math.max(worst, Math.abs(continued[i] - expected[i]) / spread);
  assert.ok(worst <= 1e-4, `worst relative difference ${worst}`);

  // WASM -> native: greedy continuations agree.
  const wasmState = path.join(scratch, 'wasm.state');
  session.restore(wasmA);
  writeFileSync(wasmState, session.snapshot());
  const here = demo.session();
  here.restore(wasmA);
  return collect(here.generate('', { append: true, temperature: 0, maxTokens: 20, ignoreEos: true }))
    .then((text) => {
      assert.equal(cliOk(['generate', '--model', 'models', '--load-state', wasmState, '--temperature', '0',
        '--max-tokens', '20', '--ignore-eos']), text);
      for (const s of [session, reference, here]) s.dispose();
    });
});
