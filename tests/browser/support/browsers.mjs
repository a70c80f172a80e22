// One small driver for the browser tests that works the same in both engines
// they run in: Debian's Chromium through playwright-core (CDP) and Debian's
// Firefox ESR through puppeteer-core (WebDriver BiDi). Playwright's Firefox
// needs its own patched build, so each engine gets the client that drives the
// stock browser; nothing is downloaded. The tests see only Browser and Page
// below, whose methods mean the same in both engines (fill() sets a value and
// fires "input", evaluate() takes one argument, ...).
//
// Also here: the demo server (tools/serve_demo.mjs behind a proxy that records
// every request and can cut off paths, for offline checks that cover workers
// too) and the CLI references the pages are compared with.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { artifacts, root } from './reference.mjs';

export {
  artifacts, assertBuilt, cli, cliGenerate, cliIds, demoLm, root, tokenizerModel,
} from './reference.mjs';

// The engines, their display names and executables (CHROMIUM and FIREFOX override).
export const ENGINES = {
  chromium: { title: 'Chromium', executable: process.env.CHROMIUM ?? '/usr/bin/chromium' },
  firefox: { title: 'Firefox ESR', executable: process.env.FIREFOX ?? '/usr/bin/firefox-esr' },
};

// The engines to test: EDGEPIECE_BROWSERS="chromium,firefox" (the default) or one of them.
export function enginesToTest() {
  const names = (process.env.EDGEPIECE_BROWSERS ?? 'chromium,firefox').split(',').filter(Boolean);
  for (const name of names) assert.ok(ENGINES[name], `unknown engine "${name}" in EDGEPIECE_BROWSERS`);
  return names;
}

// Chromium's flags for every test that launches it (the demo, the consumers' apps).
export const chromiumFlags = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

// Fails with what to install when an engine's executable is missing.
export function assertInstalled(engine) {
  const { executable } = ENGINES[engine];
  assert.ok(existsSync(executable), `${executable} missing: run tools/install_deps.sh`);
}

