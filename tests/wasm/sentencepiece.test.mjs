// SentencePiece .model files in the npm package (edgepiece-spm.wasm). The parity matrix
// (tests/spm/spm_matrix.py trains the models with Debian's spm_train and writes spm_encode's
// ids and spm_decode's text): on every test line of every configuration, Tokenizer.encode
// (bytes and strings), encodeBatch and decode give exactly what SentencePiece 0.1.97 gives.
// Then the rest of the Tokenizer API on two of those models: offsets into the original text,
// pieces, special ids, malformed files, the worker. The models are made once into
// build/wasm/spm_matrix (EDGEPIECE_SPM_MATRIX_DIR elsewhere; about 75 s of CPU the first
// time); without spm_train these tests are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { edgepiece, nativeCli, packageDir, repoRoot } from './support.mjs';

const { EdgepieceError, EdgepieceWorker, Model, Tokenizer } = edgepiece;
const dir = process.env.EDGEPIECE_SPM_MATRIX_DIR ?? path.join(repoRoot, 'build/wasm/spm_matrix');
const hasSpmTrain = spawnSync('spm_train', ['--help']).error === undefined;
const skip = hasSpmTrain ? false : 'spm_train is not installed';

// Trains what is missing and runs spm_encode / spm_decode where their outputs are older than
// the model or the test lines (the script keeps what is up to date).
function prepare() {
  const result = spawnSync('/usr/bin/python3',
    [path.join(repoRoot, 'tests/spm/spm_matrix.py'), '-', dir, '--spm-only'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(readFileSync(path.join(dir, 'matrix.json'), 'utf8'));
}

// The lines of a file as byte arrays (the last, after the final '\n', dropped).
function byteLines(file) {
  const bytes = readFileSync(file);
  const lines = [];
  let start = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, start)) {
    lines.push(new Uint8Array(bytes.subarray(start, i)));
    start = i + 1;
  }
  return lines;
}

const strict = new TextDecoder('utf-8', { fatal: true });
function asString(bytes) {
  try {
    return strict.decode(bytes);
  } catch {
    return null;  // not UTF-8: only the bytes go in
  }
}

const matrix = hasSpmTrain ? prepare() : null;
const modelBytes = (name) => new Uint8Array(readFileSync(path.join(dir, `${name}.model`)));

test('SentencePiece matrix: ids and decoded text identical to spm_encode / spm_decode', {
  skip, timeout: 30 * 60_000,
}, async (t) => {
  const { configs, test: testFile } = matrix;
  const lines = byteLines(path.join(dir, testFile));
  const strings = lines.map(asString);
  assert.ok(lines.length > 15_000 && configs.length >= 25, `${lines.length} lines, ${configs.length} configurations`);
  assert.ok(strings.some((s) => s === null), 'the test lines include invalid UTF-8');
  for (const name of configs) {
    await t.test(name, async () => {
      const tok = await Tokenizer.load(modelBytes(name));
      assert.equal(tok.format, 'sentencepiece');
      const expectedIds = readFileSync(path.join(dir, `${name}.spm.id`), 'utf8').split('\n');
      const expectedText = byteLines(path.join(dir, `${name}.spm.txt`));
      const differences = [];
      const differ = (what, i, got, expected) => {
        if (differences.length < 5) differences.push(`${what} line ${i + 1}: ${got} != ${expected}`);
        else differences.push(null);
      };
      const batch = tok.encodeBatch(lines.map((bytes, i) => strings[i] ?? bytes));
      lines.forEach((bytes, i) => {
        const expected = expectedIds[i];
        const fromBytes = tok.encode(bytes).join(' ');
        if (fromBytes !== expected) differ('bytes', i, fromBytes, expected);
        if (strings[i] !== null) {
          const fromString = tok.encode(strings[i]).join(' ');
          if (fromString !== expected) differ('string', i, fromString, expected);
        }
        if (batch[i].join(' ') !== expected) differ('batch', i, batch[i].join(' '), expected);
        const ids = expected === '' ? [] : expected.split(' ').map(Number);
        const text = Buffer.from(tok.decodeBytes(ids));
        if (!text.equals(expectedText[i])) differ('decode', i, JSON.stringify(String(text)), JSON.stringify(String(Buffer.from(expectedText[i]))));
        if (tok.decode(ids) !== String(Buffer.from(expectedText[i]))) differ('decode text', i, '', '');
      });
      tok.dispose();
      assert.equal(differences.length, 0, `${differences.length} differences:\n${differences.filter(Boolean).join('\n')}`);
    });
  }
});

