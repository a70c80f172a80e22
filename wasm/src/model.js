// Model and Session: the GAU/LRU language model over the C ABI's ep_model
// and ep_session. A Model holds immutable weights (share it); a Session holds
// one sequence's constant-size recurrent state and its own sampling stream.
import {
  EdgepieceError, check, copyIn, decoder, init, readHandle, slot, views, wasm, writeIds,
  writeInput, yieldToEvents,
} from './core.js';
import { readSource } from './source.js';
import { Tokenizer, tokenizerHandle } from './tokenizer.js';

const modelRegistry = new FinalizationRegistry((handle) => wasm().ep_model_destroy(handle));
// The generator borrows the session: it goes first.
const sessionRegistry = new FinalizationRegistry(({ handle, logits, generator }) => {
  if (generator) wasm().ep_generator_destroy(generator);
  wasm().ep_session_destroy(handle);
  wasm().ep_free(logits);
});

// Where the generation and scoring structs lie in slot(): ep_generate_options
// (32 bytes), ep_score_result (24), next()'s id, size and done (12).
const OPTIONS = 0;
const RESULT = 32;
const NEXT = 64;  // + 12 <= SLOT_BYTES
let defaults = null;
/**
 * The generation defaults, read from the C ABI (ep_generate_options_init):
 * { temperature, topK, topP, maxTokens }, the ones the CLI uses too.
 * Needs the module (init(), or any load()).
 */
export function generateDefaults() {
  if (!defaults) {
    const pointer = slot() + OPTIONS;
    wasm().ep_generate_options_init(pointer);
    const { f32, i32 } = views();
    defaults = Object.freeze({
      temperature: f32[pointer >>> 2], topK: i32[(pointer >>> 2) + 1],
      topP: f32[(pointer >>> 2) + 2], maxTokens: i32[(pointer >>> 2) + 3],
    });
  }
  return defaults;
}

function checkSampling(topK, maxTokens) {
  if (!Number.isInteger(topK) || topK < 0 || topK > 0x7fffffff) {
    throw new EdgepieceError('INVALID_ARGUMENT', 'topK must be an integer >= 0');
  }
  if (!Number.isInteger(maxTokens) || maxTokens < 0 || maxTokens > 0x7fffffff) {
    throw new EdgepieceError('INVALID_ARGUMENT', 'maxTokens must be an integer >= 0');
  }
}

function checkSeed(seed) {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new EdgepieceError('INVALID_ARGUMENT', 'seed must be an integer in [0, 2^32)');
  }
  return seed >>> 0;
}

export class Model {
  #handle;

  constructor(handle, tokenizer) {
    this.#handle = handle;
    /** The tokenizer this model reads and writes text with. */
    this.tokenizer = tokenizer;
    modelRegistry.register(this, handle, this);
  }

  /**
   * Parses safetensors weights from `source` (as Tokenizer.load: bytes, a
   * Response or a URL; options onProgress, cache, integrity). `tokenizer`
   * (the model's Tokenizer) is needed for text in and out (generate, score);
   * without it only ids go in and logits come out.
   */
  static async load(source, tokenizer = null, options = {}) {
    if (tokenizer !== null && !(tokenizer instanceof Tokenizer)) {
      throw new EdgepieceError('INVALID_ARGUMENT', 'tokenizer must be a Tokenizer');
    }
    if (tokenizer?.format === 'sentencepiece') {
      throw new EdgepieceError('INVALID_ARGUMENT', 'a Model takes a BytePiece tokenizer, not a SentencePiece .model');
    }
    const [weightsBytes] = await Promise.all([readSource(source, options, 'weights'), init()]);
    const ex = wasm();
    const pointer = copyIn(weightsBytes);
    const out = ex.ep_malloc(4);
    try {
      check(ex.ep_model_create(pointer, weightsBytes.length, out));
      const handle = readHandle(out);
      if (tokenizer && ex.ep_model_vocab_size(handle) !== tokenizer.vocabSize) {
        ex.ep_model_destroy(handle);
        throw new EdgepieceError('INVALID_ARGUMENT',
          `the model has ${ex.ep_model_vocab_size(handle)} ids but the tokenizer ${tokenizer.vocabSize}`);
      }
      return new Model(handle, tokenizer);
    } finally {
      ex.ep_free(out);
      ex.ep_free(pointer);
    }
  }

  #live() {
    if (!this.#handle) throw new EdgepieceError('DISPOSED', 'this Model was disposed');
    return this.#handle;
  }

