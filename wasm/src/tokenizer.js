// Tokenizer: encode/decode over the C ABI's ep_tokenizer and ep_encoder, for BytePiece files
// (in edgepiece.wasm) and SentencePiece .model files (in edgepiece-spm.wasm, loaded on first
// use: docs/sentencepiece.md). Objects own native handles: call dispose(); a
// FinalizationRegistry frees forgotten ones as a backstop.
import { ENCODE_BOS, ENCODE_EOS, ENCODE_OFFSETS, RNG_KINDS } from './constants.js';
import { EdgepieceError, copyOut, decoder, init, initSentencePiece } from './core.js';
import { readSource } from './source.js';
import { displayBytes } from './utf8.js';

const textEncoder = new TextEncoder();

const registry = new FinalizationRegistry(({ module, tokenizer, encoder: enc }) => {
  module.exports.ep_encoder_destroy(enc);
  module.exports.ep_tokenizer_destroy(tokenizer);
});

/**
 * Whether `bytes` are a SentencePiece .model (a serialized ModelProto), as the runtime's
 * LooksLikeSpmModel tells: field 1 (0x0A, the first piece), a varint length, 0x0A again (the
 * piece's text); a file whose first non-blank byte is '{' is BytePiece JSON.
 */
export function isSentencePieceModel(bytes) {
  if (bytes.length < 3 || bytes[0] !== 0x0a) return false;
  let i = 1;
  while (i < bytes.length && i < 6 && (bytes[i] & 0x80)) ++i;
  if (i + 1 >= bytes.length) return false;
  const first = bytes.findIndex((b) => b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a);
  if (first >= 0 && bytes[first] === 0x7b) return false;
  return bytes[i + 1] === 0x0a;
}

/**
 * A tokenizer with its own sampling RNG stream: BytePiece (JSON or packed) or SentencePiece
 * (.model). BytePiece: strings are NFC-normalized in JS (String.prototype.normalize) before
 * encoding; Uint8Array input is taken as already-normalized UTF-8 (invalid bytes fall back to
 * byte tokens). SentencePiece: the text goes as it is to the model's own normalizer, as
 * spm_encode reads it.
 */
// The ep_tokenizer handle of a live Tokenizer, for the C ABI calls of
// model.js that take one (set by the class's static block).
export let tokenizerHandle;

export class Tokenizer {
  #handles;

  static {
    tokenizerHandle = (tokenizer) => {
      const handles = tokenizer.#live();
      if (handles.sentencepiece) {
        throw new EdgepieceError('INVALID_ARGUMENT', 'a Model takes a BytePiece tokenizer, not a SentencePiece .model');
      }
      return handles.tokenizer;
    };
  }

  constructor(handles) {
    this.#handles = handles;
    registry.register(this, handles, this);
  }

