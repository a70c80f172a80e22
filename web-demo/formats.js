// Tokenizer file formats the playground reads, tried in order: the first
// that loads the bytes wins. Another format is one more entry here. Used by
// the tokenize worker and by the page (which keeps a copy for small edits).
import { Tokenizer } from '../build/wasm/package/index.js';

export const FORMATS = [
  { name: 'BytePiece', load: (bytes) => Tokenizer.load(bytes) },
];

/** { tokenizer, format } of the first format that reads `bytes`; throws every format's error. */
export async function loadTokenizer(bytes) {
  const errors = [];
  for (const format of FORMATS) {
    try {
      return { tokenizer: await format.load(bytes), format: format.name };
    } catch (error) {
      errors.push(error.message);
    }
  }
  throw new Error(errors.join('; '));
}
