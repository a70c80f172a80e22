// Where Tokenizer.load and Model.load get their bytes: bytes as given, a
// Response, or a URL (fetched with progress; in Node a file: URL or a path is
// read from disk), optionally through the Cache API with a SHA-256 integrity
// check, so a page's second visit loads offline.
import { EdgepieceError, nodeImport } from './core.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
// Bytes per progress report and per read when a file is read from disk.
const FILE_CHUNK_BYTES = 1 << 20;
// The cache `cache: true` opens.
const DEFAULT_CACHE = 'edgepiece';

// `value` as a URL object when it names one (a URL, or a string with a scheme,
// or, outside Node, any string: it resolves against the page), else null.
function toUrl(value) {
  if (value instanceof URL) return value;
  if (typeof value !== 'string') return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return new URL(value);
  if (isNode) return null;  // a path: read from disk
  return new URL(value, globalThis.location?.href);
}

// The expected SHA-256 as bytes: `sha256-<base64>` (the form of Subresource
// Integrity) or 64 hex digits.
function parseIntegrity(integrity) {
  if (typeof integrity !== 'string') {
    throw new EdgepieceError('INVALID_ARGUMENT', 'integrity must be a string: sha256-<base64> or 64 hex digits');
  }
  if (/^[0-9a-f]{64}$/i.test(integrity)) {
    return Uint8Array.from(integrity.match(/../g), (pair) => parseInt(pair, 16));
  }
  const match = integrity.match(/^sha256-([A-Za-z0-9+/]{43}=)$/);
  if (!match) {
    throw new EdgepieceError('INVALID_ARGUMENT', 'integrity must be sha256-<base64> or 64 hex digits');
  }
  return Uint8Array.from(atob(match[1]), (c) => c.charCodeAt(0));
}

async function subtleCrypto() {
  if (globalThis.crypto?.subtle) return globalThis.crypto.subtle;
  if (isNode) return (await nodeImport('node:crypto')).webcrypto.subtle;
  throw new EdgepieceError('UNSUPPORTED', 'integrity needs crypto.subtle (a secure context: https or localhost)');
}

// True when the SHA-256 of `bytes` is `expected`.
async function digestMatches(bytes, expected) {
  const digest = new Uint8Array(await (await subtleCrypto()).digest('SHA-256', bytes));
  return digest.length === expected.length && digest.every((byte, i) => byte === expected[i]);
}

// Reads a Response's body, reporting { loaded, total } after every chunk;
// total is the Content-Length while the body keeps within it (else null),
// and the last report has loaded === total.
async function readResponse(response, what, onProgress) {
  if (response.bodyUsed) throw new EdgepieceError('INVALID_ARGUMENT', `the ${what} Response was already read`);
  const length = Number(response.headers.get('Content-Length'));
  let total = Number.isSafeInteger(length) && length > 0 ? length : null;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.({ loaded: bytes.length, total: bytes.length });
    return bytes;
  }
  const reader = response.body.getReader();
  // Sized by Content-Length, up to a bound (a header is no promise), then grown.
  let buffer = new Uint8Array(Math.min(total ?? 1 << 16, 1 << 26));
  let loaded = 0;
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw new EdgepieceError('IO_ERROR', `reading the ${what}: ${error.message ?? error}`);
    }
    if (chunk.done) break;
    const { value } = chunk;
    if (loaded + value.length > buffer.length) {
      const grown = new Uint8Array(Math.max(2 * buffer.length, loaded + value.length));
      grown.set(buffer.subarray(0, loaded));
      buffer = grown;
    }
    // More than Content-Length said (e.g. it counted compressed bytes): unknown.
    if (total !== null && loaded + value.length > total) total = null;
    buffer.set(value, loaded);
    loaded += value.length;
    onProgress?.({ loaded, total });
  }
  if (total !== loaded) onProgress?.({ loaded, total: loaded });
  return loaded === buffer.length ? buffer : buffer.slice(0, loaded);
}

