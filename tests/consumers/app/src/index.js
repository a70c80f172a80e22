// The app each bundler builds (tests/consumers/consumers.test.mjs): imports the npm package by
// name, as a user's app does, loads the bundled tokenizer and the int8 language model from the
// site, encodes, generates greedily and trains a tiny tokenizer on the main thread and in an
// EdgepieceWorker, and leaves the results (and the training corpus) in <pre id="result"> as JSON
// for the test to compare with the native CLI. With `?spm` it also encodes with a SentencePiece
// .model (edgepiece-spm.wasm) the test made.
import { EdgepieceWorker, Model, Tokenizer, Trainer } from 'edgepiece';

const TEXT = 'In the beginning God created the heaven and the earth. 天行健，君子以自强不息。 😀';
const PROMPT = 'And God said';
const GENERATE = { maxTokens: 12, temperature: 0, ignoreEos: true };
const TOKENIZER = 'models/kjvzh-8k.model';
const WEIGHTS = 'models/int8/kjvzh-lm-int8.safetensors';
const TRAIN = { vocabSize: 300 };

// A corpus that fills TRAIN's vocabulary (plain text of this size rarely does): 200 texts of
// 40 of the bundled tokenizer's pieces each, in a fixed pseudo-random order.
function trainingCorpus(tokenizer) {
  let state = 1;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
  return Array.from({ length: 200 },
    () => tokenizer.decode(Int32Array.from({ length: 40 }, () => 259 + next() % 300)));
}

// The SHA-256 of a trained model file, in hex (the test compares it with the CLI's file).
async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function mainThread(result) {
  const tokenizer = await Tokenizer.load(TOKENIZER);
  result.corpus = trainingCorpus(tokenizer);
  const model = await Model.load(WEIGHTS, tokenizer);
  const ids = Array.from(tokenizer.encode(TEXT));
  const session = model.session({ seed: 1 });
  let text = '';
  for await (const piece of session.generate(PROMPT, GENERATE)) text += piece;
  const tokens = session.generatedTokens;
  const file = await Trainer.train(result.corpus, TRAIN);
  const trained = await Tokenizer.load(file);
  result.main = { ids, text, tokens, trained: await sha256(file), trainedVocabSize: trained.vocabSize };
  trained.dispose();
  session.dispose();
  model.dispose();
  tokenizer.dispose();
}

async function inWorker(result) {
  const worker = await EdgepieceWorker.create();
  try {
    await worker.loadTokenizer(TOKENIZER);
    await worker.loadModel(WEIGHTS);
    const ids = Array.from(await worker.encode(TEXT));
    let text = '';
    const { tokens } = await worker.generate(PROMPT, GENERATE, (piece) => { text += piece; });
    const file = await worker.train(result.corpus, TRAIN);
    const { vocabSize } = await worker.loadTokenizer(file);
    result.worker = { ids, text, tokens, trained: await sha256(file), trainedVocabSize: vocabSize };
  } finally {
    worker.terminate();
  }
}

const output = document.getElementById('result');
(async () => {
  const result = { text: TEXT, prompt: PROMPT, generate: GENERATE, train: TRAIN };
  await mainThread(result);
  await inWorker(result);
  if (new URLSearchParams(location.search).has('spm')) {
    const spm = await Tokenizer.load('models/small.model');
    result.spm = { ids: Array.from(spm.encode(TEXT)) };
    spm.dispose();
  }
  output.textContent = JSON.stringify(result);
  document.body.dataset.state = 'done';
})().catch((error) => {
  output.textContent = `${error?.name}: ${error?.message}\n${error?.stack}`;
  document.body.dataset.state = 'failed';
});