// A small deterministic generator (a 32-bit LCG's high bits): the same chunks on every run.
function chunker(seed) {
  let state = seed >>> 0;
  return (limit) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state >>> 16) % (limit + 1);
  };
}

test('SentencePiece matrix: the streaming decoder gives spm_decode\'s text in any chunks', {
  skip, timeout: 30 * 60_000,
}, async (t) => {
  const { configs } = matrix;
  for (const name of configs) {
    await t.test(name, async () => {
      const tok = await Tokenizer.load(modelBytes(name));
      const decoder = tok.decoder();
      const expectedIds = readFileSync(path.join(dir, `${name}.spm.id`), 'utf8').split('\n');
      const expectedText = byteLines(path.join(dir, `${name}.spm.txt`));
      const next = chunker(expectedIds.length);
      const differences = [];
      expectedText.forEach((bytes, i) => {
        const ids = expectedIds[i] === '' ? [] : expectedIds[i].split(' ').map(Number);
        let text = '';
        for (let k = 0; k < ids.length;) {
          const n = next(4);  // 0..4 ids per push (0: an empty push)
          text += decoder.push(ids.slice(k, k + n));
          k += n;
        }
        text += decoder.end();
        assert.equal(decoder.pendingBytes, 0);
        const expected = String(Buffer.from(bytes));
        if (text !== expected && differences.length < 5) {
          differences.push(`line ${i + 1}: ${JSON.stringify(text)} != ${JSON.stringify(expected)}`);
        }
      });
      // Disposing the tokenizer first is allowed: the decoder keeps the model's data.
      tok.dispose();
      const first = expectedIds.findIndex((line) => line !== '');
      const ids = expectedIds[first].split(' ').map(Number);
      assert.equal(decoder.push(ids) + decoder.end(), String(Buffer.from(expectedText[first])));
      decoder.dispose();
      assert.throws(() => decoder.end(), { code: 'DISPOSED' });
      assert.deepEqual(differences, []);
    });
  }
});

test('a .model\'s decoder holds back byte pieces and refuses unknown ids', { skip }, async () => {
  const tok = await Tokenizer.load(modelBytes('uni_bytefb'));
  const snowman = [...new TextEncoder().encode('\u2603')].map((b) => byteId(tok, b));
  const decoder = tok.decoder();
  assert.equal(decoder.push(snowman.slice(0, 2)), '');
  assert.equal(decoder.pendingBytes, 2);
  assert.throws(() => decoder.push([snowman[2], tok.vocabSize]), { code: 'OUT_OF_RANGE' });
  assert.equal(decoder.pendingBytes, 2);  // the refused push changed nothing
  assert.equal(decoder.push(snowman.slice(2)), '\u2603');
  // An incomplete character at the end: U+FFFD per byte, as decode() gives.
  assert.equal(decoder.push(snowman.slice(0, 2)) + decoder.end(), tok.decode(snowman.slice(0, 2)));
  assert.equal(tok.decode(snowman.slice(0, 2)), '\ufffd\ufffd');
  tok.dispose();
  decoder.dispose();
});

