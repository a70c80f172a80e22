// The repository paths and the native CLI the browser tests compare pages
// with: its ids, its generated text, and a check that the builds exist.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const cli = `${root}build/release/native/edgepiece`;
export const artifacts = `${root}build/test-artifacts`;
export const tokenizerModel = 'models/kjvzh-8k.model';

// The texts the demo tests type into the page, each checked against the CLI's ids.
export const TEXTS = {
  english: 'In the beginning God created the heaven and the earth.\nAnd the earth was without form, and void.',
  chinese: '天行健，君子以自强不息。地势坤，君子以厚德载物。床前明月光，疑是地上霜。',
  emoji: 'Emoji: 😀👍🏽 🇩🇪 ❤️‍🔥 and rare letters ŝ ǅ ㎒, tabs\tand  spaces',
  decomposed: 'Cafe\u0301 e\u0301te\u0301 (NFD input, NFC on both sides)',
};
// About 24,000 characters (~8,000 tokens) of mixed English, Chinese and emoji.
TEXTS.long = Array.from({ length: 120 }, (_, i) =>
  `${i}: ${TEXTS.english} ${TEXTS.chinese} ${i % 7 === 0 ? TEXTS.emoji : ''}`).join('\n');

/** The CLI's ids for `text` as one document (stdin, no trailing newline). */
export function cliIds(text, args = [], model = tokenizerModel) {
  const result = spawnSync(cli, ['encode', '--model', model, ...args], {
    cwd: root, input: Buffer.from(text, 'utf8'), encoding: 'utf8', maxBuffer: 1 << 28,
  });
  assert.equal(result.status, 0, `edgepiece encode failed: ${result.stderr}`);
  const line = result.stdout.trim();
  return line === '' ? [] : line.split(/[ ,]/).map(Number);  // a .model's ids: spaces, as spm_encode
}

// The language model the demo page loads (int8 weights): a --model for cliGenerate.
export const demoLm = 'models/int8/kjvzh-lm-int8.safetensors,models/kjvzh-8k.model';

// The CLI's generated text (prompt included, no final newline), by default
// with the F16 model (models/), as the package's tests load it.
export function cliGenerate(prompt, args, model = 'models') {
  const result = spawnSync(cli, ['generate', '--model', model, '--prompt', prompt, ...args], {
    cwd: root, encoding: 'utf8',
  });
  assert.equal(result.status, 0, `edgepiece generate failed: ${result.stderr}`);
  return result.stdout.replace(/\n$/, '');
}

// The bytes of the model `edgepiece train --jsonl` makes of the texts `docs` with `args`.
export function cliTrain(docs, args) {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-browser-train-'));
  try {
    const corpus = path.join(dir, 'docs.jsonl');
    writeFileSync(corpus, docs.map((text) => JSON.stringify({ text })).join('\n'));
    const model = path.join(dir, 'cli.model');
    const result = spawnSync(cli, ['train', '--quiet', '--jsonl', '--output', model, ...args, corpus],
      { encoding: 'utf8' });
    assert.equal(result.status, 0, `edgepiece train failed: ${result.stderr}`);
    return readFileSync(model);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Fails unless the builds the pages are compared with exist.
export function assertBuilt() {
  assert.ok(existsSync(cli), `${cli} missing: build the release preset first`);
  assert.ok(existsSync(`${root}build/wasm/package/edgepiece.wasm`), 'build the wasm preset first');
}
