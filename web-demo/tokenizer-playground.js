// The tokenizer playground. The page keeps the last encoding; after an
// edit only the chunks it touched are encoded again (incremental.js): a
// small region here, in the input event, a large one, a whole text, a
// sampled one and the side-by-side counts in a worker (tokenize-worker.js),
// one request in flight and a stale answer not drawn. The virtualized
// TokenView draws only the rows on screen, so a keystroke into a megabyte
// of text is nearly as quick as into a line. Counts come from the whole
// encoding, never from what is drawn. Tokens and text are linked both ways.
import { init } from '../build/wasm/package/index.js';
import { readInteger, showFieldError } from './fields.js';
import { formatNamed, loadTokenizer } from './formats.js';
import { applyEdit, planEdit } from './incremental.js';
import { formatBytes, shellQuote } from './pieces.js';
import { drawCompareChoices, drawComparison } from './side-by-side.js';
import { layoutTokens } from './token-layout.js';
import { TokenView } from './token-view.js';
import { TokenizeWorker } from './tokenize-client.js';

export const MAX_SEED = 0xffffffff;
const LINK_HIGHLIGHT_LIMIT = 200_000;  // UTF-16 units: longer texts link by selection only
// An edit's region up to this long (UTF-16 units) is encoded on the page, in the input
// event itself (well under a millisecond), so the tokens change in the keystroke's own frame.
const LOCAL_REGION = 16_384;

const EXAMPLES = {
  en: 'And God said, Let there be light: and there was light.\nAnd God saw the light, that it was good: and God divided the light from the darkness.',
  zh: '天行健，君子以自强不息。地势坤，君子以厚德载物。\n床前明月光，疑是地上霜。',
  emoji: 'Emoji fall back to bytes: 😀 👍🏽 🇩🇪 ❤️‍🔥 — and so does anything the model never saw: ŝ ǅ ㎒',
  code: 'for (let i = 0; i < n; ++i) {\n\tsum += a[i] * b[i];\n}',
};

const $ = (id) => document.getElementById(id);
const utf8 = new TextEncoder();
const number = (n) => n.toLocaleString('en');

export class TokenizerPlayground {
  #worker = null;
  #view;
  #tokenizers = new Map();  // key -> { name, path, info, vocabSize, format }
  #current = null;  // key of the shown tokenizer
  #revision = 0;  // bumped by every change of the text or the settings
  #inFlight = false;
  #inputAt = 0;  // timeStamp of the latest input event
  #seed = 0;  // the last valid sampling seed
  #layoutKey = '';
  // The last encoding: { text, key, layoutKey, bytes, ids, offsets, groupStart, groupUnits,
  // rowStart, chars, normalized, sampled }; an edit re-encodes only what it touched.
  #encoding = null;
  #layout = null;  // the layout options, measured again after a resize or the ids toggled
  #metrics = null;  // cell width, row height, padding in cells