  /**
   * Parses a tokenizer file from `source`: a Uint8Array, an ArrayBuffer, a Response or a URL
   * (string or URL object; in Node a file: URL or a path is read from disk). A BytePiece file
   * (JSON or packed) loads in edgepiece.wasm, a SentencePiece .model in edgepiece-spm.wasm
   * (fetched on first use; initSentencePiece() says from where), told apart by the bytes.
   * Options: seed, rng ('default' | 'glibc'), and for the download onProgress, cache,
   * integrity (see readSource in source.js).
   */
  static async load(source, options = {}) {
    const name = options.rng ?? 'default';
    const rng = Object.hasOwn(RNG_KINDS, name) ? RNG_KINDS[name] : undefined;
    if (rng === undefined) throw new EdgepieceError('INVALID_ARGUMENT', `unknown rng "${options.rng}"`);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new EdgepieceError('INVALID_ARGUMENT', 'seed must be an integer in [0, 2^32)');
    }
    // The download and edgepiece.wasm's instantiation overlap (bytes in hand are looked at
    // first: a .model needs only edgepiece-spm.wasm).
    const known = source instanceof Uint8Array ? source
      : source instanceof ArrayBuffer ? new Uint8Array(source) : null;
    const main = known !== null && isSentencePieceModel(known) ? null : init();
    main?.catch(() => {});  // awaited below only for a BytePiece file
    const tokenizerBytes = await readSource(source, options, 'tokenizer file');
    const sentencepiece = isSentencePieceModel(tokenizerBytes);
    const module = await (sentencepiece ? initSentencePiece() : main ?? init());
    const ex = module.exports;
    const filePointer = module.copyIn(tokenizerBytes);
    const out = ex.ep_malloc(4);
    let tokenizer = 0;
    try {
      module.check(ex.ep_tokenizer_create(filePointer, tokenizerBytes.length, out));
      tokenizer = module.readHandle(out);
      module.check(ex.ep_encoder_create(tokenizer, rng, seed >>> 0, out));
      const enc = module.readHandle(out);
      return new Tokenizer({ module, tokenizer, encoder: enc, sentencepiece });
    } catch (error) {
      if (tokenizer) ex.ep_tokenizer_destroy(tokenizer);
      throw error;
    } finally {
      ex.ep_free(out);
      ex.ep_free(filePointer);
    }
  }

  #live() {
    if (!this.#handles) throw new EdgepieceError('DISPOSED', 'this Tokenizer was disposed');
    return this.#handles;
  }

  /** Number of ids: BytePiece, pieces + 3 (<pad>, <bos>, <eos>); SentencePiece, pieces. */
  get vocabSize() {
    const { module, tokenizer } = this.#live();
    return module.exports.ep_tokenizer_vocab_size(tokenizer);
  }

  /** 'bytepiece' or 'sentencepiece': the kind of file this tokenizer was loaded from. */
  get format() { return this.#live().sentencepiece ? 'sentencepiece' : 'bytepiece'; }

  /** Restarts this tokenizer's sampling RNG stream. */
  setSeed(seed) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new EdgepieceError('INVALID_ARGUMENT', 'seed must be an integer in [0, 2^32)');
    }
    const { module, encoder: enc } = this.#live();
    module.exports.ep_encoder_seed(enc, seed >>> 0);
  }

  #encode(text, options, flags) {
    const { module, encoder: enc, sentencepiece } = this.#live();
    const alpha = samplingAlpha(module, enc, options);
    if (options.bos) flags |= ENCODE_BOS;
    if (options.eos) flags |= ENCODE_EOS;
    const ex = module.exports;
    const [pointer, length] = module.writeInput(text, !sentencepiece);
    const count = sizeResult(module, ex.ep_encoder_encode(enc, pointer, length, alpha, flags, module.slot()));
    const first = ex.ep_encoder_ids(enc) >>> 2;
    const { i32, u32, u8 } = module.views();
    const ids = copyOut(i32, first, count);
    if (!(flags & ENCODE_OFFSETS)) return { ids };
    const start = ex.ep_encoder_offsets(enc) >>> 2;
    const offsets = copyOut(u32, start, 2 * count);  // rewritten in place for strings
    // The input's UTF-8, still in the scratch buffer (no call since).
    const bytes = typeof text === 'string' ? u8.subarray(pointer, pointer + length) : null;
    return { ids, offsets, bytes };
  }

  /**
   * Token ids (Int32Array). Options: alpha (< 0 deterministic, >= 0
   * sampling), nbestSize (.model Unigram sampling: -1, the default, samples
   * from all segmentations, 2..512 among the n best; BytePiece and BPE take
   * only -1), bos, eos. Small results share one pooled ArrayBuffer (see
   * copyOut): `ids.slice()` before transferring `ids.buffer`.
   */
  encode(text, options = {}) {
    return this.#encode(text, options, 0).ids;
  }

  /**
   * Encodes many texts in one call into the module (the per-call cost of
   * the JS boundary dominates short texts): an array of Int32Arrays, views
   * into one copied buffer. Options as encode(); sampling continues this
   * tokenizer's stream across the texts, in order.
   */
  encodeBatch(texts, options = {}) {
    const { module, encoder: enc, sentencepiece } = this.#live();
    if (!Array.isArray(texts)) throw new EdgepieceError('INVALID_ARGUMENT', 'texts must be an array');
    const alpha = samplingAlpha(module, enc, options);
    const flags = (options.bos ? ENCODE_BOS : 0) | (options.eos ? ENCODE_EOS : 0);
    // Normalized first: NFC can lengthen a string, and capacity counts it.
    const inputs = texts.map((t) => {
      if (typeof t === 'string') return sentencepiece ? t : t.normalize('NFC');
      if (t instanceof Uint8Array) return t;
      throw new EdgepieceError('INVALID_ARGUMENT', 'every text must be a string or a Uint8Array');
    });
    // Layout in scratch: count u32 ends, then the texts' UTF-8 bytes.
    const endsBytes = 4 * inputs.length;
    const capacity = inputs.reduce((n, t) => n + (typeof t === 'string' ? 3 * t.length : t.length), 0);
    const base = module.scratchFor(endsBytes + capacity);
    const { u8, u32 } = module.views();
    const ends = u32.subarray(base >>> 2, (base >>> 2) + inputs.length);
    const bytes = u8.subarray(base + endsBytes, base + endsBytes + capacity);
    let used = 0;
    inputs.forEach((t, i) => {
      if (typeof t === 'string') {
        used += textEncoder.encodeInto(t, bytes.subarray(used)).written;
      } else {
        bytes.set(t, used);
        used += t.length;
      }
      ends[i] = used;
    });
    const ex = module.exports;
    const total = sizeResult(module, ex.ep_encoder_encode_batch(enc, base + endsBytes, base, inputs.length, alpha, flags, module.slot()));
    const first = ex.ep_encoder_ids(enc) >>> 2;
    const endsAt = ex.ep_encoder_batch_ends(enc) >>> 2;
    const { i32, u32: idEndsView } = module.views();
    const ids = i32.slice(first, first + total);
    const idEnds = idEndsView.subarray(endsAt, endsAt + inputs.length);
    const out = new Array(inputs.length);
    let begin = 0;
    for (let i = 0; i < inputs.length; ++i) {
      out[i] = ids.subarray(begin, idEnds[i]);
      begin = idEnds[i];
    }
    return out;
  }

  /**
   * Ids and, per token, its [begin, end) range as two entries of `offsets`:
   * UTF-16 indexes into the string for string input (BytePiece: its NFC form;
   * SentencePiece: the string itself, whatever the model's normalizer changed), byte
   * offsets for Uint8Array input.
   */
  encodeWithOffsets(text, options = {}) {
    const { ids, offsets, bytes } = this.#encode(text, options, ENCODE_OFFSETS);
    if (typeof text === 'string') byteOffsetsToUtf16(bytes, offsets);
    return { ids, offsets };
  }

  /**
   * Text of `ids` (BytePiece: invalid UTF-8 dropped, like Python's errors='ignore';
   * SentencePiece: what spm_decode writes).
   */
  decode(ids) {
    return decoder.decode(this.#decode(ids, 1));  // a string: no copy of the bytes needed
  }

  /** Raw bytes of `ids`. */
  decodeBytes(ids) {
    const bytes = this.#decode(ids, 0);
    return copyOut(bytes, 0, bytes.length);
  }

  // The decoded bytes as a view of module memory, valid until the next call.
  #decode(ids, asText) {
    const { module, encoder: enc } = this.#live();
    const ex = module.exports;
    const array = ids instanceof Int32Array ? ids : Int32Array.from(ids);
    const [pointer] = module.writeInput(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    const size = sizeResult(module, ex.ep_encoder_decode(enc, pointer, array.length, asText, module.slot()));
    const start = ex.ep_encoder_bytes(enc);
    return module.views().u8.subarray(start, start + size);
  }

  // Token `id` as the tokenizer spells it, a view of module memory valid until the next call.
  #piece(id) {
    const { module, encoder: enc } = this.#live();
    const ex = module.exports;
    const size = sizeResult(module, ex.ep_encoder_piece(enc, checkId(id), module.slot()));
    const start = ex.ep_encoder_bytes(enc);
    return module.views().u8.subarray(start, start + size);
  }

  /**
   * The bytes of token `id`, a Uint8Array of its own: BytePiece, the piece's bytes (empty for
   * <pad>, <bos>, <eos>); SentencePiece, the piece as the model spells it (UTF-8 of
   * '\u2581the', '<0x41>', '<s>').
   */
  idToBytes(id) {
    return this.#piece(id).slice();
  }

  /**
   * A display string for token `id`. BytePiece: '<pad>', '<bos>', '<eos>' for those, else its
   * text, with <0xNN> for each byte that is not part of a whole UTF-8 character (byte-fallback
   * tokens, pieces that split a character). SentencePiece: the piece ('\u2581the', '<0x41>').
   */
  idToPiece(id) {
    const bytes = this.#piece(id);  // OUT_OF_RANGE for an id not in the vocabulary
    if (this.#handles.sentencepiece) return decoder.decode(bytes);
    return id < SPECIAL_PIECES.length ? SPECIAL_PIECES[id] : displayBytes(bytes);
  }

  /**
   * A streaming decoder for ids that arrive a few at a time (a generation
   * loop of your own): push(ids) returns the text that became final, holding
   * back what later ids can still change (the bytes of a character split across
   * tokens; for a .model with a denormalizer, all text until end()); end() ends
   * the stream. The pieces joined equal decode() of all the ids. It runs in the
   * module (the C ABI's ep_decoder) and keeps the tokenizer's data alive on its
   * own: disposing the tokenizer first is allowed.
   */
  decoder() {
    const { module, tokenizer } = this.#live();
    const ex = module.exports;
    const out = ex.ep_malloc(4);
    try {
      module.check(ex.ep_decoder_create(tokenizer, out));
      return new TokenDecoder(module, module.readHandle(out));
    } finally {
      ex.ep_free(out);
    }
  }

  /**
   * This tokenizer in the packed file form (what `edgepiece pack` writes;
   * Tokenizer.load reads it): 5-9x smaller than the JSON file, the one to
   * ship on a page. A Uint8Array of its own.
   */
  pack() {
    const { module, encoder: enc } = this.#live();
    const ex = module.exports;
    const size = sizeResult(module, ex.ep_encoder_pack(enc, module.slot()));
    const start = ex.ep_encoder_bytes(enc);
    return module.views().u8.slice(start, start + size);
  }

  /** Frees the native objects; later calls throw a DISPOSED error. */
  dispose() {
    if (!this.#handles) return;
    const { module, tokenizer, encoder: enc } = this.#handles;
    this.#handles = null;
    registry.unregister(this);
    module.exports.ep_encoder_destroy(enc);
    module.exports.ep_tokenizer_destroy(tokenizer);
  }
}

// Names of the ids every BytePiece vocabulary starts with.
const SPECIAL_PIECES = ['<pad>', '<bos>', '<eos>'];

// The size a C ABI call of `module` wrote to its slot(), once its status is checked.
function sizeResult(module, status) {
  if (status !== 0) module.check(status);
  return module.views().u32[module.slot() >>> 2];
}

// The alpha of encode `options`, checked, once the encoder's nbest_size is set from
// options.nbestSize (default -1: the whole lattice). The encode call refuses what the model
// cannot sample with (nbestSize 0, 1 or > 512, nbestSize on BPE or BytePiece, alpha > 1 on BPE).
function samplingAlpha(module, enc, options) {
  const alpha = options.alpha ?? -1;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new EdgepieceError('INVALID_ARGUMENT', 'alpha must be a finite number');
  }
  const nbest = options.nbestSize ?? -1;
  if (!Number.isInteger(nbest) || nbest < -0x80000000 || nbest > 0x7fffffff) {
    throw new EdgepieceError('INVALID_ARGUMENT', 'nbestSize must be an integer');
  }
  if (options.nbestSize !== undefined && alpha < 0) {
    throw new EdgepieceError('INVALID_ARGUMENT', 'nbestSize needs alpha >= 0 (sampling)');
  }
  module.exports.ep_encoder_set_nbest_size(enc, nbest);
  return alpha;
}

