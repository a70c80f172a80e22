// The app each bundler builds (tests/consumers/consumers.test.mjs): imports the npm package by
// name, as a user's app does, loads the bundled tokenizer and the int8 language model from the
// site, encodes, generates greedily and trains a tiny tokenizer on the main thread and in an
// EdgepieceWorker, and leaves the results in <pre id="result"> (JSON) for the test to read.
import { EdgepieceWorker, Model, Tokenizer, Trainer } from 'edgepiece';

const TEXT = 'In the beginning God created the heaven and the earth. 天行健，君子以自强不息。 😀';
const PROMPT = 'And God said';
const GENERATE = { maxTokens: 12, temperature: 0, ignoreEos: true };
const TOKENIZER = 'models/kjvzh-8k.model';
const WEIGHTS = 'models/int8/kjvzh-lm-int8.safetensors';
const CORPUS = Array.from({ length: 50 }, (_, i) => `${i}: ${TEXT}`);
const TRAIN = { vocabSize: 300 };

// The SHA-256 of a trained model file, in hex: the main thread's and the worker's must agree.
async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function mainThread() {
  const tokenizer = await Tokenizer.load(TOKENIZER);
  const model = await Model.load(WEIGHTS, tokenizer);
  const ids = Array.from(tokenizer.encode(TEXT));
  const session = model.session({ seed: 1 });
  let text = '';
  for await (const piece of session.generate(PROMPT, GENERATE)) text += piece;
  const tokens = session.generatedTokens;
  const file = await Trainer.train(CORPUS, TRAIN);
  const trained = await Tokenizer.load(file);
  const result = { ids, text, tokens, trained: await sha256(file), trainedVocabSize: trained.vocabSize };
  trained.dispose();
  session.dispose();
  model.dispose();
  tokenizer.dispose();
  return result;
}

async function inWorker() {
  const worker = await EdgepieceWorker.create();
  try {
    await worker.loadTokenizer(TOKENIZER);
    await worker.loadModel(WEIGHTS);
    const ids = Array.from(await worker.encode(TEXT));
    let text = '';
    const { tokens } = await worker.generate(PROMPT, GENERATE, (piece) => { text += piece; });
    const file = await worker.train(CORPUS, TRAIN);
    const { vocabSize } = await worker.loadTokenizer(file);
    return { ids, text, tokens, trained: await sha256(file), trainedVocabSize: vocabSize };
  } finally {
    worker.terminate();
  }
}

const output = document.getElementById('result');
(async () => {
  const result = { text: TEXT, prompt: PROMPT, generate: GENERATE };
  result.main = await mainThread();
  result.worker = await inWorker();
  output.textContent = JSON.stringify(result);
  document.body.dataset.state = 'done';
})().catch((error) => {
  output.textContent = `${error?.name}: ${error?.message}\n${error?.stack}`;
  document.body.dataset.state = 'failed';
});
