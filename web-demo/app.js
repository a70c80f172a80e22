// The web demo: a tokenizer playground (on the main thread: encoding a
// page of text takes well under a millisecond) and a generation playground
// (the language model in an EdgepieceWorker, so the page stays responsive).
// Imports the npm package as built in the repository; fetches the bundled
// models next to it. Served by tools/serve_demo.mjs.
import { EdgepieceWorker, Tokenizer, init } from '../build/wasm/package/index.js';
import { formatBytes, renderTokens, shellQuote } from './pieces.js';

const PACKAGE = new URL('../build/wasm/package/', import.meta.url);
const MODELS = new URL('../models/', import.meta.url);
// The int8 weights (models/int8, made by `edgepiece quantize`): half the download of the F16
// file and ~3.8x its decode speed in WASM, with the same held-out bits per byte (docs/model.md).
const BUNDLED = { tokenizer: 'kjvzh-8k.model', weights: 'int8/kjvzh-lm-int8.safetensors' };
const MAX_SPANS = 20000;  // more tokens than this: the ids box still has them all
const MAX_SEED = 0xffffffff;

const EXAMPLES = {
  en: 'And God said, Let there be light: and there was light.\nAnd God saw the light, that it was good: and God divided the light from the darkness.',
  zh: '天行健，君子以自强不息。地势坤，君子以厚德载物。\n床前明月光，疑是地上霜。',
  emoji: 'Emoji fall back to bytes: 😀 👍🏽 🇩🇪 ❤️‍🔥 — and so does anything the model never saw: ŝ ǅ ㎒',
  code: 'for (let i = 0; i < n; ++i) {\n\tsum += a[i] * b[i];\n}',
};

const $ = (id) => document.getElementById(id);
const utf8 = new TextEncoder();

// Tokenizer playground state: the loaded tokenizers by <option> value.
const tokenizers = new Map();  // value -> { tokenizer, name, path }
let current = null;
let renderPending = false;
let worker = null;

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

// ---- tokenizer playground ----

function readSeed(input) {
  const value = Number(input.value);
  const ok = input.value.trim() !== '' && Number.isInteger(value) && value >= 0 && value <= MAX_SEED;
  input.setAttribute('aria-invalid', String(!ok));
  return ok ? value : null;
}

function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    render();
  });
}

// Encodes the text area with the current tokenizer and options and redraws
// the tokens and statistics. Sampling re-seeds first, so a render is one
// fresh document exactly like `edgepiece encode --alpha A --seed S`.
function render() {
  if (!current) return;
  const sampling = $('sample').checked;
  const alpha = Number($('alpha').value);
  const seed = readSeed($('seed'));
  $('alpha-value').value = alpha.toFixed(2);
  const text = $('text').value;
  const bytes = utf8.encode(text.normalize('NFC'));
  const start = performance.now();
  const { tokenizer } = current;
  let encoding;
  try {
    tokenizer.setSeed(seed ?? 0);
    encoding = tokenizer.encodeWithOffsets(bytes, sampling ? { alpha } : {});
  } catch (e) {  // e.g. OUT_OF_MEMORY for a text far beyond a demo's size
    $('tokens-note').hidden = false;
    $('tokens-note').textContent = `Could not encode this text: ${e.message}`;
    return;
  }
  const { ids, offsets } = encoding;
  const ms = performance.now() - start;

  const drawn = renderTokens($('tokens'), ids, offsets, bytes, MAX_SPANS);
  $('tokens-note').hidden = drawn === ids.length;
  $('tokens-note').textContent = `Showing the first ${drawn.toLocaleString('en')} of ${ids.length.toLocaleString('en')} tokens; every id is in the list below.`;
  $('stat-tokens').textContent = ids.length.toLocaleString('en');
  $('stat-bytes').textContent = bytes.length.toLocaleString('en');
  $('stat-ratio').textContent = ids.length ? (bytes.length / ids.length).toFixed(2) : '–';
  // Browsers coarsen timers (0.1 ms or coarser): say so rather than "0.00 ms".
  $('stat-ms').textContent = ms < 0.1 ? '< 0.1 ms' : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  $('ids').value = ids.join(',');

  const input = text.length <= 200 ? `printf '%s' ${shellQuote(text)} | ` : '';
  const file = text.length <= 200 ? '' : ' text.txt';
  const options = sampling ? ` --alpha ${alpha} --seed ${seed ?? 0}` : '';
  $('cli-command').textContent = `${input}edgepiece encode --model ${current.path}${options}${file}`;
}

