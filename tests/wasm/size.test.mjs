// The module's size goals (README, docs/benchmarks.md "Download size"): at most 400 KB and
// 150 KB gzipped (decimal kilobytes), which every page that tokenizes downloads. Code that
// would break them belongs in a second module that only its users fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { packageDir } from './support.mjs';

test('edgepiece.wasm stays within 400 KB and 150 KB gzipped', () => {
  const bytes = readFileSync(path.join(packageDir, 'edgepiece.wasm'));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  assert.ok(bytes.length <= 400_000, `${bytes.length} bytes`);
  assert.ok(gzipped <= 150_000, `${gzipped} bytes gzipped`);
});
