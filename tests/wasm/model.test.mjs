// The language model in WebAssembly: the PyTorch reference's goldens (the
// same files the native tests read), parity with the native CLI (greedy and
// seeded sampling, bits per byte), error paths and memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { edgepiece, nativeCli, repoRoot, logitsAfterSegments, worstRelativeError } from './support.mjs';

const { Model, Tokenizer, EdgepieceError } = edgepiece;
const read = (relative) => new Uint8Array(readFileSync(path.join(repoRoot, relative)));
const golden = (name) => JSON.parse(readFileSync(path.join(repoRoot, 'tests/golden/model', name), 'utf8'));
const tokenizer = await Tokenizer.load(read('models/kjvzh-8k.model'));
const demo = await Model.load(read('models/kjvzh-lm.safetensors'), tokenizer);

test('logits match the PyTorch reference (demo model and the odd-sized tiny model)', async () => {
  for (const c of golden('kjvzh-lm.golden.json').cases) {
    assert.ok(worstRelativeError(demo, c) <= 1e-4, c.name);
  }
  const tinyGolden = golden('tiny.golden.json');
  const tiny = await Model.load(read(tinyGolden.model));
  for (const c of tinyGolden.cases) assert.ok(worstRelativeError(tiny, c) <= 1e-4, c.name);
  tiny.dispose();
});

test('logits are the same bits however the tokens are split into segments', () => {
  // 150 tokens cross two chunk boundaries (C = 64) of the demo model.
  const ids = Int32Array.from({ length: 150 }, (_, i) => 3 + ((i * 7919) % (demo.vocabSize - 3)));
  const logitsAfter = (sizes) => logitsAfterSegments(demo, ids, sizes);
  const oneByOne = logitsAfter([1]);
  for (const sizes of [[150], [7], [64, 1, 13]]) assert.deepEqual(logitsAfter(sizes), oneByOne, String(sizes));
});

test('greedy continuations equal the reference', () => {
  const session = demo.session();
  for (const g of golden('kjvzh-lm.golden.json').greedy) {
    session.reset();
    session.feed(g.prompt_ids);
    const ids = [];
    for (let i = 0; i < g.ids.length; ++i) {
      ids.push(session.sample({ temperature: 0 }));
      session.feed([ids.at(-1)]);
    }
    assert.deepEqual(ids, g.ids, g.prompt);
  }
  session.dispose();
});

async function generateText(prompt, options) {
  const session = demo.session();
  let text = prompt;
  for await (const piece of session.generate(prompt, options)) text += piece;
  session.dispose();
  return text;
}

function cliGenerate(prompt, flags) {
  return execFileSync(nativeCli, ['generate', '--model', path.join(repoRoot, 'models'), '--prompt', prompt, ...flags])
    .toString().replace(/\n$/, '');
}

test('generation equals the native CLI: greedy 64 tokens and seeded sampling', async () => {
  for (const prompt of ['In the beginning', 'And Jesus said', '天']) {
    assert.equal(await generateText(prompt, { maxTokens: 64, temperature: 0 }),
      cliGenerate(prompt, ['--max-tokens', '64', '--temperature', '0']), prompt);
    assert.equal(await generateText(prompt, { maxTokens: 64, temperature: 0.8, topP: 0.95, seed: 7 }),
      cliGenerate(prompt, ['--max-tokens', '64', '--temperature', '0.8', '--top-p', '0.95', '--seed', '7']), prompt);
  }
});

// log2 softmax(logits)[id], in double.
function log2Softmax(logits, id) {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  return (logits[id] - max - Math.log(sum)) / Math.LN2;
}

