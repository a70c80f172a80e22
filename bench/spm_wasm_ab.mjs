// A/B of two edgepiece packages (e.g. a saved copy of build/wasm/package and the
// current one) on the same SentencePiece .model files, in one process, passes
// interleaved A, B, B, A... so that load changes hit both alike (a benchmark,
// not a test):
//
//   node bench/spm_wasm_ab.mjs OLD_PACKAGE_DIR NEW_PACKAGE_DIR MODEL.model...
//
// For en.txt and zh.txt of WORK_DIR (build/bench-data, from
// bench/bench_tokenizer.sh): the first 20,000 lines (each with its "\n") and
// the first 2 MB cut in 64 KB documents. Checks first that A and B give the same
// ids on 3,000 texts of each workload (exits 1 on a difference), then prints MB
// per CPU-second (process.cpuUsage), best of R (5) passes, and B/A.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(process.env.WORK_DIR ?? path.join(root, 'build/bench-data'));
const [pkgA, pkgB, ...models] = process.argv.slice(2);
const R = Number(process.env.R ?? 5);

async function load(dir, model) {
  const url = pathToFileURL(path.resolve(dir, 'index.js')).href;
  const { initSentencePiece, Tokenizer } = await import(url);
  await initSentencePiece();
  return Tokenizer.load(new Uint8Array(readFileSync(model)));
}
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

for (const lang of ['en', 'zh']) {
  const text = readFileSync(path.join(dataDir, `${lang}.txt`), 'utf8');
  const lines = text.split('\n').map((l) => l + '\n').slice(0, 20000);
  const docs = [];
  for (let i = 0; i < Math.min(text.length, 2e6); i += 65536) docs.push(text.slice(i, i + 65536));
  for (const model of models) {
    const toks = [await load(pkgA, model), await load(pkgB, model)];
    for (const [unit, texts] of [['lines', lines], ['64KB', docs]]) {
      const mb = texts.reduce((s, t) => s + Buffer.byteLength(t), 0) / 1e6;
      for (const t of texts.slice(0, 3000)) {
        if (!same(toks[0].encode(t), toks[1].encode(t))) {
          console.log(`ids differ: ${lang} ${unit} ${JSON.stringify(t).slice(0, 80)}`);
          process.exit(1);
        }
      }
      const best = [0, 0];
      for (let r = 0; r < R; r++) {
        // Alternate which goes first: the second of a pair measured up to 10% faster.
        for (const k of r % 2 ? [1, 0] : [0, 1]) {
          const c0 = cpu();
          for (const t of texts) toks[k].encode(t);
          best[k] = Math.max(best[k], mb / (cpu() - c0));
        }
      }
      console.log(`${path.basename(model).padEnd(22)} ${lang} ${unit.padEnd(5)} ` +
                  `A ${best[0].toFixed(2)} B ${best[1].toFixed(2)} MB/s  B/A ${(best[1] / best[0]).toFixed(3)}`);
    }
  }
}
