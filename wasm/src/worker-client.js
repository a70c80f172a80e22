// EdgepieceWorker: the tokenizer, the trainer and the language model in a
// Worker (a module Web Worker in browsers, worker_threads in Node), behind
// promises and an async iterator, so long generations and training runs
// never block the page.
import { EdgepieceError, defaultWasmUrl, nodeImport, ownBuffer } from './core.js';
import { readSource } from './source.js';

// Decoders the page dropped without dispose(): freed in the worker (unless it was terminated).
// A module-private method name: not part of EdgepieceWorker's API.
const releaseDecoder = Symbol('releaseDecoder');
const decoderRegistry = new FinalizationRegistry(({ client, key }) => client[releaseDecoder](key));

// Documents streamed to a training worker per message (UTF-16 units or bytes, roughly).
const STREAM_BATCH_BYTES = 1 << 20;

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

export class EdgepieceWorker {
  #worker;
  #next = 1;
  #nextDecoder = 1;
  #terminated = false;
  #pending = new Map();  // id -> { resolve, reject, onPiece }

  constructor(worker) {
    this.#worker = worker;
    const onMessage = (message) => {
      const entry = this.#pending.get(message.id);
      if (!entry) return;
      if ('piece' in message) {
        entry.onPiece?.(message.piece, message.tokens, message.generated);
        return;
      }
      if ('progress' in message) {
        entry.onPiece?.(message.progress);
        return;
      }
      if ('pull' in message) {
        entry.onPull?.(message.pull);
        return;
      }
      this.#pending.delete(message.id);
      if (message.ok) entry.resolve(message.result);
      else entry.reject(new EdgepieceError(message.error.code, message.error.message));
    };
    if (isNode) worker.on('message', onMessage);
    else worker.addEventListener('message', (event) => onMessage(event.data));
  }

