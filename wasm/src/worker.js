// The worker side of EdgepieceWorker (worker-client.js): owns a Tokenizer
// and a Model in its own module instance and answers requests, streaming
// generated text, so the page's main thread stays responsive. Runs as a
// module Web Worker or a Node worker_threads Worker.
import { EdgepieceError, Model, Tokenizer, init } from './index.js';
import { ownBuffer } from './core.js';

const inBrowser = typeof self !== 'undefined' && typeof self.postMessage === 'function';
const port = inBrowser ? self : (await import('node:worker_threads')).parentPort;
const listen = (handler) => (inBrowser
  ? self.addEventListener('message', (event) => handler(event.data))
  : port.on('message', handler));

let tokenizer = null;
let model = null;
let session = null;
let generation = null;  // AbortController of the running generate

// Lets queued messages (a stop request) run between two tokens. Browsers:
// a MessageChannel round trip, far cheaper than setTimeout's clamped delay,
// and queued behind the page's messages. Node drains a port's messages in
// one go (a ping-pong would starve the parent port): setImmediate there.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldToEvents = typeof setImmediate === 'function'
  ? () => new Promise((resolve) => setImmediate(resolve))
  : () => new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });
if (typeof setImmediate === 'function') channel.port1.close();

function need(object, what) {
  if (!object) throw new EdgepieceError('INVALID_ARGUMENT', `load a ${what} first`);
  return object;
}

const handlers = {
  async init(args) { await init(args ?? {}); return null; },
  async loadTokenizer({ bytes, options }) {
    const next = await Tokenizer.load(bytes, options);
    session?.dispose(); model?.dispose(); tokenizer?.dispose();
    session = model = null;
    tokenizer = next;
    return { vocabSize: tokenizer.vocabSize };
  },
  async loadModel({ bytes }) {
    const next = await Model.load(bytes, need(tokenizer, 'tokenizer'));
    session?.dispose(); model?.dispose();
    model = next;
    session = model.session();
    return { vocabSize: model.vocabSize, numParameters: model.numParameters };
  },
  // ownBuffer(): results may be views of a pooled buffer, which postMessage
  // would copy whole.
  encode({ text, options }) { return ownBuffer(need(tokenizer, 'tokenizer').encode(text, options)); },
  encodeWithOffsets({ text, options }) {
    const { ids, offsets } = need(tokenizer, 'tokenizer').encodeWithOffsets(text, options);
    return { ids: ownBuffer(ids), offsets: ownBuffer(offsets) };
  },
  setSeed({ seed }) { need(tokenizer, 'tokenizer').setSeed(seed); return null; },
  decode({ ids }) { return need(tokenizer, 'tokenizer').decode(ids); },
  score({ text }) { return need(session, 'model').score(text); },
  stop() { generation?.abort(); return null; },
  async generate({ prompt, options }, id) {
    const s = need(session, 'model');
    generation?.abort();
    const controller = new AbortController();
    generation = controller;
    const start = performance.now();
    // Pieces are posted and the event loop visited every ~8 ms, not every
    // token: a round trip per token slowed generation markedly, and 8 ms is
    // still far below what a reader or a Stop button can notice.
    let pending = '';
    let flushed = start;
    const flush = async () => {
      if (pending) port.postMessage({ id, piece: pending, tokens: s.generatedTokens });
      pending = '';
      flushed = performance.now();
      await yieldToEvents();
    };
    try {
      for await (const piece of s.generate(prompt, { ...options, signal: controller.signal })) {
        pending += piece;
        if (performance.now() - flushed >= 8) await flush();
      }
      if (pending) await flush();
    } finally {
      if (generation === controller) generation = null;
    }
    return { tokens: s.generatedTokens, seconds: (performance.now() - start) / 1000, stopped: controller.signal.aborted };
  },
};

listen(async ({ id, op, args }) => {
  try {
    const handler = handlers[op];
    if (!handler) throw new EdgepieceError('INVALID_ARGUMENT', `unknown request "${op}"`);
    port.postMessage({ id, ok: true, result: await handler(args ?? {}, id) });
  } catch (error) {
    port.postMessage({ id, ok: false, error: { code: error.code ?? 'INTERNAL', message: String(error.message ?? error) } });
  }
});
port.postMessage({ ready: true });
