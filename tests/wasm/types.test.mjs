// index.d.ts as a TypeScript user meets it: types/usage.ts, which calls the
// whole public API and marks misuses that must not compile, passes
// `tsc --strict` (typescript from wasm/'s devDependencies).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

// (Not from support.mjs: this test needs no built package.)
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('types/usage.ts type-checks against wasm/src/index.d.ts with --strict', () => {
  const tsc = path.join(repoRoot, 'wasm/node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [
    tsc, '--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom',
    '--module', 'esnext', '--moduleResolution', 'bundler',
    path.join(repoRoot, 'tests/wasm/types/usage.ts'),
  ], { encoding: 'utf8' });
  assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
});
