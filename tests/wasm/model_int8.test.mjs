// The int8 demo model (models/int8/, docs/model.md "Int8 weights") in
// WebAssembly: it loads like any weights file, stays within the int8 bounds
// of the PyTorch reference, and generates what the native CLI generates.
// The int8 products are the same bits on every target; the float parts of
// the model are not, so greedy and seeded generation are compared, and the
// logits within a tight bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { edgepiece, nativeCli, repoRoot, logitsAfterSegments, worstRelativeError } from './support.mjs';

const { Model, Tokenizer } = edgepiece;
const weightsPath = 'models/int8/kjvzh-lm-int8.safetensors';
const read = (relative) => new Uint8Array(readFileSync(path.join(repoRoot, relative)));
const golden = JSON.parse(readFileSync(path.join(repoRoot, 'tests/golden/model/kjvzh-lm.golden.json'), 'utf8'));
const tokenizer = await Tokenizer.load(read('models/kjvzh-8k.model'));
const int8 = await Model.load(read(weightsPath), tokenizer);
const cliModel = `${path.join(repoRoot, weightsPath)},${path.join(repoRoot, 'models/kjvzh-8k.model')}`;

test('logits are within the int8 bound of the F16 reference (15% of its spread)', () => {
  for (const c of golden.cases) {
    const worst = worstRelativeError(int8, c);
    assert.ok(worst <= 0.15 && worst > 0, `${c.name}: ${worst}`);
  }
});

test('logits are the same bits however the tokens are split into segments', () => {
  const ids = Int32Array.from({ length: 150 }, (_, i) => 3 + ((i * 7919) % (int8.vocabSize - 3)));
  const logitsAfter = (sizes) => logitsAfterSegments(int8, ids, sizes);
  const oneByOne = logitsAfter([1]);
  for (const sizes of [[150], [7], [64, 1, 13]]) assert.deepEqual(logitsAfter(sizes), oneByOne, String(sizes));
});

async function generateText(prompt, options) {
  const session = int8.session();
  let text = prompt;
  for await (const piece of session.generate(prompt, options)) text += piece;
  session.dispose();
  return text;
}

function cliGenerate(prompt, flags) {
  return execFileSync(nativeCli, ['generate', '--model', cliModel, '--prompt', prompt, ...flags])
    .toString().replace(/\n$/, '');
}

test('generation equals the native CLI: greedy 64 tokens and seeded sampling', async () => {
  for (const prompt of ['In the beginning', 'And the LORD said unto Moses,', 'And Jesus said', '子曰', '天']) {
    assert.equal(await generateText(prompt, { maxTokens: 64, temperature: 0 }),
      cliGenerate(prompt, ['--max-tokens', '64', '--temperature', '0']), prompt);
    assert.equal(await generateText(prompt, { maxTokens: 64, temperature: 0.8, topP: 0.95, seed: 7 }),
      cliGenerate(prompt, ['--max-tokens', '64', '--temperature', '0.8', '--top-p', '0.95', '--seed', '7']), prompt);
  }
});

test('held-out bits per byte within 1% of the F16 reference, and equal to the native CLI', () => {
  const session = int8.session();
  for (const h of golden.heldout) {
    const text = readFileSync(path.join(repoRoot, h.file), 'utf8');
    const r = session.score(text);
    assert.equal(r.tokens, h.tokens);
    assert.ok(Math.abs(r.bitsPerByte - h.bits_per_byte) <= 0.01 * h.bits_per_byte, h.file);
    const native = JSON.parse(execFileSync(nativeCli, ['score', '--model', cliModel, path.join(repoRoot, h.file)]));
    assert.ok(Math.abs(r.bitsPerByte - native.bits_per_byte) <= 1e-5 * native.bits_per_byte, h.file);
  }
  session.dispose();
});