  constructor() {
    this.#view = new TokenView($('tokens'), {
      onPick: (g) => this.#selectInText(g),
      onActive: (g, announce) => this.#describe(g, announce),
    });
    this.#wire();
  }

  /** Starts the worker and loads the bundled tokenizer under `key`. */
  async start(wasmBinary, key, bytes, entry) {
    [this.#worker] = await Promise.all([TokenizeWorker.create(wasmBinary), init({ wasmBinary })]);
    await this.add(key, bytes, entry);
    this.select(key);
    $('model-select').disabled = false;
    $('model-file').disabled = false;
  }

  /** Loads a tokenizer file into the worker and offers it (select and side by side). */
  async add(key, bytes, entry) {
    const [{ vocabSize, format }, local] = await Promise.all([
      this.#worker.call('load', { key, bytes }), loadTokenizer(bytes),
    ]);
    if (this.#encoding?.key === key) this.#encoding = null;  // another tokenizer under that key
    this.#tokenizers.get(key)?.local.dispose();
    this.#tokenizers.set(key, { ...entry, vocabSize, format, size: bytes.length, local: local.tokenizer });
    if (![...$('model-select').options].some((option) => option.value === key)) {
      $('model-select').append(new Option(entry.name, key));
    }
    drawCompareChoices(this.#tokenizers, this.#current, () => this.update());
    return vocabSize;
  }

  /** Ticks (or clears) `key` among the tokenizers compared side by side. */
  setCompared(key, on) {
    const box = [...document.querySelectorAll('#compare-choices input')].find((c) => c.value === key);
    if (box && box.checked !== on) {
      box.checked = on;
      this.update();
    }
  }

  /** The loaded tokenizer `key` as a packed file. */
  pack(key) { return this.#worker.call('pack', { key }); }

  select(key) {
    this.#current = key;
    $('model-select').value = key;
    const entry = this.#tokenizers.get(key);
    $('model-info').textContent = entry.info ?? `${entry.name}: ${number(entry.vocabSize)} ids (${entry.format}).`;
    drawCompareChoices(this.#tokenizers, this.#current, () => this.update());
    this.update();
  }

  /** Re-encodes after any change; `event` (an input event) times the keystroke. */
  update(event) {
    if (!this.#worker || !this.#current) return;
    this.#revision += 1;
    this.#inputAt = event?.timeStamp ?? performance.now();
    $('text-backdrop').replaceChildren();  // a mark would sit on the old text
    $('tokens').setAttribute('aria-busy', 'true');
    if (!this.#inFlight) this.#send();
  }

  #settings() {
    const sampling = $('sample').checked;
    const alpha = Number($('alpha').value);
    const seed = readInteger($('seed'), 0, MAX_SEED);
    showFieldError($('seed'), $('seed-error'), seed === null
      ? `The seed must be a whole number from 0 to ${number(MAX_SEED)} (2^32 - 1). The tokens below still use seed ${this.#seed}.`
      : null);
    if (seed !== null) this.#seed = seed;
    return { sampling, alpha, seed, seedValid: seed !== null };
  }

  #measure() {
    if (this.#metrics) return this.#metrics;
    const box = $('tokens');
    const probe = document.createElement('span');
    probe.className = 'token';
    probe.style.visibility = 'hidden';
    probe.style.position = 'absolute';
    probe.innerHTML = '<span class="piece">0000000000</span>';
    box.append(probe);
    const cell = probe.firstChild.getBoundingClientRect().width / 10 || 9;
    const chip = probe.getBoundingClientRect().width + 2 /* margins */ - 10 * cell;
    probe.remove();
    this.#metrics = { cell, padCells: chip / cell + 0.3 };
    return this.#metrics;
  }

  #layoutOptions() {
    const box = $('tokens');
    const { cell, padCells } = this.#measure();
    const style = getComputedStyle(box);
    const inner = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return {
      columns: Math.max(8, inner / cell - 1), padCells,
      idScale: $('show-ids').checked ? 0.7 : 0,
    };
  }

  #rowHeight() { return parseFloat(getComputedStyle($('tokens')).getPropertyValue('--row-height')) || 40; }

  async #send() {
    this.#inFlight = true;
    const revision = this.#revision;
    const settings = this.#settings();
    const text = $('text').value;
    // Measured once per size: reading it here would force the browser to lay out the text first.
    this.#layout ??= this.#layoutOptions();
    const layout = this.#layout;
    const layoutKey = JSON.stringify(layout);
    const key = this.#current;
    const compare = [...document.querySelectorAll('#compare-choices input:checked')].map((c) => c.value);
    const previous = this.#encoding;
    const plan = !settings.sampling && compare.length === 0 && previous && !previous.normalized
      && formatNamed(this.#tokenizers.get(key).format).chunked
      && !previous.sampled && previous.key === key && previous.layoutKey === layoutKey
      ? planEdit(previous, text) : null;
    let result = null;
    let error = null;
    const sent = performance.now();
    try {
      if (plan && plan.region.length <= LOCAL_REGION) {
        result = this.#encodeLocally(plan.region, key, layout);  // no await: this very task
      } else {
        result = plan
          ? await this.#worker.call('encodeRegion', { region: plan.region, key, layout })
          : await this.#worker.call('encode', {
          text, key, layout, compare,
          sampling: settings.sampling ? { alpha: settings.alpha, seed: this.#seed } : null,
          });
      }
    } catch (e) {
      error = e;
    }
    this.#inFlight = false;
    const answered = performance.now();
    // Every answer is kept, a stale one too: the next edit builds on it.
    if (result) {
      const arrays = plan ? applyEdit(previous, plan, result.edit) : result.whole;
      this.#encoding = {
        ...arrays, text, key, layoutKey, normalized: result.normalized, sampled: settings.sampling,
      };
    }
    const received = performance.now();
    if (revision !== this.#revision) {  // the text changed meanwhile: this answer is stale
      this.#send();
      return;
    }
    if (error) {
      $('tokens-note').hidden = false;
      $('tokens-note').textContent = `Could not encode this text: ${error.message}`;
    } else {
      this.#layoutKey = layoutKey;
      this.#show({ ...this.#encoding, ...result, text }, settings);
    }
    $('tokens').setAttribute('aria-busy', 'false');
    // For the benchmark in tests/browser: where a keystroke's time went.
    const done = performance.now();
    Object.assign(document.body.dataset, {
      keystrokeToRenderMs: (done - this.#inputAt).toFixed(1),
      renderPhases: `input to request ${(sent - this.#inputAt).toFixed(1)} ms, ${result?.local ? 'on the page' : 'worker'} ${result?.encodeMs.toFixed(1)} ms`
        + ` (${plan ? plan.region.length : text.length} characters encoded), messages ${(answered - sent - (result?.encodeMs ?? 0)).toFixed(1)} ms, splice ${(received - answered).toFixed(1)} ms, draw ${(done - received).toFixed(1)} ms`,
    });
  }

  // A small region of an edit, encoded here (the worker's encodeRegion).
  #encodeLocally(region, key, layout) {
    const start = performance.now();
    const bytes = utf8.encode(region);
    const encoding = this.#tokenizers.get(key).local.encodeWithOffsets(bytes);
    const [ids, offsets] = [encoding.ids.slice(), encoding.offsets.slice()];  // pooled views
    const edit = { bytes, ids, offsets, ...layoutTokens(bytes, ids, offsets, layout) };
    return { edit, normalized: false, encodeMs: performance.now() - start, compared: [], local: true };
  }

  #show(result, settings) {
    this.#view.show(result, this.#rowHeight());
    const { ids, bytes, chars } = result;
    $('tokens-note').hidden = !result.normalized;
    $('tokens-note').textContent = 'The text is not in Unicode NFC: it is tokenized as its NFC form, and the links between tokens and text are off.';
    $('stat-chars').textContent = number(chars);
    $('stat-tokens').textContent = number(ids.length);
    $('stat-bytes').textContent = number(bytes.length);
    $('stat-ratio').textContent = ids.length ? (bytes.length / ids.length).toFixed(2) : '–';
    const ms = result.encodeMs;
    // Browsers coarsen timers (0.1 ms or coarser): say so rather than "0.00 ms".
    $('stat-ms').textContent = ms < 0.1 ? '< 0.1 ms' : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
    $('stat-ms').title = result.edit
      ? `After an edit only the lines it touched are encoded: here ${number(result.edit.bytes.length)} bytes.`
      : 'The whole text, in a worker.';
    if ($('ids-details').open) $('ids').value = ids.join(',');
    $('token-info').textContent = '';
    drawComparison(this.#tokenizers, this.#current, result, result.compared);

    const { text } = result;
    const current = this.#tokenizers.get(this.#current);
    if (settings.sampling && !settings.seedValid) {
      $('cli-command').textContent = '(fix the seed above to see the command)';
    } else {
      const input = text.length <= 200 ? `printf '%s' ${shellQuote(text)} | ` : '';
      const file = text.length <= 200 ? '' : ' text.txt';
      const options = settings.sampling ? ` --alpha ${settings.alpha} --seed ${settings.seed}` : '';
      $('cli-command').textContent = `${input}edgepiece encode --model ${current.path}${options}${file}`;
    }
  }

  // Redraws the rows for a new width or the ids toggled (no re-encode).
  #relayout() {
    const result = this.#view.result;
    if (!result) return;
    const layout = this.#layoutOptions();
    this.#layout = layout;
    if (JSON.stringify(layout) === this.#layoutKey) return;
    this.#layoutKey = JSON.stringify(layout);
    const placed = layoutTokens(result.bytes, result.ids, result.offsets, layout);
    Object.assign(result, placed);
    // The kept encoding takes the new rows too, so the next edit still re-encodes only its chunks.
    if (this.#encoding?.ids === result.ids) Object.assign(this.#encoding, placed, { layoutKey: this.#layoutKey });
    this.#view.show(result, this.#rowHeight());
  }

  // ---- tokens <-> text ----

  #selectInText(g) {
    const result = this.#view.result;
    if (!result || result.normalized || result.text !== $('text').value) return;
    const text = $('text');
    text.focus();
    text.setSelectionRange(result.groupUnits[g], result.groupUnits[g + 1]);
    this.#describe(g, true);
  }

  #highlightText(g) {
    const result = this.#view.result;
    const backdrop = $('text-backdrop');
    if (g === null || !result || result.normalized || result.text !== $('text').value
        || result.text.length > LINK_HIGHLIGHT_LIMIT) {
      backdrop.replaceChildren();
      return;
    }
    const [start, end] = [result.groupUnits[g], result.groupUnits[g + 1]];
    const mark = document.createElement('mark');
    mark.textContent = result.text.slice(start, end);
    // A trailing newline would not give the last line its height.
    backdrop.replaceChildren(result.text.slice(0, start), mark, `${result.text.slice(end)}\n`);
    backdrop.scrollTop = $('text').scrollTop;
  }

  #describe(g, announce) {
    const result = this.#view.result;
    if (!result) return;
    this.#highlightText(g);
    const [first, last] = this.#view.tokensOf(g);
    const ids = Array.from(result.ids.subarray(first, last + 1)).join(', ');
    const chars = `characters ${number(result.groupUnits[g])}–${number(result.groupUnits[g + 1])}`;
    const what = first === last ? `Token ${number(first + 1)}: id ${ids}` : `Tokens ${number(first + 1)}–${number(last + 1)} (bytes of one character): ids ${ids}`;
    const info = $('token-info');
    info.setAttribute('aria-live', announce ? 'polite' : 'off');
    info.textContent = `${what}, ${chars} of the text.`;
  }

  // The caret or selection in the text marks the tokens it touches.
  #linkFromText() {
    const result = this.#view.result;
    const text = $('text');
    if (!result || result.normalized || result.text !== text.value) return;
    const groups = this.#view.linkSelection(text.selectionStart, text.selectionEnd);
    if (!groups) return;
    const [first] = this.#view.tokensOf(groups[0]);
    const [, last] = this.#view.tokensOf(groups[1]);
    $('token-info').setAttribute('aria-live', 'off');
    $('token-info').textContent = first === last
      ? `The caret is in token ${number(first + 1)} (id ${result.ids[first]}).`
      : `The selection touches tokens ${number(first + 1)}–${number(last + 1)}.`;
  }

  // ---- files ----

  async loadUserFile(file) {
    const error = $('model-error');
    error.hidden = true;
    const start = performance.now();
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const key = `user:${file.name}:${file.size}:${file.lastModified}`;
      const vocabSize = await this.add(key, bytes, {
        name: `${file.name} (your file)`,
        path: shellQuote(file.name).replace(/^'([\w.-]+)'$/, '$1'),
      });
      this.#tokenizers.get(key).info = `${file.name}: ${number(vocabSize)} ids, ${formatBytes(bytes.length)}, loaded in ${(performance.now() - start).toFixed(0)} ms.`;
      this.select(key);
    } catch (e) {
      error.textContent = `Could not load "${file.name}" as a tokenizer file: ${e.message}. The previous tokenizer is still in use.`;
      error.hidden = false;
    }
  }

  // ---- wiring ----

  #wire() {
    const text = $('text');
    text.addEventListener('input', (event) => this.update(event));
    $('sample').addEventListener('change', () => this.update());
    // Moving the alpha slider or editing the seed means "show me sampling".
    for (const id of ['alpha', 'seed']) {
      $(id).addEventListener('input', (event) => {
        $('sample').checked = true;
        $('alpha-value').value = Number($('alpha').value).toFixed(2);
        this.update(event);
      });
    }
    $('reseed').addEventListener('click', () => {
      $('seed').value = String(Math.floor(Math.random() * 1e6));
      $('sample').checked = true;
      this.update();
    });
    for (const button of document.querySelectorAll('[data-example]')) {
      button.addEventListener('click', () => {
        text.value = EXAMPLES[button.dataset.example];
        this.update();
      });
    }
    $('show-ids').addEventListener('change', () => {
      $('tokens').classList.toggle('show-ids', $('show-ids').checked);
      this.#relayout();
    });
    new ResizeObserver(() => this.#relayout()).observe($('tokens'));
    $('ids-details').addEventListener('toggle', () => {
      const result = this.#view.result;
      // Closed, the ids are not kept up to date: emptied, so that opening never shows old ones.
      if (!$('ids-details').open) $('ids').value = '';
      else if (result) $('ids').value = result.ids.join(',');
    });
    $('model-select').addEventListener('change', () => this.select($('model-select').value));
    $('model-file').addEventListener('change', () => {
      const [file] = $('model-file').files;
      if (file) this.loadUserFile(file);
      $('model-file').value = '';
    });
    const card = $('tokenizer-playground');
    card.addEventListener('dragover', (event) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    });
    card.addEventListener('drop', (event) => {
      const [file] = event.dataTransfer?.files ?? [];
      if (!file) return;
      event.preventDefault();
      this.loadUserFile(file);
    });
    document.addEventListener('selectionchange', () => {
      if (document.activeElement === text) this.#linkFromText();
    });
    text.addEventListener('scroll', () => { $('text-backdrop').scrollTop = text.scrollTop; });
    $('tokens').addEventListener('mouseleave', () => this.#highlightText(null));
    $('share').addEventListener('click', () => this.#shareLink());
  }

  readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.has('text')) $('text').value = params.get('text');
    if (params.has('alpha')) $('alpha').value = params.get('alpha');
    if (params.has('seed')) $('seed').value = params.get('seed');
    $('sample').checked = params.get('sample') === '1';
    $('alpha-value').value = Number($('alpha').value).toFixed(2);
  }

  #shareLink() {
    const params = new URLSearchParams({ text: $('text').value });
    if ($('sample').checked) {
      params.set('sample', '1');
      params.set('alpha', $('alpha').value);
      params.set('seed', $('seed').value);
    }
    const url = new URL(location.href);
    url.hash = params.toString();
    history.replaceState(null, '', url);
    const done = (message) => { $('share-status').textContent = message; };
    navigator.clipboard?.writeText(url.href).then(() => done('Link copied.'), () => done('Link is in the address bar.'))
      ?? done('Link is in the address bar.');
  }
}
