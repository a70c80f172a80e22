// edgepiece's WebAssembly tokenizer against the JS/WASM tokenizers people use
// instead, in Node, one command (a benchmark, not a test):
//
//   bench/bench_tokenizer.sh                       # once: build/bench-data (text + spm models)
//   (cd bench/js && npm ci --ignore-scripts)       # once: the peers, pinned in bench/js
//   node bench/bench_js_peers.mjs
//
// Throughput: MB of input per CPU-second (process.cpuUsage of the process,
// one JS thread), best of REPEAT passes, for each BytePiece model (kjvzh-8k,
// plus40k from GOLDEN_DIR) and language (en.txt, zh.txt), on two workloads:
// every line with its "\n" as one text, and ~64 KB documents of whole lines.
// Each peer runs the SentencePiece Unigram model of the BytePiece model's
// vocabulary size trained on the same text (WORK_DIR/spm-MODEL.model, or its
// Hugging Face conversion spm-MODEL.tokenizer.json, made here by
// bench/spm_to_tokenizer_json.py when missing); edgepiece (build/wasm/package,
// deterministic encode) runs that same .model (ep-spm, in edgepiece-spm.wasm),
// and its BytePiece model as well (edgepiece, another model). MODELS may name
// bpe-kjvzh-8k: WORK_DIR/spm-bpe-kjvzh-8k.model, the BPE model
// bench/bench_tokenizer.sh trains (no BytePiece model; its tokenizer.json has
// the BPE merges Hugging Face's converter derives). Every peer and model runs in
// its own child process, so a peer that crashes or hangs is reported as "n/a"
// and the others still run. Parity: each peer's and ep-spm's ids against
// spm_encode's on a sample of lines.
// Cold start: a fresh `node` process per run, timing import + WebAssembly
// instantiation + model load of plus40k (and the first encode apart).
//
// Environment: REPEAT (5), BUILD_DIR (build/release, whose
// bench/text_workloads_bounds cuts the texts), WORK_DIR (build/bench-data), GOLDEN_DIR
// (../shared/golden/bytepiece), PEERS_DIR (bench/js), PEERS (comma list of peer
// ids, default all), MODELS (kjvzh-8k,plus40k,bpe-kjvzh-8k), SLOW_REPEAT (3), SLOW_LINES_MB
// (1.0), SLOW_DOCS (4), CELL_BUDGET_S (12), COLD_RUNS (3), COLD_MODEL (plus40k),
// PARITY_LINES (2000), WORKER_TIMEOUT_S (240), PYTHON (/usr/bin/python3).
// The pure-JS peers (tokenizers.js, transformers.js) are slow, on 64 KB
// documents especially, so they get SLOW_REPEAT passes over an evenly spaced
// subset of the input (every k-th line up to SLOW_LINES_MB, every k-th
// document up to SLOW_DOCS documents); the output says so. A cell stops
// repeating early when its next pass would take its CPU time past CELL_BUDGET_S.
import { readFileSync, existsSync, statSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuSeconds, workloads } from './bench_text.mjs';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..');
const env = process.env;
const dataDir = path.resolve(env.WORK_DIR ?? path.join(root, 'build/bench-data'));
const golden = path.resolve(env.GOLDEN_DIR ?? path.join(root, '../shared/golden/bytepiece'));
const peersDir = path.resolve(env.PEERS_DIR ?? path.join(root, 'bench/js'));
const nodeModules = path.join(peersDir, 'node_modules');
const edgepieceDir = path.join(root, 'build/wasm/package');
const REPEAT = Number(env.REPEAT ?? 5);
const SLOW_REPEAT = Number(env.SLOW_REPEAT ?? 3);
const SLOW_LINES_BYTES = Number(env.SLOW_LINES_MB ?? 1.0) * 1e6;
const SLOW_DOCS = Number(env.SLOW_DOCS ?? 4);
const CELL_BUDGET_S = Number(env.CELL_BUDGET_S ?? 12);
const COLD_RUNS = Number(env.COLD_RUNS ?? 3);
const COLD_MODEL = env.COLD_MODEL ?? 'plus40k';
const PARITY_LINES = Number(env.PARITY_LINES ?? 2000);
const WORKER_TIMEOUT_S = Number(env.WORKER_TIMEOUT_S ?? 240);
const PYTHON = env.PYTHON ?? '/usr/bin/python3';
const MODELS = (env.MODELS ?? 'kjvzh-8k,plus40k,bpe-kjvzh-8k').split(',').filter(Boolean);
const LANGS = ['en', 'zh'];
const UNITS = ['lines', '64KB'];

