// The web demo's incremental re-encoding (web-demo/incremental.js) in Node:
// after random edits (inside a line, across lines, newline runs, emoji and
// byte-fallback characters, at both ends), planEdit + encoding the region +
// applyEdit give exactly the arrays of encoding and laying out the whole
// new text. Uses the package as built (build/wasm/package).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Tokenizer } from '../../build/wasm/package/index.js';
import { applyEdit, planEdit } from '../../web-demo/incremental.js';
import { layoutTokens } from '../../web-demo/token-layout.js';
import { root, tokenizerModel } from './support/demo-server.mjs';

const utf8 = new TextEncoder();
const LAYOUT = { columns: 40, padCells: 1.2, idScale: 0.7 };

function encodeWhole(tokenizer, text) {
  const bytes = utf8.encode(text);
  const { ids, offsets } = tokenizer.encodeWithOffsets(bytes);
  return { text, bytes, ids: ids.slice(), offsets: offsets.slice(), ...layoutTokens(bytes, ids, offsets, LAYOUT) };
}

// A small deterministic generator (xorshift32), so a failure reproduces.
function random(seed) {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state % n;
  };
}

const PIECES = ['And God said', ' ', '\n', '\n\n\n', '天行健', '健', '😀', '👍🏽', 'ŝ', '㎒', 'light', '\t', 'x', ',', '。'];

test('random edits re-encoded by region equal whole encodings', async () => {
  const tokenizer = await Tokenizer.load(readFileSync(`${root}${tokenizerModel}`));
  const next = random(2024);
  let text = Array.from({ length: 40 }, (_, i) => `${i}: In the beginning 天行健 😀${i % 4 ? '' : '\n\n'}`).join('\n');
  let encoding = encodeWhole(tokenizer, text);
  let partial = 0;
  for (let step = 0; step < 300; ++step) {
    // Delete a span (at a character boundary) and insert a few pieces.
    const at = next(text.length + 1);
    let cut = Math.min(text.length - at, next(4) === 0 ? next(200) : next(6));
    const start = /[\uDC00-\uDFFF]/.test(text[at] ?? '') ? at - 1 : at;
    if (/[\uD800-\uDBFF]/.test(text[start + cut - 1] ?? '')) cut += 1;
    const insert = Array.from({ length: next(4) }, () => PIECES[next(PIECES.length)]).join('');
    text = text.slice(0, start) + insert + text.slice(start + cut);
    const plan = planEdit(encoding, text);
    const whole = encodeWhole(tokenizer, text);
    if (plan) {
      partial += 1;
      const bytes = utf8.encode(plan.region);
      const { ids, offsets } = tokenizer.encodeWithOffsets(bytes);
      const region = { bytes, ids, offsets, ...layoutTokens(bytes, ids, offsets, LAYOUT) };
      encoding = { text, ...applyEdit(encoding, plan, region) };
    } else {
      encoding = whole;
    }
    for (const key of ['bytes', 'ids', 'offsets', 'groupStart', 'groupUnits', 'rowStart', 'chars']) {
      assert.deepEqual(encoding[key], whole[key], `step ${step}: ${key}`);
    }
  }
  assert.ok(partial > 250, `${partial} of 300 edits re-encoded in part`);
  tokenizer.dispose();
});
