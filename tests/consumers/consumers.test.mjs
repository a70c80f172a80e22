// The npm package as bundled apps use it, and under a strict Content-Security-Policy:
// `npm pack` of build/wasm/package installed (offline, as a file: dependency) into minimal
// apps that Vite, webpack 5 and esbuild build exactly as the package's README says (no config
// files); each built app is served with the strict policy and run in headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core), where it encodes, generates and
// trains on the main thread and in an EdgepieceWorker (app/src/index.js). Ids, greedy text and
// the trained model file must equal the native CLI's (build/release/native/edgepiece), and no
// policy violation may be reported. The web demo runs under the same policy, and the shipped JS has no eval.
//   (cd tests/consumers && npm ci) && node --test tests/consumers/
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ENGINES, chromiumFlags } from '../browser/support/browsers.mjs';
import { serve } from './serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const packageDir = process.env.EDGEPIECE_PACKAGE_DIR ?? path.join(root, 'build/wasm/package');
const cli = path.join(root, 'build/release/native/edgepiece');
const work = path.join(root, 'build/consumers');
const bin = (name) => path.join(here, 'node_modules/.bin', name);
const TOKENIZER = 'models/kjvzh-8k.model';
const WEIGHTS = 'models/int8/kjvzh-lm-int8.safetensors';
const chromiumPath = ENGINES.chromium.executable;
// Script that may not ship: eval, the Function constructor, string timers.
const DYNAMIC_CODE = /\beval\s*\(|\bnew\s+Function\b|\bFunction\s*\(|\bset(?:Timeout|Interval)\s*\(\s*['"`]/;

// The app's page: its script tag, and the <pre> it writes its results to.
const page = (script) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edgepiece consumer</title>${script}</head>
<body><pre id="result"></pre></body></html>
`;

// Each bundler's build as the README documents it, run in its app folder (cwd), which holds
// src/index.js and node_modules/edgepiece; `html` is written to the app folder before the
// build (Vite reads it as its entry) or into the output folder after it.
const BUNDLERS = {
  vite: {
    build: [bin('vite'), 'build'],
    html: { at: 'index.html', text: page('<script type="module" src="/src/index.js"></script>') },
  },
  webpack: {
    build: [bin('webpack'), '--mode', 'production'],
    html: { at: 'dist/index.html', text: page('<script src="main.js" defer></script>') },
  },
  esbuild: {
    build: [bin('esbuild'), 'src/index.js', 'node_modules/edgepiece/worker.js',
      'node_modules/edgepiece/edgepiece.wasm', 'node_modules/edgepiece/edgepiece-trainer.wasm',
      'node_modules/edgepiece/edgepiece-spm.wasm', '--bundle', '--format=esm', '--loader:.wasm=copy', '--entry-names=[name]', '--outdir=dist'],
    html: { at: 'dist/index.html', text: page('<script type="module" src="index.js"></script>') },
  },
};

function cliOutput(args, input) {
  const result = spawnSync(cli, args, { cwd: root, input, encoding: 'utf8' });
  assert.equal(result.status, 0, `edgepiece ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}
// A .model's ids come space-separated, as spm_encode writes them.
const cliIds = (text, model = TOKENIZER) => cliOutput(['encode', '--model', model], Buffer.from(text)).trim().split(/[ ,]/).map(Number);
const hasSpmTrain = spawnSync('spm_train', ['--help']).error === undefined;
// A small SentencePiece .model trained by spm_train into `dir` (its path), for the apps' `?spm`.
function trainSpm(dir) {
  writeFileSync(path.join(dir, 'spm.txt'), Array.from({ length: 200 },
    (_, i) => `${i}: In the beginning God created the heaven and the earth. 天行健，君子以自强不息。`).join('\n'));
  const trained = spawnSync('spm_train', [`--input=${path.join(dir, 'spm.txt')}`,
    `--model_prefix=${path.join(dir, 'small')}`, '--vocab_size=400', '--character_coverage=1.0',
    '--byte_fallback=true', '--hard_vocab_limit=false', '--minloglevel=2'], { encoding: 'utf8' });
  assert.equal(trained.status, 0, trained.stderr);
  return path.join(dir, 'small.model');
}
// The SHA-256 (hex) of the model file `edgepiece train` writes for `documents`.
function cliTrained(documents, { vocabSize }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-consumers-train-'));
  try {
    writeFileSync(path.join(dir, 'docs.jsonl'), documents.map((text) => JSON.stringify({ text })).join('\n'));
    cliOutput(['train', '--quiet', '--jsonl', '--vocab-size', String(vocabSize),
      '--output', path.join(dir, 'cli.model'), path.join(dir, 'docs.jsonl')]);
    return createHash('sha256').update(readFileSync(path.join(dir, 'cli.model'))).digest('hex');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const cliGenerate = (prompt, { maxTokens }) => cliOutput(['generate', '--model', `${WEIGHTS},${TOKENIZER}`,
  '--prompt', prompt, '--max-tokens', String(maxTokens), '--temperature', '0', '--ignore-eos']).replace(/\n$/, '');

// Resolves once `predicate()` holds (checked every 50 ms), or rejects after `ms`.
async function until(predicate, ms, what) {
  for (const end = Date.now() + ms; !predicate();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// A page that records policy violations (the document's securitypolicyviolation events) and
// console errors; the server collects the reports of workers too.
async function openPage(browser) {
  const tab = await browser.newPage();
  const errors = [];
  tab.on('console', (message) => { if (message.type() === 'error') errors.push(`console: ${message.text()}`); });
  tab.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  tab.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await tab.addInitScript(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation',
      (event) => window.violations.push(`${event.effectiveDirective} ${event.blockedURI}`));
  });
  return { tab, errors };
}

// No violation, as events, reports or console errors, but for a control added last: an inline
// script, refused and reported, so the checks do see a violation when there is one (and, its
// report having arrived, the reports sent before it have too).
async function assertNoViolations({ tab, errors }, server) {
  await tab.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true;';
    document.head.append(script);
  });
  const isControl = (report) => report['blocked-uri'] === 'inline';
  await until(() => server.reports.some(isControl), 10_000, 'the control\'s report');
  assert.equal(await tab.evaluate(() => window.inlineRan ?? false), false);
  assert.deepEqual(await tab.evaluate(() => window.violations), ['script-src-elem inline']);
  assert.deepEqual(server.reports.filter((report) => !isControl(report)), []);
  assert.deepEqual(errors.filter((error) => !/Executing inline script violates/.test(error)), []);
}

describe('bundled apps and the demo under a strict CSP, in Chromium', { timeout: 600_000 }, () => {
  let browser;
  let tarball;

  before(async () => {
    assert.ok(existsSync(cli), `${cli} missing: build the release preset first`);
    assert.ok(existsSync(path.join(packageDir, 'edgepiece.wasm')), 'build the wasm preset first');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    execFileSync('npm', ['pack', packageDir, '--pack-destination', work, '--silent'], { cwd: work });
    tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack produced no tarball');
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags });
  });

  after(async () => {
    await browser?.close();
  });

  test('the packed package\'s JS is wasm/src as written: no generated glue, no eval', () => {
    for (const sample of ['eval("1")', 'new Function("return 1")', 'globalThis.Function("x")', "setTimeout('f()', 1)"]) {
      assert.match(sample, DYNAMIC_CODE);  // the pattern catches each form
    }
    const listing = execFileSync('tar', ['-tzf', path.join(work, tarball)]).toString().split('\n');
    const scripts = listing.filter((name) => name.endsWith('.js'));
    assert.ok(scripts.length >= 10, listing.join());
    for (const name of scripts) {
      const text = execFileSync('tar', ['-xzOf', path.join(work, tarball), name]).toString();
      // Each file is one of the hand-written modules, unchanged: the build adds no JS (the
      // .wasm files are standalone, without Emscripten's loader).
      const source = path.join(root, 'wasm/src', path.basename(name));
      assert.ok(existsSync(source) && readFileSync(source, 'utf8') === text, `${name} is not wasm/src's`);
      assert.doesNotMatch(text, DYNAMIC_CODE, name);
    }
  });

  for (const [name, bundler] of Object.entries(BUNDLERS)) {
    test(`${name}: the built app encodes, generates and trains, in the page and a Worker`, async (t) => {
      const app = path.join(work, name);
      mkdirSync(path.join(app, 'src'), { recursive: true });
      writeFileSync(path.join(app, 'package.json'), JSON.stringify({
        name: `edgepiece-${name}-app`, private: true, type: 'module',
        dependencies: { edgepiece: `file:../${tarball}` },
      }));
      execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent'], { cwd: app });
      copyFileSync(path.join(here, 'app/src/index.js'), path.join(app, 'src/index.js'));
      const html = path.join(app, bundler.html.at);
      if (!bundler.html.at.startsWith('dist/')) writeFileSync(html, bundler.html.text);
      const build = spawnSync(bundler.build[0], bundler.build.slice(1), { cwd: app, encoding: 'utf8' });
      assert.equal(build.status, 0, `${name} build failed:\n${build.stdout}\n${build.stderr}`);
      const dist = path.join(app, 'dist');
      if (bundler.html.at.startsWith('dist/')) writeFileSync(html, bundler.html.text);
      for (const model of [TOKENIZER, WEIGHTS]) cpSync(path.join(root, model), path.join(dist, model));
      // The app loads a SentencePiece .model too where spm_train made one (`?spm`).
      const spmModel = hasSpmTrain ? trainSpm(app) : null;
      if (spmModel) cpSync(spmModel, path.join(dist, 'models/small.model'));
      // What the bundler wrote: script (its runtime included) and the three modules.
      const files = readdirSync(dist, { recursive: true }).map(String);
      t.diagnostic(files.filter((file) => !file.startsWith('models')).sort().join(' '));
      assert.equal(files.filter((file) => file.endsWith('.wasm')).length, 3, files.join());
      for (const file of files.filter((f) => f.endsWith('.js'))) {
        const script = readFileSync(path.join(dist, file), 'utf8');
        assert.doesNotMatch(script, DYNAMIC_CODE, file);
        // webpack writes the path of a module that reads import.meta.url into the bundle.
        assert.ok(!script.includes(app), `${file} holds the build folder's path`);
      }

      const server = await serve(dist);
      const opened = await openPage(browser);
      try {
        await opened.tab.goto(spmModel ? `${server.url}?spm` : server.url);
        await opened.tab.waitForSelector('body[data-state]', { timeout: 120_000 });
        const output = await opened.tab.textContent('#result');
        assert.equal(await opened.tab.getAttribute('body', 'data-state'), 'done', output);
        const result = JSON.parse(output);
        const ids = cliIds(result.text);
        const text = cliGenerate(result.prompt, result.generate);
        const trained = cliTrained(result.corpus, result.train);
        for (const where of ['main', 'worker']) {
          const got = result[where];
          assert.deepEqual(got.ids, ids, `${where}: ids`);
          assert.equal(got.tokens, result.generate.maxTokens, `${where}: tokens`);
          assert.equal(result.prompt + got.text, text, `${where}: greedy text`);
          assert.equal(got.trained, trained, `${where}: the trained model file is not the CLI's`);
          assert.equal(got.trainedVocabSize, result.train.vocabSize, `${where}: trained vocabulary`);
        }
        if (spmModel) assert.deepEqual(result.spm.ids, cliIds(result.text, spmModel), '.model ids');
        await assertNoViolations(opened, server);
      } finally {
        await opened.tab.close();
        await server.close();
      }
    });
  }

  test('the web demo tokenizes, generates and trains under the strict policy', async () => {
    const server = await serve(root);
    const opened = await openPage(browser);
    const { tab } = opened;
    try {
      await tab.goto(`${server.url}web-demo/`);
      await tab.waitForSelector('body[data-tokenizer-ready="true"]', { timeout: 60_000 });
      await tab.waitForSelector('body[data-model-ready="true"]', { timeout: 120_000 });
      const text = 'In the beginning God created the heaven and the earth.';
      await tab.fill('#text', text);
      await tab.waitForFunction((n) => document.querySelectorAll('#tokens [data-token-id]').length === n,
        cliIds(text).length, { timeout: 10_000 });
      const shown = await tab.$$eval('#tokens [data-token-id]', (spans) => spans.map((s) => Number(s.dataset.tokenId)));
      assert.deepEqual(shown, cliIds(text));
      await tab.fill('#max-tokens', '10');
      await tab.uncheck('#stop-at-eos');
      await tab.click('#generate');
      await tab.waitForSelector('#generate:not([disabled])', { timeout: 60_000 });
      assert.equal(Number(await tab.textContent('#gen-tokens')), 10);
      // The demo has no training controls: train with the package the page loaded, in the page
      // and in a Worker (which fetch edgepiece-trainer.wasm under the policy).
      const trained = await tab.evaluate(async () => {
        const { EdgepieceWorker, Trainer, Tokenizer } = await import('/build/wasm/package/index.js');
        // As app/src/index.js: texts of the tokenizer's pieces, which fill the vocabulary.
        const tokenizer = await Tokenizer.load('/models/kjvzh-8k.model');
        let state = 1;
        const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
        const corpus = Array.from({ length: 200 },
          () => tokenizer.decode(Int32Array.from({ length: 40 }, () => 259 + next() % 300)));
        tokenizer.dispose();
        const file = await Trainer.train(corpus, { vocabSize: 300 });
        const main = await Tokenizer.load(file);
        const worker = await EdgepieceWorker.create();
        try {
          const workerFile = await worker.train(corpus, { vocabSize: 300 });
          return {
            main: main.vocabSize, worker: (await worker.loadTokenizer(workerFile)).vocabSize,
            same: file.join() === workerFile.join(),
          };
        } finally {
          worker.terminate();
          main.dispose();
        }
      });
      assert.equal(trained.main, 300);
      assert.equal(trained.worker, trained.main);
      assert.ok(trained.same, 'the trained model files differ');
      await assertNoViolations(opened, server);
    } finally {
      await tab.close();
      await server.close();
    }
  });
});