function selectTokenizer(value) {
  current = tokenizers.get(value);
  $('model-select').value = value;
  $('model-info').textContent = current.info;
  render();
}

function addTokenizer(value, entry) {
  tokenizers.set(value, entry);
  if (![...$('model-select').options].some((option) => option.value === value)) {
    $('model-select').append(new Option(entry.name, value));
  }
}

async function loadUserModel(file) {
  const error = $('model-error');
  error.hidden = true;
  const start = performance.now();
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const tokenizer = await Tokenizer.load(bytes);
    const value = `user:${file.name}:${file.size}:${file.lastModified}`;
    tokenizers.get(value)?.tokenizer.dispose();
    addTokenizer(value, {
      tokenizer,
      name: `${file.name} (your file)`,
      path: shellQuote(file.name).replace(/^'([\w.-]+)'$/, '$1'),
      info: `${file.name}: ${tokenizer.vocabSize.toLocaleString('en')} ids, ${formatBytes(bytes.length)}, loaded in ${(performance.now() - start).toFixed(0)} ms.`,
    });
    selectTokenizer(value);
  } catch (e) {
    error.textContent = `Could not load "${file.name}" as a BytePiece tokenizer file: ${e.message}. The previous tokenizer is still in use.`;
    error.hidden = false;
  }
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has('text')) $('text').value = params.get('text');
  if (params.has('alpha')) $('alpha').value = params.get('alpha');
  if (params.has('seed')) $('seed').value = params.get('seed');
  $('sample').checked = params.get('sample') === '1';
}

function shareLink() {
  const params = new URLSearchParams({ text: $('text').value });
  if ($('sample').checked) {
    params.set('sample', '1');
    params.set('alpha', $('alpha').value);
    params.set('seed', $('seed').value);
  }
  const url = new URL(location.href);
  url.hash = params.toString();
  history.replaceState(null, '', url);
  const done = (message) => { $('share-status').textContent = message; };
  navigator.clipboard?.writeText(url.href).then(() => done('Link copied.'), () => done('Link is in the address bar.'))
    ?? done('Link is in the address bar.');
}

function wireTokenizer() {
  $('text').addEventListener('input', scheduleRender);
  $('sample').addEventListener('change', scheduleRender);
  // Moving the alpha slider or editing the seed means "show me sampling".
  for (const id of ['alpha', 'seed']) {
    $(id).addEventListener('input', () => {
      $('sample').checked = true;
      scheduleRender();
    });
  }
  $('reseed').addEventListener('click', () => {
    $('seed').value = String(Math.floor(Math.random() * 1e6));
    $('sample').checked = true;
    render();
  });
  for (const button of document.querySelectorAll('[data-example]')) {
    button.addEventListener('click', () => {
      $('text').value = EXAMPLES[button.dataset.example];
      render();
    });
  }
  $('show-ids').addEventListener('change', () => $('tokens').classList.toggle('show-ids', $('show-ids').checked));
  $('model-select').addEventListener('change', () => selectTokenizer($('model-select').value));
  $('model-file').addEventListener('change', () => {
    const [file] = $('model-file').files;
    if (file) loadUserModel(file);
    $('model-file').value = '';
  });
  $('share').addEventListener('click', shareLink);
}

// ---- generation playground ----

function setGenerating(running) {
  $('generate').disabled = running || !worker;
  $('stop').disabled = !running;
  $('output').setAttribute('aria-busy', String(running));
  document.body.classList.toggle('generating', running);
}

