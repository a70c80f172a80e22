// The tokenizer playground's worker: holds every loaded tokenizer and, per
// keystroke, encodes the text with the shown one (ids, offsets, the token
// view's layout: token-layout.js) and with the compared ones (counts), so
// the page's main thread only draws what is on screen. Requests are
// { id, op, args }; answers { id, ok, result | error }.
import { Tokenizer, init } from '../build/wasm/package/index.js';
import { layoutTokens } from './token-layout.js';

// Tokenizer file formats, tried in order: the first that loads the bytes
// wins. Another format is one more entry here.
const FORMATS = [
  { name: 'BytePiece', load: (bytes) => Tokenizer.load(bytes) },
];

const tokenizers = new Map();  // key -> { tokenizer, format }
const utf8 = new TextEncoder();

function need(key) {
  const entry = tokenizers.get(key);
  if (!entry) throw new Error(`no tokenizer "${key}"`);
  return entry.tokenizer;
}

const handlers = {
  async init({ wasmBinary }) {
    await init({ wasmBinary });
    return null;
  },
  async load({ key, bytes }) {
    const errors = [];
    for (const format of FORMATS) {
      try {
        const tokenizer = await format.load(bytes);
        tokenizers.get(key)?.tokenizer.dispose();
        tokenizers.set(key, { tokenizer, format: format.name });
        return { vocabSize: tokenizer.vocabSize, format: format.name };
      } catch (error) {
        errors.push(error.message);
      }
    }
    throw new Error(errors.join('; '));
  },
  pack({ key }) { return need(key).pack(); },
  // The text NFC-normalized and encoded once as UTF-8; the shown tokenizer
  // gives ids, byte offsets and the layout, the compared ones token counts.
  encode({ text, key, sampling, compare, layout }) {
    const start = performance.now();
    const nfc = text.normalize('NFC');
    const bytes = utf8.encode(nfc);
    const options = sampling ? { alpha: sampling.alpha } : {};
    const tokenizer = need(key);
    tokenizer.setSeed(sampling?.seed ?? 0);
    const { ids, offsets } = tokenizer.encodeWithOffsets(bytes, options);
    const encodeMs = performance.now() - start;
    const placed = layoutTokens(bytes, ids, offsets, layout);
    const compared = compare.filter((k) => tokenizers.has(k)).map((k) => {
      const other = need(k);
      other.setSeed(sampling?.seed ?? 0);
      return { key: k, tokens: other.encode(bytes, options).length };
    });
    return {
      bytes, ids: ids.slice(), offsets: offsets.slice(), ...placed, normalized: nfc !== text,
      encodeMs, compared,
    };
  },
};

self.addEventListener('message', async ({ data: { id, op, args } }) => {
  try {
    const result = await handlers[op](args);
    const transfer = result && result.ids
      ? [result.bytes.buffer, result.ids.buffer, result.offsets.buffer, result.groupStart.buffer,
        result.groupUnits.buffer, result.rowStart.buffer]
      : [];
    self.postMessage({ id, ok: true, result }, transfer);
  } catch (error) {
    self.postMessage({ id, ok: false, error: String(error.message ?? error) });
  }
});
self.postMessage({ ready: true });
