// ESLint for the repository's JavaScript: the package, its tests, the demo
// and the tools. Run from the repository root (tools/test.sh does):
//   wasm/node_modules/.bin/eslint -c wasm/eslint.config.js
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['**/node_modules/', 'build/'] },
  { files: ['**/*.js', '**/*.mjs'], ...js.configs.recommended },
  {
    files: ['**/*.js', '**/*.mjs'],
    // `const { dropped, ...kept } = x` drops a field on purpose; `for (const _ of it)`
    // only drives an iterator.
    rules: { 'no-unused-vars': ['error', { ignoreRestSiblings: true, varsIgnorePattern: '^_$' }] },
  },
  // The package and the demo run in pages and Web Workers; the package also runs in Node,
  // which it detects with `typeof process` / `typeof setImmediate`.
  {
    files: ['wasm/src/**/*.js', 'web-demo/**/*.js'],
    languageOptions: {
      globals: {
        ...globals.browser, ...globals.worker, process: 'readonly', setImmediate: 'readonly',
      },
    },
  },
  // Tests, tools and this file run in Node; browser tests also pass functions to the page.
  {
    files: ['tests/**/*.mjs', 'tools/**/*.mjs', 'bench/**/*.mjs', 'wasm/eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['tests/browser/**/*.mjs', 'tests/consumers/**/*.mjs'],
    languageOptions: { globals: globals.browser },
  },
  // The app the consumer tests build with each bundler runs in a page.
  { files: ['tests/consumers/app/**/*.js'], languageOptions: { globals: globals.browser } },
];