// Launches `engine` headless; resolves to a Browser.
export async function launch(engine) {
  assertInstalled(engine);
  const { executable } = ENGINES[engine];
  if (engine === 'chromium') {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: executable, headless: true, args: chromiumFlags });
    return new Browser(engine, browser, browser.version());
  }
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: executable, headless: true,
    // No update checks, telemetry or first-run pages: nothing outside the test server.
    extraPrefsFirefox: { 'app.update.enabled': false, 'browser.shell.checkDefaultBrowser': false },
  });
  return new Browser(engine, browser, (await browser.version()).replace(/^firefox\//, ''));
}

// A launched browser of either engine.
export class Browser {
  constructor(engine, driver, version) {
    this.engine = engine;
    this.title = ENGINES[engine].title;
    this.version = version;
    this.driver = driver;
  }

  // A new tab of the given viewport size.
  async newPage({ width = 1100, height = 900 } = {}) {
    const driver = this.engine === 'chromium'
      ? await this.driver.newPage({ viewport: { width, height } })
      : await this.driver.newPage();
    const page = new Page(this.engine, driver);
    if (this.engine !== 'chromium') await driver.setViewport({ width, height });
    return page;
  }

  async close() {
    await this.driver.close();
  }
}

// A tab. `errors` collects console errors and uncaught exceptions, `requests`
// every URL the tab itself asked for (a worker's requests: Server.requests).
export class Page {
  constructor(engine, driver) {
    this.engine = engine;
    this.driver = driver;
    this.errors = [];
    this.requests = [];
    driver.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(`console: ${message.text()}`);
    });
    driver.on('pageerror', (error) => this.errors.push(`pageerror: ${error.message}`));
    driver.on('request', (request) => this.requests.push(request.url()));
  }

  async goto(url) {
    await this.driver.goto(url);
  }

  async reload() {
    await this.driver.reload();
  }

  url() {
    return this.driver.url();
  }

  // Runs fn(arg) in the page (arg must be serializable); resolves to its result.
  evaluate(fn, arg) {
    return this.driver.evaluate(fn, arg);
  }

  // Waits until fn(arg) is truthy in the page.
  async waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
    if (this.engine === 'chromium') await this.driver.waitForFunction(fn, arg, { timeout, polling: 20 });
    else await this.driver.waitForFunction(fn, { timeout, polling: 20 }, arg);
  }

  waitForSelector(selector, { timeout = 30_000 } = {}) {
    return this.waitForFunction((s) => document.querySelector(s) !== null, selector, { timeout });
  }

  text(selector) {
    return this.evaluate((s) => document.querySelector(s).textContent, selector);
  }

  value(selector) {
    return this.evaluate((s) => document.querySelector(s).value, selector);
  }

  // Sets an input's value and fires "input" and "change", as typing would.
  fill(selector, value) {
    return this.evaluate(([s, v]) => {
      const input = document.querySelector(s);
      input.value = v;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }, [selector, String(value)]);
  }

  // Clicks a checkbox until its checked state is `on`.
  async setChecked(selector, on) {
    if (await this.evaluate((s) => document.querySelector(s).checked, selector) !== on) await this.click(selector);
  }

  async click(selector) {
    await this.driver.click(selector);
  }

  // Waits two animation frames: the demo renders input on the next frame.
  settle() {
    return this.evaluate(() => new Promise((resolve) =>
      requestAnimationFrame(() => requestAnimationFrame(resolve))));
  }

  // A PNG of the element `selector`, or of the whole page.
  async screenshot(path, selector = null) {
    mkdirSync(artifacts, { recursive: true });
    if (this.engine === 'chromium') {
      if (selector) await this.driver.locator(selector).screenshot({ path });
      else await this.driver.screenshot({ path, fullPage: true });
      return;
    }
    if (selector) await (await this.driver.$(selector)).screenshot({ path });
    else await this.driver.screenshot({ path, fullPage: true });
  }

  async close() {
    await this.driver.close();
  }
}

/** Starts tools/serve_demo.mjs on a free port; resolves to { process, url } (url: the demo page). */
export function startServer() {
  const server = spawn(process.execPath, [`${root}tools/serve_demo.mjs`, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/(http:\/\/127\.0\.0\.1:\d+\/web-demo\/)/);
      if (match) resolve({ process: server, url: match[1] });
    });
    server.once('exit', (code) => reject(new Error(`serve_demo exited with ${code}`)));
  });
}

// tools/serve_demo.mjs behind a proxy: `requests` holds every path asked for
// (by pages and their workers), and paths matching `block` get their
// connection closed unanswered, as when the network is gone.
export class Server {
  static async start() {
    const { process: child, url } = await startServer();
    const server = new Server(child, Number(new URL(url).port));
    await new Promise((resolve) => server.proxy.listen(0, '127.0.0.1', resolve));
    server.origin = `http://127.0.0.1:${server.proxy.address().port}`;
    return server;
  }

  constructor(child, upstream) {
    this.child = child;
    this.requests = [];
    this.blocked = [];
    this.block = null;  // a RegExp on the path, or null
    this.proxy = createServer((request, response) => {
      this.requests.push(request.url);
      if (this.block?.test(request.url)) {
        this.blocked.push(request.url);
        request.socket.destroy();
        return;
      }
      const forward = httpRequest({
        host: '127.0.0.1', port: upstream, path: request.url, method: request.method, headers: request.headers,
      }, (answer) => {
        response.writeHead(answer.statusCode, answer.headers);
        answer.pipe(response);
      });
      forward.on('error', () => response.destroy());
      request.pipe(forward);
    });
  }

  async stop() {
    this.proxy.closeAllConnections?.();
    await new Promise((resolve) => this.proxy.close(resolve));
    this.child.kill();
  }
}
