// WebAssembly tokenizer and language-model speed in Node vs the native build, one command:
//   node bench/bench_wasm.mjs        (after bench/bench_tokenizer.sh made build/bench-data)
// Needs the wasm build and the release build (the CLI and text_workloads_bounds).
// MB of input per CPU-second, best of REPEAT passes, line by line and 64 KB
// documents, deterministic and alpha=0.1; the native numbers come from
// `edgepiece bench` run in the same command on the same files.
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, workloads } from './bench_text.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.env.WORK_DIR ?? path.join(root, 'build/bench-data');
const golden = path.join(root, '../shared/golden/bytepiece');
const repeat = Number(process.env.REPEAT ?? 5);
const { Tokenizer } = await import(path.join(root, 'build/wasm/package/index.js'));
const cli = path.join(root, 'build/release/native/edgepiece');


// batch > 0: encodeBatch over groups of `batch` texts instead of one call per text.
function measure(tok, texts, alpha, batch = 0) {
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const groups = [];
  for (let i = 0; batch && i < texts.length; i += batch) groups.push(texts.slice(i, i + batch));
  let best = Infinity;
  for (let r = 0; r < repeat; ++r) {
    const start = cpuSeconds();
    if (batch) {
      for (const g of groups) tok.encodeBatch(g, { alpha });
    } else {
      for (const t of texts) tok.encode(t, { alpha });
    }
    best = Math.min(best, cpuSeconds() - start);
  }
  return bytes / best / 1e6;
}

console.log(`# edgepiece WASM (Node ${process.version}) vs native, MB per CPU-second, best of ${repeat}`);
console.log('model/text        unit   mode      wasm MB/s  native MB/s  wasm/native');
for (const model of ['kjvzh-8k', 'plus40k']) {
  const modelPath = path.join(golden, `${model}.model`);
  const t0 = performance.now();
  const tok = await Tokenizer.load(new Uint8Array(readFileSync(modelPath)), { seed: 123 });
  const loadMs = performance.now() - t0;
  for (const lang of ['en', 'zh']) {
    const file = path.join(dataDir, `${lang}.txt`);
    if (!existsSync(file)) throw new Error(`${file} missing: run bench/bench_tokenizer.sh first`);
    const { lines, documents } = workloads(file);
    const native = {};
    for (const line of execFileSync(cli, ['bench', '--model', modelPath, '--repeat', String(repeat), file]).toString().split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length === 6 && (f[1] === 'lines' || f[1] === '64KB')) native[`${f[1]} ${f[2]}`] = Number(f[3]);
    }
    for (const [unit, texts] of [['lines', lines], ['64KB', documents]]) {
      for (const [mode, alpha] of [['viterbi', -1], ['a=0.1', 0.1]]) {
        const wasm = measure(tok, texts, alpha);
        const nat = native[`${unit} ${mode}`];
        console.log(`${(model + '/' + lang).padEnd(17)} ${unit.padEnd(6)} ${mode.padEnd(8)} ${wasm.toFixed(2).padStart(10)} ${nat.toFixed(2).padStart(12)} ${(wasm / nat).toFixed(2).padStart(11)}`);
        if (unit === 'lines') {  // the same lines through encodeBatch, 1,000 per call
          const batched = measure(tok, texts, alpha, 1000);
          console.log(`${(model + '/' + lang).padEnd(17)} ${'batch'.padEnd(6)} ${mode.padEnd(8)} ${batched.toFixed(2).padStart(10)} ${nat.toFixed(2).padStart(12)} ${(batched / nat).toFixed(2).padStart(11)}`);
        }
      }
    }
  }
  console.log(`load ${model} in WASM (module already instantiated): ${loadMs.toFixed(1)} ms`);
  tok.dispose();
}

// --- the language model: prefill and decode tokens/s, WASM vs native -------
{
  const { Model } = await import(path.join(root, 'build/wasm/package/index.js'));
  const prefillTokens = 512;
  const decodeTokens = 256;
  const tok = await Tokenizer.load(new Uint8Array(readFileSync(path.join(root, 'models/kjvzh-8k.model'))));
  const t0 = performance.now();
  const model = await Model.load(new Uint8Array(readFileSync(path.join(root, 'models/kjvzh-lm.safetensors'))), tok);
  const loadMs = performance.now() - t0;
  const session = model.session();
  // The same pseudo-random ids as `edgepiece bench` would not matter: the work is the same.
  const ids = Int32Array.from({ length: prefillTokens }, (_, i) => 3 + ((i * 2654435761) >>> 0) % (model.vocabSize - 3));
  let prefill = Infinity;
  let decode = Infinity;
  for (let r = 0; r < repeat; ++r) {
    session.reset();
    let start = cpuSeconds();
    session.feed(ids);
    prefill = Math.min(prefill, cpuSeconds() - start);
    session.reset();
    start = cpuSeconds();
    for (let i = 0; i < decodeTokens; ++i) session.feed(ids.subarray(i, i + 1));
    decode = Math.min(decode, cpuSeconds() - start);
  }
  const nativeOut = execFileSync(cli, ['bench', '--model', path.join(root, 'models'), '--repeat', String(repeat)]).toString();
  const native = Object.fromEntries([...nativeOut.matchAll(/(prefill|decode)\s+\d+ tokens\s+([\d.]+) tok\/s/g)].map((m) => [m[1], Number(m[2])]));
  console.log(`\n# language model (models/kjvzh-lm.safetensors), tokens per CPU-second, best of ${repeat}`);
  console.log('phase      wasm tok/s  native tok/s  wasm/native');
  for (const [phase, tokens, seconds] of [['prefill', prefillTokens, prefill], ['decode', decodeTokens, decode]]) {
    const wasm = tokens / seconds;
    console.log(`${phase.padEnd(8)} ${wasm.toFixed(0).padStart(12)} ${native[phase].toFixed(0).padStart(13)} ${(wasm / native[phase]).toFixed(2).padStart(12)}`);
  }
  console.log(`load kjvzh-lm in WASM (module already instantiated): ${loadMs.toFixed(1)} ms`);
  session.dispose();
  model.dispose();
  tok.dispose();
}
