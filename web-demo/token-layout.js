// Layout of the token view, computed once per encoding (in the tokenize
// worker) so that the page only ever draws the rows on screen: tokens are
// grouped into whole characters (byte-fallback tokens that split one
// character form one group, shown with that character), and groups are
// packed into fixed-height rows by an estimate of their width in monospace
// cells. Everything is typed arrays: a megabyte of text is ~300,000 tokens.
// No DOM and no edgepiece calls here (node --test can import it).

// A UTF-8 continuation byte: a token starting here splits a character.
const isContinuation = (byte) => (byte & 0xc0) === 0x80;

// Display width, in monospace cells, of one character starting at a lead byte
// (as pieces.js draws it): visible whitespace and ASCII one cell, control
// characters as <0xNN>, CJK and emoji two (a conservative estimate: a row
// must not overflow).
function charCells(bytes, at) {
  const lead = bytes[at];
  if (lead < 0x80) return lead < 0x20 && lead !== 0x09 && lead !== 0x0a && lead !== 0x0d || lead === 0x7f ? 6 : 1;
  if (lead < 0xe0) return 1.25;
  return 2;
}

const idCells = (id, scale) => scale * (id < 10 ? 1 : id < 100 ? 2 : id < 1000 ? 3 : id < 10000 ? 4 : id < 100000 ? 5 : 6);

/**
 * Groups and rows of an encoding. `bytes`: the NFC text's UTF-8; `ids`;
 * `offsets`: byte ranges (2 per token, contiguous). Options: `columns`
 * (cells a row holds), `padCells` (chip padding and margin in cells),
 * `idScale` (cells per digit of an id; 0: ids hidden). Returns
 * { groupStart: Uint32Array(G + 1) (first token of each group, then the
 * token count), groupUnits: Uint32Array(G + 1) (UTF-16 index of each
 * group's start in the text, then its length), rowStart: Uint32Array(R + 1)
 * (first group of each row, then G), chars (Unicode characters) }.
 */
export function layoutTokens(bytes, ids, offsets, { columns = 80, padCells = 1, idScale = 0.7 } = {}) {
  const count = ids.length;
  const groupStart = new Uint32Array(count + 1);
  const groupUnits = new Uint32Array(count + 1);
  const rowStart = new Uint32Array(count + 1);
  let groups = 0;
  let rows = 0;
  let x = 0;  // cells used in the current row
  let unit = 0;  // UTF-16 index of the byte being read
  let chars = 0;
  let breakAfter = false;  // the previous group held a newline
  for (let t = 0; t < count;) {
    // A group: token t and the tokens after it that start inside a character.
    let end = t + 1;
    while (end < count && isContinuation(bytes[offsets[2 * end]])) ++end;
    groupStart[groups] = t;
    groupUnits[groups] = unit;
    let label = 0;
    let newline = false;
    for (let b = offsets[2 * t], stop = offsets[2 * end - 1]; b < stop; ++b) {
      const byte = bytes[b];
      if (isContinuation(byte)) continue;
      ++chars;
      unit += byte >= 0xf0 ? 2 : 1;
      label += charCells(bytes, b);
      if (byte === 0x0a) newline = true;
    }
    let idWidth = 0;
    if (idScale > 0) {
      for (let k = t; k < end; ++k) idWidth += idCells(ids[k], idScale) + (k > t ? idScale : 0);
    }
    const width = Math.max(label, idWidth) + padCells;
    if (rows === 0 || breakAfter || (x > 0 && x + width > columns)) {
      rowStart[rows++] = groups;
      x = 0;
    }
    x += width;
    breakAfter = newline;
    ++groups;
    t = end;
  }
  groupStart[groups] = count;
  groupUnits[groups] = unit;
  rowStart[rows] = groups;
  return {
    groupStart: groupStart.slice(0, groups + 1),
    groupUnits: groupUnits.slice(0, groups + 1),
    rowStart: rowStart.slice(0, rows + 1),
    chars,
  };
}

/** The last index i with array[i] <= value in a non-decreasing array (0 if none). */
export function lastAtMost(array, value, end = array.length) {
  let lo = 0;
  let hi = end - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (array[mid] <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The groups a text selection [start, end) in UTF-16 units touches, as
 * [first, last] group indexes; a caret (start === end) gives the group it
 * is in (the one before it at the text's end).
 */
export function groupsOfSelection(groupUnits, start, end) {
  const groups = groupUnits.length - 1;
  if (groups <= 0) return null;
  const first = Math.min(lastAtMost(groupUnits, start, groups), groups - 1);
  const last = end > start ? Math.min(lastAtMost(groupUnits, end - 1, groups), groups - 1) : first;
  return [first, last];
}
