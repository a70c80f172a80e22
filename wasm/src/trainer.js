// Trainer: trains a BytePiece tokenizer in the module (runtime/trainer via the
// C ABI's ep_trainer_*), byte for byte the model file the reference's
// Trainer.save writes and `edgepiece train` writes natively. The corpus is
// read twice (count, then segment), one document at a time, so it is never
// held in module memory. The trainer is a module of its own,
// edgepiece-trainer.wasm, loaded on first use: pages that only tokenize or
// generate never download it.
import { EdgepieceError, instantiate, yieldToEvents } from './core.js';

let loading = null;  // Promise of the trainer module's ModuleInstance

// ep_trainer_options as the C ABI lays it out (static_asserts in c_api.cc;
// tests/wasm/contracts.test.mjs checks it against the header): option ->
// [C field, byte offset, type].
export const TRAINER_OPTIONS_LAYOUT = {
  vocabSize: ['vocab_size', 0, 'uint64_t'],
  minCount: ['min_count', 8, 'uint64_t'],
  order: ['order', 16, 'int32_t'],
  maxPieceLength: ['max_piece_length', 20, 'int32_t'],
  isolateDigits: ['isolate_digits', 24, 'int32_t'],
  ensureUnicode: ['ensure_unicode', 28, 'int32_t'],
};
const OPTIONS_BYTES = 32;
const BOOLEAN_OPTIONS = new Set(['isolateDigits', 'ensureUnicode']);
// Where ep_trainer_create and ep_trainer_finish write their handle and size
// in slot(), after the options (OPTIONS_BYTES) and the stats (24).
const OUT = 56;
// Progress is reported after at least this many bytes (and at each phase's end).
const PROGRESS_BYTES = 1 << 20;
// The event loop runs at least this often (ms) between documents, so a page's main
// thread stays usable during training (a Worker is still smoother).
const YIELD_MS = 16;

function checkCount(name, value, min, max) {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new EdgepieceError('INVALID_ARGUMENT', `${name} must be an integer in [${min}, ${max}]`);
  }
  return value;
}

// Writes the options (the defaults where absent) to slot(); returns its address.
function writeOptions(module, options) {
  for (const key of Object.keys(options)) {
    if (!(key in TRAINER_OPTIONS_LAYOUT)) {
      throw new EdgepieceError('INVALID_ARGUMENT', `unknown trainer option "${key}"`);
    }
  }
  const pointer = module.slot();
  module.exports.ep_trainer_options_init(pointer);
  const data = new DataView(module.views().buffer, pointer, OPTIONS_BYTES);
  for (const [key, [, offset, type]] of Object.entries(TRAINER_OPTIONS_LAYOUT)) {
    const value = options[key];
    if (value === undefined) continue;
    if (BOOLEAN_OPTIONS.has(key)) {
      if (typeof value !== 'boolean') throw new EdgepieceError('INVALID_ARGUMENT', `${key} must be a boolean`);
      data.setInt32(offset, value ? 1 : 0, true);
    } else if (type === 'uint64_t') {
      data.setBigUint64(offset, BigInt(checkCount(key, value, 0, Number.MAX_SAFE_INTEGER)), true);
    } else {
      data.setInt32(offset, checkCount(key, value, 0, 0x7fffffff), true);
    }
  }
  return pointer;
}

// A fresh pass over the corpus: an array (or another iterable that is not its
// own iterator), or a function returning a fresh (async) iterable per call.
function openPass(corpus) {
  const source = typeof corpus === 'function' ? corpus() : corpus;
  const asyncOpen = source?.[Symbol.asyncIterator];
  const syncOpen = source?.[Symbol.iterator];
  if (typeof source === 'string' || (!asyncOpen && !syncOpen)) {
    throw new EdgepieceError('INVALID_ARGUMENT',
      'the corpus must be an array of documents or a function returning a fresh (async) iterable');
  }
  const iterator = asyncOpen ? asyncOpen.call(source) : syncOpen.call(source);
  if (typeof corpus !== 'function' && iterator === source) {
    throw new EdgepieceError('INVALID_ARGUMENT',
      'the corpus is read twice: pass an array or a function returning a fresh iterable, not an iterator or generator');
  }
  return { [Symbol.asyncIterator]: () => iterator };
}

