// Per-token probabilities of the generation playground's text: a second
// EdgepieceWorker (the conversation's session is left alone) encodes the
// text, feeds it token by token from <bos> and reads, before each token,
// the model's probability of it (softmax of the logits, temperature 1).
// The text is shown as spans, a token's probability on hover or focus.
import { EdgepieceWorker } from '../build/wasm/package/index.js';

const BOS = 1;

// log p(id) under softmax(logits), computed stably.
function logProbability(logits, id) {
  let max = -Infinity;
  for (const x of logits) if (x > max) max = x;
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  return logits[id] - max - Math.log(sum);
}

export class TokenProbabilities {
  #files;
  #worker = null;

  /** `files`: { wasmBinary, tokenizer, weights } bytes, loaded into a worker on first use. */
  constructor(files) {
    this.#files = files;
  }

  async #ready() {
    if (this.#worker) return this.#worker;
    const worker = await EdgepieceWorker.create({ wasmBinary: this.#files.wasmBinary });
    await worker.loadTokenizer(this.#files.tokenizer);
    await worker.loadModel(this.#files.weights);
    this.#worker = worker;
    return worker;
  }

  /**
   * Draws `text` into `output` as one span per token (the byte tokens of one
   * character together), each with its probability; resolves to
   * { tokens, bits: -log2 p(text), scoreBits: the model's own score() }.
   */
  async show(text, output, onProgress) {
    const worker = await this.#ready();
    const { ids, offsets } = await worker.encodeWithOffsets(text);
    await worker.reset();
    await worker.feed([BOS]);
    const logp = new Float64Array(ids.length);
    for (let i = 0; i < ids.length; ++i) {
      logp[i] = logProbability(await worker.logits(), ids[i]);
      await worker.feed([ids[i]]);
      if (i % 16 === 0) onProgress?.(i / ids.length);
    }
    const spans = [];
    for (let i = 0; i < ids.length;) {
      // A token that ends inside a character has an empty UTF-16 range (its
      // bytes belong to the character the next token completes): one span.
      let end = i;
      while (end < ids.length - 1 && offsets[2 * end] === offsets[2 * end + 1]) ++end;
      ++end;
      let sum = 0;
      for (let k = i; k < end; ++k) sum += logp[k];
      const span = document.createElement('span');
      span.className = 'p-token';
      const p = Math.exp(sum);
      span.dataset.p = String(p);
      span.style.setProperty('--surprise', Math.min(1, -sum / 10).toFixed(3));
      span.textContent = text.slice(offsets[2 * i], offsets[2 * end - 1]);
      const idList = Array.from(ids.subarray(i, end)).join(' + ');
      span.title = `p = ${p < 0.001 ? p.toExponential(1) : p.toFixed(3)} · id ${idList}`;
      spans.push(span);
      i = end;
    }
    output.replaceChildren(...spans);
    const bits = -Array.from(logp).reduce((a, b) => a + b, 0) / Math.LN2;
    const { log2Prob } = await worker.score(text);
    return { tokens: ids.length, bits, scoreBits: -log2Prob };
  }
}
