// The worker side of EdgepieceWorker (worker-client.js): owns a Tokenizer
// and a Model in its own module instance and answers requests, streaming
// generated text and training progress, so the page's main thread stays responsive. Runs as a
// module Web Worker or a Node worker_threads Worker.
import { EdgepieceError, Model, Tokenizer, Trainer, init } from './index.js';
import { nodeImport, ownBuffer, setSentencePieceDefaults } from './core.js';

const inBrowser = typeof self !== 'undefined' && typeof self.postMessage === 'function';
// Where requests come from and answers go: self in a browser, worker_threads' parentPort in
// Node (set before the first message is read; see the end of the file).
let port = inBrowser ? self : null;

let tokenizer = null;
let model = null;
let session = null;
let generation = null;  // { id, controller } of the running generate
const decoders = new Map();  // the client's key -> a TokenDecoder of the tokenizer it was made on
const feeds = new Map();  // train request id -> resolve(the next batch of its streamed corpus)
let trainerInit = {};  // init() options of the trainer module, loaded by the first train

function need(object, what) {
  if (!object) throw new EdgepieceError('INVALID_ARGUMENT', `load a ${what} first`);
  return object;
}

function decoderOf(key) {
  const decoder = decoders.get(key);
  if (!decoder) {
    throw new EdgepieceError('INVALID_ARGUMENT',
      'no such decoder: it was disposed, or made before a tokenizer was loaded');
  }
  return decoder;
}

