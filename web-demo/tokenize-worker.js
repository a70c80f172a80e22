// The tokenizer playground's worker: holds every loaded tokenizer and
// encodes for the page, so its main thread only draws what is on screen:
// a whole text (ids, offsets, the token view's layout: token-layout.js, and
// counts from the compared tokenizers) or, after an edit, only the chunks
// it touched (incremental.js plans it and splices the answer in). Requests
// are { id, op, args }; answers { id, ok, result | error }.
import { init } from '../build/wasm/package/index.js';
import { formatNamed, loadTokenizer } from './formats.js';
import { layoutTokens } from './token-layout.js';

const PREVIEW_TOKENS = 64;  // tokens of each compared tokenizer shown side by side (side-by-side.js)
const tokenizers = new Map();  // key -> { tokenizer, format }
const utf8 = new TextEncoder();

function need(key) {
  const entry = tokenizers.get(key);
  if (!entry) throw new Error(`no tokenizer "${key}"`);
  return entry.tokenizer;
}

// The text as tokenizer `key` takes it: its NFC form for BytePiece, as typed for a .model.
const takes = (key, text, nfc) => (formatNamed(tokenizers.get(key).format).nfc ? nfc : text);

const copies = ({ ids, offsets }) => ({ ids: ids.slice(), offsets: offsets.slice() });

const handlers = {
  async init({ wasmBinary }) {
    await init({ wasmBinary });
    return null;
  },
  async load({ key, bytes }) {
    const { tokenizer, format } = await loadTokenizer(bytes);
    tokenizers.get(key)?.tokenizer.dispose();
    tokenizers.set(key, { tokenizer, format });
    return { vocabSize: tokenizer.vocabSize, format };
  },
  pack({ key }) { return need(key).pack(); },
  // The shown tokenizer gives ids, byte offsets and the layout, the compared
  // ones token counts.
  // The whole text: ids, byte offsets and the layout from the shown
  // tokenizer, token counts from the compared ones.
  encode({ text, key, sampling, compare, layout }) {
    const start = performance.now();
    const tokenizer = need(key);
    const nfc = text.normalize('NFC');
    const shown = takes(key, text, nfc);
    const bytes = utf8.encode(shown);
    const options = sampling ? { alpha: sampling.alpha } : {};
    tokenizer.setSeed(sampling?.seed ?? 0);
    // Copies: small results are views of the package's pooled buffer, and these are transferred.
    const { ids, offsets } = copies(tokenizer.encodeWithOffsets(bytes, options));
    const whole = { bytes, ids, offsets, ...layoutTokens(bytes, ids, offsets, layout) };
    const encodeMs = performance.now() - start;
    const compared = compare.filter((k) => tokenizers.has(k)).map((k) => {
      const other = need(k);
      other.setSeed(sampling?.seed ?? 0);
      // Each tokenizer encodes the text as it takes it (the shown one's bytes when the same).
      const own = takes(k, text, nfc);
      const ownBytes = own === shown ? bytes : utf8.encode(own);
      const { ids: otherIds, offsets: otherOffsets } = other.encodeWithOffsets(ownBytes, options);
      // The first tokens, to show next to the counts.
      return {
        key: k, tokens: otherIds.length,
        preview: {
          ids: otherIds.slice(0, PREVIEW_TOKENS), offsets: otherOffsets.slice(0, 2 * PREVIEW_TOKENS),
          ...(ownBytes === bytes ? {} : { bytes: ownBytes }),
        },
      };
    });
    return { whole, normalized: shown !== text, encodeMs, compared };
  },
  // A run of whole chunks of an NFC text (incremental.js), deterministic.
  encodeRegion({ region, key, layout }) {
    const start = performance.now();
    const bytes = utf8.encode(region);
    const { ids, offsets } = copies(need(key).encodeWithOffsets(bytes));
    const edit = { bytes, ids, offsets, ...layoutTokens(bytes, ids, offsets, layout) };
    return { edit, normalized: false, encodeMs: performance.now() - start, compared: [] };
  },
};

self.addEventListener('message', async ({ data: { id, op, args } }) => {
  try {
    const result = await handlers[op](args);
    const arrays = result?.whole ?? result?.edit;
    const transfer = arrays ? ['bytes', 'ids', 'offsets', 'groupStart', 'groupUnits', 'rowStart'].map((k) => arrays[k].buffer) : [];
    self.postMessage({ id, ok: true, result }, transfer);
  } catch (error) {
    self.postMessage({ id, ok: false, error: String(error.message ?? error) });
  }
});
self.postMessage({ ready: true });
