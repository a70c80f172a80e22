// The generation playground: the language model in an EdgepieceWorker (so
// the page stays responsive while it writes), streaming text, stop at any
// point. A conversation continues from the session's state (Continue: the
// new prompt follows what was written, nothing is re-read), and that state
// is a snapshot kept in IndexedDB, so it survives a reload. Every generated
// token is a span with the model's probability of it (as the worker reports
// it while generating: the ids the model wrote, not a re-encoding), shown on
// hover or focus; "Show token probabilities" tints them by surprise.
import { clearConversation, loadConversation, saveConversation } from './conversation-store.js';
import { readInteger, showFieldError } from './fields.js';

const MAX_SEED = 0xffffffff;
const MAX_TOKENS = 10000;
const $ = (id) => document.getElementById(id);

export class GenerationPlayground {
  #worker = null;
  // [{ role: 'prompt', text } | { role: 'model', text, tokens: [{ id, text, log2Prob }] }] of the
  // session's sequence (a conversation stored before tokens were kept has none: plain text).
  #transcript = [];

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
    $('continue').addEventListener('click', () => this.generate({ append: true }));
    $('forget').addEventListener('click', () => this.#forget());
    $('probs').addEventListener('click', () => this.#toggleProbabilities());
    const describe = (event) => {
      const span = event.target.closest?.('.p-token');
      if (span) $('gen-token-info').textContent = `"${span.textContent}": ${span.title}`;
    };
    $('output').addEventListener('mouseover', describe);
    $('output').addEventListener('focusin', describe);
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

  /**
   * The EdgepieceWorker with the model loaded: generation is enabled, a stored conversation
   * restored. Resolves to whether the status line says so (else the caller says "Ready.").
   */
  async ready(worker) {
    this.#worker = worker;
    try {
      const stored = await loadConversation();
      if (stored) {
        await worker.restore(stored.snapshot);
        this.#transcript = stored.transcript;
        this.#drawTranscript();
        $('gen-status').textContent = `Restored your conversation from the last visit (its state: ${stored.snapshot.length.toLocaleString('en')} bytes). Continue goes on from it without re-reading it.`;
      }
    } catch (e) {
      this.#transcript = [];
      await clearConversation().catch(() => {});
      $('gen-status').textContent = `The stored conversation could not be restored (${e.message}); it was cleared.`;
      this.#setGenerating(false);
      return true;
    }
    this.#setGenerating(false);
    return this.#transcript.length > 0;
  }

  #drawTranscript() {
    $('output').replaceChildren(...this.#transcript.flatMap(({ role, text, tokens }) => {
      if (role === 'model') {
        if (!tokens) return [document.createTextNode(text)];
        const writer = new TokenWriter();
        for (const token of tokens) writer.add(token);
        return writer.take();
      }
      const node = document.createElement('strong');
      node.textContent = text;
      return [node];
    }));
  }

  // The tint by surprise on or off; hovering a token shows its probability either way.
  #toggleProbabilities() {
    const shown = $('output').classList.toggle('show-probabilities');
    $('probs').setAttribute('aria-pressed', String(shown));
    const tokens = this.#transcript.flatMap((t) => t.tokens ?? []);
    const bits = -tokens.reduce((sum, t) => sum + t.log2Prob, 0);
    $('gen-status').textContent = shown
      ? `${tokens.length} generated tokens, -log2 p = ${bits.toFixed(2)} bits under the model (each token's probability as the model wrote it, at temperature 1). Hover a token for its probability; the redder, the less expected.`
      : 'Hover a generated token for its probability.';
    if (shown) document.body.dataset.probabilities = 'shown';
    else delete document.body.dataset.probabilities;
  }

  async #forget() {
    this.#transcript = [];
    $('output').replaceChildren();
    await clearConversation();
    await this.#worker?.reset();
    $('gen-status').textContent = 'Conversation cleared.';
    this.#setGenerating(false);
  }

  #setGenerating(running) {
    $('continue').disabled = running || !this.#worker || this.#transcript.length === 0;
    $('forget').disabled = running || this.#transcript.length === 0;
    $('probs').disabled = running || this.#transcript.length === 0;
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

  /** Generates from <bos> + the prompt, or with `append` continues the conversation. */
  async generate({ append = false } = {}) {
    const maxTokens = this.#readMaxTokens();
    const chosen = this.#readSeed();
    if (maxTokens === null || chosen === null) {
      $('gen-status').textContent = 'Fix the fields marked above to generate.';
      return;
    }
    const seed = chosen ?? Math.floor(Math.random() * 1e6);
    const prompt = $('prompt').value;
    // Continue keeps the sampling stream (a seed would restart it); a seed typed for it is used.
    const options = {
      maxTokens, temperature: Number($('temperature').value), topP: Number($('top-p').value),
      ignoreEos: !$('stop-at-eos').checked, append,
      ...(append && chosen === undefined ? {} : { seed }),
    };
    if (!append) this.#transcript = [];
    const turn = { role: 'model', text: '', tokens: [] };
    this.#transcript.push({ role: 'prompt', text: prompt }, turn);
    this.#drawTranscript();
    const output = $('output');
    const writer = new TokenWriter();
    $('gen-tokens').textContent = '0';
    $('gen-rate').textContent = '–';
    $('gen-seed-used').textContent = 'seed' in options ? String(seed) : 'continued';
    $('gen-status').textContent = 'Generating…';
    this.#setGenerating(true);
    const start = performance.now();
    try {
      const onToken = (token) => {
        turn.tokens.push(token);
        writer.add(token);
      };
      const result = await this.#worker.generate(prompt, { ...options, onToken }, (piece, tokens) => {
        // The batch's tokens came first: their spans hold its text.
        output.append(...writer.take());
        turn.text += piece;
        output.scrollTop = output.scrollHeight;
        $('gen-tokens').textContent = String(tokens);
        $('gen-rate').textContent = (tokens / ((performance.now() - start) / 1000)).toFixed(0);
      });
      $('gen-tokens').textContent = String(result.tokens);
      const rate = result.seconds > 0 ? (result.tokens / result.seconds).toFixed(0) : '–';
      $('gen-rate').textContent = rate;
      const why = result.stopped ? 'Stopped' : result.tokens < maxTokens ? 'Done (end of text)' : 'Done';
      $('gen-status').textContent = `${why}: ${result.tokens} tokens in ${result.seconds.toFixed(2)} s, ${rate} tokens/s.`;
      await this.#save();
    } catch (e) {
      $('gen-status').textContent = `Generation failed: ${e.message}`;
    } finally {
      this.#setGenerating(false);
    }
  }

  // The session's snapshot and the transcript, for Continue after a reload.
  async #save() {
    try {
      await saveConversation({ snapshot: await this.#worker.snapshot(), transcript: this.#transcript });
      document.body.dataset.conversationSaved = String(Number(document.body.dataset.conversationSaved ?? 0) + 1);
    } catch (e) {
      $('gen-status').textContent += ` (The conversation could not be stored for a reload: ${e.message}.)`;
    }
  }
}

// Makes the spans of generated tokens: one per token, or one for the byte tokens that make a
// character together (their probabilities multiplied), titled with p and the ids.
class TokenWriter {
  #nodes = [];
  #pending = [];  // tokens of a character not yet complete (their text is '')

  add(token) {
    this.#pending.push(token);
    if (token.text !== '') this.#span(token.text);
  }

  take() {
    const nodes = this.#nodes;
    this.#nodes = [];
    return nodes;
  }

  #span(text) {
    const tokens = this.#pending;
    this.#pending = [];
    const log2p = tokens.reduce((sum, t) => sum + t.log2Prob, 0);
    const p = 2 ** log2p;
    const span = document.createElement('span');
    span.className = 'p-token';
    span.textContent = text;
    span.dataset.log2p = String(log2p);
    span.dataset.ids = tokens.map((t) => t.id).join(' ');
    span.style.setProperty('--surprise', Math.min(1, -log2p / 14).toFixed(3));
    span.title = `p = ${p < 0.001 ? p.toExponential(1) : p.toFixed(3)} · id ${tokens.map((t) => t.id).join(' + ')}`;
    this.#nodes.push(span);
  }
}