function checkId(id) {
  if (!Number.isInteger(id)) throw new EdgepieceError('INVALID_ARGUMENT', 'an id must be an integer');
  return id;
}

const decoderRegistry = new FinalizationRegistry(({ module, handle }) => {
  module.exports.ep_decoder_destroy(handle);
});

/** Tokenizer.decoder(): ids in, text that is final out (see there). */
export class TokenDecoder {
  #module;
  #handle;

  constructor(module, handle) {
    this.#module = module;
    this.#handle = handle;
    decoderRegistry.register(this, { module, handle }, this);
  }

  #live() {
    if (!this.#handle) throw new EdgepieceError('DISPOSED', 'this TokenDecoder was disposed');
    return this.#handle;
  }

  /** Bytes held back: BytePiece, the start of a character (0-3); SentencePiece, see decoder(). */
  get pendingBytes() { return this.#module.exports.ep_decoder_pending(this.#live()); }

  /**
   * Decodes `ids` after those pushed before; returns the text that became final. An id outside
   * the vocabulary is OUT_OF_RANGE and decodes none of `ids` (the stream stays as it was).
   */
  push(ids) {
    const handle = this.#live();
    const module = this.#module;
    const array = ids instanceof Int32Array ? ids : Int32Array.from(ids);
    const [pointer] = module.writeInput(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return this.#text(module.exports.ep_decoder_push(handle, pointer, array.length, module.slot()));
  }

  /**
   * Ends the stream and returns the text held back (an incomplete character: dropped for
   * BytePiece, U+FFFD per byte for SentencePiece, as decode() does); a new stream starts.
   */
  end() {
    return this.#text(this.#module.exports.ep_decoder_end(this.#live(), this.#module.slot()));
  }

  // The text a push or end wrote, once its status is checked.
  #text(status) {
    const module = this.#module;
    const size = sizeResult(module, status);
    if (size === 0) return '';
    const start = module.exports.ep_decoder_text(this.#handle);
    return decoder.decode(module.views().u8.subarray(start, start + size));
  }

  /** Frees the native decoder; later calls throw a DISPOSED error. */
  dispose() {
    if (!this.#handle) return;
    const handle = this.#handle;
    this.#handle = 0;
    decoderRegistry.unregister(this);
    this.#module.exports.ep_decoder_destroy(handle);
  }
}

// Rewrites UTF-8 byte offsets (sorted pairs) in place as UTF-16 indexes of
// the same text. An offset inside a multi-byte character (byte fallback)
// maps to that character's start.
function byteOffsetsToUtf16(bytes, offsets) {
  const order = Array.from(offsets.keys()).sort((a, b) => offsets[a] - offsets[b]);
  let byte = 0;
  let unit = 0;
  for (const k of order) {
    const target = offsets[k];
    while (byte < bytes.length) {
      const lead = bytes[byte];
      const length = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
      if (byte + length > target) break;
      byte += length;
      unit += length === 4 ? 2 : 1;
    }
    offsets[k] = unit;
  }
}
