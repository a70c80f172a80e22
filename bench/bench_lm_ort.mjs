// The language model beside ONNX Runtime, one command, one thread each, interleaved rounds:
//   bash bench/bench_lm_ort.sh            (exports the graphs, installs the pinned ORT, runs this)
//   node bench/bench_lm_ort.mjs ONNX_DIR  [ROUNDS]
// Runs per round (each runner best of two passes): edgepiece native (the CLI's `bench`), edgepiece WASM (the npm package in this
// process), onnxruntime-node (CPU execution provider) and onnxruntime-web (its wasm backend, in
// Node), for fp32 and for int8 (our int8 weights when models/ has them, against ORT's dynamically
// quantized "q8" graphs), then prints tokens per second and our/ORT ratios per round. Prefill:
// a 512-token prompt to the logits of its last position. Decode: 256 single-token steps, each to
// full logits. Before timing, ORT's logits are checked against PyTorch's (check.json).
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const onnxDir = path.resolve(process.argv[2] ?? path.join(root, 'build/bench-data/onnx'));
const rounds = Number(process.argv[3] ?? 3);
const decodeTokens = 256;
const cli = path.join(root, 'build/release/native/edgepiece');
const requireOrt = createRequire(path.join(root, 'bench/ort/package.json'));
const ortNode = requireOrt('onnxruntime-node');
const ortWeb = await import(pathToFileURL(requireOrt.resolve('onnxruntime-web')).href);
ortWeb.env.wasm.numThreads = 1;
const { Tokenizer, Model } = await import(path.join(root, 'build/wasm/package/index.js'));

const check = JSON.parse(readFileSync(path.join(onnxDir, 'check.json'), 'utf8'));
const prefillTokens = check.prefill_tokens;
const ids = Int32Array.from(check.ids);
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const maxAbsDiff = (a, b) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

// --- ONNX Runtime ---------------------------------------------------------------------------
// The execution provider is named: both packages register theirs with the one
// onnxruntime-common they share, and without a name onnxruntime-web's sessions ran on
// onnxruntime-node's native CPU provider (the same speed as onnxruntime-node, not WebAssembly's).
async function ortSessions(ort, name, suffix, provider) {
  const options = { executionProviders: [provider], intraOpNumThreads: 1, interOpNumThreads: 1,
                    executionMode: 'sequential', graphOptimizationLevel: 'all' };
  const start = performance.now();
  const step = await ort.InferenceSession.create(path.join(onnxDir, `step${suffix}.onnx`), options);
  const prefill = await ort.InferenceSession.create(path.join(onnxDir, `prefill${suffix}.onnx`),
                                                    options);
  const createMs = performance.now() - start;
  return { ort, name, step, prefill, createMs };
}

function ortInitialState(ort) {
  return Object.fromEntries(check.state_names.map((n, i) => {
    const shape = check.state_shapes[i];
    return [n, new ort.Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b)), shape)];
  }));
}

async function ortDecode({ ort, step }, count) {
  let state = ortInitialState(ort);
  let logits;
  for (let i = 0; i < count; ++i) {
    const out = await step.run({
      token: new ort.Tensor('int64', BigInt64Array.of(BigInt(ids[i])), [1]),
      pos: new ort.Tensor('int64', BigInt64Array.of(BigInt(i)), []),
      ...state,
    });
    logits = out.logits.data;
    state = Object.fromEntries(check.state_names.map((n) => [n, out[`${n}_out`]]));
  }
  return logits;
}

async function ortPrefill({ ort, prefill }) {
  const input = new ort.Tensor('int64', BigInt64Array.from(ids, (x) => BigInt(x)), [1, prefillTokens]);
  return (await prefill.run({ ids: input })).logits.data;
}

// Each runner does `passes` prefills and decodes per round and keeps its best.
const passes = 2;

async function timeOrt(runner) {
  let prefill = 0;
  let decode = 0;
  for (let pass = 0; pass < passes; ++pass) {
    let start = cpuSeconds();
    await ortPrefill(runner);
    prefill = Math.max(prefill, prefillTokens / (cpuSeconds() - start));
    start = cpuSeconds();
    await ortDecode(runner, decodeTokens);
    decode = Math.max(decode, decodeTokens / (cpuSeconds() - start));
  }
  return { prefill, decode };
}