test('onToken gives each generated id and its log2 p under the model (temperature 1, unfiltered)', async () => {
  const session = demo.session();
  // Greedy: the reference's ids; sampled: the ids whose text is the CLI's, with their probabilities.
  for (const g of golden('kjvzh-lm.golden.json').greedy) {
    const tokens = [];
    let text = '';
    for await (const piece of session.generate(g.prompt, { maxTokens: g.ids.length, temperature: 0, ignoreEos: true, onToken: (t) => tokens.push(t) })) text += piece;
    assert.deepEqual(tokens.map((t) => t.id), g.ids, g.prompt);
    assert.equal(tokens.map((t) => t.text).join(''), text);
  }
  const prompt = 'And God said';
  const options = { maxTokens: 64, temperature: 1.3, topK: 40, topP: 0.9, seed: 5 };
  const tokens = [];
  let text = '';
  for await (const piece of session.generate(prompt, { ...options, onToken: (t) => tokens.push(t) })) text += piece;
  assert.equal(prompt + text, cliGenerate(prompt, ['--max-tokens', '64', '--temperature', '1.3', '--top-k', '40', '--top-p', '0.9', '--seed', '5']));
  const ids = tokens.map((t) => t.id);
  assert.equal(tokenizer.decode(ids), text);
  assert.ok(tokens.length > 10 && tokens.every((t) => t.log2Prob <= 0));
  // Each probability is the softmax of the logits before the token, at temperature 1.
  session.reset();
  session.feed(tokenizer.encode(prompt, { bos: true }));
  let sum = 0;
  for (const { id, log2Prob } of tokens) {
    assert.ok(Math.abs(log2Prob - log2Softmax(session.logits(), id)) < 1e-4, `${id}: ${log2Prob}`);
    sum += log2Prob;
    session.feed([id]);
  }
  assert.ok(sum < -5, `a sampled run at temperature 1.3 is not all near-certain tokens: ${sum}`);
  await assert.rejects(session.generate('x', { onToken: 3 }).next(), (e) => e.code === 'INVALID_ARGUMENT');
  session.dispose();
});

test('ignoreEos generates exactly maxTokens tokens, like the CLI with --ignore-eos', async () => {
  const options = { maxTokens: 64, temperature: 0.8, topP: 0.95, seed: 1, ignoreEos: true };
  const session = demo.session();
  let text = '子曰：';
  for await (const piece of session.generate('子曰：', options)) text += piece;
  assert.equal(session.generatedTokens, 64);
  session.dispose();
  assert.equal(text, cliGenerate('子曰：', ['--max-tokens', '64', '--temperature', '0.8', '--top-p', '0.95',
    '--seed', '1', '--ignore-eos']));
});

test('default options are the C library defaults and generate what the CLI does without flags', async () => {
  const defaults = edgepiece.generateDefaults();
  assert.deepEqual({ ...defaults }, { temperature: Math.fround(0.8), topK: 0, topP: Math.fround(0.95), maxTokens: 200 });
  // A fresh session's stream starts at seed 0, the CLI's default --seed.
  assert.equal(await generateText('In the beginning', {}), cliGenerate('In the beginning', []));
  assert.equal(await generateText('天', { seed: 0 }), cliGenerate('天', []));
  // Without --prompt the CLI reads the prompt from stdin, as-is.
  const fromStdin = execFileSync(nativeCli, ['generate', '--model', path.join(repoRoot, 'models'), '--seed', '3'],
    { input: 'And God said' }).toString().replace(/\n$/, '');
  assert.equal(fromStdin, cliGenerate('And God said', ['--seed', '3']));
});

// Collects a generation's text; resolves to { text, error, tokens }.
async function collect(session, prompt, options) {
  let text = '';
  try {
    for await (const piece of session.generate(prompt, options)) text += piece;
    return { text, error: null, tokens: session.generatedTokens };
  } catch (error) {
    return { text, error, tokens: session.generatedTokens };
  }
}

test('abort: a timer fires during generation and its abort ends it with AbortError; the session is reusable', async () => {
  const session = demo.session();
  const controller = new AbortController();
  let abortedAt = 0;
  let ticks = 0;
  const ticker = setInterval(() => { ticks += 1; }, 5);
  setTimeout(() => { abortedAt = performance.now(); controller.abort(); }, 50);
  const run = await collect(session, 'In the beginning',
    { maxTokens: 20000, ignoreEos: true, seed: 9, signal: controller.signal });
  const stoppedAt = performance.now();
  clearInterval(ticker);
  assert.ok(abortedAt > 0, 'the timer never fired during generation');
  assert.ok(ticks > 0, 'an interval never fired during generation');
  assert.ok(run.error instanceof DOMException && run.error.name === 'AbortError', String(run.error));
  assert.ok(stoppedAt - abortedAt < 2000, `stopped ${stoppedAt - abortedAt} ms after the abort`);
  assert.ok(run.tokens > 0 && run.tokens < 20000, `${run.tokens} tokens`);
  // The same session generates again exactly as a fresh one does.
  const options = { maxTokens: 64, temperature: 0.8, topP: 0.95, seed: 7 };
  const again = await collect(session, 'And God said', options);
  assert.equal(again.error, null);
  assert.equal('And God said' + again.text, await generateText('And God said', options));
  session.dispose();
});

