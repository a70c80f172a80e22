// edgepiece: the typed JS layer over the WebAssembly module's C ABI
// (runtime/capi/edgepiece.h). One module instance per JS realm, created by
// init() (implicitly by Tokenizer.load). Objects own native handles: call
// dispose(); a FinalizationRegistry frees forgotten ones as a backstop.

const STATUS_NAMES = [
  'OK', 'INVALID_ARGUMENT', 'IO_ERROR', 'MALFORMED_JSON', 'INVALID_MODEL',
  'OUT_OF_RANGE', 'OUT_OF_MEMORY', 'INTERNAL',
];

/** Error thrown by every edgepiece call; `code` names the failure class. */
export class EdgepieceError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'EdgepieceError';
    this.code = code;
  }
}

let module = null;       // { exports, memory }
let loading = null;      // Promise of module
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

async function defaultWasmBytes(wasmUrl) {
  const url = wasmUrl ?? new URL('./edgepiece.wasm', import.meta.url);
  const isFileUrl = typeof url === 'object' ? url.protocol === 'file:' : url.startsWith('file:');
  if (typeof process !== 'undefined' && process.versions?.node && (isFileUrl || typeof url === 'string' && !/^[a-z]+:/i.test(url))) {
    const { readFile } = await import('node:fs/promises');
    return readFile(url);
  }
  const response = await fetch(url);
  if (!response.ok) throw new EdgepieceError('IO_ERROR', `cannot fetch ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Loads the WebAssembly module once. Options: wasmBinary (bytes of
 * edgepiece.wasm) or wasmUrl (where to fetch it; default: next to this file).
 */
export function init(options = {}) {
  // Resolves to { exports, memory } of the module instance.
  if (loading) return loading;
  loading = (async () => {
    if (typeof WebAssembly !== 'object' || !WebAssembly.validate(new Uint8Array(
        [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]))) {
      throw new EdgepieceError('UNSUPPORTED', 'this JavaScript engine lacks WebAssembly SIMD (Safari >= 16.4, Chrome >= 91, Firefox >= 89, Node >= 16.4 have it)');
    }
    const bytes = options.wasmBinary ?? await defaultWasmBytes(options.wasmUrl);
    const imports = {
      env: { emscripten_notify_memory_growth() {} },
      wasi_snapshot_preview1: {
        proc_exit(code) { throw new EdgepieceError('INTERNAL', `edgepiece module aborted (exit ${code})`); },
      },
    };
    const { instance } = await WebAssembly.instantiate(bytes, imports);
    const exports = instance.exports;
    if (exports._initialize) exports._initialize();
    module = { exports, memory: exports.memory };
    return module;
  })();
  loading.catch(() => { loading = null; });
  return loading;
}

function wasm() {
  if (!module) throw new EdgepieceError('NOT_INITIALIZED', 'call await init() or Tokenizer.load() first');
  return module.exports;
}

function check(status) {
  if (status === 0) return;
  const ex = wasm();
  const pointer = ex.ep_last_error();
  const bytes = new Uint8Array(module.memory.buffer, pointer);
  const end = bytes.indexOf(0);
  const message = decoder.decode(bytes.subarray(0, end < 0 ? 0 : end));
  throw new EdgepieceError(STATUS_NAMES[status] ?? 'INTERNAL', message || `status ${status}`);
}

// A reusable input buffer and size_t slot in module memory: per-call
// malloc/free pairs dominated short inputs (one line of text).
let scratch = { pointer: 0, capacity: 0, slot: 0 };

function scratchFor(size) {
  const ex = wasm();
  if (!scratch.slot) scratch.slot = ex.ep_malloc(8);
  if (size > scratch.capacity) {
    if (scratch.pointer) ex.ep_free(scratch.pointer);
    const capacity = Math.max(size, 2 * scratch.capacity, 4096);
    scratch.pointer = ex.ep_malloc(capacity);
    if (scratch.pointer === 0) {
      scratch.capacity = 0;
      throw new EdgepieceError('OUT_OF_MEMORY', 'module out of memory');
    }
    scratch.capacity = capacity;
  }
  return scratch.pointer;
}

// Writes `text` (NFC-normalized) or bytes into the scratch buffer; returns
// [pointer, length].
function writeInput(text) {
  if (typeof text === 'string') {
    const normalized = text.normalize('NFC');
    // UTF-16 -> UTF-8 takes at most 3 bytes per code unit.
    const pointer = scratchFor(3 * normalized.length);
    const { written } = encoder.encodeInto(
      normalized, new Uint8Array(module.memory.buffer, pointer, 3 * normalized.length));
    return [pointer, written];
  }
  if (text instanceof Uint8Array) {
    const pointer = scratchFor(text.length);
    new Uint8Array(module.memory.buffer, pointer, text.length).set(text);
    return [pointer, text.length];
  }
  throw new EdgepieceError('INVALID_ARGUMENT', 'text must be a string or a Uint8Array');
}

function sizeResult(status) {
  check(status);
  return new Uint32Array(module.memory.buffer, scratch.slot, 1)[0];
}

// Copies `bytes` into module memory; returns the pointer. The caller frees.
function copyIn(bytes) {
  const ex = wasm();
  const pointer = ex.ep_malloc(bytes.length);
  if (pointer === 0) throw new EdgepieceError('OUT_OF_MEMORY', 'module out of memory');
  new Uint8Array(module.memory.buffer, pointer, bytes.length).set(bytes);
  return pointer;
}

const registry = new FinalizationRegistry(({ tokenizer, encoder: enc }) => {
  if (!module) return;
  module.exports.ep_encoder_destroy(enc);
  module.exports.ep_tokenizer_destroy(tokenizer);
});

const RNG_KINDS = { default: 0, glibc: 1 };

/**
 * A BytePiece tokenizer with its own sampling RNG stream.
 * Strings are NFC-normalized in JS (String.prototype.normalize) before
 * encoding; Uint8Array input is taken as already-normalized UTF-8 (invalid
 * bytes fall back to byte tokens).
 */
export class Tokenizer {
  #handles;

  constructor(handles) {
    this.#handles = handles;
    registry.register(this, handles, this);
  }

  /** Parses a BytePiece model file (Uint8Array). Options: seed, rng ('default' | 'glibc'). */
  static async load(modelBytes, options = {}) {
    await init();
    if (!(modelBytes instanceof Uint8Array)) {
      throw new EdgepieceError('INVALID_ARGUMENT', 'model must be a Uint8Array');
    }
    const rng = RNG_KINDS[options.rng ?? 'default'];
    if (rng === undefined) throw new EdgepieceError('INVALID_ARGUMENT', `unknown rng "${options.rng}"`);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new EdgepieceError('INVALID_ARGUMENT', 'seed must be an integer in [0, 2^32)');
    }
    const ex = wasm();
    const modelPointer = copyIn(modelBytes);
    const out = ex.ep_malloc(4);
    let tokenizer = 0;
    try {
      check(ex.ep_tokenizer_create(modelPointer, modelBytes.length, out));
      tokenizer = new Uint32Array(module.memory.buffer, out, 1)[0];
      check(ex.ep_encoder_create(tokenizer, rng, seed >>> 0, out));
      const enc = new Uint32Array(module.memory.buffer, out, 1)[0];
      return new Tokenizer({ tokenizer, encoder: enc });
    } catch (error) {
      if (tokenizer) ex.ep_tokenizer_destroy(tokenizer);
      throw error;
    } finally {
      ex.ep_free(out);
      ex.ep_free(modelPointer);
    }
  }

  #live() {
    if (!this.#handles) throw new EdgepieceError('DISPOSED', 'this Tokenizer was disposed');
    return this.#handles;
  }

  /** Number of ids: pieces + 3 (<pad>, <bos>, <eos>). */
  get vocabSize() { return wasm().ep_tokenizer_vocab_size(this.#live().tokenizer); }

  /** Restarts this tokenizer's sampling RNG stream. */
  setSeed(seed) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new EdgepieceError('INVALID_ARGUMENT', 'seed must be an integer in [0, 2^32)');
    }
    wasm().ep_encoder_seed(this.#live().encoder, seed >>> 0);
  }

  #encode(text, options, flags) {
    const { encoder: enc } = this.#live();
    const alpha = options.alpha ?? -1;
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
      throw new EdgepieceError('INVALID_ARGUMENT', 'alpha must be a finite number');
    }
    if (options.bos) flags |= 1;
    if (options.eos) flags |= 2;
    const ex = wasm();
    const [pointer, length] = writeInput(text);  // also allocates scratch.slot
    const count = sizeResult(ex.ep_encoder_encode(enc, pointer, length, alpha, flags, scratch.slot));
    const ids = new Int32Array(module.memory.buffer, ex.ep_encoder_ids(enc), count).slice();
    const offsets = flags & 4
      ? new Uint32Array(module.memory.buffer, ex.ep_encoder_offsets(enc), 2 * count).slice()
      : null;
    const bytes = flags & 4 && typeof text === 'string'
      ? new Uint8Array(module.memory.buffer, pointer, length).slice()
      : null;
    return { ids, offsets, bytes };
  }

  /** Token ids (Int32Array). Options: alpha (< 0 deterministic, >= 0 sampling), bos, eos. */
  encode(text, options = {}) {
    return this.#encode(text, options, 0).ids;
  }

  /**
   * Ids and, per token, its [begin, end) range as two entries of `offsets`:
   * UTF-16 indexes into the NFC-normalized string for string input, byte
   * offsets for Uint8Array input.
   */
  encodeWithOffsets(text, options = {}) {
    const { ids, offsets, bytes } = this.#encode(text, options, 4);
    if (typeof text === 'string') byteOffsetsToUtf16(bytes, offsets);
    return { ids, offsets };
  }

  /** Text of `ids` (invalid UTF-8 dropped, like Python's errors='ignore'). */
  decode(ids) {
    return decoder.decode(this.#decode(ids, 1));
  }

  /** Raw bytes of `ids`. */
  decodeBytes(ids) {
    return this.#decode(ids, 0);
  }

  #decode(ids, asText) {
    const { encoder: enc } = this.#live();
    const array = ids instanceof Int32Array ? ids : Int32Array.from(ids);
    const ex = wasm();
    const [pointer] = writeInput(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    const size = sizeResult(ex.ep_encoder_decode(enc, pointer, array.length, asText, scratch.slot));
    return new Uint8Array(module.memory.buffer, ex.ep_encoder_bytes(enc), size).slice();
  }

  /** Frees the native objects; later calls throw a DISPOSED error. */
  dispose() {
    if (!this.#handles) return;
    const { tokenizer, encoder: enc } = this.#handles;
    this.#handles = null;
    registry.unregister(this);
    wasm().ep_encoder_destroy(enc);
    wasm().ep_tokenizer_destroy(tokenizer);
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
