// A/B of language-model speed between builds of the WebAssembly package, in one Node process:
//   cp -r build/wasm/package /tmp/before      (then change the code and rebuild)
//   node bench/bench_wasm_ab.mjs ROUNDS /tmp/before build/wasm/package [more packages...]
// Each package gets its own module instance, model and session; every round runs each in turn
// (prefill of 512 tokens in one feed, then decode of 64 tokens one feed at a time), so a
// loaded machine slows all of them alike. Prints each round's prefill speed relative to the first
// package, then the best of the rounds, tokens per CPU-second. EDGEPIECE_AB_WEIGHTS picks the
// weights file (default models/kjvzh-lm.safetensors; e.g. models/int8/kjvzh-lm-int8.safetensors).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './bench_text.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [rounds, ...packages] = process.argv.slice(2);
if (!(Number(rounds) > 0) || packages.length === 0) {
  throw new Error('usage: node bench/bench_wasm_ab.mjs ROUNDS PACKAGE_DIR [PACKAGE_DIR...]');
}
const prefillTokens = 512;
const decodeTokens = 64;
const tokenizerBytes = new Uint8Array(readFileSync(path.join(root, 'models/kjvzh-8k.model')));
const weights = process.env.EDGEPIECE_AB_WEIGHTS ?? 'models/kjvzh-lm.safetensors';
const modelBytes = new Uint8Array(readFileSync(path.join(root, weights)));

const subjects = [];
for (const dir of packages) {
  const { Tokenizer, Model } = await import(path.join(path.resolve(dir), 'index.js'));
  const tok = await Tokenizer.load(tokenizerBytes);
  const model = await Model.load(modelBytes, tok);
  subjects.push({ dir, session: model.session(), vocab: model.vocabSize, prefill: Infinity, decode: Infinity });
}
// The same pseudo-random ids as bench/bench_wasm.mjs.
const vocab = subjects[0].vocab;
const ids = Int32Array.from({ length: prefillTokens }, (_, i) => 3 + ((i * 2654435761) >>> 0) % (vocab - 3));
console.log(`# ${weights}: prefill of each package / the first's, per round`);
for (let r = 0; r < Number(rounds); ++r) {
  const times = [];
  for (const s of subjects) {
    s.session.reset();
    let start = cpuSeconds();
    s.session.feed(ids);
    times.push(cpuSeconds() - start);
    s.prefill = Math.min(s.prefill, times.at(-1));
    s.session.reset();
    start = cpuSeconds();
    for (let i = 0; i < decodeTokens; ++i) s.session.feed(ids.subarray(i, i + 1));
    s.decode = Math.min(s.decode, cpuSeconds() - start);
  }
  console.log(`round ${r + 1}: ${times.map((t) => (times[0] / t).toFixed(2) + 'x').join(' ')}`);
}
console.log(`# best of ${rounds} rounds, tokens per CPU-second`);
console.log('package                                   prefill tok/s  decode tok/s');
for (const s of subjects) {
  console.log(`${s.dir.padEnd(40)} ${(prefillTokens / s.prefill).toFixed(0).padStart(14)} ${(decodeTokens / s.decode).toFixed(0).padStart(13)}`);
}
