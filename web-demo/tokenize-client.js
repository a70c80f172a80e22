// The page's side of tokenize-worker.js: a promise per request.
/** A client of tokenize-worker.js: call(op, args) resolves to the answer. */
export class TokenizeWorker {
  #worker;
  #next = 1;
  #pending = new Map();

  static async create(wasmBinary) {
    const worker = new Worker(new URL('./tokenize-worker.js', import.meta.url), { type: 'module' });
    await new Promise((resolve, reject) => {
      worker.addEventListener('message', (event) => { if (event.data?.ready) resolve(); });
      worker.addEventListener('error', (event) => reject(new Error(event.message ?? 'worker failed')), { once: true });
    });
    const client = new TokenizeWorker(worker);
    await client.call('init', { wasmBinary });
    return client;
  }

  constructor(worker) {
    this.#worker = worker;
    worker.addEventListener('message', ({ data }) => {
      const entry = this.#pending.get(data.id);
      if (!entry) return;
      this.#pending.delete(data.id);
      if (data.ok) entry.resolve(data.result);
      else entry.reject(new Error(data.error));
    });
  }

  call(op, args, transfer = []) {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, op, args }, transfer);
    });
  }
}
