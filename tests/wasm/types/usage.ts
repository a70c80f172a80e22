// The public API as index.d.ts types it, used the way README.md shows:
// type-checked only (tsc --noEmit --strict, from types.test.mjs), never run.
// Each @ts-expect-error line is a misuse the types must reject.
import {
  EdgepieceError, EdgepieceWorker, Model, Session, Tokenizer, Trainer, init, initSentencePiece,
} from '../../../wasm/src/index.js';
import type {
  EdgepieceErrorCode, EncodeOptions, FetchOptions, GenerateOptions, GeneratedToken, LoadOptions,
  LoadProgress,
  ScoreResult, TokenDecoder, TrainCorpus,
  TrainOptions, TrainProgress,
} from '../../../wasm/src/index.js';

declare const tokenizerBytes: Uint8Array;
declare const weightsBytes: Uint8Array;

export async function usage(): Promise<void> {
  await init({ wasmUrl: new URL('https://example.com/edgepiece.wasm') });
  await init({ wasmBinary: new ArrayBuffer(8) });

  const loadOptions: LoadOptions = { seed: 123, rng: 'glibc' };
  const tok: Tokenizer = await Tokenizer.load(tokenizerBytes, loadOptions);
  // @ts-expect-error: only 'default' and 'glibc' exist
  await Tokenizer.load(tokenizerBytes, { rng: 'mt19937' });
  // From a URL or a Response, with progress, a cache and an integrity check.
  const fromUrl: Tokenizer = await Tokenizer.load('https://example.com/tok.bpk', {
    seed: 1, cache: true, integrity: 'sha256-...',
    onProgress: ({ loaded, total }: LoadProgress) => void [loaded, total ?? 0],
  });
  await Tokenizer.load(new URL('https://example.com/tok.bpk'), { cache: 'models' });
  await Tokenizer.load(await fetch('tok.bpk'));
  await Tokenizer.load(new ArrayBuffer(8), { onProgress: null });
  // @ts-expect-error: a model is bytes or where to find them, not numbers
  await Tokenizer.load([1, 2, 3]);
  // @ts-expect-error: progress reports an object, not a number
  await Tokenizer.load('tok.bpk', { onProgress: (fraction: number) => void fraction });
  const fetchOptions: FetchOptions = { integrity: '0'.repeat(64), cache: await caches.open('x') };
  fromUrl.dispose();

  const vocabSize: number = tok.vocabSize;
  const format: 'bytepiece' | 'sentencepiece' = tok.format;
  // @ts-expect-error: format is one of two names
  const notAFormat: 'json' = tok.format;
  await initSentencePiece({ wasmUrl: new URL('https://example.com/edgepiece-spm.wasm') });
  const spm = await Tokenizer.load('t5.model');
  const pieces: string = spm.idToPiece(spm.encode('Hello')[0]);
  const options: EncodeOptions = { alpha: 0.1, bos: true, eos: false };
  const sampled: Int32Array = spm.encode('Hello', { alpha: 0.1, nbestSize: 8 });
  const ids: Int32Array = tok.encode('In the beginning', options);
  const fromBytes: Int32Array = tok.encode(new Uint8Array([104, 105]));
  const batch: Int32Array[] = tok.encodeBatch(['a', new Uint8Array([98])], { bos: true });
  const { ids: withOffsets, offsets }: { ids: Int32Array; offsets: Uint32Array } =
    tok.encodeWithOffsets('天行健');
  const text: string = tok.decode(ids);
  const fromNumbers: string = tok.decode([1, 2, 3]);
  const raw: Uint8Array = tok.decodeBytes(withOffsets);
  const packed: Uint8Array = tok.pack();
  const pieceBytes: Uint8Array = tok.idToBytes(5);
  const piece: string = tok.idToPiece(5);
  const streaming: TokenDecoder = tok.decoder();
  const final: string = streaming.push([5, 6]) + streaming.push(Int32Array.of(7)) + streaming.end();
  const held: number = streaming.pendingBytes;
  streaming.dispose();
  // @ts-expect-error: the decoder takes ids, not text
  streaming.push('text');
  tok.setSeed(7);
  // @ts-expect-error: vocabSize is read-only
  tok.vocabSize = 3;
  // @ts-expect-error: encode takes text, not ids
  tok.encode([1, 2]);

  const model: Model = await Model.load(weightsBytes, tok);
  const idsOnly: Model = await Model.load(weightsBytes);
  const fromResponse: Model = await Model.load(await fetch('lm.safetensors'), tok, fetchOptions);
  await Model.load('https://example.com/lm.safetensors', null, { onProgress: (p) => void p.loaded });
  fromResponse.dispose();
  const counts: number[] = [model.vocabSize, model.numParameters, model.bosId, model.eosId,
    model.memoryBytes];
  const maybeTokenizer: Tokenizer | null = idsOnly.tokenizer;
  const session: Session = model.session({ seed: 1 });
  session.feed(Int32Array.of(model.bosId));
  session.feed([5, 6]);
  const logits: Float32Array = session.logits();
  const next: number = session.sample({ temperature: 0, topK: 40, topP: 0.9 });
  const generateOptions: GenerateOptions = {
    maxTokens: 20, seed: 3, ignoreEos: true, signal: new AbortController().signal,
  };
  let generated = '';
  for await (const piece of session.generate('In the beginning', generateOptions)) {
    generated += piece;
  }
  const score: ScoreResult = session.score('In the beginning');
  const bits: number = score.bitsPerByte + score.log2Prob + score.tokens + score.bytes;
  const positions: number = session.position + session.generatedTokens + session.stateBytes;
  // Snapshots: bytes out, bytes (or an ArrayBuffer) back in; generation can append.
  const saved: Uint8Array = session.snapshot();
  session.restore(saved);
  session.restore(new ArrayBuffer(saved.length));
  for await (const piece of session.generate('', { append: true, maxTokens: 5 })) generated += piece;
  // Each generated token's id and probability, beside the streamed text.
  const tokens: GeneratedToken[] = [];
  for await (const piece of session.generate('x', { onToken: (t) => tokens.push(t) })) void piece;
  const bitsOfTokens: number = -tokens.reduce((sum, t) => sum + t.log2Prob, 0) + tokens[0].id;
  const tokenText: string = tokens[0].text;
  void [bitsOfTokens, tokenText];
  // @ts-expect-error: onToken gets a token record, not text
  void session.generate('x', { onToken: (t: string) => void t });
  // @ts-expect-error: a snapshot is bytes, not text
  session.restore('snapshot');
  session.reset();
  session.setSeed(2);
  // @ts-expect-error: generate streams text, not ids
  session.generate([1, 2]);
  session.dispose();
  model.dispose();
  tok.dispose();

  const worker: EdgepieceWorker = await EdgepieceWorker.create({ workerUrl: 'worker.js' });
  await EdgepieceWorker.create({ trainerWasmUrl: new URL('https://example.com/t.wasm') });
  await EdgepieceWorker.create({ spmWasmUrl: 'edgepiece-spm.wasm' });
  await Trainer.init({ wasmBinary: new Uint8Array(8) });
  const { vocabSize: workerVocab, format: workerFormat }: { vocabSize: number; format: string } =
    await worker.loadTokenizer(tokenizerBytes);
  const loaded: { vocabSize: number; numParameters: number; memoryBytes: number } =
    await worker.loadModel('lm.safetensors', { cache: 'models', onProgress: (p) => void p.total });
  await worker.loadTokenizer(new URL('https://example.com/tok.bpk'), { integrity: '0'.repeat(64) });
  // @ts-expect-error: a worker takes a cache by name, not a Cache
  await worker.loadTokenizer('tok.bpk', { cache: await caches.open('x') });
  const workerBatch: Int32Array[] = await worker.encodeBatch(['a', 'b']);
  const workerBytes: Uint8Array = await worker.decodeBytes([5]);
  const workerPiece: string = (await worker.idToPiece(5)) + (await worker.idToBytes(5)).length;
  const workerPacked: Uint8Array = await worker.pack();
  const { position }: { position: number } = await worker.feed([1, 5]);
  const workerLogits: Float32Array = await worker.logits();
  const workerNext: number = await worker.sample({ temperature: 0 });
  await worker.reset();
  const workerDecoder = worker.decoder();
  const workerText2: string = (await workerDecoder.push([5])) + workerDecoder.end();
  void workerText2;
  const workerIds: Int32Array = await worker.encode('text', { bos: true });
  const workerText: string = await worker.decode(workerIds);
  const workerScore: ScoreResult = await worker.score('text');
  const run: { tokens: number; seconds: number; stopped: boolean } = await worker.generate(
    'In the beginning', { maxTokens: 5 }, (piece: string, tokens: number) => void [piece, tokens]);
  await worker.setSeed(4);
  const workerSnapshot: Uint8Array = await worker.snapshot();
  await worker.restore(workerSnapshot);
  await worker.stop();
  // A worker's generation also stops on a signal (rejecting with its reason).
  await worker.generate('x', { signal: new AbortController().signal });
  await worker.generate('x', { onToken: ({ id, log2Prob }: GeneratedToken) => void [id, log2Prob] });
  // @ts-expect-error: the callback gets text and a count, not ids
  await worker.generate('x', {}, (piece: Int32Array) => void piece);
  // Training: an array, or a function returning a fresh (async) iterable per pass.
  const trainOptions: TrainOptions = {
    vocabSize: 8000, order: 6, minCount: 2, maxPieceLength: 36, isolateDigits: true,
    ensureUnicode: true,
  };
  const trained: Uint8Array = await Trainer.train(['one document', new Uint8Array(4)],
    trainOptions, (progress: TrainProgress) => void [progress.phase, progress.bytesCounted]);
  async function* documents(): AsyncGenerator<string> { yield 'text'; }
  const corpus: TrainCorpus = documents;
  await Trainer.train(corpus);
  await Tokenizer.load(await Trainer.train(() => ['a', 'b'].values(), { vocabSize: 300 }, null));
  // @ts-expect-error: options are named as in the CLI, camelCase
  await Trainer.train(['x'], { vocab_size: 300 });
  // @ts-expect-error: documents are strings or bytes
  await Trainer.train([1, 2, 3]);
  const workerModel: Uint8Array = await worker.train(['text'], { vocabSize: 300 },
    (progress: TrainProgress) => void progress.documents);
  await worker.train(documents, {}, (progress: TrainProgress) => void progress.phase);
  // @ts-expect-error: a generator object cannot be read twice: pass its function
  await worker.train(documents());
  worker.terminate();

  try {
    tok.encode('after dispose');
  } catch (error) {
    if (error instanceof EdgepieceError) {
      const code: EdgepieceErrorCode = error.code;
      const message: string = error.message;
      // @ts-expect-error: codes are a closed set
      const bogus: EdgepieceErrorCode = 'NOT_A_CODE';
      void [code, message, bogus];
    }
  }
  void [vocabSize, fromBytes, batch, offsets, text, fromNumbers, raw, packed, counts,
    maybeTokenizer, logits, next, generated, bits, positions, workerVocab, loaded, workerText,
    workerScore, run, trained, workerModel, pieceBytes, piece, final, held, workerBatch,
    workerBytes, workerPiece, workerPacked, position, workerLogits, workerNext];
}
