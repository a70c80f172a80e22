// Browser tests of the tokenizer playground's newer parts in headless
// Chromium: keystroke-to-render time on large texts (a benchmark line, with
// a generous bound), the virtualized token view, tokens and text linked both
// ways, byte tokens grouped into characters, input errors with messages,
// side-by-side counts, axe-core's accessibility rules, and screenshots.
//   (cd tests/browser && npm ci) && node --test tests/browser/playground.test.mjs
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifacts, cli, cliIds, openDemo, root, tokenizerModel } from './support/demo-server.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// Mixed English, Chinese and emoji, cut to `size` UTF-16 units at a character boundary.
function corpus(size) {
  const line = 'In the beginning God created the heaven and the earth. 天行健，君子以自强不息。 😀 ';
  let text = '';
  for (let i = 0; text.length < size; ++i) text += `${i}: ${line}${i % 3 ? '' : '\n'}`;
  text = text.slice(0, size);
  return /[\uD800-\uDBFF]$/.test(text) ? text.slice(0, -1) : text;
}

describe('tokenizer playground in Chromium', { timeout: 600_000 }, () => {
  let server;
  let browser;
  let page;
  const errors = [];

  const settle = () => page.waitForSelector('#tokens[aria-busy="false"]');
  async function setText(text) {
    // One input event for the whole text (fill() of a megabyte types it slowly).
    await page.$eval('#text', (area, value) => {
      area.value = value;
      area.dispatchEvent(new Event('input', { bubbles: true }));
    }, text);
    await settle();
  }
  const stat = async (id) => Number((await page.textContent(`#stat-${id}`)).replaceAll(',', ''));

  before(async () => {
    ({ server, browser, page } = await openDemo({ errors }));
    await page.waitForSelector('body[data-tokenizer-ready="true"]', { timeout: 60_000 });
    await settle();
  });

  after(async () => {
    await browser?.close();
    server?.process.kill();
  });

  test('keystroke to render at 1 KB, 100 KB and 1 MB, counts exact, only visible rows drawn', async (t) => {
    const lines = [];
    // For scale: when the browser shows the keystroke itself (the frame after the input event).
    await page.$eval('#text', (area) => area.addEventListener('input', (event) => {
      requestAnimationFrame(() => requestAnimationFrame(() => {
        document.body.dataset.frameAfterInputMs = (performance.now() - event.timeStamp).toFixed(1);
      }));
    }));
    for (const [name, size] of [['1 KB', 1_000], ['100 KB', 100_000], ['1 MB', 1_000_000]]) {
      const text = corpus(size);
      await setText(text);
      await page.focus('#text');
      await page.$eval('#text', (area) => area.setSelectionRange(area.value.length, area.value.length));
      const runs = [];
      for (let i = 0; i < 5; ++i) {
        await page.evaluate(() => { delete document.body.dataset.frameAfterInputMs; });
        await page.keyboard.type(i % 2 ? 'y' : 'x');
        await settle();
        await page.waitForFunction(() => document.body.dataset.frameAfterInputMs !== undefined);
        runs.push(await page.evaluate(() => {
          const { keystrokeToRenderMs, renderPhases, frameAfterInputMs } = document.body.dataset;
          return { ms: Number(keystrokeToRenderMs), phases: `${renderPhases}; the textarea's own next frame ${frameAfterInputMs} ms` };
        }));
      }
      runs.sort((a, b) => a.ms - b.ms);
      const median = runs[2].ms;
      lines.push(`${name}: keystroke to render ${median.toFixed(1)} ms (median of 5; min ${runs[0].ms.toFixed(1)}, max ${runs[4].ms.toFixed(1)}; median run: ${runs[2].phases})`);
      // A regression bound far above the goal (< 100 ms): no timing flake on a busy machine.
      assert.ok(median < 1000, `${name}: ${median} ms`);
      // The counts are the whole text's, exactly.
      const typed = `${text}xyxyx`;
      const expected = cliIds(typed);
      assert.equal(await stat('tokens'), expected.length, name);
      assert.equal(await stat('bytes'), Buffer.byteLength(typed));
      assert.equal(await stat('chars'), [...typed].length);
      // Only the rows on screen (and a few more) are in the DOM.
      const chips = await page.$$eval('#tokens .token', (c) => c.length);
      assert.ok(chips > 0 && chips < 1500, `${chips} chips drawn`);
    }
    lines.push(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    for (const line of lines) t.diagnostic(line);
  });

  test('an edit re-encodes only its chunks: the same ids, counts and rows as a whole encoding', async () => {
    const rowsNear = (index) => page.evaluate((at) => {
      const area = document.querySelector('#text');
      area.focus();
      area.setSelectionRange(at, at);  // scrolls the token view to the caret's token
      return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(
        [...document.querySelectorAll('#tokens .token-row')].map((row) => `${row.style.top}:${
          [...row.querySelectorAll('[data-token-id]')].map((s) => s.dataset.tokenId).join(',')}`)))));
    }, index);
    let text = corpus(30_000);
    await setText(text);
    const middle = text.indexOf('\n', 15_000) + 1;
    const edits = [
      (t) => `${t.slice(0, middle)}Typed here 天地 😀${t.slice(middle)}`,  // into a line
      (t) => `${t.slice(0, middle)}\n\n${t.slice(middle)}`,  // a newline run grows
      (t) => `${t.slice(0, middle - 1)}${t.slice(middle + 2)}`,  // two lines joined
      (t) => `${t.slice(0, 10)}${t.slice(200)}`,  // a cut across lines near the start
      (t) => `${t}\nand one more line`,  // at the end
      (t) => `x${t}`,  // at the start
    ];
    await page.click('#ids-details summary');
    for (const edit of edits) {
      text = edit(text);
      await setText(text);
      assert.deepEqual((await page.inputValue('#ids')).split(',').map(Number), cliIds(text));
      assert.equal(await stat('chars'), [...text].length);
      assert.equal(await stat('bytes'), Buffer.byteLength(text));
    }
    // The rows near the edit equal those of a layout from scratch (the ids toggled twice).
    const spliced = await rowsNear(middle);
    await page.click('#show-ids');
    await page.click('#show-ids');
    assert.deepEqual(await rowsNear(middle), spliced);
    // An edit after the new layout builds on it.
    text = `${text.slice(0, middle)}again 地${text.slice(middle)}`;
    await setText(text);
    assert.deepEqual((await page.inputValue('#ids')).split(',').map(Number), cliIds(text));
    assert.match(await page.getAttribute('#stat-ms', 'title'), /only the lines it touched/);
    const edited = await rowsNear(middle);
    await page.click('#show-ids');
    await page.click('#show-ids');
    assert.deepEqual(await rowsNear(middle), edited);
    await page.click('#ids-details summary');
  });

  test('scrolling the token view draws the rows it reaches; no row overflows', async () => {
    const text = corpus(20_000);
    await setText(text);
    const expected = cliIds(text);
    await page.$eval('#tokens', (box) => { box.scrollTop = box.scrollHeight; });
    await page.waitForFunction(() => document.querySelectorAll('#tokens .token-row').length > 0);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const lastIds = await page.$$eval('#tokens .token-row:last-child [data-token-id]', (spans) => spans.map((s) => Number(s.dataset.tokenId)));
    assert.ok(lastIds.length > 0);
    assert.deepEqual(lastIds, expected.slice(-lastIds.length));
    for (const width of [1100, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const overflowing = await page.$$eval('#tokens .token-row', (rows) => rows.filter((r) => r.scrollWidth > r.clientWidth + 1).length);
      assert.equal(overflowing, 0, `rows overflow at ${width} px`);
    }
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  test('byte tokens of one character are one chip with that character and all their ids', async () => {
    const text = '健康 😀';
    await setText(text);
    const expected = cliIds(text);
    const chips = await page.$$eval('#tokens .token', (spans) => spans.map((s) => ({
      piece: s.querySelector('.piece').textContent,
      ids: [...s.querySelectorAll('[data-token-id]')].map((i) => Number(i.dataset.tokenId)),
      group: s.classList.contains('group'),
    })));
    assert.deepEqual(chips.flatMap((c) => c.ids), expected);
    assert.equal(chips.map((c) => c.piece).join(''), '健康␣😀');
    const jian = chips.find((c) => c.piece === '健');
    assert.ok(jian?.group && jian.ids.length === 3, JSON.stringify(chips));  // <0xE5><0x81><0xA5>
    assert.ok(chips.every((c) => !/<0x/.test(c.piece)), 'no hex label left');
  });

  test('tokens and text linked both ways, by pointer and by keyboard', async () => {
    const text = 'And God said, Let there be light: and there was light.';
    await setText(text);
    // Hover: the backdrop marks the token's span of the text.
    const chip = page.locator('#tokens .token').nth(2);
    await chip.hover();
    const piece = (await chip.locator('.piece').textContent()).replaceAll('␣', ' ');
    assert.equal(await page.textContent('#text-backdrop mark'), piece);
    // Click: the token's span is selected in the text.
    await chip.click();
    const selected = await page.$eval('#text', (a) => a.value.slice(a.selectionStart, a.selectionEnd));
    assert.equal(selected, piece);
    // Caret in the text: the token around it is marked, and its id described.
    const at = text.indexOf('light');
    await page.$eval('#text', (a, i) => { a.focus(); a.setSelectionRange(i + 2, i + 2); }, at);
    await page.waitForFunction(() => document.querySelectorAll('#tokens .token.linked').length > 0);
    const linked = await page.$$eval('#tokens .token.linked .piece', (s) => s.map((x) => x.textContent));
    assert.ok(linked.length === 1 && linked[0].includes('li'), linked.join('|'));
    // A selection marks every token it touches.
    await page.$eval('#text', (a) => a.setSelectionRange(0, a.value.indexOf(',')));
    await page.waitForFunction(() => document.querySelectorAll('#tokens .token.linked').length > 1);
    const span = await page.$$eval('#tokens .token.linked .piece', (s) => s.map((x) => x.textContent).join(''));
    assert.equal(span.replaceAll('␣', ' '), 'And God said');
    // Keyboard only: Tab into the view, arrows move, Enter selects the text.
    await page.focus('#tokens');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.match(await page.textContent('#token-info'), /^Token 3: id \d+/);
    await page.keyboard.press('Enter');
    const picked = await page.$eval('#text', (a) => a.value.slice(a.selectionStart, a.selectionEnd));
    assert.equal(picked, piece);
  });

  test('every input error says what is accepted; the command never shows a wrong value', async () => {
    await setText('In the beginning');
    await page.fill('#seed', '99999999999');
    await settle();
    assert.equal(await page.getAttribute('#seed', 'aria-invalid'), 'true');
    assert.equal(await page.isVisible('#seed-error'), true);
    assert.match(await page.textContent('#seed-error'), /whole number from 0 to 4,294,967,295/);
    assert.equal(await page.getAttribute('#seed', 'aria-describedby'), 'seed-error');
    const command = await page.textContent('#cli-command');
    assert.doesNotMatch(command, /--seed/);
    assert.match(command, /fix the seed/);
    await page.fill('#seed', '12');
    await settle();
    assert.equal(await page.isHidden('#seed-error'), true);
    assert.match(await page.textContent('#cli-command'), /--seed 12$/);
    for (const [id, value, message] of [
      ['max-tokens', '0', /from 1 to 10,000/], ['max-tokens', '2.5', /whole number/],
      ['gen-seed', '-1', /empty \(random\) or a whole number from 0 to 4,294,967,295/],
    ]) {
      await page.fill(`#${id}`, value);
      assert.equal(await page.isVisible(`#${id}-error`), true, id);
      assert.match(await page.textContent(`#${id}-error`), message);
      assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true');
    }
    await page.fill('#max-tokens', '200');
    await page.fill('#gen-seed', '');
    assert.equal(await page.isHidden('#max-tokens-error'), true);
    assert.equal(await page.isHidden('#gen-seed-error'), true);
    await page.uncheck('#sample');
    await settle();
  });

  test('side by side: another tokenizer encodes the same text, counts compared', async () => {
    await setText('In the beginning God created the heaven and the earth. 天行健');
    assert.equal(await page.isHidden('#compare-table'), true);
    await page.setInputFiles('#model-file', {
      name: 'mine.model', mimeType: 'application/json', buffer: readFileSync(`${root}${tokenizerModel}`),
    });
    await page.waitForFunction(() => document.querySelector('#model-select').value.startsWith('user:'));
    await settle();
    await page.selectOption('#model-select', 'bundled');
    await settle();
    await page.check('#compare-choices input');
    await settle();
    const rows = await page.$$eval('#compare-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    const tokens = String(cliIds('In the beginning God created the heaven and the earth. 天行健').length);
    assert.deepEqual(rows.map((r) => r[1]), [tokens, tokens]);
    assert.match(rows[1][0], /mine\.model/);
    assert.equal(rows[1][3], '+0.0%');
    // A file dropped on the card is offered too.
    await page.evaluate((json) => {
      const data = new DataTransfer();
      data.items.add(new File([json], 'dropped.model', { type: 'application/json' }));
      document.querySelector('#tokenizer-playground').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, readFileSync(`${root}${tokenizerModel}`, 'utf8'));
    await page.waitForFunction(() => document.querySelector('#model-select').selectedOptions[0].text.startsWith('dropped.model'));
    await settle();
    await page.selectOption('#model-select', 'bundled');
    await settle();
    // Each tokenizer's first tokens, one strip each.
    const strips = await page.$$eval('#compare-previews .preview', (all) => all.map((p) => [...p.querySelectorAll('.token')].map((t) => t.title)));
    assert.equal(strips.length, 2);
    assert.deepEqual(strips[0], strips[1]);
    assert.deepEqual(strips[0].slice(0, 3), cliIds('In the beginning God created the heaven and the earth. 天行健').slice(0, 3).map((id) => `id ${id}`));
    // 健 is three byte tokens: one chip.
    assert.match(strips[0].at(-1), /^id \d+ \+ \d+ \+ \d+$/);
  });

  // A small SentencePiece .model made here (skipped without spm_train, as
  // tests/wasm/sentencepiece.test.mjs). Its dummy prefix makes a line encoded alone (the
  // playground's edit path for BytePiece) start with an extra '▁'.
  const hasSpmTrain = spawnSync('spm_train', ['--help']).error === undefined;
  test('side by side and shown: a SentencePiece .model picked or dropped gives edgepiece encode\'s tokens', {
    skip: hasSpmTrain ? false : 'spm_train is not installed',
  }, async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'edgepiece-spm-'));
    try {
      writeFileSync(path.join(work, 'corpus.txt'), Array.from({ length: 300 }, (_, i) => `${i}: ${corpus(200)}`).join('\n'));
      const trained = spawnSync('spm_train', [
        `--input=${path.join(work, 'corpus.txt')}`, `--model_prefix=${path.join(work, 'small')}`,
        '--vocab_size=300', '--character_coverage=1.0',
        '--hard_vocab_limit=false', '--minloglevel=2',
      ], { encoding: 'utf8' });
      assert.equal(trained.status, 0, trained.stderr);
      const modelPath = path.join(work, 'small.model');
      const modelBytes = readFileSync(modelPath);
      const text = 'In the beginning  God created\nthe heaven and the earth.\n天行健 😀 Ｈｅｌｌｏ';
      await setText(text);
      await page.setInputFiles('#model-file', { name: 'spm.model', mimeType: 'application/octet-stream', buffer: modelBytes });
      await page.waitForFunction(() => document.querySelector('#model-select').selectedOptions[0].text.startsWith('spm.model'));
      await settle();
      const shownIds = () => page.$$eval('#tokens [data-token-id]', (all) => all.map((s) => Number(s.dataset.tokenId)));
      assert.match(await page.textContent('#model-info'), /spm\.model/);
      assert.deepEqual(await shownIds(), cliIds(text, [], modelPath));
      assert.equal(await stat('tokens'), cliIds(text, [], modelPath).length);
      // An edit on a later line: the whole text is encoded again, not only that line.
      await page.focus('#text');
      await page.$eval('#text', (area) => area.setSelectionRange(area.value.length, area.value.length));
      await page.keyboard.type(' x');
      await settle();
      assert.deepEqual(await shownIds(), cliIds(`${text} x`, [], modelPath));
      // Side by side with the bundled tokenizer (shown): each count is that tokenizer's.
      await page.selectOption('#model-select', 'bundled');
      await settle();
      const boxes = await page.$$eval('#compare-choices input', (all) => all.map((c) => c.value));
      const mine = boxes.find((key) => key.startsWith('user:spm.model'));
      await page.check(`#compare-choices input[value="${mine}"]`);
      await settle();
      const rows = await page.$$eval('#compare-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
      assert.equal(rows[0][1], String(cliIds(`${text} x`).length));
      const spmRow = rows.find((row) => /^spm\.model/.test(row[0]));
      assert.equal(spmRow?.[1], String(cliIds(`${text} x`, [], modelPath).length), JSON.stringify(rows));
      await page.uncheck(`#compare-choices input[value="${mine}"]`);
      await settle();
      // A .model dropped on the card is shown too.
      await page.evaluate((bytes) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], 'spm2.model'));
        document.querySelector('#tokenizer-playground').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      }, [...modelBytes]);
      await page.waitForFunction(() => document.querySelector('#model-select').selectedOptions[0].text.startsWith('spm2.model'));
      await settle();
      assert.equal(await stat('tokens'), cliIds(`${text} x`, [], modelPath).length);
      await page.selectOption('#model-select', 'bundled');
      await settle();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('training in the page gives the CLI\'s model bytes, tokenizes at once, downloads both forms', async () => {
    const corpusText = Array.from({ length: 60 }, (_, i) => `${i}: ${corpus(400)}`).join('\n');
    await page.fill('#train-text', corpusText);
    // Every field says what it accepts.
    await page.fill('#train-vocab', '100');
    assert.match(await page.textContent('#train-vocab-error'), /Vocabulary size must be a whole number from 259 to 1,000,000/);
    assert.match(await page.textContent('#train-command'), /fix the fields/);
    await page.click('#train');
    assert.match(await page.textContent('#train-status'), /Fix the fields/);
    await page.fill('#train-vocab', '400');
    await page.fill('#train-order', '4');
    assert.equal(await page.isHidden('#train-vocab-error'), true);
    assert.equal(await page.textContent('#train-command'),
      'edgepiece train --vocab-size 400 --order 4 --min-count 2 --max-piece-length 36 --output trained.model text.txt');
    await page.click('#train');
    await page.waitForFunction(() => /^Trained /.test(document.querySelector('#train-status').textContent), null, { timeout: 120_000 });
    assert.equal(await page.$eval('#train-progress', (p) => p.value), 1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    const pageModel = readFileSync(await download.path());
    const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-demo-train-'));
    try {
      writeFileSync(`${dir}/text.txt`, corpusText);
      const run = spawnSync(cli, ['train', '--quiet', '--vocab-size', '400', '--order', '4', '--output', `${dir}/trained.model`, `${dir}/text.txt`]);
      assert.equal(run.status, 0, String(run.stderr));
      const cliModel = readFileSync(`${dir}/trained.model`);
      assert.ok(pageModel.equals(cliModel), `page model ${pageModel.length} bytes, CLI ${cliModel.length}`);
      // The trained tokenizer is the shown one, compared with the bundled one.
      assert.match(await page.$eval('#model-select', (s) => s.selectedOptions[0].text), /trained-1\.model/);
      const sample = 'In the beginning 天行健 😀';
      // Opened first, so that the text's encoding writes the ids (the toggle event that
      // fills them on opening comes a task after the click).
      await page.click('#ids-details summary');
      await setText(sample);
      assert.deepEqual((await page.inputValue('#ids')).split(',').map(Number), cliIds(sample, [], `${dir}/trained.model`));
      await page.click('#ids-details summary');
      const rows = await page.$$eval('#compare-table tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
      assert.ok(rows.some((r) => r.includes('kjvzh-8k')), rows.join('|'));
      // The packed form loads to the same ids.
      const [packed] = await Promise.all([page.waitForEvent('download'), page.click('#download-packed')]);
      writeFileSync(`${dir}/trained.bpk`, readFileSync(await packed.path()));
      assert.deepEqual(cliIds(sample, [], `${dir}/trained.bpk`), cliIds(sample, [], `${dir}/trained.model`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await page.selectOption('#model-select', 'bundled');
    await settle();
    // A file that is not UTF-8 says so and is left out.
    await page.setInputFiles('#train-files', { name: 'latin1.txt', mimeType: 'text/plain', buffer: Buffer.from([0x63, 0x61, 0x66, 0xe9]) });
    await page.waitForSelector('#train-files-error:not([hidden])');
    assert.match(await page.textContent('#train-files-error'), /"latin1\.txt" is not UTF-8 text/);
    assert.equal(await page.textContent('#train-files-info'), '');
    // Stop ends a long training run; Train works again after it.
    const big = Buffer.from(Array.from({ length: 4000 }, (_, i) => `${i} ${corpus(2000)}`).join('\n'));
    await page.setInputFiles('#train-files', { name: 'big.txt', mimeType: 'text/plain', buffer: big });
    await page.waitForFunction(() => /big\.txt/.test(document.querySelector('#train-files-info').textContent));
    await page.click('#train');
    await page.waitForFunction(() => /^Training/.test(document.querySelector('#train-status').textContent));
    await page.click('#train-stop');
    await page.waitForFunction(() => document.querySelector('#train-status').textContent === 'Training stopped.');
    assert.equal(await page.isEnabled('#train'), true);
    assert.equal(await page.isDisabled('#train-stop'), true);
    await page.click('#train-clear-files');
    assert.equal(await page.textContent('#train-files-info'), '');
  });

  test('keyboard only: Tab reaches every enabled control', async () => {
    await page.waitForSelector('body[data-model-ready="true"]', { timeout: 120_000 });
    const controls = await page.$$eval('input, select, textarea, button, summary, a[href], [tabindex="0"]',
      (all) => all.filter((c) => !c.disabled && c.checkVisibility()).map((c) => c.id || c.textContent.trim()));
    await page.focus('body');
    const reached = [];
    for (let i = 0; i < controls.length + 5; ++i) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
    }
    const missing = controls.filter((c) => !reached.includes(c));
    assert.deepEqual(missing, []);
    await page.focus('#text');
  });

  test('axe-core finds no accessibility violations', async () => {
    await page.addScriptTag({ content: readFileSync(axePath, 'utf8') });
    await page.waitForSelector('body[data-model-ready="true"]', { timeout: 120_000 });
    await setText('In the beginning 健康 😀');
    const check = () => page.evaluate(async () => {
      const result = await window.axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    });
    assert.deepEqual(await check(), []);
    // The dark scheme's colours too (contrast).
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      assert.deepEqual(await check(), []);
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  test('screenshots at desktop and phone width', async () => {
    await setText('In the beginning God created the heaven and the earth.\n天行健，君子以自强不息。 😀 👍🏽');
    await page.locator('#tokens .token').nth(3).hover();
    await page.screenshot({ path: `${artifacts}/playground-desktop.png`, fullPage: true });
    await page.setViewportSize({ width: 360, height: 800 });
    await settle();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow} px wider than a 360 px screen`);
    await page.screenshot({ path: `${artifacts}/playground-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1100, height: 900 });
    assert.deepEqual(errors, []);
  });
});
