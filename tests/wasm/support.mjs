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