async function generate() {
  const maxTokens = Number($('max-tokens').value);
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    $('max-tokens').setAttribute('aria-invalid', 'true');
    $('gen-status').textContent = 'Max tokens must be a whole number of at least 1.';
    return;
  }
  $('max-tokens').setAttribute('aria-invalid', 'false');
  const seed = $('gen-seed').value.trim() === '' ? Math.floor(Math.random() * 1e6) : readSeed($('gen-seed'));
  if (seed === null) {
    $('gen-status').textContent = `The seed must be a whole number from 0 to ${MAX_SEED}.`;
    return;
  }
  const prompt = $('prompt').value;
  const options = {
    maxTokens, temperature: Number($('temperature').value), topP: Number($('top-p').value), seed,
    ignoreEos: !$('stop-at-eos').checked,
  };
  const output = $('output');
  const promptNode = document.createElement('strong');
  promptNode.textContent = prompt;
  const textNode = document.createTextNode('');
  output.replaceChildren(promptNode, textNode);
  $('gen-tokens').textContent = '0';
  $('gen-rate').textContent = '–';
  $('gen-seed-used').textContent = String(seed);
  $('gen-status').textContent = 'Generating…';
  setGenerating(true);
  const start = performance.now();
  try {
    const result = await worker.generate(prompt, options, (piece, tokens) => {
      textNode.appendData(piece);
      $('gen-tokens').textContent = String(tokens);
      $('gen-rate').textContent = (tokens / ((performance.now() - start) / 1000)).toFixed(0);
    });
    $('gen-tokens').textContent = String(result.tokens);
    const rate = result.seconds > 0 ? (result.tokens / result.seconds).toFixed(0) : '–';
    $('gen-rate').textContent = rate;
    const why = result.stopped ? 'Stopped' : result.tokens < maxTokens ? 'Done (end of text)' : 'Done';
    $('gen-status').textContent = `${why}: ${result.tokens} tokens in ${result.seconds.toFixed(2)} s, ${rate} tokens/s.`;
  } catch (e) {
    $('gen-status').textContent = `Generation failed: ${e.message}`;
  } finally {
    setGenerating(false);
  }
}

function wireGeneration() {
  for (const [id, digits] of [['temperature', 2], ['top-p', 2]]) {
    const update = () => { $(`${id}-value`).value = Number($(id).value).toFixed(digits); };
    $(id).addEventListener('input', update);
    update();
  }
  for (const button of document.querySelectorAll('[data-prompt]')) {
    button.addEventListener('click', () => { $('prompt').value = button.dataset.prompt; });
  }
  $('generate').addEventListener('click', generate);
  $('prompt').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !$('generate').disabled) generate();
  });
  $('stop').addEventListener('click', () => {
    $('gen-status').textContent = 'Stopping…';
    worker?.stop();
  });
}

// ---- start-up ----

async function main() {
  readHash();
  wireTokenizer();
  wireGeneration();
  const status = $('load-status');
  const start = performance.now();
  const [wasmBytes, tokenizerBytes] = await Promise.all([
    fetchBytes(new URL('edgepiece.wasm', PACKAGE)),
    fetchBytes(new URL(BUNDLED.tokenizer, MODELS)),
  ]);
  await init({ wasmBinary: wasmBytes });
  const tokenizer = await Tokenizer.load(tokenizerBytes);
  const tokenizerMs = performance.now() - start;
  addTokenizer('bundled', {
    tokenizer,
    name: $('model-select').options[0].text,
    path: `models/${BUNDLED.tokenizer}`,
    info: `kjvzh-8k: ${tokenizer.vocabSize.toLocaleString('en')} ids, trained by the reference BytePiece on the King James Bible and Chinese fortunes.`,
  });
  $('model-select').disabled = false;
  $('model-file').disabled = false;
  selectTokenizer('bundled');
  const sizes = `edgepiece.wasm ${formatBytes(wasmBytes.length)}, tokenizer ${formatBytes(tokenizerBytes.length)}`;
  status.textContent = `Tokenizer ready in ${tokenizerMs.toFixed(0)} ms (downloaded ${sizes}). Loading the language model…`;
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
    worker = client;
    const modelMs = performance.now() - modelStart;
    status.textContent = `Tokenizer ready in ${tokenizerMs.toFixed(0)} ms, language model in ${modelMs.toFixed(0)} ms. Downloaded ${sizes}, model ${formatBytes(weights.length)} (${(numParameters / 1e6).toFixed(1)} M parameters): ${formatBytes(wasmBytes.length + tokenizerBytes.length + weights.length)} in all.`;
    $('gen-status').textContent = 'Ready.';
    setGenerating(false);
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
