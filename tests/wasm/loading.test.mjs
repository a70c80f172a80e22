// Tokenizer.load and Model.load from every kind of source: bytes, ArrayBuffer, Response, URL
// (http: from a local server, file:, a path), with progress, an integrity check and a cache.
// Node has no Cache API: the cache here is an object with Cache's match/put/delete, which the
// loader takes in place of one (Chromium's real Cache API: tests/browser).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { edgepiece, repoRoot } from './support.mjs';

const { EdgepieceError, Model, Tokenizer } = edgepiece;
const tokenizerPath = path.join(repoRoot, 'models/kjvzh-8k.model');
const weightsPath = path.join(repoRoot, 'models/kjvzh-lm.safetensors');
const tokenizerFile = readFileSync(tokenizerPath);
const sha256 = (bytes) => createHash('sha256').update(bytes).digest();
const hex = sha256(tokenizerFile).toString('hex');
const sri = `sha256-${sha256(tokenizerFile).toString('base64')}`;
const expectedIds = [...(await Tokenizer.load(new Uint8Array(tokenizerFile))).encode('In the beginning')];

// Serves /tok (with Content-Length), /tok-chunked (without), /weights, else 404; each body
// in several writes, so a download reports progress more than once. Counts requests.
const requests = [];
const server = createServer((request, response) => {
  requests.push(request.url);
  const file = { '/tok': tokenizerFile, '/tok-chunked': tokenizerFile, '/weights': readFileSync(weightsPath) }[request.url];
  if (!file) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, request.url === '/tok-chunked' ? {} : { 'Content-Length': file.length });
  const parts = 5;
  let i = 0;
  const writeNext = () => {
    if (i === parts) {
      response.end();
      return;
    }
    const step = Math.ceil(file.length / parts);
    response.write(file.subarray(i * step, (i + 1) * step));
    i += 1;
    setTimeout(writeNext, 5);
  };
  writeNext();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
after(() => server.close());

const ids = (tok) => {
  const out = [...tok.encode('In the beginning')];
  tok.dispose();
  return out;
};

// Progress reports only grow and the last one is { loaded: total, total: size }.
function assertProgress(reports, size, { many = true } = {}) {
  assert.ok(reports.length >= (many ? 2 : 1), `${reports.length} reports`);
  for (let i = 1; i < reports.length; ++i) assert.ok(reports[i].loaded >= reports[i - 1].loaded);
  for (const { loaded, total } of reports) {
    if (total !== null) assert.ok(loaded <= total);
  }
  assert.deepEqual(reports.at(-1), { loaded: size, total: size });
}

test('bytes, an ArrayBuffer and a Response load like the Uint8Array', async () => {
  const copy = new Uint8Array(tokenizerFile);
  assert.deepEqual(ids(await Tokenizer.load(copy.buffer)), expectedIds);
  const reports = [];
  const tok = await Tokenizer.load(new Response(copy), { onProgress: (p) => reports.push(p) });
  assert.deepEqual(ids(tok), expectedIds);
  assertProgress(reports, copy.length, { many: false });
  const used = new Response(copy);
  await used.arrayBuffer();
  await assert.rejects(Tokenizer.load(used), (e) => e instanceof EdgepieceError && e.code === 'INVALID_ARGUMENT');
  await assert.rejects(Tokenizer.load(42), (e) => e.code === 'INVALID_ARGUMENT');
});

test('http: URLs stream with progress, with and without Content-Length', async () => {
  for (const url of [`${base}/tok`, new URL(`${base}/tok-chunked`)]) {
    const reports = [];
    const tok = await Tokenizer.load(url, { seed: 1, onProgress: (p) => reports.push(p) });
    assert.deepEqual(ids(tok), expectedIds);
    assertProgress(reports, tokenizerFile.length);
    if (String(url).endsWith('chunked')) {
      assert.ok(reports.slice(0, -1).every((p) => p.total === null));
    } else {
      assert.ok(reports.every((p) => p.total === tokenizerFile.length));
    }
  }
  const fetched = await fetch(`${base}/tok`);
  assert.deepEqual(ids(await Tokenizer.load(fetched)), expectedIds);
  await assert.rejects(Tokenizer.load(`${base}/missing`),
    (e) => e instanceof EdgepieceError && e.code === 'IO_ERROR' && /404/.test(e.message));
});

test('file: URLs and paths are read from disk, with progress', async () => {
  const reports = [];
  const tok = await Tokenizer.load(pathToFileURL(tokenizerPath), { onProgress: (p) => reports.push(p) });
  assert.deepEqual(ids(tok), expectedIds);
  assertProgress(reports, tokenizerFile.length, { many: false });
  assert.deepEqual(ids(await Tokenizer.load(pathToFileURL(tokenizerPath).href)), expectedIds);
  assert.deepEqual(ids(await Tokenizer.load(tokenizerPath)), expectedIds);
  await assert.rejects(Tokenizer.load(pathToFileURL('/nonexistent/x.model')),
    (e) => e instanceof EdgepieceError && e.code === 'IO_ERROR' && /nonexistent/.test(e.message));
});

test('Model.load from a URL with progress; weights larger than one read', async () => {
  const tok = await Tokenizer.load(tokenizerPath);
  const size = readFileSync(weightsPath).length;
  for (const source of [`${base}/weights`, pathToFileURL(weightsPath)]) {
    const reports = [];
    const model = await Model.load(source, tok, { onProgress: (p) => reports.push(p) });
    assertProgress(reports, size);
    assert.ok(model.numParameters > 0);
    model.dispose();
  }
  tok.dispose();
});

test('integrity: SHA-256 as hex or sha256-<base64>; a mismatch is INTEGRITY_MISMATCH', async () => {
  assert.deepEqual(ids(await Tokenizer.load(`${base}/tok`, { integrity: hex })), expectedIds);
  assert.deepEqual(ids(await Tokenizer.load(tokenizerPath, { integrity: sri })), expectedIds);
  assert.deepEqual(ids(await Tokenizer.load(new Uint8Array(tokenizerFile), { integrity: hex.toUpperCase() })), expectedIds);
  const wrong = hex.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  for (const source of [`${base}/tok`, tokenizerPath, new Uint8Array(tokenizerFile)]) {
    await assert.rejects(Tokenizer.load(source, { integrity: wrong }),
      (e) => e instanceof EdgepieceError && e.code === 'INTEGRITY_MISMATCH');
  }
  await assert.rejects(Tokenizer.load(tokenizerPath, { integrity: 'md5-abc' }), (e) => e.code === 'INVALID_ARGUMENT');
});

// A stand-in for a Cache (the Cache API's match/put/delete, keyed by URL string).
function memoryCache() {
  const entries = new Map();
  return {
    entries,
    async match(key) {
      const bytes = entries.get(key);
      return bytes ? new Response(bytes, { headers: { 'Content-Length': String(bytes.length) } }) : undefined;
    },
    async put(key, response) { entries.set(key, new Uint8Array(await response.arrayBuffer())); },
    async delete(key) { return entries.delete(key); },
  };
}

test('cache: stored after a verified download, read from there next time, nothing on mismatch', async () => {
  const cache = memoryCache();
  const url = `${base}/tok`;
  const wrong = '0'.repeat(64);
  await assert.rejects(Tokenizer.load(url, { cache, integrity: wrong }), (e) => e.code === 'INTEGRITY_MISMATCH');
  assert.equal(cache.entries.size, 0);
  requests.length = 0;
  assert.deepEqual(ids(await Tokenizer.load(url, { cache, integrity: hex })), expectedIds);
  assert.deepEqual(requests, ['/tok']);
  assert.deepEqual([...cache.entries.keys()], [url]);
  // The second load does not touch the network, and reports progress from the cache.
  const reports = [];
  assert.deepEqual(ids(await Tokenizer.load(url, { cache, integrity: hex, onProgress: (p) => reports.push(p) })), expectedIds);
  assert.deepEqual(requests, ['/tok']);
  assertProgress(reports, tokenizerFile.length, { many: false });
  // A cached copy that fails the integrity given now is dropped and downloaded again.
  cache.entries.set(url, new Uint8Array([1, 2, 3]));
  assert.deepEqual(ids(await Tokenizer.load(url, { cache, integrity: hex })), expectedIds);
  assert.deepEqual(requests, ['/tok', '/tok']);
  assert.equal(cache.entries.get(url).length, tokenizerFile.length);
  // Without a Cache API (Node), `cache: true` loads without one.
  assert.deepEqual(ids(await Tokenizer.load(url, { cache: true })), expectedIds);
});