test('abort: a pre-aborted signal throws AbortError before touching the session; a custom reason is thrown as is', async () => {
  const session = demo.session();
  session.feed([1, 50]);
  const run = await collect(session, 'x', { signal: AbortSignal.abort() });
  assert.ok(run.error instanceof DOMException && run.error.name === 'AbortError', String(run.error));
  assert.equal(session.position, 2);
  const reason = new Error('user left');
  const controller = new AbortController();
  let seen = 0;
  try {
    for await (const _ of session.generate('In the beginning', { maxTokens: 100, ignoreEos: true, signal: controller.signal })) {
      if (++seen === 3) controller.abort(reason);
    }
    assert.fail('no error');
  } catch (error) {
    assert.equal(error, reason);
  }
  assert.ok(session.generatedTokens >= 3 && session.generatedTokens < 100);
  session.dispose();
});

test('a new generate(), score() or dispose() on the session ends a running stream', async () => {
  const session = demo.session();
  const options = { maxTokens: 50, ignoreEos: true, seed: 1 };
  const first = session.generate('In the beginning', options);
  assert.equal((await first.next()).done, false);
  const second = await collect(session, 'And God said', options);
  assert.equal(second.tokens, 50);
  assert.equal((await first.next()).done, true);
  const third = session.generate('In the beginning', options);
  await third.next();
  session.score('abc');
  assert.equal((await third.next()).done, true);
  const fourth = session.generate('In the beginning', options);
  await fourth.next();
  session.dispose();
  assert.equal((await fourth.next()).done, true);
});

test('bits per byte equal the reference and the native CLI', () => {
  const session = demo.session();
  for (const h of golden('kjvzh-lm.golden.json').heldout) {
    const text = readFileSync(path.join(repoRoot, h.file), 'utf8');
    const r = session.score(text);
    assert.equal(r.tokens, h.tokens);
    assert.equal(r.bytes, h.bytes);
    assert.ok(Math.abs(r.bitsPerByte - h.bits_per_byte) <= 0.005 * h.bits_per_byte, h.file);
    const native = JSON.parse(execFileSync(nativeCli, ['score', '--model', path.join(repoRoot, 'models'), path.join(repoRoot, h.file)]));
    assert.ok(Math.abs(r.bitsPerByte - native.bits_per_byte) <= 1e-5 * native.bits_per_byte);
  }
  session.dispose();
});

test('errors are typed and the module keeps working', async () => {
  const code = (fn) => { try { fn(); } catch (e) { assert.ok(e instanceof EdgepieceError); return e.code; } return 'none'; };
  const codeAsync = async (p) => { try { await p; } catch (e) { assert.ok(e instanceof EdgepieceError); return e.code; } return 'none'; };
  const weights = read('models/kjvzh-lm.safetensors');
  assert.equal(await codeAsync(Model.load(weights.subarray(0, 1000), tokenizer)), 'INVALID_MODEL');
  assert.equal(await codeAsync(Model.load(read('tests/golden/model/tiny.safetensors'), tokenizer)), 'INVALID_ARGUMENT');
  assert.equal(await codeAsync(Model.load([1, 2], tokenizer)), 'INVALID_ARGUMENT');
  assert.equal(await codeAsync(Model.load('no such file', tokenizer)), 'IO_ERROR');
  const session = demo.session();
  assert.equal(code(() => session.sample()), 'INVALID_ARGUMENT');  // nothing fed yet
  assert.equal(code(() => session.feed([1, 1e6])), 'OUT_OF_RANGE');
  session.feed([1]);
  assert.equal(code(() => session.sample({ temperature: -1 })), 'INVALID_ARGUMENT');
  assert.equal(code(() => session.sample({ topP: 0 })), 'INVALID_ARGUMENT');
  assert.ok(session.sample() >= 0);
  session.dispose();
  assert.equal(code(() => session.feed([1])), 'DISPOSED');
  const tiny = await Model.load(read('tests/golden/model/tiny.safetensors'));
  const s2 = tiny.session();
  s2.feed([1]);
  await assert.rejects(async () => { for await (const piece of s2.generate('x')) void piece; }, (e) => e.code === 'INVALID_ARGUMENT');
  tiny.dispose();
  s2.feed([3]);  // the session keeps the weights alive
  s2.dispose();
  assert.equal(code(() => tiny.session()), 'DISPOSED');
});

