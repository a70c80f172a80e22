// Re-encoding only what an edit touched. The tokenizer cuts the text after
// every run of newlines and encodes each chunk on its own
// (docs/bytepiece.md section 2), NFC never reaches across a newline, and the
// token view starts a row after every newline: so after an edit the tokens,
// offsets and rows of the unchanged chunks before and after it stay, shifted,
// and only the chunks between are encoded again (in the tokenize worker).
// Sampling continues one random stream across chunks: a sampled encoding is
// always whole. The page holds the encoding; the worker sees only regions.
import { commonPrefix, commonSuffix } from './text-diff.js';
import { lastAtMost } from './token-layout.js';

// Code points of text[from, to).
function countChars(text, from, to) {
  let chars = 0;
  for (let i = from; i < to; ++i) {
    const unit = text.charCodeAt(i);
    if (unit < 0xdc00 || unit > 0xdfff) ++chars;
  }
  return chars;
}

/**
 * What to re-encode to turn `prev` (a laid-out encoding of the NFC text
 * prev.text: { text, bytes, ids, offsets, groupStart, groupUnits, rowStart,
 * chars }) into an encoding of `text`: { region (the text to encode), and
 * the cut for applyEdit }, or null where the whole text must be encoded.
 */
export function planEdit(prev, text) {
  const old = prev.text;
  const prefix = commonPrefix(old, text);
  const suffix = commonSuffix(old, text, Math.min(old.length, text.length) - prefix);
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
  return {
    region, t0, t1, g0, g1, r0, r1, b0, b1, start, end, oldEnd,
    cutChars: countChars(old, start, oldEnd),
  };
}

// before[0, cut) + middle (+ middleShift) + before[resume..] (+ tailShift), one new array.
function splice(before, cut, middle, middleShift, resume, tailShift) {
  const tail = before.length - resume;
  const out = new before.constructor(cut + middle.length + tail);
  out.set(before.subarray(0, cut));
  for (let i = 0; i < middle.length; ++i) out[cut + i] = middle[i] + middleShift;
  const at = cut + middle.length;
  if (tailShift === 0) out.set(before.subarray(resume), at);
  else for (let i = 0; i < tail; ++i) out[at + i] = before[resume + i] + tailShift;
  return out;
}

/**
 * The encoding of the new text: `prev` with the cut of `plan` (planEdit)
 * replaced by `region`, the region's own encoding and layout ({ bytes, ids,
 * offsets, groupStart, groupUnits, rowStart, chars }, counted from 0).
 */
export function applyEdit(prev, plan, edit) {
  const { t0, t1, g0, g1, r0, r1, b0, b1, start, end, oldEnd } = plan;
  const g = edit.groupStart.length - 1;
  return {
    bytes: splice(prev.bytes, b0, edit.bytes, 0, b1, 0),
    ids: splice(prev.ids, t0, edit.ids, 0, t1, 0),
    offsets: splice(prev.offsets, 2 * t0, edit.offsets, b0, 2 * t1, b0 + edit.bytes.length - b1),
    groupStart: splice(prev.groupStart, g0, edit.groupStart.subarray(0, g), t0, g1, t0 + edit.ids.length - t1),
    groupUnits: splice(prev.groupUnits, g0, edit.groupUnits.subarray(0, g), start, g1, end - oldEnd),
    rowStart: splice(prev.rowStart, r0, edit.rowStart.subarray(0, -1), g0, r1, g0 + g - g1),
    chars: prev.chars - plan.cutChars + edit.chars,
  };
}