// The id of the byte piece <0xHH> of `tok` (a byte-fallback model).
function byteId(tok, byte) {
  const piece = `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
  for (let id = 0; id < tok.vocabSize; ++id) if (tok.idToPiece(id) === piece) return id;
  throw new Error(`no ${piece}`);
}

// `edgepiece encode --lines` of `lines` with `flags`: an array of id arrays.
function cliEncodeLines(model, lines, flags) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'edgepiece-spm-'));
  try {
    const modelPath = path.join(work, 'x.model');
    writeFileSync(modelPath, modelBytes(model));
    const result = spawnSync(nativeCli, ['encode', '--model', modelPath, '--lines', ...flags],
      { input: lines.join('\n') + '\n', encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.split('\n').slice(0, -1)
      .map((line) => (line === '' ? [] : line.split(/[ ,]/).map(Number)));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

test('subword sampling on a .model draws the native CLI\'s ids', {
  skip: skip || (spawnSync(nativeCli, ['--help']).error ? 'no release CLI' : false),
}, async () => {
  const { test: testFile } = matrix;
  const lines = byteLines(path.join(dir, testFile)).map(asString)
    .filter((s) => s !== null && s.length > 0 && !s.includes('\r')).slice(0, 300);
  for (const [model, alpha, seed, nbest] of [
    ['uni_nmt', 0.1, 7, undefined], ['uni_nmt', 0.5, 1, 8], ['uni_bytefb', 0, 3, undefined],
    ['uni_udef', 0.2, 11, 64], ['bpe_nmt', 0.1, 5, undefined], ['bpe_bytefb', 0.3, 9, undefined],
  ]) {
    const what = `${model} alpha ${alpha} seed ${seed} nbest ${nbest}`;
    const flags = ['--alpha', String(alpha), '--seed', String(seed)];
    if (nbest !== undefined) flags.push('--nbest', String(nbest));
    const expected = cliEncodeLines(model, lines, flags);
    const tok = await Tokenizer.load(modelBytes(model), { seed });
    const options = { alpha, nbestSize: nbest };
    const got = lines.map((line) => [...tok.encode(line, options)]);
    assert.deepEqual(got, expected, what);
    // The same stream over a batch, restarted by setSeed.
    tok.setSeed(seed);
    assert.deepEqual(tok.encodeBatch(lines, options).map((ids) => [...ids]), expected, what);
    // Sampling draws something else than the deterministic ids on some line.
    const deterministic = lines.map((line) => [...tok.encode(line)]);
    assert.notDeepEqual(got, deterministic, what);
    tok.dispose();
  }
});

test('sampling options a .model cannot take are INVALID_ARGUMENT', { skip }, async () => {
  const unigram = await Tokenizer.load(modelBytes('uni_nmt'));
  const bpe = await Tokenizer.load(modelBytes('bpe_nmt'));
  const invalid = (e) => e instanceof EdgepieceError && e.code === 'INVALID_ARGUMENT';
  for (const nbestSize of [0, 1, 513, 2.5, NaN, '4']) {
    assert.throws(() => unigram.encode('hello world', { alpha: 0.1, nbestSize }), invalid, String(nbestSize));
    assert.throws(() => unigram.encodeBatch(['hello'], { alpha: 0.1, nbestSize }), invalid, String(nbestSize));
  }
  assert.throws(() => unigram.encode('hello', { nbestSize: 4 }), invalid);  // no sampling
  assert.throws(() => bpe.encode('hello world', { alpha: 0.1, nbestSize: 4 }), invalid);
  assert.throws(() => bpe.encode('hello world', { alpha: 1.5 }), invalid);
  // The encoder stays usable, and a refused call leaves no nbest_size behind.
  assert.equal(unigram.encode('hello world', { alpha: 0.1, nbestSize: 512 }).length > 0, true);
  assert.equal(bpe.encode('hello world', { alpha: 1 }).length, 'hello world'.length + 1);
  assert.deepEqual(unigram.encode('hello world', { alpha: -1 }), unigram.encode('hello world'));
  unigram.dispose();
  bpe.dispose();
});

// The pieces of a model as spm_train wrote them to NAME.vocab (piece TAB score, in id order).
function vocabPieces(name) {
  return readFileSync(path.join(dir, `${name}.vocab`), 'utf8').split('\n').slice(0, -1)
    .map((line) => line.slice(0, line.indexOf('\t')));
}

// Runs before any test here loads from a path or a BytePiece file (tests of a file run in order,
// in one process of their own).
test('a .model given as bytes loads edgepiece-spm.wasm only, never edgepiece.wasm', { skip }, async () => {
  const core = await import(path.join(packageDir, 'core.js'));
  const tok = await Tokenizer.load(modelBytes('uni_nmt'));
  assert.ok(tok.encode('hello').length > 0);
  assert.throws(() => core.wasm(), { code: 'NOT_INITIALIZED' });
  tok.dispose();
});

test('a .model loads from bytes or a path; its pieces are the vocabulary spm_train wrote', { skip }, async () => {
  for (const name of ['uni_nmt', 'bpe_bytefb']) {
    const fromBytes = await Tokenizer.load(modelBytes(name));
    const fromPath = await Tokenizer.load(path.join(dir, `${name}.model`));
    const pieces = vocabPieces(name);
    for (const tok of [fromBytes, fromPath]) {
      assert.equal(tok.format, 'sentencepiece');
      assert.equal(tok.vocabSize, pieces.length);
    }
    pieces.forEach((piece, id) => {
      assert.equal(fromBytes.idToPiece(id), piece);
      assert.deepEqual(fromBytes.idToBytes(id), new TextEncoder().encode(piece));
    });
    assert.throws(() => fromBytes.idToPiece(pieces.length), { code: 'OUT_OF_RANGE' });
    assert.throws(() => fromBytes.idToBytes(-1), { code: 'OUT_OF_RANGE' });
    assert.deepEqual(fromPath.encode('Hello world'), fromBytes.encode('Hello world'));
    fromBytes.dispose();
    fromPath.dispose();
  }
});

test('offsets are UTF-16 ranges of the original string where the normalizer changed it', { skip }, async () => {
  const tok = await Tokenizer.load(modelBytes('uni_nmt'));  // nmt_nfkc, extra whitespace removed
  const text = '  Ｈｅｌｌｏ，   ｗｏｒｌｄ！  The\u3000café   😀 end  ';
  const { ids, offsets } = tok.encodeWithOffsets(text);
  assert.deepEqual(ids, tok.encode(text));
  assert.equal(offsets.length, 2 * ids.length);
  const unk = tok.idToPiece(0);
  let previousEnd = 0;
  let changed = 0;
  ids.forEach((id, k) => {
    const [begin, end] = [offsets[2 * k], offsets[2 * k + 1]];
    assert.ok(begin >= previousEnd && begin <= end && end <= text.length, `token ${k}: [${begin}, ${end})`);
    previousEnd = end;
    const piece = tok.idToPiece(id);
    if (piece === unk) return;
    // The original text of the token, normalized as the model does: the piece.
    const original = text.slice(begin, end);
    if (original.normalize('NFKC') !== original) changed += 1;
    assert.equal(original.normalize('NFKC').replace(/\s+/g, ' ').trim(), piece.replace(/\u2581/g, ' ').trim(),
      `token ${k} ${JSON.stringify(piece)}: ${JSON.stringify(original)}`);
  });
  assert.ok(changed >= 3, 'tokens over fullwidth characters cover the characters as written');
  assert.equal(offsets[0], 2, 'the leading spaces are removed, the first token starts at "Ｈ"');
  assert.equal(offsets[offsets.length - 1], text.length - 2, 'the trailing spaces are removed');
  // Bytes in: the same ranges as UTF-8 offsets (the emoji is 2 code units, 4 bytes).
  const bytes = new TextEncoder().encode(text);
  const byteOffsets = tok.encodeWithOffsets(bytes).offsets;
  const utf16 = (byte) => new TextDecoder().decode(bytes.subarray(0, byte)).length;
  assert.deepEqual(Array.from(byteOffsets, utf16), Array.from(offsets));
  // bos / eos: empty ranges at the start and the end.
  const withSpecials = tok.encodeWithOffsets(text, { bos: true, eos: true });
  assert.equal(tok.idToPiece(withSpecials.ids[0]), '<s>');
  assert.equal(tok.idToPiece(withSpecials.ids.at(-1)), '</s>');
  assert.deepEqual(Array.from(withSpecials.offsets.subarray(0, 2)), [0, 0]);
  assert.deepEqual(Array.from(withSpecials.offsets.subarray(-2)), [bytes.length, bytes.length].map(utf16));
  tok.dispose();
});

test('a string is not NFC-normalized in JS for a .model: the model\'s normalizer decides', { skip }, async () => {
  const tok = await Tokenizer.load(modelBytes('uni_identity'));  // no normalization at all
  const decomposed = 'cafe\u0301';
  const bytes = new TextEncoder().encode(decomposed);
  assert.deepEqual(tok.encode(decomposed), tok.encode(bytes));
  assert.deepEqual(tok.encodeBatch([decomposed])[0], tok.encode(bytes));
  assert.notDeepEqual(tok.encode(decomposed), tok.encode(decomposed.normalize('NFC')));
  assert.equal(tok.decode(tok.encode(decomposed)), decomposed);
  tok.dispose();
});

test('decode and decodeBytes give spm_decode\'s text; byte pieces reassemble', { skip }, async () => {
  const tok = await Tokenizer.load(modelBytes('bpe_bytefb'));
  for (const text of ['Hello world, this is a test.', '中文没有空格的句子', '𠀀 astral 😀👍🏽 ☃']) {
    const ids = tok.encode(text);
    assert.equal(tok.decode(ids), text);
    assert.deepEqual(tok.decodeBytes(ids), new TextEncoder().encode(text));
  }
  const snowman = tok.encode('☃');  // not in the training text: byte fallback
  assert.ok(Array.from(snowman, (id) => tok.idToPiece(id)).includes('<0xE2>'));
  assert.equal(tok.decode([]), '');
  assert.throws(() => tok.decode([tok.vocabSize]), { code: 'OUT_OF_RANGE' });
  tok.dispose();
});

test('malformed .model files are INVALID_MODEL errors, and the module goes on working', { skip }, async () => {
  const good = modelBytes('uni_nmt');
  const cases = {
    truncated: good.subarray(0, 100),
    'cut in the charsmap': good.subarray(0, good.length - 1000),
    'absurd length': Uint8Array.from([0x0a, 0x80, 0x80, 0x80, 0x80, 0x10, 0x0a, 0x01, 0x61]),
    'wrong wire type': Uint8Array.from([...good.subarray(0, 2 + good[1]), 0x08, 0x01]),
    'piece type out of range': Uint8Array.from([0x0a, 0x05, 0x0a, 0x01, 0x61, 0x18, 0x09]),
    'no <unk>': Uint8Array.from([0x0a, 0x03, 0x0a, 0x01, 0x61]),
  };
  for (const [what, bytes] of Object.entries(cases)) {
    await assert.rejects(Tokenizer.load(bytes), (error) => {
      assert.ok(error instanceof EdgepieceError, what);
      assert.equal(error.code, 'INVALID_MODEL', `${what}: ${error.message}`);
      assert.match(error.message, /SentencePiece|piece|precompiled_charsmap|byte \d+/, what);
      return true;
    });
  }
  const tok = await Tokenizer.load(good);
  assert.ok(tok.encode('still works').length > 0);
  tok.dispose();
});

test('what a .model tokenizer does not do is a typed error', { skip }, async () => {
  const tok = await Tokenizer.load(modelBytes('uni_nmt'));
  assert.throws(() => tok.pack(), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(Model.load(new Uint8Array(8), tok), { code: 'INVALID_ARGUMENT' });
  tok.dispose();
  assert.throws(() => tok.encode('x'), { code: 'DISPOSED' });
});

test('EdgepieceWorker runs a .model as the main thread does', { skip }, async () => {
  const bytes = modelBytes('bpe_bytefb');
  const local = await Tokenizer.load(bytes);
  const worker = await EdgepieceWorker.create();
  try {
    assert.deepEqual(await worker.loadTokenizer(bytes), { vocabSize: local.vocabSize, format: 'sentencepiece' });
    const text = '  Ｈｅｌｌｏ  world ☃ ';
    assert.deepEqual(await worker.encode(text), local.encode(text));
    assert.deepEqual(await worker.encodeWithOffsets(text), local.encodeWithOffsets(text));
    assert.deepEqual(await worker.encodeBatch([text, 'x']), local.encodeBatch([text, 'x']));
    assert.equal(await worker.decode(local.encode(text)), local.decode(local.encode(text)));
    assert.equal(await worker.idToPiece(5), local.idToPiece(5));
    // The worker's decoder keeps the .model's stream state there: pushes made without waiting
    // come out in order, a character split across byte pieces is held back, end() flushes.
    const ids = [...local.encode(text)];
    const decoder = worker.decoder();
    const pieces = await Promise.all(ids.map((id) => decoder.push([id])));
    assert.equal(pieces.join('') + await decoder.end(), local.decode(ids));
    const snowman = [...local.encode('☃')].filter((id) => /^<0x/.test(local.idToPiece(id)));
    assert.equal(snowman.length, 3, 'the model spells ☃ in byte pieces');
    assert.equal(await decoder.push(snowman.slice(0, 2)), '');
    assert.equal(decoder.pendingBytes, 2);
    assert.equal(await decoder.end(), '\ufffd\ufffd');
    assert.equal(decoder.pendingBytes, 0);
    await decoder.dispose();
    await assert.rejects(decoder.push([5]), { code: 'INVALID_ARGUMENT' });
  } finally {
    worker.terminate();
    local.dispose();
  }
});
