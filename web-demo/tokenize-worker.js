// The tokenizer playground's worker: holds every loaded tokenizer and, per
// keystroke, encodes the text with the shown one (ids, offsets, the token
// view's layout: token-layout.js) and with the compared ones (counts), so
// the page's main thread only draws what is on screen. Requests are
// { id, op, args }; answers { id, ok, result | error }.
//
// A keystroke into a long text re-encodes only the chunks it touched: the
// tokenizer cuts the text after every run of newlines and encodes each chunk
// on its own (docs/bytepiece.md section 2), NFC never reaches across a
// newline, and the layout starts a row after every newline, so the tokens,
// offsets and rows of the unchanged chunks before and after the edit are
// kept (shifted). Sampling continues one random stream across chunks: a
// sampled encoding is always whole.
import { Tokenizer, init } from '../build/wasm/package/index.js';
import { applyEdit, lastAtMost, layoutTokens } from './token-layout.js';

// Tokenizer file formats, tried in order: the first that loads the bytes
// wins. Another format is one more entry here.
const FORMATS = [
  { name: 'BytePiece', load: (bytes) => Tokenizer.load(bytes) },
];

const tokenizers = new Map();  // key -> { tokenizer, format }
const utf8 = new TextEncoder();
let previous = null;  // the last deterministic encoding of an NFC text, for the next edit

function need(key) {
  const entry = tokenizers.get(key);
  if (!entry) throw new Error(`no tokenizer "${key}"`);
  return entry.tokenizer;
}

// Code points of text[from, to).
function countChars(text, from, to) {
  let chars = 0;
  for (let i = from; i < to; ++i) {
    const unit = text.charCodeAt(i);
    if (unit < 0xdc00 || unit > 0xdfff) ++chars;
  }
  return chars;
}

// The edit (token-layout.js applyEdit) that turns `prev` into the encoding of
// `text` by re-encoding only the chunks that changed, or null where that is
// not possible (then the whole text is encoded).
function encodeEdit(prev, text, tokenizer, layout) {
  const old = prev.text;
  const shorter = Math.min(old.length, text.length);
  let prefix = 0;
  while (prefix < shorter && old.charCodeAt(prefix) === text.charCodeAt(prefix)) ++prefix;
  let suffix = 0;
  while (suffix < shorter - prefix
         && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) ++suffix;
  // A chunk starts after a newline run: the last such start inside the common prefix...
  const chunkStart = (at) => at === 0 || (text.charCodeAt(at - 1) === 10 && text.charCodeAt(at) !== 10);
  let start = Math.max(0, prefix - 1);
  while (!chunkStart(start)) --start;
  // ...and the first one inside the common suffix (or the end).
  let end = text.length;
  for (let j = text.length - suffix + 1; j < text.length; ++j) {
    if (chunkStart(j)) {
      end = j;
      break;
    }
  }
  const oldEnd = end - text.length + old.length;
  const region = text.slice(start, end);
  if (region.normalize('NFC') !== region) return null;

  const groups = prev.groupStart.length - 1;
  const rows = prev.rowStart.length - 1;
  const g0 = start === 0 ? 0 : lastAtMost(prev.groupUnits, start);
  const g1 = oldEnd === old.length ? groups : lastAtMost(prev.groupUnits, oldEnd);
  if (prev.groupUnits[g0] !== start || prev.groupUnits[g1] !== oldEnd) return null;
  const r0 = g0 === groups ? rows : lastAtMost(prev.rowStart, g0);
  const r1 = g1 === groups ? rows : lastAtMost(prev.rowStart, g1);
  if (prev.rowStart[r0] !== g0 || prev.rowStart[r1] !== g1) return null;
  const t0 = prev.groupStart[g0];
  const t1 = prev.groupStart[g1];
  const b0 = t0 < prev.ids.length ? prev.offsets[2 * t0] : prev.bytes.length;
  const b1 = t1 < prev.ids.length ? prev.offsets[2 * t1] : prev.bytes.length;

  const bytes = utf8.encode(region);
  const { ids, offsets } = tokenizer.encodeWithOffsets(bytes);
  return {
    t0, t1, g0, g1, r0, r1, b0, b1, start, end, oldEnd, bytes, ids, offsets,
    ...layoutTokens(bytes, ids, offsets, layout), cutChars: countChars(old, start, oldEnd),
  };
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
        if (previous?.key === key) previous = null;
        return { vocabSize: tokenizer.vocabSize, format: format.name };
      } catch (error) {
        errors.push(error.message);
      }
    }
    throw new Error(errors.join('; '));
  },
  pack({ key }) { return need(key).pack(); },
  // The shown tokenizer gives ids, byte offsets and the layout, the compared
  // ones token counts.
  // `base`: the version of the encoding the page holds; an answer is either
  // whole or an edit of that version (only the changed region crosses).
  encode({ version, base, text, key, sampling, compare, layout }) {
    const start = performance.now();
    const tokenizer = need(key);
    const layoutKey = JSON.stringify(layout);
    let edit = null;
    if (!sampling && previous && previous.version === base && previous.key === key
        && previous.layoutKey === layoutKey) {
      edit = encodeEdit(previous, text, tokenizer, layout);
    }
    let normalized = false;
    let bytes;
    let whole = null;
    let state;
    if (edit) {
      state = applyEdit(previous, edit);
    } else {
      const nfc = text.normalize('NFC');
      normalized = nfc !== text;
      bytes = utf8.encode(nfc);
      tokenizer.setSeed(sampling?.seed ?? 0);
      const { ids, offsets } = tokenizer.encodeWithOffsets(bytes, sampling ? { alpha: sampling.alpha } : {});
      whole = { bytes, ids, offsets, ...layoutTokens(bytes, ids, offsets, layout) };
      state = whole;
    }
    previous = sampling || normalized ? null : { ...state, text, key, layoutKey, version };
    const encodeMs = performance.now() - start;
    const compared = compare.filter((k) => tokenizers.has(k)).map((k) => {
      const other = need(k);
      other.setSeed(sampling?.seed ?? 0);
      bytes ??= utf8.encode(text);  // NFC already
      return { key: k, tokens: other.encode(bytes, sampling ? { alpha: sampling.alpha } : {}).length };
    });
    return {
      version, whole, edit, normalized, encodeMs, compared,
      reencoded: edit ? edit.end - edit.start : text.length,
    };
  },
};

self.addEventListener('message', async ({ data: { id, op, args } }) => {
  try {
    const result = await handlers[op](args);
    self.postMessage({ id, ok: true, result });  // copied: the worker keeps its arrays for the next edit
  } catch (error) {
    self.postMessage({ id, ok: false, error: String(error.message ?? error) });
  }
});
self.postMessage({ ready: true });
