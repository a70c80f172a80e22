// Golden parity in WebAssembly: every public document, both models, all four
// reference runs (glibc generator, one stream per run) -> identical ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { edgepiece, tokenizerBytes, publicDocuments, goldenIds } from './support.mjs';

const RUNS = [
  ['det', -1, 0], ['a0.1_s123', 0.1, 123], ['a1.0_s123', 1.0, 123], ['a0.0_s5', 0.0, 5],
];

for (const model of ['kjvzh-8k', 'plus40k']) {
  for (const [run, alpha, seed] of RUNS) {
    test(`${model} ${run}: ids equal the reference for every document`, async () => {
      const docs = publicDocuments();
      const expected = goldenIds(model, run);
      assert.equal(expected.length, docs.length);
      const tok = await edgepiece.Tokenizer.load(tokenizerBytes(model), { seed, rng: 'glibc' });
      try {
        let mismatches = 0;
        let first = -1;
        for (let d = 0; d < docs.length; ++d) {
          if (tok.encode(docs[d], { alpha }).join(',') !== expected[d]) {
            if (first < 0) first = d;
            ++mismatches;
          }
        }
        assert.equal(mismatches, 0, `${mismatches} documents differ, first: #${first}`);
      } finally {
        tok.dispose();
      }
    });
  }
}
