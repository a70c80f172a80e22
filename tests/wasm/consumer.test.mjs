// The npm package as users get it: `npm pack` of the built package, installed
// offline into an empty folder, imported by name, used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageDir, repoRoot } from './support.mjs';

test('npm pack installs offline into an empty folder and works there', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'edgepiece-consumer-'));
  const npm = (args, cwd) => execFileSync('npm', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  npm(['pack', packageDir, '--pack-destination', work, '--silent'], work);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack produced no tarball');
  const listing = execFileSync('tar', ['-tzf', path.join(work, tarball)]).toString().split('\n').sort();
  assert.deepEqual(listing.filter(Boolean), [
    'package/README.md', 'package/constants.js', 'package/core.js',
    'package/edgepiece-spm.wasm', 'package/edgepiece-trainer.wasm', 'package/edgepiece.wasm',
    'package/index.d.ts', 'package/index.js', 'package/model.js', 'package/package.json',
    'package/source.js', 'package/tokenizer.js', 'package/trainer.js', 'package/utf8.js',
    'package/worker-client.js', 'package/worker.js',
  ]);
  const app = path.join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  npm(['install', '--offline', '--no-audit', '--no-fund', path.join(work, tarball)], app);
  copyFileSync(path.join(repoRoot, 'models/kjvzh-8k.model'), path.join(app, 'tok.model'));
  copyFileSync(path.join(repoRoot, 'models/kjvzh-lm.safetensors'), path.join(app, 'lm.safetensors'));
  writeFileSync(path.join(app, 'main.js'), `
    import { readFileSync } from 'node:fs';
    import { Tokenizer, Trainer, Model, EdgepieceError } from 'edgepiece';
    const tok = await Tokenizer.load(new Uint8Array(readFileSync('tok.model')));
    const ids = tok.encode('In the beginning');
    let code = '';
    try { tok.decode([1e6]); } catch (e) { code = e instanceof EdgepieceError ? e.code : 'untyped'; }
    const model = await Model.load(new Uint8Array(readFileSync('lm.safetensors')), tok);
    const session = model.session();
    let generated = '';
    for await (const piece of session.generate('In the beginning', { maxTokens: 8, temperature: 0 })) generated += piece;
    const trained = await Tokenizer.load(await Trainer.train(Array(50).fill('the cat sat on the mat. '), { vocabSize: 300 }));
    const trainedVocab = trained.vocabSize;
    trained.dispose();
    // A hand-made SentencePiece .model (pieces <unk>, "\u2581a", "a", "b"; Unigram): edgepiece-spm.wasm.
    const field = (n, bytes) => [(n << 3) | 2, bytes.length, ...bytes];
    const piece = (text, type) => field(1, [...field(1, [...new TextEncoder().encode(text)]), ...(type ? [24, type] : [])]);
    const spm = await Tokenizer.load(Uint8Array.from([...piece('<unk>', 2), ...piece('\u2581a'), ...piece('a'),
                                                      ...piece('b'), ...field(2, [24, 1])]));
    const spmIds = Array.from(spm.encode('a ab'));
    const spmText = spm.decode(spmIds);
    spm.dispose();
    console.log(JSON.stringify({ ids: Array.from(ids), text: tok.decode(ids), code, generated, trainedVocab, spmIds, spmText }));
    session.dispose();
    model.dispose();
    tok.dispose();
  `);
  const result = JSON.parse(execFileSync('node', ['main.js'], { cwd: app }).toString());
  assert.equal(result.text, 'In the beginning');
  assert.ok(result.ids.length > 0);
  assert.equal(result.code, 'OUT_OF_RANGE');
  assert.ok(result.generated.length > 0);
  assert.ok(result.trainedVocab > 259);
  assert.deepEqual(result.spmIds, [1, 1, 3]);
  assert.equal(result.spmText, 'a ab');
});
