// Tokenizer file formats the playground reads. Tokenizer.load tells them apart by the bytes
// (a SentencePiece .model runs in edgepiece-spm.wasm, fetched on the first one); this names
// them and says how each takes text. Used by the tokenize worker and by the page (which keeps a
// copy for small edits).
import { Tokenizer } from '../build/wasm/package/index.js';

// By Tokenizer.format. `nfc`: the tokenizer encodes a string's NFC form (BytePiece), so the
// page shows tokens of that form; a .model's own normalizer takes the text as typed.
// `chunked`: encoding a text's chunks separately gives the whole text's ids, so an edit may
// re-encode only its chunks (incremental.js); not for a .model, whose whitespace rules
// (dummy prefix, extra spaces) look at where the text starts.
export const FORMATS = {
  bytepiece: { name: 'BytePiece', nfc: true, chunked: true },
  sentencepiece: { name: 'SentencePiece', nfc: false, chunked: false },
};

/** { tokenizer, format } (format: FORMATS' name) of `bytes`; throws the loader's error. */
export async function loadTokenizer(bytes) {
  const tokenizer = await Tokenizer.load(bytes);
  return { tokenizer, format: FORMATS[tokenizer.format].name };
}

/** The FORMATS entry of a format name loadTokenizer gave. */
export function formatNamed(name) {
  return Object.values(FORMATS).find((format) => format.name === name);
}