// Reads a file from disk in chunks, reporting progress like readResponse.
async function readFile(file, what, onProgress) {
  const { open } = await nodeImport('node:fs/promises');
  let handle;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    const bytes = new Uint8Array(size);
    let loaded = 0;
    while (loaded < size) {
      const { bytesRead } = await handle.read(bytes, loaded, Math.min(FILE_CHUNK_BYTES, size - loaded), loaded);
      if (bytesRead === 0) break;
      loaded += bytesRead;
      onProgress?.({ loaded, total: size });
    }
    if (loaded !== size) throw new Error(`the file changed size while it was read (${loaded} of ${size} bytes)`);
    if (size === 0) onProgress?.({ loaded: 0, total: 0 });
    return bytes;
  } catch (error) {
    throw new EdgepieceError('IO_ERROR', `cannot read the ${what} ${file}: ${error.message}`);
  } finally {
    await handle?.close();
  }
}

async function openCache(cache) {
  if (!cache) return null;
  if (typeof cache === 'object' && typeof cache.match === 'function') return cache;  // a Cache
  if (typeof globalThis.caches === 'undefined') return null;  // Node, or an insecure page: no Cache API
  return globalThis.caches.open(typeof cache === 'string' ? cache : DEFAULT_CACHE);
}

/**
 * The bytes of `source` (Uint8Array, ArrayBuffer, Response, or a URL: string
 * or URL object). Options: onProgress({ loaded, total }), cache (true, a
 * cache name or a Cache: URLs are looked up there first and stored there
 * after a verified download; where the Cache API is missing it is not used),
 * integrity (the SHA-256 the bytes must have: mismatch -> an
 * INTEGRITY_MISMATCH error, nothing cached). `what` names the file in errors.
 */
export async function readSource(source, options, what) {
  const { onProgress = null, cache = false, integrity } = options ?? {};
  if (onProgress !== null && typeof onProgress !== 'function') {
    throw new EdgepieceError('INVALID_ARGUMENT', 'onProgress must be a function');
  }
  const expected = integrity === undefined ? null : parseIntegrity(integrity);
  const verify = async (bytes, from) => {
    if (expected && !(await digestMatches(bytes, expected))) {
      throw new EdgepieceError('INTEGRITY_MISMATCH', `the ${what} from ${from} does not have the SHA-256 given as integrity`);
    }
    return bytes;
  };
  if (source instanceof Uint8Array) return verify(source, 'the bytes given');
  if (source instanceof ArrayBuffer) return verify(new Uint8Array(source), 'the bytes given');
  if (typeof Response !== 'undefined' && source instanceof Response) {
    return verify(await readResponse(source, what, onProgress), source.url || 'the Response given');
  }
  const url = toUrl(source);
  if (url === null && typeof source === 'string') return verify(await readFile(source, what, onProgress), source);
  if (url === null) {
    throw new EdgepieceError('INVALID_ARGUMENT',
      `the ${what} must be a Uint8Array, an ArrayBuffer, a Response or a URL`);
  }
  if (url.protocol === 'file:' && isNode) {
    const { fileURLToPath } = await nodeImport('node:url');
    return verify(await readFile(fileURLToPath(url), what, onProgress), url.href);
  }
  const store = await openCache(cache);
  if (store) {
    const cached = await store.match(url.href);
    if (cached) {
      const bytes = await readResponse(cached, what, onProgress);
      if (!expected || await digestMatches(bytes, expected)) return bytes;
      await store.delete(url.href);  // stale (the integrity changed): download again
    }
  }
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new EdgepieceError('IO_ERROR', `cannot fetch the ${what} ${url.href}: ${error.message ?? error}`);
  }
  if (!response.ok) {
    throw new EdgepieceError('IO_ERROR', `cannot fetch the ${what} ${url.href}: HTTP ${response.status}`);
  }
  const bytes = await verify(await readResponse(response, what, onProgress), url.href);
  if (store) {
    await store.put(url.href, new Response(bytes, {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) },
    }));
  }
  return bytes;
}
