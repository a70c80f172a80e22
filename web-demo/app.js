// The web demo's start-up: fetches the WebAssembly module and the bundled
// models, starts the tokenizer playground (its own worker:
// tokenizer-playground.js) and the generation playground (the language
// model in an EdgepieceWorker: generation.js). Imports the npm package as
// built in the repository; fetches the bundled models next to it. Served by
// tools/serve_demo.mjs.
import { EdgepieceWorker } from '../build/wasm/package/index.js';
import { GenerationPlayground } from './generation.js';
import { formatBytes } from './pieces.js';
import { TokenizerPlayground } from './tokenizer-playground.js';
import { TrainPlayground } from './train-playground.js';

const PACKAGE = new URL('../build/wasm/package/', import.meta.url);
const MODELS = new URL('../models/', import.meta.url);
// The int8 weights (models/int8, made by `edgepiece quantize`): half the download of the F16
// file and ~3.8x its decode speed in WASM, with the same held-out bits per byte (docs/model.md).
const BUNDLED = { tokenizer: 'kjvzh-8k.model', weights: 'int8/kjvzh-lm-int8.safetensors' };

const $ = (id) => document.getElementById(id);

// Fetches `url` as bytes, reporting progress (0..1) when the size is known
// (Content-Length counts encoded bytes: with compression it is a guess).
async function fetchBytes(url, onProgress = () => {}) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url.pathname ?? url}: HTTP ${response.status}`);
  const total = Number(response.headers.get('Content-Length')) || 0;
  if (!response.body || !total) return new Uint8Array(await response.arrayBuffer());
  const chunks = [];
  let size = 0;
  for (const reader = response.body.getReader(); ;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    onProgress(Math.min(1, size / total));
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

async function main() {
  const tokenizer = new TokenizerPlayground();
  tokenizer.readHash();
  const generation = new GenerationPlayground();
  const training = new TrainPlayground(tokenizer);
  const status = $('load-status');
  const start = performance.now();
  const [wasmBytes, tokenizerBytes] = await Promise.all([
    fetchBytes(new URL('edgepiece.wasm', PACKAGE)),
    fetchBytes(new URL(BUNDLED.tokenizer, MODELS)),
  ]);
  await tokenizer.start(wasmBytes, 'bundled', tokenizerBytes, {
    name: $('model-select').options[0].text,
    path: `models/${BUNDLED.tokenizer}`,
    info: 'kjvzh-8k: 8,000 ids, trained by the reference BytePiece on the King James Bible and Chinese fortunes.',
  });
  const tokenizerMs = performance.now() - start;
  const sizes = `edgepiece.wasm ${formatBytes(wasmBytes.length)}, tokenizer ${formatBytes(tokenizerBytes.length)}`;
  status.textContent = `Tokenizer ready in ${tokenizerMs.toFixed(0)} ms (downloaded ${sizes}). Loading the language model…`;
  training.ready(wasmBytes);
  document.body.dataset.tokenizerReady = 'true';

  try {
    const modelStart = performance.now();
    const [client, weights] = await Promise.all([
      EdgepieceWorker.create({ wasmBinary: wasmBytes }),
      fetchBytes(new URL(BUNDLED.weights, MODELS), (fraction) => {
        $('gen-status').textContent = `Downloading the language model… ${Math.round(100 * fraction)}%`;
      }),
    ]);
    await client.loadTokenizer(tokenizerBytes);
    const { numParameters } = await client.loadModel(weights);
    const restored = await generation.ready(client);
    const modelMs = performance.now() - modelStart;
    status.textContent = `Tokenizer ready in ${tokenizerMs.toFixed(0)} ms, language model in ${modelMs.toFixed(0)} ms. Downloaded ${sizes}, model ${formatBytes(weights.length)} (${(numParameters / 1e6).toFixed(1)} M parameters): ${formatBytes(wasmBytes.length + tokenizerBytes.length + weights.length)} in all.`;
    if (!restored) $('gen-status').textContent = 'Ready.';
    document.body.dataset.modelReady = 'true';
  } catch (e) {
    $('gen-status').textContent = `The language model could not be loaded: ${e.message}`;
  }
}

main().catch((e) => {
  $('load-status').textContent = `Could not start: ${e.message}`;
  $('load-status').classList.add('error');
  console.error(e);
});
