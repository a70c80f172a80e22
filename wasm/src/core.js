// The module core of the JS layer: loading the WebAssembly module, turning
// C ABI statuses (runtime/capi/edgepiece.h) into typed errors, and moving
// bytes in and out of module memory. One module instance per JS realm,
// created by init() (implicitly by Tokenizer.load / Model.load).

import { STATUS_NAMES } from './constants.js';

/** Error thrown by every edgepiece call; `code` names the failure class. */
export class EdgepieceError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'EdgepieceError';
    this.code = code;
  }
}

/**
 * Imports a Node built-in (`node:fs/promises`, ...) at run time, in Node only. Hidden from
 * bundlers: the specifier is not a literal and the comments tell webpack and Vite to leave the
 * import() alone, so an app built for browsers neither fails on nor ships a stub for it.
 */
export function nodeImport(name) {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name);
}

let module = null;       // the ModuleInstance of edgepiece.wasm
let loading = null;      // Promise of it
const encoder = new TextEncoder();
export const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

// The bytes of a module at `url`: read with fs in Node for a file: URL or a path, else
// fetched.
async function readWasm(url) {
  const isFileUrl = typeof url === 'object' ? url.protocol === 'file:' : url.startsWith('file:');
  if (typeof process !== 'undefined' && process.versions?.node && (isFileUrl || typeof url === 'string' && !/^[a-z]+:/i.test(url))) {
    const { readFile } = await nodeImport('node:fs/promises');
    try {
      return await readFile(url);
    } catch (error) {
      throw new EdgepieceError('IO_ERROR', `cannot read ${url}: ${error.message}`);
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new EdgepieceError('IO_ERROR', `cannot fetch ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// The modules import their memory (wasm/CMakeLists.txt): 64 KiB pages, at least the
// module's -sINITIAL_MEMORY (4 MB) and at most its -sMAXIMUM_MEMORY (2 GB).
const PAGE_BYTES = 65536;
const INITIAL_PAGES = 64;
const MAXIMUM_PAGES = 32768;

// The memory of a new module instance: growing past `maximumMemory` bytes (default and
// limit 2 GB; rounded down to 64 KiB) fails, and the call that needed it throws
// OUT_OF_MEMORY while the module, and every object in it, keeps working.
function createMemory(maximumMemory) {
  let maximum = MAXIMUM_PAGES;
  if (maximumMemory !== undefined) {
    if (typeof maximumMemory !== 'number' || !(maximumMemory >= INITIAL_PAGES * PAGE_BYTES)) {
      throw new EdgepieceError('INVALID_ARGUMENT',
        `maximumMemory must be a number of bytes >= ${INITIAL_PAGES * PAGE_BYTES}`);
    }
    maximum = Math.min(MAXIMUM_PAGES, Math.floor(maximumMemory / PAGE_BYTES));
  }
  return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum });
}

/**
 * Instantiates a module of this package: `wasmBinary` (its bytes), else the bytes at
 * `wasmUrl`, else at `defaultUrl`, with `maximumMemory` bytes of memory at most.
 * Resolves to its ModuleInstance.
 */
export async function instantiate(options, defaultUrl) {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(new Uint8Array(
      [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]))) {
    throw new EdgepieceError('UNSUPPORTED', 'this JavaScript engine lacks WebAssembly SIMD (Safari >= 16.4, Chrome >= 91, Firefox >= 89, Node >= 16.4 have it)');
  }
  const memory = createMemory(options.maximumMemory);
  const bytes = options.wasmBinary ?? await readWasm(options.wasmUrl ?? defaultUrl);
  const imports = {
    env: { memory, emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: {
      proc_exit(code) { throw new EdgepieceError('INTERNAL', `edgepiece module aborted (exit ${code})`); },
      // The generator's timings (std::chrono::steady_clock): nanoseconds
      // as a u64 at `out`; clock 0 is the wall clock, the others monotonic.
      clock_time_get(clock, precision, out) {
        const ms = clock === 0 ? Date.now() : performance.now();
        new DataView(memory.buffer).setBigUint64(out, BigInt(Math.round(ms * 1e6)), true);
        return 0;
      },
    },
  };
  const { instance } = await WebAssembly.instantiate(bytes, imports);
  const exports = instance.exports;
  if (exports._initialize) exports._initialize();
  return new ModuleInstance(exports, memory);
}

/**
 * Where edgepiece.wasm is unless init() is told otherwise: next to this file. Bundlers rewrite
 * this expression to the URL of the asset they emit.
 */
export function defaultWasmUrl() {
  return new URL('./edgepiece.wasm', import.meta.url);
}

/**
 * Loads the WebAssembly module once. Options: wasmBinary (bytes of
 * edgepiece.wasm) or wasmUrl (where to fetch it; default: next to this file),
 * maximumMemory (bytes the module's memory may grow to; default 2 GB).
 */
export function init(options = {}) {
  // Resolves to the ModuleInstance.
  if (loading) return loading;
  loading = instantiate(options, defaultWasmUrl()).then((instance) => {
    module = instance;
    return instance;
  });
  loading.catch(() => { loading = null; });
  return loading;
}

let spmLoading = null;  // Promise of edgepiece-spm.wasm's ModuleInstance
let spmDefaults = {};   // options of its first load (the worker sets them ahead)

/**
 * Loads the SentencePiece module (edgepiece-spm.wasm) once: Tokenizer.load calls it with no
 * options when it is given a .model file. Options: wasmBinary (its bytes) or wasmUrl (where to
 * fetch it; default: next to this file).
 */
export function initSentencePiece(options) {
  if (spmLoading) return spmLoading;
  spmLoading = instantiate(options ?? spmDefaults, new URL('./edgepiece-spm.wasm', import.meta.url));
  spmLoading.catch(() => { spmLoading = null; });
  return spmLoading;
}

// The options initSentencePiece() uses when it is called without any, for a load that may
// come later (EdgepieceWorker's spmWasmUrl / spmWasmBinary).
export function setSentencePieceDefaults(options) { spmDefaults = options ?? {}; }

export function wasm() {
  if (!module) throw new EdgepieceError('NOT_INITIALIZED', 'call await init() or Tokenizer.load() first');
  return module.exports;
}

/** Bytes at slot(): room for the small structs C ABI calls read or write. */
export const SLOT_BYTES = 96;

/**
 * One instantiated module (edgepiece.wasm, edgepiece-trainer.wasm): its exports and memory,
 * and the helpers that turn its statuses into errors and move bytes in and out of it.
 */
export class ModuleInstance {
  constructor(exports, memory) {
    this.exports = exports;
    this.memory = memory;
    // A reusable input buffer and output area in module memory: per-call
    // malloc/free pairs dominated short inputs (one line of text).
    this.scratch = { pointer: 0, capacity: 0, slot: 0 };
    this.cachedViews = null;
  }

  check(status) {
    if (status === 0) return;
    const pointer = this.exports.ep_last_error();
    const { u8 } = this.views();
    const end = u8.indexOf(0, pointer);
    const message = decoder.decode(u8.subarray(pointer, end < 0 ? pointer : end));
    throw new EdgepieceError(STATUS_NAMES[status] ?? 'INTERNAL', message || `status ${status}`);
  }

  // Address of the SLOT_BYTES area C ABI calls write a size, id or sum to, or
  // read an options struct from (each caller reads its outputs before the next
  // call); allocated on first use. Take it before views(): allocating may grow
  // memory.
  slot() {
    const { scratch } = this;
    if (!scratch.slot) {
      scratch.slot = this.exports.ep_malloc(SLOT_BYTES);
      if (scratch.slot === 0) throw new EdgepieceError('OUT_OF_MEMORY', 'module out of memory');
    }
    return scratch.slot;
  }

  scratchFor(size) {
    const { scratch } = this;
    if (size > scratch.capacity) {
      const ex = this.exports;
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

  // Writes `text` (NFC-normalized unless `nfc` is false) or bytes into the scratch buffer;
  // returns [pointer, length].
  writeInput(text, nfc = true) {
    if (typeof text === 'string') {
      // UTF-16 -> UTF-8 takes at most 3 bytes per code unit. The text is
      // written first and normalized only when it is not ASCII (as many bytes
      // as code units), which is its own NFC form: normalize() costs a
      // 60-byte line as much as encodeInto().
      let pointer = this.scratchFor(3 * text.length);
      let { written } = encoder.encodeInto(text, this.views().scratch);
      if (written !== text.length && nfc) {
        const normalized = text.normalize('NFC');
        if (normalized !== text) {
          pointer = this.scratchFor(3 * normalized.length);
          ({ written } = encoder.encodeInto(normalized, this.views().scratch));
        }
      }
      return [pointer, written];
    }
    if (text instanceof Uint8Array) {
      const pointer = this.scratchFor(text.length);
      this.views().u8.set(text, pointer);
      return [pointer, text.length];
    }
    throw new EdgepieceError('INVALID_ARGUMENT', 'text must be a string or a Uint8Array');
  }

  // Copies `bytes` into module memory; returns the pointer. The caller frees.
  copyIn(bytes) {
    const pointer = this.exports.ep_malloc(bytes.length);
    if (pointer === 0) throw new EdgepieceError('OUT_OF_MEMORY', 'module out of memory');
    this.views().u8.set(bytes, pointer);
    return pointer;
  }

  // Typed views of the whole memory and of the scratch buffer, remade when the
  // memory grows (its buffer is replaced) or the scratch buffer moves: making
  // three or four views per call slowed short encode() calls. Take
  // them after any call into the module that may grow its memory.
  views() {
    const buffer = this.memory.buffer;
    const { scratch } = this;
    let cached = this.cachedViews;
    if (cached === null || cached.buffer !== buffer ||
        cached.scratchPointer !== scratch.pointer || cached.scratchCapacity !== scratch.capacity) {
      cached = this.cachedViews = {
        buffer,
        u8: new Uint8Array(buffer),
        u32: new Uint32Array(buffer),
        i32: new Int32Array(buffer),
        f32: new Float32Array(buffer),
        f64: new Float64Array(buffer),
        scratch: new Uint8Array(buffer, scratch.pointer, scratch.capacity),
        scratchPointer: scratch.pointer,
        scratchCapacity: scratch.capacity,
      };
    }
    return cached;
  }

  // Reads the u32 handle the C ABI wrote at `pointer`.
  readHandle(pointer) {
    return this.views().u32[pointer >>> 2];
  }
}

// The helpers of edgepiece.wasm's instance, which tokenizer.js and model.js use.
export function check(status) {
  if (status !== 0) module.check(status);
}
export function slot() { return module.slot(); }
export function scratchFor(size) { return module.scratchFor(size); }
export function writeInput(text) { return module.writeInput(text); }
export function copyIn(bytes) { return module.copyIn(bytes); }
export function views() { return module.views(); }
export function readHandle(pointer) { return module.readHandle(pointer); }

// Copies token ids (Int32Array or numbers) into the scratch buffer; returns
// [pointer, count].
export function writeIds(ids) {
  const array = ids instanceof Int32Array ? ids : Int32Array.from(ids);
  const [pointer] = writeInput(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return [pointer, array.length];
}

// The size an ABI call wrote to slot(), once its status is checked.
export function sizeResult(status) {
  check(status);
  return views().u32[slot() >>> 2];
}

// Copies `count` elements at element index `start` of `view` (a typed view
// of module memory) out into JS memory. V8 keeps a typed array of at most 64
// bytes inside its heap; a larger one gets its own ArrayBuffer, whose
// allocation costs more than encoding a short line (docs/benchmarks.md,
// design measurements). So results up to 2 KB are carved out of a shared 16 KB ArrayBuffer,
// as Node's Buffer pool does (8 KB there): such a result's `.buffer` holds
// other results too (`slice()` gives one its own buffer, e.g. before a
// transfer). A transferred pool is detached (byteLength 0) and replaced.
const POOL_BYTES = 16 * 1024;
const POOLED_MAX_BYTES = 2048;
let pool = null;
let poolUsed = 0;
export function copyOut(view, start, count) {
  const bytes = count * view.BYTES_PER_ELEMENT;
  // (An empty typed array with its own buffer is costly too: it comes from the pool.)
  if ((bytes > 0 && bytes <= 64) || bytes > POOLED_MAX_BYTES) return view.slice(start, start + count);
  if (pool === null || pool.byteLength === 0 || poolUsed + bytes > POOL_BYTES) {
    pool = new ArrayBuffer(POOL_BYTES);
    poolUsed = 0;
  }
  const out = new view.constructor(pool, poolUsed, count);
  out.set(view.subarray(start, start + count));
  poolUsed += (bytes + 7) & ~7;  // 8-byte aligned for any element type
  return out;
}

// `array` itself when it owns its buffer, else a copy that does: posting a
// view would clone its whole buffer (a pool, a batch).
export function ownBuffer(array) {
  return ArrayBuffer.isView(array) && array.byteLength !== array.buffer.byteLength
    ? array.slice() : array;
}

// One event-loop turn (a macrotask), so timers, input and abort signals run
// between two generated tokens. Node: setImmediate (a MessageChannel there
// would keep the process alive and drains a port's messages in one go).
// Browsers: a MessageChannel round trip, which is not clamped to >= 4 ms
// like a nested setTimeout(0).
let channel = null;
const waiting = [];
export function yieldToEvents() {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (channel === null) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}