  get vocabSize() { return wasm().ep_model_vocab_size(this.#live()); }
  get numParameters() { return Number(wasm().ep_model_num_parameters(this.#live())); }
  get bosId() { return wasm().ep_model_bos_id(this.#live()); }
  /** Bytes the weights take in module memory. */
  get memoryBytes() { return Number(wasm().ep_model_memory_bytes(this.#live())); }
  get eosId() { return wasm().ep_model_eos_id(this.#live()); }

  /** A new, empty Session. Options: seed (of its sampling stream, default 0). */
  session(options = {}) {
    const ex = wasm();
    const seed = checkSeed(options.seed ?? 0);
    const out = ex.ep_malloc(4);
    try {
      check(ex.ep_session_create(this.#live(), seed, out));
      return new Session(readHandle(out), this);
    } finally {
      ex.ep_free(out);
    }
  }

  /** Frees the weights once no Session uses them; later calls throw DISPOSED. */
  dispose() {
    if (!this.#handle) return;
    modelRegistry.unregister(this);
    wasm().ep_model_destroy(this.#handle);
    this.#handle = 0;
  }
}

export class Session {
  #handles;
  #model;
  #run = 0;  // bumped by every call that restarts or moves the sequence

  constructor(handle, model) {
    const logits = wasm().ep_malloc(4 * model.vocabSize);
    if (!logits) {
      wasm().ep_session_destroy(handle);
      throw new EdgepieceError('OUT_OF_MEMORY', 'module out of memory');
    }
    this.#handles = { handle, logits, generator: 0 };  // the generator: made by generate()
    this.#model = { tokenizer: model.tokenizer, vocabSize: model.vocabSize };
    /** Tokens generated by the last generate() call so far. */
    this.generatedTokens = 0;
    sessionRegistry.register(this, this.#handles, this);
  }

  #live() {
    if (!this.#handles) throw new EdgepieceError('DISPOSED', 'this Session was disposed');
    return this.#handles.handle;
  }

  #tokenizer() {
    const { tokenizer } = this.#model;
    if (!tokenizer) throw new EdgepieceError('INVALID_ARGUMENT', 'text needs a Model loaded with its Tokenizer');
    return tokenizer;
  }

  /** Tokens fed since the last reset. */
  get position() { return Number(wasm().ep_session_position(this.#live())); }

  /** Bytes of this session's state and scratch in module memory: constant, however long the text. */
  get stateBytes() { return Number(wasm().ep_session_state_bytes(this.#live())); }

  /** Back to the empty sequence. */
  reset() {
    this.#run += 1;
    wasm().ep_session_reset(this.#live());
  }

  /** Restarts the sampling stream. */
  setSeed(seed) { wasm().ep_session_seed(this.#live(), checkSeed(seed)); }

  // Feeds the last generated token, which the generator otherwise feeds only
  // when it needs the next one: the sequence then holds everything generate()
  // yielded.
  #flush() {
    const { generator } = this.#handles;
    if (generator) check(wasm().ep_generator_flush(generator));
  }

  /** Feeds token ids (prompt prefill runs by whole chunks), after any generated text. */
  feed(ids) {
    const handle = this.#live();
    this.#flush();
    this.#run += 1;
    const [pointer, count] = writeIds(ids);
    check(wasm().ep_session_feed(handle, pointer, count));
  }

  /**
   * The sequence so far (every token fed or generated), its next-token
   * logits and the sampling stream, as portable bytes (docs/model.md,
   * "Session snapshots"): restore() them into any session of the same model,
   * here, natively or in another page, to continue with the same bits.
   */
  snapshot() {
    const handle = this.#live();
    this.#flush();
    const ex = wasm();
    const size = ex.ep_session_snapshot_size(handle);
    const pointer = ex.ep_malloc(size);
    if (!pointer) throw new EdgepieceError('OUT_OF_MEMORY', 'module out of memory');
    try {
      const written = slot();
      check(ex.ep_session_snapshot(handle, pointer, size, written));
      return views().u8.slice(pointer, pointer + views().u32[written >>> 2]);
    } finally {
      ex.ep_free(pointer);
    }
  }

  /**
   * Replaces the sequence and sampling stream with a snapshot's (Uint8Array
   * or ArrayBuffer). A snapshot of another model, or truncated or altered
   * bytes, throw INVALID_ARGUMENT and leave the session as it was. Ends a
   * running generate().
   */
  restore(bytes) {
    const handle = this.#live();
    const array = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
    if (!(array instanceof Uint8Array)) {
      throw new EdgepieceError('INVALID_ARGUMENT', 'a snapshot must be a Uint8Array or ArrayBuffer');
    }
    this.#run += 1;
    const ex = wasm();
    const pointer = copyIn(array);
    try {
      check(ex.ep_session_restore(handle, pointer, array.length));
    } finally {
      ex.ep_free(pointer);
    }
  }

  /** Next-token logits (Float32Array copy). */
  logits() {
    const handle = this.#live();
    const { logits } = this.#handles;
    check(wasm().ep_session_logits(handle, logits, this.#model.vocabSize));
    return views().f32.slice(logits >>> 2, (logits >>> 2) + this.#model.vocabSize);
  }

  /** Picks the next token (not fed). Options: temperature (0 = greedy), topK, topP. */
  sample(options = {}) {
    const handle = this.#live();
    const d = generateDefaults();
    const { temperature = d.temperature, topK = d.topK, topP = d.topP } = options;
    checkSampling(topK, 0);
    const out = slot();
    check(wasm().ep_session_sample(handle, temperature, topK, topP, out));
    return views().i32[out >>> 2];
  }

  /**
   * Streams the continuation of `prompt` (the session restarts from <bos> +
   * prompt) as text pieces, each valid UTF-8 text. Options (defaults from
   * generateDefaults()): maxTokens, temperature, topK (0 = all), topP, seed
   * (restarts the sampling stream; else it continues), ignoreEos (keep going
   * after <eos>: exactly maxTokens tokens), append (continue the session's
   * sequence, e.g. a restored snapshot or the previous turn, instead of
   * restarting: the prompt's encoding follows it), onToken (called with
   * { id, text, log2Prob } for every generated token, before its text is
   * yielded: the id the model produced, which re-encoding the text need not
   * give back; the text that became final with it, '' while a character is
   * split across tokens, whole with its last one; log2 p of the token under
   * the model's own distribution, softmax of the logits at temperature 1,
   * before temperature, topK and topP), signal (an AbortSignal). The
   * event loop runs between two tokens, so timers and an abort get their
   * turn: an aborted signal ends the stream with its reason (an AbortError
   * DOMException unless abort() was given another), as fetch() does. The
   * session stays usable. Starting another generation, score(), reset() or
   * feed() ends this one (its stream just stops).
   */
  async *generate(prompt, options = {}) {
    const d = generateDefaults();
    const {
      maxTokens = d.maxTokens, temperature = d.temperature, topK = d.topK, topP = d.topP, seed,
      signal, ignoreEos = false, append = false, onToken = null,
    } = options;
    if (onToken !== null && typeof onToken !== 'function') {
      throw new EdgepieceError('INVALID_ARGUMENT', 'onToken must be a function');
    }
    signal?.throwIfAborted();
    checkSampling(topK, maxTokens);
    const reseed = seed !== undefined;
    if (reseed) checkSeed(seed);
    const handle = this.#live();
    const ex = wasm();
    if (!this.#handles.generator) {
      // It keeps its own reference to the tokenizer's data.
      const tokenizer = tokenizerHandle(this.#tokenizer());
      const out = slot() + NEXT;
      check(ex.ep_generator_create(handle, tokenizer, out));
      this.#handles.generator = readHandle(out);
    }
    const { generator } = this.#handles;
    const io = slot();
    const [pointer, length] = writeInput(prompt);
    const { f32, i32, u32 } = views();
    const o = (io + OPTIONS) >>> 2;
    f32[o] = temperature;
    i32[o + 1] = topK;
    f32[o + 2] = topP;
    i32[o + 3] = maxTokens;
    i32[o + 4] = ignoreEos ? 0 : 1;
    i32[o + 5] = reseed ? 1 : 0;
    u32[o + 6] = reseed ? seed : 0;
    i32[o + 7] = append ? 1 : 0;
    const run = ++this.#run;
    this.generatedTokens = 0;
    check(ex.ep_generator_start(generator, pointer, length, io + OPTIONS));
    const next = io + NEXT;
    for (;;) {
      check(ex.ep_generator_next(generator, next, next + 4, next + 8));
      const { u8, i32: ints, u32: words } = views();
      const id = ints[next >>> 2];
      const size = words[(next >>> 2) + 1];
      const done = ints[(next >>> 2) + 2];
      const pointer = ex.ep_generator_text(generator);
      const text = size > 0 ? decoder.decode(u8.subarray(pointer, pointer + size)) : '';
      if (id >= 0) {
        this.generatedTokens += 1;
        onToken?.({ id, text, log2Prob: ex.ep_generator_log2_prob(generator) });
      }
      if (size > 0) yield text;
      if (done) return;
      await yieldToEvents();
      signal?.throwIfAborted();
      // Another call moved the session on, or it was disposed: this run is over.
      if (run !== this.#run || this.#handles?.handle !== handle) return;
    }
  }

  /** Bits per byte of `text` under the model: { bitsPerByte, log2Prob, tokens, bytes }. */
  score(text) {
    const handle = this.#live();
    const tokenizer = tokenizerHandle(this.#tokenizer());
    this.#run += 1;
    const [pointer, length] = writeInput(text);
    const result = slot() + RESULT;
    check(wasm().ep_session_score_text(handle, tokenizer, pointer, length, result));
    const { f64, u32 } = views();
    return {
      bitsPerByte: f64[result >>> 3], log2Prob: f64[(result >>> 3) + 1],
      tokens: u32[(result >>> 2) + 4], bytes: u32[(result >>> 2) + 5],
    };
  }

  /** Frees the state; later calls throw DISPOSED. */
  dispose() {
    if (!this.#handles) return;
    const { handle, logits, generator } = this.#handles;
    this.#handles = null;
    sessionRegistry.unregister(this);
    if (generator) wasm().ep_generator_destroy(generator);
    wasm().ep_session_destroy(handle);
    wasm().ep_free(logits);
  }
}