// ---------------------------------------------------------------------------
// Peers. load(model) returns { encode(text) -> array-like of ids }; it does
// the import itself, so that a cold-start child times import + instantiate +
// model load. `slow`: pure JS, measured on a subset (see above).

const spmModel = (model) => path.join(dataDir, `spm-${model}.model`);
const spmJson = (model) => path.join(dataDir, `spm-${model}.tokenizer.json`);
const pkgFile = (pkg, file) => path.join(nodeModules, pkg, file);
const importFile = (file) => import(pathToFileURL(file).href);

// edgepiece's Tokenizer on `file`, from build/wasm/package. With `init` (the package's
// "init" or "initSentencePiece"), that module is instantiated first and `phases` times import,
// init and load apart (the cold-start table shows it); with `batch`, `encodeMany` encodes through
// encodeBatch, 1,000 texts per call: the boundary cost is paid once per call, not once per line.
async function loadEdgepiece(file, { init = null, batch = false } = {}) {
  const t0 = performance.now();
  const pkg = await importFile(path.join(edgepieceDir, 'index.js'));
  const t1 = performance.now();
  if (init) await pkg[init]();
  const t2 = performance.now();
  const tok = await pkg.Tokenizer.load(new Uint8Array(readFileSync(file)));
  const out = { encode: (text) => tok.encode(text) };
  if (init) {
    out.phases = `import ${fmt(t1 - t0, 1)} + init ${fmt(t2 - t1, 1)} + load ${fmt(performance.now() - t2, 1)} ms`;
  }
  if (batch) {
    out.encodeMany = (texts) => {
      let n = 0;
      for (let i = 0; i < texts.length; i += 1000) {
        for (const ids of tok.encodeBatch(texts.slice(i, i + 1000))) n += ids.length;
      }
      return n;
    };
  }
  return out;
}

