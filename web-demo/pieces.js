// Rendering helpers of the tokenizer playground: how a token's bytes are
// shown (visible whitespace, hex for bytes that are not UTF-8 on their
// own) and the span list. No edgepiece calls here.

const fatal = new TextDecoder('utf-8', { fatal: true });
const VISIBLE = { ' ': '␣', '\n': '↵', '\t': '⇥', '\r': '␍' };
const PALETTE_SIZE = 10;  // .c0 ... .c9 in style.css

// Length of the UTF-8 sequence a lead byte starts, 0 if it cannot start one.
function sequenceLength(lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead < 0xe0) return 2;
  if (lead >= 0xe0 && lead < 0xf0) return 3;
  if (lead >= 0xf0 && lead < 0xf5) return 4;
  return 0;
}

const hex = (byte) => `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;

/**
 * A token's label: its bytes as text where they are whole UTF-8 characters,
 * whitespace made visible, other control characters and stray bytes (byte
 * fallback pieces split a character) as <0xNN>.
 */
export function pieceLabel(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const length = sequenceLength(bytes[i]);
    if (length && i + length <= bytes.length) {
      try {
        const char = fatal.decode(bytes.subarray(i, i + length));
        const code = char.codePointAt(0);
        out += VISIBLE[char] ?? (code < 0x20 || code === 0x7f ? hex(code) : char);
        i += length;
        continue;
      } catch {
        // not a valid character: falls through to one hex byte
      }
    }
    out += hex(bytes[i]);
    ++i;
  }
  return out;
}

/**
 * Fills `container` with one span per token (at most `limit`), coloured by
 * index, each with data-token-id, its label and its id as a subscript.
 * `bytes` is the encoded UTF-8 text, `offsets` the byte ranges. Returns how
 * many spans were drawn.
 */
export function renderTokens(container, ids, offsets, bytes, limit) {
  const fragment = document.createDocumentFragment();
  const count = Math.min(ids.length, limit);
  for (let i = 0; i < count; ++i) {
    const piece = bytes.subarray(offsets[2 * i], offsets[2 * i + 1]);
    const span = document.createElement('span');
    span.className = `token c${i % PALETTE_SIZE}`;
    span.dataset.tokenId = ids[i];
    span.title = `id ${ids[i]} · ${piece.length} byte${piece.length === 1 ? '' : 's'}`;
    const label = document.createElement('span');
    label.className = 'piece';
    label.textContent = pieceLabel(piece);
    const id = document.createElement('sub');
    id.className = 'id';
    id.textContent = ids[i];
    span.append(label, id);
    fragment.append(span);
    // Keeps the text's line breaks in the layout.
    if (piece.includes(10)) fragment.append(document.createElement('br'));
  }
  container.replaceChildren(fragment);
  return count;
}

/** A POSIX shell single-quoted string. */
export function shellQuote(text) {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** 1234567 -> "1.2 MB", 545235 -> "545 KB". */
export function formatBytes(bytes) {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${bytes} B`;
}
