// Shared helpers of the WASM tests: the package as built (build/wasm/package)
// and the golden data next to the checkout (../shared/golden).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const packageDir = process.env.EDGEPIECE_PACKAGE_DIR ?? path.join(repoRoot, 'build/wasm/package');
export const goldenDir = path.join(process.env.EDGEPIECE_GOLDEN_DIR ?? path.join(repoRoot, '../shared/golden'), 'bytepiece');
export const nativeCli = path.join(repoRoot, 'build/release/native/edgepiece');

export const edgepiece = await import(path.join(packageDir, 'index.js'));

export function tokenizerBytes(name) {
  return new Uint8Array(readFileSync(path.join(goldenDir, `${name}.model`)));
}

let docs = null;
export function publicDocuments() {
  docs ??= gunzipSync(readFileSync(path.join(goldenDir, 'public.docs.jsonl.gz')))
    .toString('utf8').split('\n').filter((line) => line.length > 0)
    .map((line) => JSON.parse(line).text);
  return docs;
}

export function goldenIds(model, run) {
  return gunzipSync(readFileSync(path.join(goldenDir, `public.${model}.${run}.ids.gz`)))
    .toString('utf8').split('\n').slice(0, -1);
}

// The largest |logit - golden| / the golden logits' spread over a model golden case
// (tests/golden/model): the case's ids fed up to each checked position.
export function worstRelativeError(model, c) {
  // Copied out: a small Buffer is a view into Node's shared pool.
  const expected = new Float32Array(Uint8Array.from(Buffer.from(c.logits_f32_base64, 'base64')).buffer);
  const session = model.session();
  let fed = 0;
  let worst = 0;
  c.positions.forEach((p, k) => {
    session.feed(c.ids.slice(fed, p + 1));
    fed = p + 1;
    const logits = session.logits();
    for (let v = 0; v < c.vocab_size; ++v) {
      worst = Math.max(worst, Math.abs(logits[v] - expected[k * c.vocab_size + v]) / c.logits_std);
    }
  });
  session.dispose();
  return worst;
}

// The logits after all of `ids`, fed to a fresh session of `model` in segments of `sizes`
// (cycled): logits must be the same bits however the tokens are split.
export function logitsAfterSegments(model, ids, sizes) {
  const session = model.session();
  for (let i = 0, k = 0; i < ids.length; i += sizes[k++ % sizes.length]) {
    session.feed(ids.subarray(i, Math.min(i + sizes[k % sizes.length], ids.length)));
  }
  const logits = session.logits();
  session.dispose();
  return logits;
}