export class Trainer {
  /**
   * Loads the trainer module (edgepiece-trainer.wasm) once; train() calls it
   * with no options on first use. Options: wasmBinary (its bytes) or wasmUrl
   * (where to fetch it; default: next to this file).
   */
  static init(options = {}) {
    if (loading) return loading;
    loading = instantiate(options, new URL('./edgepiece-trainer.wasm', import.meta.url));
    loading.catch(() => { loading = null; });
    return loading;
  }

  /**
   * Trains a BytePiece tokenizer and resolves to its model file (Uint8Array,
   * what Tokenizer.load takes). `corpus`: documents (strings, NFC-normalized
   * here, or UTF-8 bytes taken as normalized) as an array or a function that
   * returns a fresh (async) iterable each call: the corpus is read twice.
   * Options as `edgepiece train`: vocabSize, order, minCount, maxPieceLength,
   * isolateDigits, ensureUnicode. `onProgress({ phase, documents,
   * bytesCounted, bytesSegmented, ngramsKept, piecesSeen })` is called about
   * every MiB and at the end of each phase ('count', 'segment', 'finish').
   */
  static async train(corpus, options = {}, onProgress = null) {
    const module = await Trainer.init();
    const ex = module.exports;
    const check = (status) => module.check(status);
    const out = module.slot() + OUT;
    check(ex.ep_trainer_create(writeOptions(module, options ?? {}), out));
    const handle = module.readHandle(out);
    try {
      const progress = { phase: 'count', documents: 0, bytesCounted: 0, bytesSegmented: 0, ngramsKept: 0, piecesSeen: 0 };
      // Reads the counters and reports them (Finish frees what ngrams_kept counts:
      // the 'finish' report repeats the counters of the end of pass 2).
      const report = (readStats = true) => {
        if (!onProgress) return;
        if (!readStats) {
          onProgress({ ...progress });
          return;
        }
        const pointer = module.slot();
        ex.ep_trainer_stats(handle, pointer, pointer + 8, pointer + 16, pointer + 20);
        const data = new DataView(module.views().buffer, pointer, 24);
        progress.bytesCounted = Number(data.getBigUint64(0, true));
        progress.bytesSegmented = Number(data.getBigUint64(8, true));
        progress.ngramsKept = data.getUint32(16, true);
        progress.piecesSeen = data.getUint32(20, true);
        onProgress({ ...progress });
      };
      for (const [phase, feed] of [['count', ex.ep_trainer_count], ['segment', ex.ep_trainer_segment]]) {
        progress.phase = phase;
        progress.documents = 0;
        let sinceReport = 0;
        let yielded = performance.now();
        for await (const document of openPass(corpus)) {
          if (performance.now() - yielded >= YIELD_MS) {
            await yieldToEvents();
            yielded = performance.now();
          }
          if (typeof document !== 'string' && !(document instanceof Uint8Array)) {
            throw new EdgepieceError('INVALID_ARGUMENT', 'each document must be a string or a Uint8Array');
          }
          const [pointer, length] = module.writeInput(document);
          check(feed(handle, pointer, length));
          progress.documents += 1;
          sinceReport += length;
          if (sinceReport >= PROGRESS_BYTES) {
            report();
            sinceReport = 0;
          }
        }
        if (phase === 'count') check(ex.ep_trainer_end_counting(handle));
        report();
      }
      progress.phase = 'finish';
      check(ex.ep_trainer_finish(handle, out));
      const size = module.views().u32[out >>> 2];
      const pointer = ex.ep_trainer_bytes(handle);
      const file = module.views().u8.slice(pointer, pointer + size);
      report(false);
      return file;
    } finally {
      ex.ep_trainer_destroy(handle);
    }
  }
}
