// Train your own tokenizer: pasted text and picked or dropped text files
// (each one document, as `edgepiece train` takes files) train a BytePiece
// tokenizer in an EdgepieceWorker with a progress bar; the result is
// offered in the tokenizer playground at once and can be downloaded as the
// JSON model file (the same bytes as the CLI's) or packed.
import { EdgepieceWorker } from '../build/wasm/package/index.js';
import { formatBytes } from './pieces.js';
import { readInteger, showFieldError } from './fields.js';

const $ = (id) => document.getElementById(id);
const utf8 = new TextEncoder();
const strict = new TextDecoder('utf-8', { fatal: true });

// id -> [option, min, max, CLI flag]: the trainer's accepted ranges.
const FIELDS = {
  'train-vocab': ['vocabSize', 259, 1_000_000, '--vocab-size'],
  'train-order': ['order', 1, 8, '--order'],
  'train-min-count': ['minCount', 1, 1_000_000, '--min-count'],
  'train-max-piece': ['maxPieceLength', 1, 255, '--max-piece-length'],
};

export class TrainPlayground {
  #playground;
  #wasmBinary = null;
  #worker = null;
  #files = [];  // { name, text }
  #trained = 0;
  #urls = [];

  /** `playground`: the TokenizerPlayground the trained tokenizer joins. */
  constructor(playground) {
    this.#playground = playground;
    for (const id of Object.keys(FIELDS)) $(id).addEventListener('input', () => this.#options());
    for (const id of ['train-text', 'train-isolate-digits', 'train-ensure-unicode']) {
      $(id).addEventListener('input', () => this.#options());
    }
    $('train-files').addEventListener('change', () => this.#addFiles([...$('train-files').files]));
    const card = $('train-playground');
    card.addEventListener('dragover', (event) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    });
    card.addEventListener('drop', (event) => {
      if (!event.dataTransfer?.files.length) return;
      event.preventDefault();
      this.#addFiles([...event.dataTransfer.files]);
    });
    $('train-clear-files').addEventListener('click', () => {
      this.#files = [];
      this.#addFiles([]);
    });
    $('train').addEventListener('click', () => this.train());
    $('train-stop').addEventListener('click', () => this.#stop());
    this.#options();
  }

  /** Enables training (the module's bytes, for the training worker). */
  ready(wasmBinary) {
    this.#wasmBinary = wasmBinary;
    $('train').disabled = false;
  }

  async #addFiles(files) {
    const error = $('train-files-error');
    error.hidden = true;
    for (const file of files) {
      try {
        this.#files.push({ name: file.name, text: strict.decode(await file.arrayBuffer()) });
      } catch {
        error.textContent = `"${file.name}" is not UTF-8 text: the trainer takes UTF-8 text files.`;
        error.hidden = false;
      }
    }
    $('train-files').value = '';
    const bytes = this.#files.reduce((n, f) => n + utf8.encode(f.text).length, 0);
    $('train-clear-files').hidden = this.#files.length === 0;
    $('train-files-info').textContent = this.#files.length
      ? `${this.#files.length} file${this.#files.length === 1 ? '' : 's'} (${formatBytes(bytes)}): ${this.#files.map((f) => f.name).join(', ')}.`
      : '';
    this.#options();
  }

  #documents() {
    const pasted = $('train-text').value;
    return [...(pasted ? [pasted] : []), ...this.#files.map((f) => f.text)];
  }

  // The options, each field checked with its message; null if one is wrong.
  // Also writes the equivalent command line.
  #options() {
    const options = {};
    const flags = [];
    let ok = true;
    for (const [id, [name, min, max, flag]] of Object.entries(FIELDS)) {
      const value = readInteger($(id), min, max);
      showFieldError($(id), $(`${id}-error`), value === null
        ? `${$(id).labels[0].textContent} must be a whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}.` : null);
      if (value === null) ok = false;
      options[name] = value;
      flags.push(`${flag} ${value}`);
    }
    options.isolateDigits = $('train-isolate-digits').checked;
    options.ensureUnicode = $('train-ensure-unicode').checked;
    if (options.isolateDigits) flags.push('--isolate-digits');
    if (!options.ensureUnicode) flags.push('--no-ensure-unicode');
    const inputs = [...($('train-text').value ? ['text.txt'] : []), ...this.#files.map((f) => f.name)];
    $('train-command').textContent = ok
      ? `edgepiece train ${flags.join(' ')} --output trained.model ${inputs.join(' ') || 'FILE'}`
      : '(fix the fields marked above to see the command)';
    return ok ? options : null;
  }

  #stop() {
    this.#worker?.terminate();
    this.#worker = null;
  }

  async train() {
    const options = this.#options();
    const documents = this.#documents();
    if (!options) {
      $('train-status').textContent = 'Fix the fields marked above to train.';
      return;
    }
    if (documents.length === 0) {
      $('train-status').textContent = 'Paste some text or pick a text file to train on.';
      return;
    }
    const total = documents.reduce((n, d) => n + utf8.encode(d).length, 0);
    const progress = $('train-progress');
    progress.value = 0;
    $('train').disabled = true;
    $('train-stop').disabled = false;
    $('train-status').textContent = `Training on ${formatBytes(total)}…`;
    const start = performance.now();
    try {
      this.#worker ??= await EdgepieceWorker.create({ wasmBinary: this.#wasmBinary });
      const model = await this.#worker.train(documents, options, (p) => {
        const done = p.phase === 'count' ? 0.5 * p.bytesCounted / total
          : p.phase === 'segment' ? 0.5 + 0.45 * p.bytesSegmented / total : 0.95;
        progress.value = Math.min(1, done);
        $('train-status').textContent = `Training: ${p.phase === 'count' ? 'counting n-grams' : p.phase === 'segment' ? 'segmenting' : 'pruning'}… ${Math.round(100 * progress.value)}%`;
      });
      progress.value = 1;
      this.#trained += 1;
      const key = `trained:${this.#trained}`;
      const name = `trained-${this.#trained}.model`;
      const vocabSize = await this.#playground.add(key, model, { name: `${name} (trained here)`, path: name });
      const packed = await this.#playground.pack(key);
      this.#offerDownloads(name, model, packed);
      this.#playground.select(key);
      this.#playground.setCompared('bundled', true);
      $('train-status').textContent = `Trained ${name}: ${vocabSize.toLocaleString('en')} ids in ${((performance.now() - start) / 1000).toFixed(1)} s. It is the tokenizer above now, compared with kjvzh-8k.`;
    } catch (e) {
      progress.value = 0;
      $('train-status').textContent = this.#worker ? `Training failed: ${e.message}` : 'Training stopped.';
    } finally {
      $('train').disabled = false;
      $('train-stop').disabled = true;
    }
  }

  #offerDownloads(name, model, packed) {
    for (const url of this.#urls) URL.revokeObjectURL(url);
    const link = (id, bytes, file, type) => {
      const url = URL.createObjectURL(new Blob([bytes], { type }));
      this.#urls.push(url);
      Object.assign($(id), { href: url, download: file, hidden: false });
      $(id).textContent = `Download ${file} (${formatBytes(bytes.length)})`;
    };
    link('download-json', model, name, 'application/json');
    link('download-packed', packed, name.replace(/\.model$/, '.bpk'), 'application/octet-stream');
  }
}