const PEERS = [
  {
    id: 'edgepiece', label: 'edgepiece', pkg: null, kind: 'BytePiece, C++ -> WASM',
    modelOf: (model) => path.join(golden, `${model}.model`),
    load(model) { return loadEdgepiece(this.modelOf(model), { init: 'init' }); },
  },
  {
    // The same tokenizer through encodeBatch.
    id: 'edgepiece-batch', label: 'ep-batch', pkg: null, kind: 'BytePiece, C++ -> WASM, encodeBatch',
    modelOf: (model) => path.join(golden, `${model}.model`),
    load(model) { return loadEdgepiece(this.modelOf(model), { batch: true }); },
  },
  {
    // edgepiece on the peers' own .model (edgepiece-spm.wasm): the same-model comparison.
    id: 'edgepiece-spm', label: 'ep-spm', pkg: null, spm: true,
    kind: 'SentencePiece .model, C++ -> WASM', modelOf: spmModel,
    load(model) { return loadEdgepiece(this.modelOf(model), { init: 'initSentencePiece' }); },
  },
  {
    id: 'edgepiece-spm-batch', label: 'ep-spm-b', pkg: null, spm: true,
    kind: 'SentencePiece .model, C++ -> WASM, encodeBatch', modelOf: spmModel,
    load(model) { return loadEdgepiece(this.modelOf(model), { batch: true }); },
  },
  {
    id: 'sentencepiece-js', label: 'sp-js', pkg: '@agnai/sentencepiece-js',
    kind: 'SentencePiece, Emscripten', modelOf: spmModel,
    async load(model) {
      const { SentencePieceProcessor } = createRequire(pkgFile(this.pkg, 'package.json'))(this.pkg);
      const spp = new SentencePieceProcessor();
      await spp.load(this.modelOf(model));
      return { encode: (text) => spp.encodeIds(text) };
    },
  },
  {
    id: 'web-tokenizers', label: 'mlc', pkg: '@mlc-ai/web-tokenizers',
    kind: 'SentencePiece, Emscripten', modelOf: spmModel,
    async load(model) {
      // A UMD bundle in a "type": "module" package whose Emscripten glue calls
      // require() and reads __filename: loaded as ESM it finds neither and
      // registers itself as globalThis.tokenizers. Give it both.
      const file = pkgFile(this.pkg, 'lib/index.js');
      globalThis.require ??= createRequire(file);
      globalThis.__filename ??= file;
      await importFile(file);
      const { Tokenizer } = globalThis.tokenizers;
      const bytes = readFileSync(this.modelOf(model));
      const tok = await Tokenizer.fromSentencePiece(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      return { encode: (text) => tok.encode(text) };
    },
  },
  {
    id: 'kitoken', label: 'kitoken', pkg: 'kitoken', kind: 'Rust -> WASM', modelOf: spmModel,
    async load(model) {
      const { Kitoken } = createRequire(pkgFile(this.pkg, 'package.json'))('kitoken/node');
      const kit = Kitoken.from_sentencepiece(new Uint8Array(readFileSync(this.modelOf(model))));
      return { encode: (text) => kit.encode(text, false) };
    },
  },
  {
    id: 'tokenizers-js', label: 'tok.js', pkg: '@huggingface/tokenizers', kind: 'pure JS',
    slow: true, modelOf: spmJson,
    async load(model) {
      const { Tokenizer } = await importFile(pkgFile(this.pkg, 'dist/tokenizers.mjs'));
      const tok = new Tokenizer(JSON.parse(readFileSync(this.modelOf(model), 'utf8')), {});
      return { encode: (text) => tok.encode(text, { add_special_tokens: false }).ids };
    },
  },
  {
    id: 'transformers-js', label: 'xenova', pkg: '@xenova/transformers',
    kind: 'pure JS (src/tokenizers.js, which imports onnxruntime-node and -web)',
    slow: true, modelOf: spmJson,
    async load(model) {
      // The package entry imports sharp, whose native part an --ignore-scripts
      // install lacks: import the tokenizers module alone.
      const { PreTrainedTokenizer } = await importFile(pkgFile(this.pkg, 'src/tokenizers.js'));
      const tok = new PreTrainedTokenizer(JSON.parse(readFileSync(this.modelOf(model), 'utf8')), {});
      return { encode: (text) => tok.encode(text, null, { add_special_tokens: false }) };
    },
  },
];
const selected = env.PEERS ? env.PEERS.split(',') : null;
const peers = PEERS.filter((p) => !p.pkg || !selected || selected.includes(p.id));  // ours always run
const peerById = Object.fromEntries(PEERS.map((p) => [p.id, p]));

// ---------------------------------------------------------------------------
// Text and timing.

const byteLength = (texts) => texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
// Every k-th text, k chosen so that at most maxCount texts / maxBytes bytes remain.
function spread(texts, { maxCount = Infinity, maxBytes = Infinity }) {
  const total = byteLength(texts);
  const k = Math.max(1, Math.ceil(texts.length / maxCount), Math.ceil(total / maxBytes));
  return { texts: texts.filter((_, i) => i % k === 0), k };
}
function loadText(lang) {
  const file = path.join(dataDir, `${lang}.txt`);
  if (!existsSync(file)) {
    console.error(`${file} missing: run bench/bench_tokenizer.sh first (it writes ${dataDir})`);
    process.exit(1);
  }
  const { lines, documents } = workloads(file);
  return { all: lines, docs: documents };
}

// Best of up to `repeat` passes; stops early when the next pass would take the
// cell's CPU time past CELL_BUDGET_S. Throws with the failing text's index.
function measure(encode, texts, repeat, encodeMany = null) {
  const bytes = byteLength(texts);
  let best = Infinity, spent = 0, passes = 0, tokens = 0;
  while (passes < repeat) {
    let n = 0, i = 0;
    const start = cpuSeconds();
    try {
      if (encodeMany) n = encodeMany(texts);
      else for (; i < texts.length; ++i) n += encode(texts[i]).length;
    } catch (error) {
      const e = new Error(`encode failed on text #${i} (${Buffer.byteLength(texts[i])} bytes): ` +
                          `${String(error?.message ?? error).split('\n')[0]}`);
      throw e;
    }
    const dt = cpuSeconds() - start;
    best = Math.min(best, dt); spent += dt; ++passes; tokens = n;
    if (spent + best > CELL_BUDGET_S) break;
  }
  return { mbs: bytes / Math.max(best, 1e-9) / 1e6, passes, bytes, texts: texts.length,
           bytesPerToken: tokens ? bytes / tokens : null };
}

function parityIndexes(count) {
  const step = Math.max(1, Math.floor(count / PARITY_LINES));
  const out = [];
  for (let i = 0; i < count && out.length < PARITY_LINES; i += step) out.push(i);
  return out;
}
const parityLines = (all) => parityIndexes(all.length).map((i) => (all[i].endsWith('\n') ? all[i] : all[i] + '\n'));

// ---------------------------------------------------------------------------
// Child modes.

const short = (error) => String(error?.message ?? error).split('\n')[0].slice(0, 160);

async function worker(peerId, model) {
  const peer = peerById[peerId];
  const out = { peer: peerId, model, cells: [], parity: {} };
  let tok;
  try {
    tok = await peer.load(model);
  } catch (error) {
    out.error = `cannot load ${path.basename(peer.modelOf(model))}: ${short(error)}`;
    console.log(JSON.stringify(out));
    return;
  }
  for (const lang of LANGS) {
    const { all, docs } = loadText(lang);
    if (peer.pkg || peer.spm) {  // ids of the parity sample, compared by the parent
      try {
        out.parity[lang] = parityLines(all).map((t) => Array.from(tok.encode(t)));
      } catch (error) { out.parity[lang] = { error: short(error) }; }
    }
    for (const unit of UNITS) {
      let texts = unit === 'lines' ? all : docs;
      let repeat = REPEAT, note = '';
      if (peer.slow) {
        const s = unit === 'lines' ? spread(texts, { maxBytes: SLOW_LINES_BYTES })
                                   : spread(texts, { maxCount: SLOW_DOCS });
        texts = s.texts;
        repeat = Math.min(REPEAT, SLOW_REPEAT);
        if (s.k > 1) {
          note = `1 ${unit === 'lines' ? 'line' : 'document'} in ${s.k}: ${texts.length} texts, ` +
                 `${(byteLength(texts) / 1e6).toFixed(2)} MB`;
        }
      }
      const cell = { lang, unit, note };
      try { Object.assign(cell, measure(tok.encode, texts, repeat, tok.encodeMany)); } catch (error) { cell.error = short(error); }
      out.cells.push(cell);
    }
  }
  console.log(JSON.stringify(out));
}

async function cold(peerId, model) {
  const peer = peerById[peerId];
  const c0 = cpuSeconds(), t0 = performance.now();
  const tok = await peer.load(model);
  const loadMs = performance.now() - t0, loadCpuMs = (cpuSeconds() - c0) * 1e3;
  const t1 = performance.now();
  tok.encode('In the beginning God created the heaven and the earth.\n');
  const firstMs = performance.now() - t1;
  console.log(JSON.stringify({ loadMs, loadCpuMs, firstMs, phases: tok.phases }));
}

// ---------------------------------------------------------------------------
// Parent.

function runChild(args) {
  const r = spawnSync(process.execPath, [self, ...args], {
    encoding: 'utf8', maxBuffer: 256 << 20, timeout: WORKER_TIMEOUT_S * 1e3,
    env: { ...env, NODE_NO_WARNINGS: '1' },
  });
  const last = (r.stdout ?? '').trim().split('\n').pop();
  if (r.error?.code === 'ETIMEDOUT') return { error: `timed out after ${WORKER_TIMEOUT_S} s` };
  if (r.status !== 0 || !last?.startsWith('{')) {
    const why = (r.stderr ?? '').trim().split('\n').filter((l) => /Error|error|abort/.test(l)).shift() ??
                (r.stderr ?? '').trim().split('\n').pop() ?? '';
    return { error: `child ${r.signal ? `killed by ${r.signal}` : `exited with ${r.status}`}: ${why.slice(0, 160)}` };
  }
  return JSON.parse(last);
}

// A child in `mode` (--worker or --cold) for peer and model; { error } without a child when the
// peer cannot run here.
function runPeer(mode, peer, model) {
  const why = unavailable(peer, model);
  return why ? { error: why } : runChild([mode, peer.id, model]);
}

function version(peer) {
  if (!peer.pkg) {
    const pkg = JSON.parse(readFileSync(path.join(edgepieceDir, 'package.json'), 'utf8'));
    const file = peer.spm ? 'edgepiece-spm.wasm' : 'edgepiece.wasm';
    const wasm = path.join(edgepieceDir, file);
    return `${pkg.version} (build/wasm/package, ${file} ${existsSync(wasm) ? statSync(wasm).size : '?'} bytes)`;
  }
  const file = pkgFile(peer.pkg, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
}

// Why a peer cannot run at all here (before spawning anything), or null.
function unavailable(peer, model) {
  if (peer.pkg && !existsSync(pkgFile(peer.pkg, 'package.json'))) {
    return `not installed: cd ${rel(peersDir)} && npm ci --ignore-scripts`;
  }
  const file = peer.modelOf(model);
  if (!peer.pkg && !peer.spm && !existsSync(file)) return `no BytePiece model ${path.basename(file)}`;
  if (!existsSync(file)) {
    return file.endsWith('.model') && peer.pkg
      ? `${path.basename(file)} missing: run bench/bench_tokenizer.sh`
      : `${path.basename(file)} missing`;
  }
  return null;
}

function prepareJson(model, notes) {
  const src = spmModel(model), dst = spmJson(model);
  if (!existsSync(src)) return;
  if (existsSync(dst) && statSync(dst).mtimeMs >= statSync(src).mtimeMs) return;
  try {
    execFileSync(PYTHON, [path.join(root, 'bench/spm_to_tokenizer_json.py'), src, dst], { stdio: 'pipe' });
    notes.push(`wrote ${rel(dst)} (bench/spm_to_tokenizer_json.py)`);
  } catch (error) {
    notes.push(`bench/spm_to_tokenizer_json.py failed for ${model} (needs python3-sentencepiece, ` +
               `python3-protobuf): ${short(error.stderr?.toString().trim().split('\n').pop() ?? error)}`);
  }
}

// spm_encode ids of the parity sample, and the piece scores to tell ties apart.
function spmReference(model, lang, all) {
  try {
    const input = parityLines(all).join('');
    const out = execFileSync('spm_encode', ['--model', spmModel(model), '--output_format=id'],
                             { input, maxBuffer: 256 << 20 }).toString();
    const ids = out.split('\n').slice(0, -1).map((l) => (l ? l.split(' ').map(Number) : []));
    if (ids.length !== parityLines(all).length) return { error: 'spm_encode line count differs' };
    return { ids };
  } catch (error) { return { error: `spm_encode: ${short(error)}` }; }
}
// Pieces and scores of the SentencePiece vocabulary (WORK_DIR/spm-MODEL.vocab).
function spmVocab(model) {
  const file = path.join(dataDir, `spm-${model}.vocab`);
  if (!existsSync(file)) return null;
  const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
  return { pieces: rows.map((r) => r[0]), scores: rows.map((r) => Number(r[1])) };
}
// Per line: same ids; a tie (same pieces concatenated, same total score, other
// cut); <unk> where spm_encode has none (no byte fallback); other differences.
function parity(ref, got, vocab, unkId = 0) {
  if (ref.error) return `n/a (${ref.error})`;
  if (!got) return 'n/a';
  if (got.error) return `n/a: ${got.error}`;
  let same = 0, ties = 0, unk = 0, differ = 0;
  const score = (ids) => ids.reduce((s, id) => s + (vocab.scores[id] ?? NaN), 0);
  const surface = (ids) => ids.map((id) => vocab.pieces[id]).join('');
  ref.ids.forEach((ids, i) => {
    const g = got[i];
    if (g.length === ids.length && g.every((v, j) => v === ids[j])) ++same;
    else if (vocab && surface(g) === surface(ids) &&
             Math.abs(score(g) - score(ids)) <= 1e-4 * Math.max(1, Math.abs(score(ids)))) ++ties;
    else if (g.includes(unkId) && !ids.includes(unkId)) ++unk;
    else ++differ;
  });
  const pct = (n) => `${(100 * n / ref.ids.length).toFixed(1)}%`.padStart(6);
  return `${pct(same)} same ${pct(ties)} ties ${pct(unk)} <unk> ${pct(differ)} other`;
}

const rel = (p) => (p.startsWith(root + path.sep) ? path.relative(root, p) : p);
const fmt = (x, d = 2) => (x == null || Number.isNaN(x) ? '-' : x.toFixed(d));

async function main() {
  const wall0 = performance.now();
  const notes = [];
  for (const model of new Set([...MODELS, COLD_MODEL])) prepareJson(model, notes);
  const texts = Object.fromEntries(LANGS.map((lang) => [lang, loadText(lang)]));

  console.log(`# edgepiece WASM vs JS/WASM tokenizer peers in Node ${process.version}, one thread`);
  console.log(`# ${new Date().toISOString().replace(/:\d\d\.\d+Z$/, ' UTC').replace('T', ' ')}; ` +
              `${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores; load average ` +
              `${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`# MB of input per CPU-second (process.cpuUsage), best of REPEAT=${REPEAT} passes ` +
              `(fewer when a cell's CPU time would pass CELL_BUDGET_S=${CELL_BUDGET_S})`);
  console.log('# text:');
  for (const lang of LANGS) {
    const { all, docs } = texts[lang];
    console.log(`#   ${lang}.txt ${byteLength(all)} bytes, ${all.length} lines ` +
                `(${(byteLength(all) / all.length).toFixed(1)} bytes a line), ${docs.length} documents of ~64 KB`);
  }
  console.log('# tokenizers (edgepiece: BytePiece models from GOLDEN_DIR; peers and ep-spm: spm_train models, same size, same text):');
  for (const peer of peers) {
    const v = version(peer);
    const input = peer.pkg || peer.spm ? (peer.slow ? 'spm-MODEL.tokenizer.json' : 'spm-MODEL.model') : 'MODEL.model';
    console.log(`#   ${peer.label.padEnd(9)} ${(peer.pkg ?? 'edgepiece').padEnd(24)} ${(v ?? 'not installed').padEnd(12)} ` +
                `${peer.kind}; loads ${input}`);
  }
  for (const model of MODELS) {
    const vocab = (f) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).length : '?');
    console.log(`#   ${model}: SentencePiece vocab ${vocab(path.join(dataDir, `spm-${model}.vocab`))}`);
  }
  const slow = peers.filter((p) => p.slow).map((p) => p.label).join(', ');
  if (slow) {
    console.log(`# pure-JS peers (${slow}): best of ${Math.min(REPEAT, SLOW_REPEAT)} passes over an evenly spaced ` +
                `subset: lines up to SLOW_LINES_MB=${SLOW_LINES_BYTES / 1e6} MB, 64 KB documents up to SLOW_DOCS=${SLOW_DOCS}`);
  }
  for (const n of notes) console.log(`# note: ${n}`);

  // Throughput, one child per peer and model.
  const footnotes = [];
  const footnote = (text) => {
    let i = footnotes.indexOf(text);
    if (i < 0) { footnotes.push(text); i = footnotes.length - 1; }
    return `n/a[${i + 1}]`;
  };
  const results = [];
  const bpt = [], par = [], subsets = new Set();
  let fewPasses = false;
  for (const model of MODELS) {
    const byPeer = {};
    for (const peer of peers) {
      byPeer[peer.id] = runPeer('--worker', peer, model);
      process.stderr.write(`  ${model} ${peer.id}: ${byPeer[peer.id].error ? 'n/a' : 'done'} ` +
                           `(${((performance.now() - wall0) / 1e3).toFixed(0)} s)\n`);
    }
    console.log();
    console.log(`## ${model}: MB/s (ratio: edgepiece / fastest peer; ep-spm and ep-spm-b run the peers' .model, ` +
                'edgepiece and ep-batch the BytePiece model)');
    const others = peers.filter((p) => p.pkg);
    const ours = ['edgepiece-spm', 'edgepiece-spm-batch', 'edgepiece', 'edgepiece-batch'].map((id) => peerById[id]);
    console.log(['model/text'.padEnd(14), 'unit'.padEnd(6), ...others.map((p) => p.label.padStart(9)),
                 ...ours.flatMap((p) => [p.label.padStart(9), 'ratio'.padStart(7)]),
                 '  fastest peer'].join(' '));
    for (const lang of LANGS) {
      for (const unit of UNITS) {
        const cells = {};
        for (const peer of peers) {
          const r = byPeer[peer.id];
          const c = r.error ? { error: r.error } : r.cells.find((x) => x.lang === lang && x.unit === unit);
          cells[peer.id] = c ?? { error: 'no result' };
          if (c?.note) subsets.add(`${`${lang} ${unit}`.padEnd(9)} ${peer.label.padEnd(7)} ${c.note}`);
          if (c && !c.error) results.push(`RESULT ${model}/${lang} ${unit} ${peer.id} ${fmt(c.mbs)} ${c.passes} ${c.bytes}`);
        }
        const show = (c) => {
          if (c.error) return footnote(c.error);
          const few = c.passes < Math.min(REPEAT, 3);
          fewPasses ||= few;
          return fmt(c.mbs) + (few ? '*' : '');
        };
        const ok = others.filter((p) => !cells[p.id].error);
        const best = ok.sort((a, b) => cells[b.id].mbs - cells[a.id].mbs)[0];
        const ratioOf = (c) => (best && c && !c.error ? `${fmt(c.mbs / cells[best.id].mbs)}x` : '-');
        console.log([`${model}/${lang}`.padEnd(14), unit.padEnd(6), ...others.map((p) => show(cells[p.id]).padStart(9)),
                     ...ours.flatMap((p) => {
                       const c = cells[p.id] ?? { error: 'not run' };
                       return [show(c).padStart(9), ratioOf(c).padStart(7)];
                     }), `  ${best?.label ?? '-'}`].join(' '));
        if (unit === 'lines') {
          bpt.push(`${`${model}/${lang}`.padEnd(14)} ` +
                   peers.map((p) => `${p.label} ${cells[p.id].error ? '-' : fmt(cells[p.id].bytesPerToken)}`).join('  '));
        }
      }
      const ref = spmReference(model, lang, texts[lang].all);
      const vocab = spmVocab(model);
      for (const peer of peers.filter((p) => p.pkg || p.spm)) {
        const r = byPeer[peer.id];
        par.push(`${`${model}/${lang}`.padEnd(14)} ${peer.label.padEnd(8)} ` +
                 (r.error ? footnote(r.error) : parity(ref, r.parity?.[lang], vocab)));
      }
    }
  }

  // Cold start, a fresh process per run.
  console.log();
  console.log(`## cold start: fresh node process, import + instantiate + load ${COLD_MODEL} ` +
              `(peers: spm-${COLD_MODEL}), best of ${COLD_RUNS}`);
  console.log(`${'tokenizer'.padEnd(10)} ${'load ms'.padStart(9)} ${'load CPU ms'.padStart(12)} ${'1st encode ms'.padStart(14)}`);
  for (const peer of peers) {
    const runs = Array.from({ length: COLD_RUNS }, () => runPeer('--cold', peer, COLD_MODEL));
    const good = runs.filter((r) => !r.error);
    if (!good.length) { console.log(`${peer.label.padEnd(10)} ${footnote(runs[0].error).padStart(9)}`); continue; }
    const min = (k) => Math.min(...good.map((r) => r[k]));
    console.log(`${peer.label.padEnd(10)} ${fmt(min('loadMs'), 1).padStart(9)} ${fmt(min('loadCpuMs'), 1).padStart(12)} ` +
                `${fmt(min('firstMs'), 2).padStart(14)}` + (good.length < runs.length ? `  (${runs.length - good.length} runs failed)` : '') +
                (good[0].phases ? `  (fastest run: ${good.reduce((a, b) => (b.loadMs < a.loadMs ? b : a)).phases})` : ''));
    results.push(`COLD ${peer.id} ${COLD_MODEL} ${fmt(min('loadMs'), 1)} ${fmt(min('loadCpuMs'), 1)} ${fmt(min('firstMs'), 2)}`);
  }

  console.log();
  console.log('## bytes per token, lines (the models differ: a fast tokenizer cutting many more tokens would not be a fair win)');
  for (const l of bpt) console.log(l);
  console.log();
  console.log(`## parity with spm_encode, ${PARITY_LINES} evenly spaced lines: same ids; ties (same pieces and total score, ` +
              'other cut); <unk> where spm_encode falls back to bytes; other differences');
  for (const l of par) console.log(l);
  if (subsets.size) {
    console.log();
    console.log('## subsets measured for the pure-JS peers (the same for both models)');
    for (const s of subsets) console.log(s);
  }
  console.log();
  if (fewPasses) console.log(`* fewer than ${Math.min(REPEAT, 3)} passes: the cell reached CELL_BUDGET_S`);
  footnotes.forEach((f, i) => console.log(`[${i + 1}] ${f}`));
  console.log();
  for (const r of results) console.log(r);
  console.log(`# total ${((performance.now() - wall0) / 1e3).toFixed(0)} s wall`);
}

const [mode, peerId, model] = process.argv.slice(2);
if (mode === '--worker') await worker(peerId, model);
else if (mode === '--cold') await cold(peerId, model);
else await main();
