// The public API as index.d.ts types it, used the way README.md shows:
// type-checked only (tsc --noEmit --strict, from types.test.mjs), never run.
// Each @ts-expect-error line is a misuse the types must reject.
import {
  EdgepieceError, EdgepieceWorker, Model, Session, Tokenizer, Trainer, init,
} from '../../../wasm/src/index.js';
import type {
  EdgepieceErrorCode, EncodeOptions, GenerateOptions, LoadOptions, ScoreResult, TrainCorpus,
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
  // @ts-expect-error: a model is bytes, not a path
  await Tokenizer.load('model.json');

  const vocabSize: number = tok.vocabSize;
  const options: EncodeOptions = { alpha: 0.1, bos: true, eos: false };
  const ids: Int32Array = tok.encode('In the beginning', options);
  const fromBytes: Int32Array = tok.encode(new Uint8Array([104, 105]));
  const batch: Int32Array[] = tok.encodeBatch(['a', new Uint8Array([98])], { bos: true });
  const { ids: withOffsets, offsets }: { ids: Int32Array; offsets: Uint32Array } =
    tok.encodeWithOffsets('天行健');
  const text: string = tok.decode(ids);
  const fromNumbers: string = tok.decode([1, 2, 3]);
  const raw: Uint8Array = tok.decodeBytes(withOffsets);
  const packed: Uint8Array = tok.pack();
  tok.setSeed(7);
  // @ts-expect-error: vocabSize is read-only
  tok.vocabSize = 3;
  // @ts-expect-error: encode takes text, not ids
  tok.encode([1, 2]);

  const model: Model = await Model.load(weightsBytes, tok);
  const idsOnly: Model = await Model.load(weightsBytes);
  const counts: number[] = [model.vocabSize, model.numParameters, model.bosId, model.eosId];
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
  const positions: number = session.position + session.generatedTokens;
  // Snapshots: bytes out, bytes (or an ArrayBuffer) back in; generation can append.
  const saved: Uint8Array = session.snapshot();
  session.restore(saved);
  session.restore(new ArrayBuffer(saved.length));
  for await (const piece of session.generate('', { append: true, maxTokens: 5 })) generated += piece;
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
  const { vocabSize: workerVocab }: { vocabSize: number } = await worker.loadTokenizer(tokenizerBytes);
  const loaded: { vocabSize: number; numParameters: number } = await worker.loadModel(weightsBytes);
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
    workerScore, run, trained, workerModel];
}
