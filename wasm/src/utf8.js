// UTF-8 for token bytes in JS, by the rules the C++ side decodes with
// (runtime/text/utf8.h): invalid bytes are dropped, like Python's
// errors='ignore', and a stream holds back only a valid prefix of a character
// that ran into the end of what has arrived.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Length of the well-formed sequence at bytes[i] (1-4), 0 when there is none
// there, or -1 when the bytes end inside a sequence that is valid so far.
function sequenceLength(bytes, i) {
  const lead = bytes[i];
  if (lead < 0x80) return 1;
  let length;
  let low = 0x80;
  let high = 0xbf;  // range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0;
    if (lead === 0xed) high = 0x9f;  // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90;
    if (lead === 0xf4) high = 0x8f;  // <= U+10FFFF
  } else {
    return 0;
  }
  for (let k = 1; k < length; ++k) {
    if (i + k >= bytes.length) return -1;
    const byte = bytes[i + k];
    if (k === 1 ? byte < low || byte > high : byte < 0x80 || byte > 0xbf) return 0;
  }
  return length;
}

/** Text of `bytes` with invalid UTF-8 dropped (a trailing partial character too). */
export function decodeIgnoring(bytes) {
  try {
    return strict.decode(bytes);
  } catch {
    const kept = new Uint8Array(bytes.length);
    let n = 0;
    for (let i = 0; i < bytes.length;) {
      const length = sequenceLength(bytes, i);
      if (length > 0) {
        kept.set(bytes.subarray(i, i + length), n);
        n += length;
        i += length;
      } else {
        i += 1;
      }
    }
    return strict.decode(kept.subarray(0, n));
  }
}

/**
 * Where the text of `bytes` that is final ends: bytes.length, or the start of
 * a trailing character that is valid so far but incomplete.
 */
export function completeLength(bytes) {
  for (let i = Math.max(0, bytes.length - 3); i < bytes.length; ++i) {
    if (bytes[i] >= 0xc2 && bytes[i] <= 0xf4 && sequenceLength(bytes, i) === -1) return i;
  }
  return bytes.length;
}

/**
 * A display string for a piece's bytes: the text of whole UTF-8 characters,
 * and <0xNN> for each byte that is not part of one (a byte-fallback token, a
 * piece that splits a character).
 */
export function displayBytes(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      out += strict.decode(bytes.subarray(i, i + length));
      i += length;
    } else {
      out += `<0x${bytes[i].toString(16).toUpperCase().padStart(2, '0')}>`;
      i += 1;
    }
  }
  return out;
}

/**
 * Bytes in, text that is final out: a character split across pushes is held
 * back until its last byte arrives (only a valid prefix is held; invalid
 * bytes are dropped).
 */
export class Utf8Stream {
  #pending = new Uint8Array(0);

  /** Bytes held back (0-3). */
  get pending() { return this.#pending.length; }

  push(bytes) {
    let all = bytes;
    if (this.#pending.length > 0) {
      all = new Uint8Array(this.#pending.length + bytes.length);
      all.set(this.#pending);
      all.set(bytes, this.#pending.length);
    }
    const end = completeLength(all);
    this.#pending = all.slice(end);
    return decodeIgnoring(all.subarray(0, end));
  }

  /** Ends the stream: an incomplete character held back is dropped. */
  end() {
    const text = decodeIgnoring(this.#pending);
    this.#pending = new Uint8Array(0);
    return text;
  }
}