test('sessions and models are freed: 300 load/feed/dispose cycles keep WASM memory flat', async () => {
  const bytes = read('tests/golden/model/tiny.safetensors');
  const cycle = async () => {
    const m = await Model.load(bytes);
    const s = m.session();
    s.feed([1, 2, 3, 4, 5]);
    s.dispose();
    m.dispose();
  };
  for (let i = 0; i < 50; ++i) await cycle();
  const memory = (await edgepiece.init()).memory.buffer.byteLength;
  for (let i = 0; i < 300; ++i) await cycle();
  assert.equal((await edgepiece.init()).memory.buffer.byteLength, memory);
});

test('EdgepieceWorker: encode, streamed generation equal to the main thread, stop, errors', async () => {
  const worker = await edgepiece.EdgepieceWorker.create();
  try {
    await assert.rejects(worker.encode('x'), (e) => e instanceof EdgepieceError && e.code === 'INVALID_ARGUMENT');
    await worker.loadTokenizer(read('models/kjvzh-8k.model'));
    assert.deepEqual(Array.from(await worker.encode('In the beginning')), Array.from(tokenizer.encode('In the beginning')));
    await assert.rejects(worker.loadModel(read('models/kjvzh-lm.safetensors').subarray(0, 99)), (e) => e.code === 'INVALID_MODEL');
    await worker.loadModel(read('models/kjvzh-lm.safetensors'));
    let streamed = '';
    const fromWorker = [];
    // onToken runs here, each batch of tokens before its text.
    const done = await worker.generate('And God said', {
      maxTokens: 40, temperature: 0.8, seed: 3, onToken: (t) => fromWorker.push({ ...t, before: streamed.length }),
    }, (piece) => { streamed += piece; });
    assert.equal(streamed, (await generateText('And God said', { maxTokens: 40, temperature: 0.8, seed: 3 })).slice('And God said'.length));
    assert.equal(done.stopped, false);
    const here = [];
    const session = demo.session();
    for await (const piece of session.generate('And God said', { maxTokens: 40, temperature: 0.8, seed: 3, onToken: (t) => here.push(t) })) void piece;
    session.dispose();
    assert.deepEqual(fromWorker.map(({ id, text, log2Prob }) => ({ id, text, log2Prob })), here);
    assert.equal(fromWorker.map((t) => t.text).join(''), streamed);
    // A token's text had not been streamed when onToken got it.
    assert.ok(fromWorker.every((t, i) => t.before <= fromWorker.slice(0, i).map((u) => u.text).join('').length));
    let pieces = 0;
    // ignoreEos: an early <eos> would end these runs before the stop or the abort.
    const running = worker.generate('In the beginning', { maxTokens: 100000, temperature: 1, ignoreEos: true }, () => {
      if (++pieces === 5) worker.stop();
    });
    const stopped = await running;
    assert.equal(stopped.stopped, true);
    assert.ok(stopped.tokens < 1000, `stopped after ${stopped.tokens} tokens`);
    const controller = new AbortController();
    pieces = 0;
    await assert.rejects(worker.generate('In the beginning', { maxTokens: 100000, ignoreEos: true, signal: controller.signal }, () => {
      if (++pieces === 3) controller.abort();
    }), (e) => e.name === 'AbortError');
    await assert.rejects(worker.generate('x', { signal: AbortSignal.abort() }), (e) => e.name === 'AbortError');
    streamed = '';
    await worker.generate('And God said', { maxTokens: 40, temperature: 0.8, seed: 3 }, (piece) => { streamed += piece; });
    assert.equal(streamed, (await generateText('And God said', { maxTokens: 40, temperature: 0.8, seed: 3 })).slice('And God said'.length));
  } finally {
    worker.terminate();
  }
});
