// The generation playground: the language model in an EdgepieceWorker (so
// the page stays responsive while it writes), streaming text, stop at any
// point.
import { readInteger, showFieldError } from './fields.js';

const MAX_SEED = 0xffffffff;
const MAX_TOKENS = 10000;
const $ = (id) => document.getElementById(id);

export class GenerationPlayground {
  #worker = null;

  constructor() {
    for (const [id, digits] of [['temperature', 2], ['top-p', 2]]) {
      const update = () => { $(`${id}-value`).value = Number($(id).value).toFixed(digits); };
      $(id).addEventListener('input', update);
      update();
    }
    for (const button of document.querySelectorAll('[data-prompt]')) {
      button.addEventListener('click', () => { $('prompt').value = button.dataset.prompt; });
    }
    $('generate').addEventListener('click', () => this.generate());
    $('prompt').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !$('generate').disabled) this.generate();
    });
    $('stop').addEventListener('click', () => {
      $('gen-status').textContent = 'Stopping…';
      this.#worker?.stop();
    });
    // Each field says what is wrong as it is typed, not only on Generate.
    $('max-tokens').addEventListener('input', () => this.#readMaxTokens());
    $('gen-seed').addEventListener('input', () => this.#readSeed());
  }

  /** The EdgepieceWorker with the model loaded: generation is enabled. */
  ready(worker) {
    this.#worker = worker;
    this.#setGenerating(false);
  }

  #setGenerating(running) {
    $('generate').disabled = running || !this.#worker;
    $('stop').disabled = !running;
    $('output').setAttribute('aria-busy', String(running));
    document.body.classList.toggle('generating', running);
  }

  #readMaxTokens() {
    const value = readInteger($('max-tokens'), 1, MAX_TOKENS);
    showFieldError($('max-tokens'), $('max-tokens-error'), value === null
      ? `Max tokens must be a whole number from 1 to ${MAX_TOKENS.toLocaleString('en')}.` : null);
    return value;
  }

  // null: invalid; undefined: empty (a random seed).
  #readSeed() {
    if ($('gen-seed').value.trim() === '') {
      showFieldError($('gen-seed'), $('gen-seed-error'), null);
      return undefined;
    }
    const value = readInteger($('gen-seed'), 0, MAX_SEED);
    showFieldError($('gen-seed'), $('gen-seed-error'), value === null
      ? `The seed must be empty (random) or a whole number from 0 to ${MAX_SEED.toLocaleString('en')} (2^32 - 1).` : null);
    return value;
  }

  async generate() {
    const maxTokens = this.#readMaxTokens();
    const chosen = this.#readSeed();
    if (maxTokens === null || chosen === null) {
      $('gen-status').textContent = 'Fix the fields marked above to generate.';
      return;
    }
    const seed = chosen ?? Math.floor(Math.random() * 1e6);
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
    this.#setGenerating(true);
    const start = performance.now();
    try {
      const result = await this.#worker.generate(prompt, options, (piece, tokens) => {
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
      this.#setGenerating(false);
    }
  }
}
