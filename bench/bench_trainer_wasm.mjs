// The trainer in WebAssembly (Trainer.train in Node) against `edgepiece train` (one thread) on
// the public corpus with the three golden settings, one command:
//   node bench/bench_trainer_wasm.mjs      (after the wasm and release builds; REPEAT=3)
// Wall seconds, best of REPEAT runs each; every model is checked against the golden file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const golden = path.join(root, '../shared/golden');
const repeat = Number(process.env.REPEAT ?? 3);
const { Trainer } = await import(path.join(root, 'build/wasm/package/index.js'));
const cli = path.join(root, 'build/release/native/edgepiece');

const jsonl = gunzipSync(readFileSync(path.join(golden, 'bytepiece/public.docs.jsonl.gz')));
const docs = jsonl.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line).text);
const work = mkdtempSync(path.join(tmpdir(), 'edgepiece-bench-trainer-'));
const corpus = path.join(work, 'public.jsonl');
writeFileSync(corpus, jsonl);

const settings = [
  ['public.o6.v8000.m4.model', { order: 6, vocabSize: 8000, minCount: 4 },
    ['--order', '6', '--vocab-size', '8000', '--min-count', '4']],
  ['public.o6.v30000.m2.digits.model', { order: 6, vocabSize: 30000, minCount: 2, isolateDigits: true },
    ['--order', '6', '--vocab-size', '30000', '--min-count', '2', '--isolate-digits']],
  ['public.o3.v2000.m16.nounicode.model', { order: 3, vocabSize: 2000, minCount: 16, ensureUnicode: false },
    ['--order', '3', '--vocab-size', '2000', '--min-count', '16', '--no-ensure-unicode']],
];

console.log(`| setting | WASM (Node ${process.versions.node}) wall s | native wall s | WASM / native |`);
console.log('|---|---:|---:|---:|');
try {
  for (const [file, options, flags] of settings) {
    const expected = readFileSync(path.join(golden, 'trainer', file));
    let wasm = Infinity;
    let native = Infinity;
    for (let r = 0; r < repeat; ++r) {
      let start = performance.now();
      const model = await Trainer.train(docs, options);
      wasm = Math.min(wasm, (performance.now() - start) / 1000);
      if (!Buffer.from(model).equals(expected)) throw new Error(`${file}: WASM model differs`);
      const output = path.join(work, 'native.model');
      start = performance.now();
      execFileSync(cli, ['train', '--quiet', '--jsonl', '--output', output, ...flags, corpus]);
      native = Math.min(native, (performance.now() - start) / 1000);
      if (!readFileSync(output).equals(expected)) throw new Error(`${file}: native model differs`);
    }
    const name = file.replace(/^public\.|\.model$/g, '');
    console.log(`| ${name} | ${wasm.toFixed(2)} | ${native.toFixed(2)} | ${(wasm / native).toFixed(2)} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
