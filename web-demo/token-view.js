// The virtualized token view: a scroll box of fixed-height rows (laid out
// by token-layout.js) of which only those on screen, plus a few, are in the
// DOM, so a megabyte of text draws as fast as a line. A chip is a group:
// one token, or the byte tokens that together make one character, shown
// with that character and all their ids. Hover shows a token; a click,
// Enter or Space links it to its span in the text (onPick); the arrow keys
// move between tokens.
import { groupsOfSelection, lastAtMost } from './token-layout.js';
import { pieceLabel } from './pieces.js';

const PALETTE_SIZE = 10;  // .c0 ... .c9 in style.css
const OVERSCAN = 4;  // rows drawn above and below the visible ones

export class TokenView {
  #box;
  #rows;  // the tall inner element the rows are placed in
  #result = null;
  #rowHeight = 40;
  #active = -1;  // the group the keyboard or a click is on
  #linked = null;  // [first, last] groups linked to the text selection
  #drawn = [-1, -1];
  #onPick;
  #onActive;

  /** `box`: the scroll container; onPick(group) links a group to the text; onActive(group) describes it. */
  constructor(box, { onPick, onActive }) {
    this.#box = box;
    this.#onPick = onPick;
    this.#onActive = onActive;
    this.#rows = document.createElement('div');
    this.#rows.className = 'token-rows';
    box.replaceChildren(this.#rows);
    box.addEventListener('scroll', () => this.#draw(false), { passive: true });
    box.addEventListener('click', (event) => {
      const chip = event.target.closest('[data-group]');
      if (!chip) return;
      this.setActive(Number(chip.dataset.group));
      this.#onPick(this.#active);
    });
    box.addEventListener('mouseover', (event) => {
      const chip = event.target.closest('[data-group]');
      if (chip) this.#onActive(Number(chip.dataset.group), false);
    });
    box.addEventListener('keydown', (event) => this.#key(event));
    new ResizeObserver(() => this.#draw(false)).observe(box);
  }

  /** The current result (of the tokenize worker), or null. */
  get result() { return this.#result; }
  get active() { return this.#active; }

  /** Shows a new encoding; `rowHeight` in px (the CSS row height). */
  show(result, rowHeight) {
    this.#result = result;
    this.#rowHeight = rowHeight;
    this.#active = Math.min(this.#active, this.groupCount - 1);
    this.#linked = null;
    this.#rows.style.height = `${this.rowCount * rowHeight}px`;
    this.#draw(true);
  }

  get groupCount() { return this.#result ? this.#result.groupStart.length - 1 : 0; }
  get rowCount() { return this.#result ? this.#result.rowStart.length - 1 : 0; }

  /** Token range [first, last] of group g. */
  tokensOf(g) {
    const { groupStart } = this.#result;
    return [groupStart[g], groupStart[g + 1] - 1];
  }

  /** The group holding token t. */
  groupOfToken(t) { return lastAtMost(this.#result.groupStart, t, this.groupCount); }

  /** Marks the groups a text selection [start, end) (UTF-16) touches and scrolls to them. */
  linkSelection(start, end) {
    if (!this.#result) return null;
    this.#linked = groupsOfSelection(this.#result.groupUnits, start, end);
    if (this.#linked) this.scrollToGroup(this.#linked[0]);
    this.#draw(true);
    return this.#linked;
  }

  /** Makes group g the active one (keyboard focus within the view). */
  setActive(g) {
    if (!this.#result || this.groupCount === 0) return;
    this.#active = Math.max(0, Math.min(g, this.groupCount - 1));
    this.scrollToGroup(this.#active);
    this.#draw(true);
    this.#onActive(this.#active, true);
  }

  scrollToGroup(g) {
    const row = lastAtMost(this.#result.rowStart, g, this.rowCount);
    const top = row * this.#rowHeight;
    const box = this.#box;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + this.#rowHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = top + this.#rowHeight - box.clientHeight;
    }
  }

  #key(event) {
    if (!this.#result || this.groupCount === 0) return;
    const rowsPerPage = Math.max(1, Math.floor(this.#box.clientHeight / this.#rowHeight) - 1);
    const { rowStart } = this.#result;
    const at = Math.max(this.#active, 0);
    const row = lastAtMost(rowStart, at, this.rowCount);
    const toRow = (r) => rowStart[Math.max(0, Math.min(r, this.rowCount - 1))];
    const moves = {
      ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: this.groupCount - 1,
      ArrowDown: toRow(row + 1), ArrowUp: toRow(row - 1),
      PageDown: toRow(row + rowsPerPage), PageUp: toRow(row - rowsPerPage),
    };
    if (event.key in moves) {
      event.preventDefault();
      this.setActive(this.#active < 0 ? 0 : moves[event.key]);
    } else if ((event.key === 'Enter' || event.key === ' ') && this.#active >= 0) {
      event.preventDefault();
      this.#onPick(this.#active);
    }
  }

  // Draws the rows on screen (plus OVERSCAN); `force` redraws even if the
  // same rows are already there.
  #draw(force) {
    const result = this.#result;
    if (!result) {
      this.#rows.replaceChildren();
      return;
    }
    const first = Math.max(0, Math.floor(this.#box.scrollTop / this.#rowHeight) - OVERSCAN);
    const visible = Math.ceil(this.#box.clientHeight / this.#rowHeight) + 1;
    const last = Math.min(this.rowCount, first + visible + 2 * OVERSCAN);
    if (!force && first === this.#drawn[0] && last === this.#drawn[1]) return;
    this.#drawn = [first, last];
    const fragment = document.createDocumentFragment();
    for (let r = first; r < last; ++r) {
      const row = document.createElement('div');
      row.className = 'token-row';
      row.style.top = `${r * this.#rowHeight}px`;
      for (let g = result.rowStart[r]; g < result.rowStart[r + 1]; ++g) row.append(this.#chip(g));
      fragment.append(row);
    }
    this.#rows.replaceChildren(fragment);
  }

  #chip(g) {
    const { bytes, ids, offsets, groupStart } = this.#result;
    const [first, last] = [groupStart[g], groupStart[g + 1] - 1];
    const piece = bytes.subarray(offsets[2 * first], offsets[2 * last + 1]);
    const chip = document.createElement('span');
    chip.className = `token c${first % PALETTE_SIZE}`;
    chip.dataset.group = g;
    if (g === this.#active) chip.classList.add('active');
    if (this.#linked && g >= this.#linked[0] && g <= this.#linked[1]) chip.classList.add('linked');
    const label = document.createElement('span');
    label.className = 'piece';
    label.textContent = pieceLabel(piece);
    const idLine = document.createElement('span');
    idLine.className = 'id';
    for (let t = first; t <= last; ++t) {
      const id = document.createElement('span');
      id.dataset.tokenId = ids[t];
      id.textContent = ids[t];
      idLine.append(id);
    }
    if (last > first) {
      chip.classList.add('group');
      const parts = [];
      for (let t = first; t <= last; ++t) {
        parts.push(`${pieceLabel(bytes.subarray(offsets[2 * t], offsets[2 * t + 1]))} (id ${ids[t]})`);
      }
      chip.title = `${last - first + 1} byte tokens make "${label.textContent}": ${parts.join(', ')}`;
    } else {
      chip.title = `id ${ids[first]} · ${piece.length} byte${piece.length === 1 ? '' : 's'}`;
    }
    chip.append(label, idLine);
    return chip;
  }
}
