// The C ABI's headers (runtime/capi/edgepiece_common.h, edgepiece.h, edgepiece_trainer.h) are
// the one source of the status codes, encode flags, RNG kinds, the trainer options struct and
// functions; the JS constants, the types and each module's exports are checked against them here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageDir, repoRoot } from './support.mjs';

const readHeader = (name) => readFileSync(path.join(repoRoot, 'runtime/capi', name), 'utf8');
const headers = {
  common: readHeader('edgepiece_common.h'),
  main: readHeader('edgepiece.h'),
  trainer: readHeader('edgepiece_trainer.h'),
};
const header = Object.values(headers).join('\n');
const constants = await import(path.join(packageDir, 'constants.js'));
const { TRAINER_OPTIONS_LAYOUT } = await import(path.join(packageDir, 'trainer.js'));
const types = readFileSync(path.join(packageDir, 'index.d.ts'), 'utf8');

// { NAME: value } of the header's `#define EP_<group>_NAME value` lines.
function defines(group) {
  const out = {};
  const define = new RegExp(`^#define EP_${group}_(\\w+) (\\d+)`, 'gm');
  for (const [, name, value] of header.matchAll(define)) out[name] = Number(value);
  assert.ok(Object.keys(out).length > 1, `no EP_${group}_* in the header`);
  return out;
}

// The string members of a union type alias or property in index.d.ts.
function unionMembers(pattern) {
  const match = types.match(pattern);
  assert.ok(match, `${pattern} not found in index.d.ts`);
  return [...match[1].matchAll(/'(\w+)'/g)].map((m) => m[1]);
}

test('STATUS_NAMES are the EP_STATUS_* names by value', () => {
  const byValue = [];
  for (const [name, value] of Object.entries(defines('STATUS'))) byValue[value] = name;
  assert.deepEqual(constants.STATUS_NAMES, byValue);
});

test('every failure status is an EdgepieceErrorCode in index.d.ts', () => {
  const codes = unionMembers(/export type EdgepieceErrorCode =([^;]*);/);
  for (const name of constants.STATUS_NAMES.slice(1)) assert.ok(codes.includes(name), name);
});

test('encode flags are the EP_ENCODE_* values', () => {
  const { BOS, EOS, OFFSETS, ...rest } = defines('ENCODE');
  assert.deepEqual(rest, {});
  assert.deepEqual([constants.ENCODE_BOS, constants.ENCODE_EOS, constants.ENCODE_OFFSETS],
    [BOS, EOS, OFFSETS]);
});

test('RNG_KINDS are the EP_RNG_* values, and LoadOptions.rng names them', () => {
  const kinds = Object.fromEntries(
    Object.entries(defines('RNG')).map(([name, value]) => [name.toLowerCase(), value]));
  assert.deepEqual(constants.RNG_KINDS, kinds);
  assert.deepEqual(unionMembers(/rng\?: ([^;]*);/).sort(), Object.keys(kinds).sort());
});

// The ep_* functions a header declares (`<type> ep_name(` at the start of a line, as
// wasm/CMakeLists.txt reads them).
function declared(text) {
  return [...text.matchAll(/^[a-z][^(\n]*?\b(ep_\w+)\(/gm)].map((m) => m[1]);
}

// edgepiece-spm.wasm (SentencePiece .model tokenizers) exports the tokenizer half of
// edgepiece.h: the ep_tokenizer_*, ep_encoder_* and ep_decoder_* functions (wasm/CMakeLists.txt).
const tokenizerHalf = (names) => names.filter((name) => /^ep_(tokenizer|encoder|decoder)_/.test(name));
for (const [file, own, filter] of [['edgepiece.wasm', 'main'], ['edgepiece-trainer.wasm', 'trainer'],
  ['edgepiece-spm.wasm', 'main', tokenizerHalf]]) {
  test(`${file} exports exactly the functions of edgepiece_common.h and its own header`, async () => {
    const expected = [...declared(headers.common), ...(filter ?? ((x) => x))(declared(headers[own]))].sort();
    assert.ok(declared(headers.common).length >= 3 && declared(headers[own]).length >= 8);
    const wasmBytes = readFileSync(path.join(packageDir, file));
    const wasmModule = await WebAssembly.compile(wasmBytes);
    const exported = WebAssembly.Module.exports(wasmModule).map((e) => e.name)
      .filter((name) => name.startsWith('ep_')).sort();
    assert.deepEqual(exported, expected);
  });
}

test('no function is declared in two headers', () => {
  const all = Object.values(headers).flatMap(declared);
  assert.equal(new Set(all).size, all.length);
});

test('TRAINER_OPTIONS_LAYOUT is ep_trainer_options as the header declares it', () => {
  const body = header.match(/typedef struct ep_trainer_options \{([^}]*)\}/);
  assert.ok(body, 'ep_trainer_options not found in the header');
  // Offsets by C's rules for these types: each field aligned to its size.
  const sizes = { uint64_t: 8, int32_t: 4 };
  let offset = 0;
  const fields = [];
  for (const [, type, name] of body[1].matchAll(/^\s*(\w+) (\w+);/gm)) {
    assert.ok(type in sizes, `${name}: unexpected type ${type}`);
    offset = Math.ceil(offset / sizes[type]) * sizes[type];
    fields.push([name, offset, type]);
    offset += sizes[type];
  }
  assert.deepEqual(Object.values(TRAINER_OPTIONS_LAYOUT).sort((a, b) => a[1] - b[1]), fields);
  // Every option of index.d.ts's TrainOptions, and only those, is laid out.
  const options = types.match(/export interface TrainOptions \{([^}]*)\}/);
  assert.ok(options, 'TrainOptions not found in index.d.ts');
  const declared = [...options[1].matchAll(/^\s*(\w+)\?:/gm)].map((m) => m[1]).sort();
  assert.deepEqual(Object.keys(TRAINER_OPTIONS_LAYOUT).sort(), declared);
});