  /**
   * Starts the worker. Options: workerUrl (default: worker.js next to this
   * file), wasmUrl / wasmBinary / maximumMemory (passed to init() inside the worker),
   * trainerWasmUrl / trainerWasmBinary (to Trainer.init() there, on the first train),
   * spmWasmUrl / spmWasmBinary (to initSentencePiece() there, on the first .model); each
   * module there gets the same maximumMemory.
   */
  static async create(options = {}) {
    let worker;
    if (isNode) {
      const { Worker } = await nodeImport('node:worker_threads');
      // worker.js is next to edgepiece.wasm. Not `new URL('./worker.js', import.meta.url)`:
      // bundlers would ship worker.js a second time, unbundled, as an asset; and any other
      // use of import.meta.url makes webpack write the build machine's path into the bundle.
      worker = new Worker(options.workerUrl ?? new URL('./worker.js', defaultWasmUrl()));
    } else if (options.workerUrl) {
      worker = new Worker(options.workerUrl, { type: 'module' });
    } else {
      // This exact form is what Vite, webpack 5 and esbuild's bundles recognize as a worker
      // entry point to bundle (with its imports and edgepiece.wasm): keep it literal.
      worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    }
    await new Promise((resolve, reject) => {
      const onReady = (message) => { if (message?.ready) resolve(); };
      if (isNode) {
        worker.once('message', onReady);
        worker.once('error', reject);
      } else {
        worker.addEventListener('message', (event) => onReady(event.data), { once: true });
        worker.addEventListener('error', (event) => reject(new EdgepieceError('INTERNAL', event.message ?? 'worker failed')), { once: true });
      }
    });
    const client = new EdgepieceWorker(worker);
    const {
      wasmUrl, wasmBinary, maximumMemory, trainerWasmUrl, trainerWasmBinary, spmWasmUrl,
      spmWasmBinary,
    } = options;
    await client.#call('init', {
      wasmUrl: wasmUrl?.toString(), wasmBinary, maximumMemory,
      trainer: { wasmUrl: trainerWasmUrl?.toString(), wasmBinary: trainerWasmBinary, maximumMemory },
      sentencepiece: { wasmUrl: spmWasmUrl?.toString(), wasmBinary: spmWasmBinary, maximumMemory },
    });
    return client;
  }

  #call(op, args, onPiece, id = this.#next++, onPull = null) {
    if (this.#terminated) return Promise.reject(new EdgepieceError('DISPOSED', 'worker terminated'));
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onPiece, onPull });
      this.#worker.postMessage({ id, op, args });
    });
  }

  // Sends a load request: a URL is fetched by the worker (progress comes back as messages), a
  // Response is read here (it cannot be posted), bytes are copied there.
  async #load(op, source, options) {
    let { onProgress = null, ...rest } = options ?? {};
    if (typeof rest.cache === 'object' && rest.cache !== null) {
      throw new EdgepieceError('INVALID_ARGUMENT', 'a worker takes cache: true or a cache name, not a Cache');
    }
    if (typeof Response !== 'undefined' && source instanceof Response) {
      const { integrity, ...others } = rest;
      source = await readSource(source, { onProgress, integrity }, 'file');  // checked here
      rest = others;
    } else if (source instanceof URL) {
      source = source.href;
    } else if (typeof source === 'string' && !isNode && !/^[a-z][a-z0-9+.-]*:/i.test(source)) {
      source = new URL(source, globalThis.location?.href).href;  // the page's base, not the worker's
    }
    return this.#call(op, { source, options: rest, progress: !!onProgress }, onProgress);
  }

  /**
   * Loads a tokenizer file (BytePiece, or a SentencePiece .model) from bytes, a Response or a
   * URL (fetched in the worker);
   * options as Tokenizer.load (a cache by name). Resolves to { vocabSize, format }.
   */
  async loadTokenizer(source, options = {}) {
    return this.#load('loadTokenizer', source, options);
  }
  /**
   * Loads safetensors weights for the loaded tokenizer, from bytes, a Response or a URL; options
   * as Model.load. Resolves to { vocabSize, numParameters, memoryBytes, stateBytes }.
   */
  loadModel(source, options = {}) { return this.#load('loadModel', source, options); }
  encode(text, options = {}) { return this.#call('encode', { text, options }); }
  encodeWithOffsets(text, options = {}) { return this.#call('encodeWithOffsets', { text, options }); }
  encodeBatch(texts, options = {}) { return this.#call('encodeBatch', { texts, options }); }
  setSeed(seed) { return this.#call('setSeed', { seed }); }
  decode(ids) { return this.#call('decode', { ids: ownBuffer(ids) }); }
  decodeBytes(ids) { return this.#call('decodeBytes', { ids: ownBuffer(ids) }); }
  idToBytes(id) { return this.#call('idToBytes', { id }); }
  idToPiece(id) { return this.#call('idToPiece', { id }); }
  /**
   * A streaming decoder over the worker's tokenizer (BytePiece or .model), as
   * Tokenizer.decoder() but in the worker: `push(ids)` and `end()` resolve to the text that
   * became final (in the order they were called); `dispose()` frees it (also done when the
   * decoder is garbage-collected).
   */
  decoder() {
    const key = this.#nextDecoder++;
    const ready = this.#call('decoderCreate', { key });
    let pendingBytes = 0;
    const step = (op, args) => this.#call(op, { key, ...args }).then((result) => {
      pendingBytes = result.pendingBytes;
      return result.text;
    });
    const decoder = {
      push: (ids) => step('decoderPush', { ids: ownBuffer(ids) }),
      end: () => step('decoderEnd', {}),
      dispose: () => {
        decoderRegistry.unregister(decoder);
        return this.#call('decoderDispose', { key });
      },
      get pendingBytes() { return pendingBytes; },
    };
    // A failed create rejects the first push or end as well; nothing else to report here.
    ready.catch(() => {});
    decoderRegistry.register(decoder, { client: this, key }, decoder);
    return decoder;
  }
  [releaseDecoder](key) { this.#call('decoderDispose', { key }).catch(() => {}); }
  /** The loaded tokenizer in the packed file form (Tokenizer.pack). */
  pack() { return this.#call('pack', {}); }
  /** Feeds ids to the worker's session (Session.feed); resolves to { position }. */
  feed(ids) { return this.#call('sessionFeed', { ids: ownBuffer(ids) }); }
  /** The session's next-token logits (Session.logits). */
  logits() { return this.#call('sessionLogits', {}); }
  /** Picks the next token (Session.sample; not fed). */
  sample(options = {}) { return this.#call('sessionSample', { options }); }
  /** Back to the empty sequence (Session.reset). */
  reset() { return this.#call('sessionReset', {}); }
  score(text) { return this.#call('score', { text }); }
  /** The worker session's snapshot (Uint8Array), as Session.snapshot. */
  snapshot() { return this.#call('snapshot', {}); }
  /** Restores a snapshot into the worker's session, as Session.restore (ends a running generate). */
  restore(bytes) { return this.#call('restore', { bytes }); }

  /**
   * Streams generated text: `onText(text, tokensSoFar)` every ~8 ms (text of one or more tokens);
   * resolves to { tokens, seconds, stopped } when done or stopped by stop().
   * Options as Session.generate (maxTokens, temperature, topK, topP, seed, ignoreEos, append,
   * onToken, signal): onToken runs here, for each token of a batch before onText gets the
   * batch's text; an aborted signal stops this generation and rejects with the signal's reason
   * (an AbortError), as Session.generate throws it.
   */
  generate(prompt, options = {}, onText = () => {}) {
    const { signal, onToken, ...rest } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (onToken !== undefined && onToken !== null && typeof onToken !== 'function') {
      return Promise.reject(new EdgepieceError('INVALID_ARGUMENT', 'onToken must be a function'));
    }
    const id = this.#next++;
    const onPiece = (piece, tokens, generated) => {
      if (generated) for (const token of generated) onToken(token);
      if (piece) onText(piece, tokens);
    };
    const running = this.#call('generate', { prompt, options: rest, tokens: !!onToken }, onPiece, id);
    if (!signal) return running;
    const onAbort = () => { this.#call('stop', { of: id }).catch(() => {}); };
    signal.addEventListener('abort', onAbort, { once: true });
    return running.then((result) => {
      if (result.stopped && signal.aborted) throw signal.reason;
      return result;
    }).finally(() => signal.removeEventListener('abort', onAbort));
  }

  /**
   * Trains a BytePiece tokenizer in the worker (Trainer.train there); options and `onProgress`
   * as Trainer.train; resolves to the model file (Uint8Array). `corpus`: an array of strings or
   * Uint8Arrays (copied to the worker once), or a function returning a fresh (async) iterable,
   * which is called once per pass here and streamed to the worker in batches of about 1 MiB,
   * so the corpus need not fit in memory.
   */
  train(corpus, options = {}, onProgress = () => {}) {
    if (Array.isArray(corpus)) return this.#call('train', { documents: corpus, options }, onProgress);
    if (typeof corpus !== 'function') {
      return Promise.reject(new EdgepieceError('INVALID_ARGUMENT',
        'the corpus must be an array of documents or a function returning a fresh (async) iterable'));
    }
    const id = this.#next++;
    let iterator = null;
    // The worker asks for the next batch of the current pass ({ open: true }: a new pass).
    const onPull = async ({ open }) => {
      const feed = (args) => this.#worker.postMessage({ op: 'feed', args: { of: id, ...args } });  // no id: no answer
      try {
        if (open) {
          const source = corpus();
          const openIterator = source?.[Symbol.asyncIterator] ?? source?.[Symbol.iterator];
          if (typeof source === 'string' || typeof openIterator !== 'function') {
            throw new EdgepieceError('INVALID_ARGUMENT', 'the corpus function must return an (async) iterable');
          }
          iterator = openIterator.call(source);
        }
        const documents = [];
        let bytes = 0;
        let done = false;
        while (bytes < STREAM_BATCH_BYTES) {
          const next = await iterator.next();
          if (next.done) {
            done = true;
            break;
          }
          documents.push(next.value);
          bytes += next.value?.length ?? 0;
        }
        feed({ documents, done });
      } catch (error) {
        feed({ error: { code: error.code ?? 'INVALID_ARGUMENT', message: String(error.message ?? error) } });
      }
    };
    return this.#call('train', { stream: true, options }, onProgress, id, onPull);
  }

  /** Stops the running generation (its promise resolves with stopped: true). */
  stop() { return this.#call('stop', {}); }

  /** Ends the worker; pending calls reject. */
  terminate() {
    this.#terminated = true;
    this.#worker.terminate();
    for (const { reject } of this.#pending.values()) reject(new EdgepieceError('DISPOSED', 'worker terminated'));
    this.#pending.clear();
  }
}
