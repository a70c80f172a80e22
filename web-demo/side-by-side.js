// Side by side: the checkboxes of the tokenizers to compare with the shown
// one, and their token counts (a table) and first tokens (one strip each)
// for the current text, as the tokenize worker counted them.
import { pieceLabel } from './pieces.js';

export const PREVIEW_TOKENS = 64;  // first tokens shown per tokenizer (as tokenize-worker.js)
const $ = (id) => document.getElementById(id);
const number = (n) => n.toLocaleString('en');

/** One checkbox per loaded tokenizer but the shown one (`current`); ticks survive a redraw. */
export function drawCompareChoices(tokenizers, current, onChange) {
  const box = $('compare-choices');
  const checked = new Set([...box.querySelectorAll('input:checked')].map((c) => c.value));
  box.replaceChildren();
  for (const [key, entry] of tokenizers) {
    if (key === current) continue;
    const field = document.createElement('div');
    field.className = 'field check';
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.id = `compare-${box.children.length}`;
    input.value = key;
    input.checked = checked.has(key);
    input.addEventListener('change', onChange);
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.textContent = entry.name;
    field.append(input, label);
    box.append(field);
  }
  $('compare-empty').hidden = box.children.length > 0;
}

// A strip of a tokenizer's first tokens (`bytes`: the text's UTF-8).
function strip(name, bytes, ids, offsets, total) {
  const line = document.createElement('div');
  line.className = 'preview';
  const title = document.createElement('p');
  title.className = 'muted';
  title.textContent = ids.length < total ? `${name}: the first ${ids.length} of ${number(total)} tokens` : `${name}: ${number(total)} tokens`;
  const chips = document.createElement('div');
  chips.className = 'preview-tokens';
  for (let i = 0; i < ids.length;) {
    // Byte tokens that together make one character: one chip with that character.
    let end = i + 1;
    while (end < ids.length && (bytes[offsets[2 * end]] & 0xc0) === 0x80) ++end;
    const chip = document.createElement('span');
    chip.className = `token c${i % 10}${end - i > 1 ? ' group' : ''}`;
    chip.title = `id ${Array.from(ids.subarray(i, end)).join(' + ')}`;
    chip.textContent = pieceLabel(bytes.subarray(offsets[2 * i], offsets[2 * end - 1]));
    chips.append(chip);
    i = end;
  }
  line.append(title, chips);
  return line;
}

/**
 * The counts table and the strips: `result` is the shown tokenizer's encoding
 * ({ bytes, ids, offsets }), `compared` the worker's [{ key, tokens, preview }].
 */
export function drawComparison(tokenizers, current, result, compared) {
  const { bytes, ids, offsets } = result;
  const body = $('compare-table').tBodies[0];
  body.replaceChildren();
  [{ key: current, tokens: ids.length }, ...compared].forEach(({ key, tokens }, i) => {
    const row = body.insertRow();
    const cells = [
      `${tokenizers.get(key).name}${i === 0 ? ' (shown)' : ''}`, number(tokens),
      tokens ? (bytes.length / tokens).toFixed(2) : '–',
      i === 0 || !ids.length ? '–' : `${tokens >= ids.length ? '+' : ''}${(100 * (tokens - ids.length) / ids.length).toFixed(1)}%`,
    ];
    for (const text of cells) row.insertCell().textContent = text;
  });
  $('compare-table').hidden = compared.length === 0;
  $('compare-previews').replaceChildren(...(compared.length === 0 ? [] : [
    strip(tokenizers.get(current).name, bytes, ids.subarray(0, PREVIEW_TOKENS), offsets, ids.length),
    // preview.bytes: the text as that tokenizer took it, where it differs (NFC or not).
    ...compared.map(({ key, tokens, preview }) => strip(tokenizers.get(key).name, preview.bytes ?? bytes, preview.ids, preview.offsets, tokens)),
  ]));
}