// --- edgepiece -----------------------------------------------------------------------------
const tokenizer = await Tokenizer.load(new Uint8Array(readFileSync(path.join(root, 'models/kjvzh-8k.model'))));
const weights = { fp32: path.join(root, 'models/kjvzh-lm.safetensors') };
const int8Path = path.join(root, 'models/int8/kjvzh-lm-int8.safetensors');
if (existsSync(int8Path)) weights.int8 = int8Path;

function timeWasm(model) {
  const session = model.session();
  let prefill = 0;
  let decode = 0;
  for (let pass = 0; pass < passes; ++pass) {
    session.reset();
    let start = cpuSeconds();
    session.feed(ids.subarray(0, prefillTokens));
    prefill = Math.max(prefill, prefillTokens / (cpuSeconds() - start));
    session.reset();
    start = cpuSeconds();
    for (let i = 0; i < decodeTokens; ++i) session.feed(ids.subarray(i, i + 1));
    decode = Math.max(decode, decodeTokens / (cpuSeconds() - start));
  }
  session.dispose();
  return { prefill, decode };
}

function timeNative(weightsPath) {
  const out = execFileSync(cli, ['bench', '--model', `${weightsPath},${path.join(root, 'models/kjvzh-8k.model')}`, '--prefill-tokens',
    String(prefillTokens), '--decode-tokens', String(decodeTokens), '--repeat', String(passes)]).toString();
  return Object.fromEntries([...out.matchAll(/(prefill|decode)\s+\d+ tokens\s+([\d.]+) tok\/s/g)]
    .map((m) => [m[1], Number(m[2])]));
}

// --- correctness first ---------------------------------------------------------------------
const ortRunners = {};
for (const [precision, suffix] of [['fp32', ''], ['int8', '-q8']]) {
  ortRunners[precision] = [await ortSessions(ortNode, 'onnxruntime-node', suffix, 'cpu'),
                           await ortSessions(ortWeb, 'onnxruntime-web', suffix, 'wasm')];
  for (const runner of ortRunners[precision]) {
    const step = maxAbsDiff(await ortDecode(runner, check.step_count), check.step_logits_last);
    const prefill = maxAbsDiff(await ortPrefill(runner), check.prefill_logits);
    console.log(`${runner.name} ${precision}: sessions created in ${runner.createMs.toFixed(0)} ms;` +
                ` max |logit - PyTorch|: step ${step.toExponential(2)}, prefill ${prefill.toExponential(2)}`);
    if (precision === 'fp32' && (step > 1e-2 || prefill > 1e-2)) throw new Error('ORT logits differ');
  }
}
const models = {};
for (const [precision, file] of Object.entries(weights)) {
  models[precision] = await Model.load(new Uint8Array(readFileSync(file)), tokenizer);
}

// --- interleaved rounds ----------------------------------------------------------------------
// Round 0 warms every runner up (first-call allocations, ORT's lazy kernel setup) and is not shown.
const rows = [];
for (let round = 0; round <= rounds; ++round) {
  for (const precision of ['fp32', 'int8']) {
    const nodeOrt = await timeOrt(ortRunners[precision][0]);
    const webOrt = await timeOrt(ortRunners[precision][1]);
    const native = weights[precision] ? timeNative(weights[precision]) : null;
    const wasm = models[precision] ? timeWasm(models[precision]) : null;
    if (round > 0) rows.push({ round, precision, nodeOrt, webOrt, native, wasm });
  }
}

const fmt = (x) => (x ? x.toFixed(0) : '-');
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : '-');
console.log(`\n# tokens per CPU-second, one thread; prefill ${prefillTokens} tokens, decode ${decodeTokens}`);
console.log('| round | precision | phase | edgepiece native | onnxruntime-node | native/ORT | edgepiece WASM | onnxruntime-web | WASM/ORT-web | WASM/native |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const { round, precision, nodeOrt, webOrt, native, wasm } of rows) {
  for (const phase of ['prefill', 'decode']) {
    const n = native?.[phase];
    const w = wasm?.[phase];
    console.log(`| ${round} | ${precision} | ${phase} | ${fmt(n)} | ${fmt(nodeOrt[phase])} | ` +
                `${ratio(n, nodeOrt[phase])} | ${fmt(w)} | ${fmt(webOrt[phase])} | ` +
                `${ratio(w, webOrt[phase])} | ${ratio(w, n)} |`);
  }
}
for (const m of Object.values(models)) m.dispose();
tokenizer.dispose();
