// Int8 against F16 weights of the demo model, natively and in WebAssembly, in one command:
//   node bench/bench_int8.mjs          (ROUNDS=5 by default)
// Needs the release build (the CLI) and the wasm build. Each round runs, in this order,
// `edgepiece bench` on the F16 and on the int8 model (one pass each) and the npm package's
// prefill of 512 tokens and decode of 256 tokens on both (after one untimed pass each); the
// ratios are per round, so a busy neighbour slows both sides of a ratio alike. Tokens per
// CPU-second.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './bench_text.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.env.ROUNDS ?? 5);
const cli = path.join(root, 'build/release/native/edgepiece');
const { Model, Tokenizer } = await import(path.join(root, 'build/wasm/package/index.js'));
const tokenizerPath = path.join(root, 'models/kjvzh-8k.model');
const weights = {
  f16: path.join(root, 'models/kjvzh-lm.safetensors'),
  int8: path.join(root, 'models/int8/kjvzh-lm-int8.safetensors'),
};
const prefillTokens = 512;
const decodeTokens = 256;

function native(file) {
  const out = execFileSync(cli, ['bench', '--model', `${file},${tokenizerPath}`, '--repeat', '1',
    '--prefill-tokens', String(prefillTokens), '--decode-tokens', String(decodeTokens)]).toString();
  return Object.fromEntries([...out.matchAll(/(prefill|decode)\s+\d+ tokens\s+([\d.]+) tok\/s/g)]
    .map((m) => [m[1], Number(m[2])]));
}

const tok = await Tokenizer.load(new Uint8Array(readFileSync(tokenizerPath)));
const models = {};
for (const [name, file] of Object.entries(weights)) models[name] = await Model.load(new Uint8Array(readFileSync(file)), tok);
const ids = Int32Array.from({ length: prefillTokens }, (_, i) => 3 + ((i * 2654435761) >>> 0) % (tok.vocabSize - 3));

function wasm(model) {
  const session = model.session();
  let start = cpuSeconds();
  session.feed(ids);
  const prefill = prefillTokens / (cpuSeconds() - start);
  session.reset();
  start = cpuSeconds();
  for (let i = 0; i < decodeTokens; ++i) session.feed(ids.subarray(i, i + 1));
  const decode = decodeTokens / (cpuSeconds() - start);
  session.dispose();
  return { prefill, decode };
}

// One untimed pass each first: V8 compiles the module's hot functions lazily.
wasm(models.f16);
wasm(models.int8);

console.log(`# int8 vs F16 weights (models/int8/kjvzh-lm-int8.safetensors vs models/kjvzh-lm.safetensors), tokens per CPU-second, ${rounds} rounds`);
console.log('round  side    phase      F16 tok/s  int8 tok/s  int8/F16');
const ratios = {};
for (let r = 1; r <= rounds; ++r) {
  const results = {
    native: { f16: native(weights.f16), int8: native(weights.int8) },
    wasm: { f16: wasm(models.f16), int8: wasm(models.int8) },
  };
  for (const side of ['native', 'wasm']) {
    for (const phase of ['prefill', 'decode']) {
      const f16 = results[side].f16[phase];
      const int8 = results[side].int8[phase];
      (ratios[`${side} ${phase}`] ??= []).push(int8 / f16);
      console.log(`${String(r).padStart(5)}  ${side.padEnd(6)}  ${phase.padEnd(8)} ${f16.toFixed(0).padStart(10)} ${int8.toFixed(0).padStart(11)} ${(int8 / f16).toFixed(2).padStart(9)}`);
    }
  }
}
console.log('\n# int8/F16 per round: min - median - max');
for (const [key, values] of Object.entries(ratios)) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(`${key.padEnd(15)} ${sorted[0].toFixed(2)} - ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} - ${sorted.at(-1).toFixed(2)}`);
}
for (const model of Object.values(models)) model.dispose();
tok.dispose();