const handlers = {
  async init({ trainer, sentencepiece, ...args }) {
    trainerInit = trainer ?? {};
    setSentencePieceDefaults(sentencepiece);
    await init(args);
    return null;
  },
  // A URL source is fetched here; progress goes out as messages of the request.
  async loadTokenizer({ source, options, progress }, id) {
    const onProgress = progress ? (p) => port.postMessage({ id, progress: p }) : null;
    const next = await Tokenizer.load(source, { ...options, onProgress });
    session?.dispose(); model?.dispose(); tokenizer?.dispose();
    session = model = null;
    tokenizer = next;
    return { vocabSize: tokenizer.vocabSize, format: tokenizer.format };
  },
  async loadModel({ source, options, progress }, id) {
    const onProgress = progress ? (p) => port.postMessage({ id, progress: p }) : null;
    const next = await Model.load(source, need(tokenizer, 'tokenizer'), { ...options, onProgress });
    session?.dispose(); model?.dispose();
    model = next;
    session = model.session();
    return {
      vocabSize: model.vocabSize, numParameters: model.numParameters,
      memoryBytes: model.memoryBytes, stateBytes: session.stateBytes,
    };
  },
  // ownBuffer(): results may be views of a pooled buffer, which postMessage
  // would copy whole.
  encode({ text, options }) { return ownBuffer(need(tokenizer, 'tokenizer').encode(text, options)); },
  encodeWithOffsets({ text, options }) {
    const { ids, offsets } = need(tokenizer, 'tokenizer').encodeWithOffsets(text, options);
    return { ids: ownBuffer(ids), offsets: ownBuffer(offsets) };
  },
  // One buffer for the whole batch: posting the views clones it once.
  encodeBatch({ texts, options }) { return need(tokenizer, 'tokenizer').encodeBatch(texts, options); },
  setSeed({ seed }) { need(tokenizer, 'tokenizer').setSeed(seed); return null; },
  decode({ ids }) { return need(tokenizer, 'tokenizer').decode(ids); },
  decodeBytes({ ids }) { return ownBuffer(need(tokenizer, 'tokenizer').decodeBytes(ids)); },
  idToBytes({ id }) { return need(tokenizer, 'tokenizer').idToBytes(id); },
  idToPiece({ id }) { return need(tokenizer, 'tokenizer').idToPiece(id); },
  pack() { return need(tokenizer, 'tokenizer').pack(); },
  // Streaming decoders, keyed by the client (which sends push/end right after create, without
  // waiting: requests to these sync handlers run in the order they arrive). A decoder keeps
  // decoding with the tokenizer it was made on after another one loads, as in the page.
  decoderCreate({ key }) {
    decoders.set(key, need(tokenizer, 'tokenizer').decoder());
    return null;
  },
  decoderPush({ key, ids }) {
    const decoder = decoderOf(key);
    return { text: decoder.push(ids), pendingBytes: decoder.pendingBytes };
  },
  decoderEnd({ key }) {
    const decoder = decoderOf(key);
    return { text: decoder.end(), pendingBytes: decoder.pendingBytes };
  },
  decoderDispose({ key }) {
    decoders.get(key)?.dispose();
    decoders.delete(key);
    return null;
  },
  // The session's own loop, as Session.feed / logits / sample / reset.
  sessionFeed({ ids }) {
    const s = need(session, 'model');
    s.feed(ids);
    return { position: s.position };
  },
  sessionLogits() { return need(session, 'model').logits(); },
  sessionSample({ options }) { return need(session, 'model').sample(options); },
  sessionReset() { need(session, 'model').reset(); return null; },
  score({ text }) { return need(session, 'model').score(text); },
  snapshot() { return need(session, 'model').snapshot(); },
  restore({ bytes }) { need(session, 'model').restore(bytes); return null; },
  // Progress goes out as messages of this request, like generated pieces. A streamed corpus
  // (`stream`) comes in batches: { pull } asks the client for the next one, a `feed` request
  // brings it.
  async train({ documents, options, stream }, id) {
    const onProgress = (progress) => port.postMessage({ id, progress });
    await Trainer.init(trainerInit);
    if (!stream) return Trainer.train(documents, options, onProgress);
    const corpus = () => ({
      async* [Symbol.asyncIterator]() {
        let open = true;
        for (;;) {
          const batch = new Promise((resolve) => feeds.set(id, resolve));
          port.postMessage({ id, pull: { open } });
          open = false;
          const { documents: next, done, error } = await batch;
          if (error) throw new EdgepieceError(error.code, error.message);
          yield* next;
          if (done) return;
        }
      },
    });
    try {
      return await Trainer.train(corpus, options, onProgress);
    } finally {
      feeds.delete(id);
    }
  },
  feed({ of, ...batch }) {
    feeds.get(of)?.(batch);
    return null;
  },
  // `of`: only that generate request (a signal's abort); else the running one.
  stop({ of }) {
    if (generation && (of === undefined || of === generation.id)) generation.controller.abort();
    return null;
  },
  // `tokens`: also post each token's { id, text, log2Prob } with the pieces (the client's
  // onToken).
  async generate({ prompt, options, tokens }, id) {
    const s = need(session, 'model');
    generation?.controller.abort();
    const controller = new AbortController();
    const running = { id, controller };
    generation = running;
    const start = performance.now();
    // Session.generate visits the event loop between tokens, so a stop
    // request is handled within a token. Pieces are posted every ~8 ms, not
    // every token: a message per token slowed generation markedly
    // (docs/benchmarks.md), and 8 ms is still far below what a reader notices.
    let pending = '';
    let generated = [];
    let flushed = start;
    const flush = () => {
      if (pending || generated.length > 0) {
        const message = { id, piece: pending, tokens: s.generatedTokens };
        if (tokens) message.generated = generated;
        port.postMessage(message);
      }
      pending = '';
      generated = [];
      flushed = performance.now();
    };
    const onToken = tokens ? (token) => generated.push(token) : null;
    try {
      for await (const piece of s.generate(prompt, { ...options, onToken, signal: controller.signal })) {
        pending += piece;
        if (performance.now() - flushed >= 8) flush();
      }
    } catch (error) {
      if (!controller.signal.aborted || error?.name !== 'AbortError') throw error;
    } finally {
      flush();
      if (generation === running) generation = null;
    }
    return { tokens: s.generatedTokens, seconds: (performance.now() - start) / 1000, stopped: controller.signal.aborted };
  },
};

async function answer({ id, op, args }) {
  try {
    const handler = handlers[op];
    if (!handler) throw new EdgepieceError('INVALID_ARGUMENT', `unknown request "${op}"`);
    const result = await handler(args ?? {}, id);
    if (id !== undefined) port.postMessage({ id, ok: true, result });  // (a feed needs no answer)
  } catch (error) {
    port.postMessage({ id, ok: false, error: { code: error.code ?? 'INTERNAL', message: String(error.message ?? error) } });
  }
}

// No top-level await: bundlers that emit workers as classic scripts (Vite's default) refuse it.
if (inBrowser) {
  self.addEventListener('message', (event) => answer(event.data));
  port.postMessage({ ready: true });
} else {
  nodeImport('node:worker_threads').then(({ parentPort }) => {
    port = parentPort;
    port.on('message', answer);
    port.postMessage({ ready: true });
  });
}
