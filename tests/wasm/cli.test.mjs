// The native CLI on its own (no WebAssembly needed): encode --lines, decode
// of lines longer than the read blocks, progress reports, --version, train.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const nativeCli = path.join(repoRoot, 'build/release/native/edgepiece');
const goldenDir = path.join(process.env.EDGEPIECE_GOLDEN_DIR ?? path.join(repoRoot, '../shared/golden'), 'bytepiece');
const modelPath = path.join(goldenDir, 'kjvzh-8k.model');

function run(args, input) {
  const result = spawnSync(nativeCli, args, { input, maxBuffer: 1 << 28 });
  return { status: result.status, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
}

function runOk(args, input) {
  const result = run(args, input);
  assert.equal(result.status, 0, `edgepiece ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

// Deterministic PRNG (xorshift32) so failures reproduce.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

const POOL = [...'abcdefghij ABC .,;:!?"-()0123', '\t', '  ', '\r', ...'天行健君子以自强不息。，的一是',
  'é', 'e\u0301', 'a\u0323\u0301', '\u212b', '한국어', '😀', '👍🏽', '\u0000', '\u00a0', '…'];

// `count` lines without '\n', some empty.
function randomLines(count, seed) {
  const next = rng(seed);
  const lines = [];
  for (let i = 0; i < count; ++i) {
    const length = next() < 0.1 ? 0 : Math.floor(next() * 60);
    let s = '';
    for (let k = 0; k < length; ++k) s += POOL[Math.floor(next() * POOL.length)];
    lines.push(s);
  }
  return lines;
}

test('the native CLI is built', () => {
  assert.ok(existsSync(nativeCli), `${nativeCli} missing: build the release preset first`);
});

test('--version and -V print project(VERSION); -h is --help on every command', () => {
  const cmake = readFileSync(path.join(repoRoot, 'CMakeLists.txt'), 'utf8');
  const version = cmake.match(/project\(edgepiece VERSION ([0-9.]+)/)[1];
  assert.equal(runOk(['--version']), `edgepiece ${version}\n`);
  assert.equal(runOk(['-V']), `edgepiece ${version}\n`);
  for (const command of ['encode', 'decode', 'info', 'pack', 'train', 'generate', 'score', 'bench', 'quantize']) {
    const help = runOk([command, '--help']);
    assert.match(help, new RegExp(`^usage: edgepiece ${command} `));
    assert.equal(runOk([command, '-h']), help, command);
    assert.equal(run([command, '--no-such-flag']).status, 2, command);
  }
});

test('encode --lines: one output line per input line, as if each line were a document', () => {
  const lines = randomLines(3000, 99);  // ~100 KB: several batches and read blocks
  const input = lines.join('\n') + '\n';
  const jsonl = lines.map((text) => JSON.stringify({ text })).join('\n') + '\n';
  for (const format of ['ids', 'pieces', 'json']) {
    for (const flags of [[], ['--bos', '--eos']]) {
      const args = ['encode', '--model', modelPath, '--format', format, ...flags];
      const output = runOk([...args, '--lines'], input);
      const outLines = output.split('\n');
      assert.equal(outLines.pop(), '', 'output ends with a newline');
      assert.equal(outLines.length, lines.length, `${format} ${flags}: one line per line`);
      // Each line alone, as --jsonl encodes a document ({"text": ""} too).
      const expected = runOk([...args, '--jsonl'], jsonl).split('\n').slice(0, -1);
      assert.deepEqual(outLines, expected, `${format} ${flags}`);
      if (format === 'ids' && flags.length === 0) {
        lines.forEach((line, i) => { if (line === '') assert.equal(outLines[i], '', `line ${i}`); });
      }
      assert.equal(runOk([...args, '--lines', '--threads', '3'], input), output, `${format} ${flags} --threads 3`);
    }
  }
  // The last line may lack its '\n'; an empty line gives an empty line.
  const ab = runOk(['encode', '--model', modelPath], 'ab');
  assert.equal(runOk(['encode', '--model', modelPath, '--lines'], 'ab\n\nab'), `${ab}\n${ab}`);
  assert.equal(runOk(['encode', '--model', modelPath, '--lines'], ''), '');
  assert.equal(runOk(['encode', '--model', modelPath, '--lines', '--bos', '--eos'], '\n'), '1,2\n');
});

test('encode --lines with sampling: one RNG stream in input order', () => {
  const lines = randomLines(500, 7).filter((line) => line.trim() !== '');
  const input = lines.join('\n') + '\n';
  const jsonl = lines.map((text) => JSON.stringify({ text })).join('\n') + '\n';
  const sampling = ['--alpha', '0.3', '--seed', '11', '--rng', 'glibc'];
  const output = runOk(['encode', '--model', modelPath, '--lines', ...sampling], input);
  assert.equal(output, runOk(['encode', '--model', modelPath, '--jsonl', ...sampling], jsonl));
  assert.notEqual(output, runOk(['encode', '--model', modelPath, '--lines'], input), 'it samples');
  assert.equal(run(['encode', '--model', modelPath, '--lines', '--jsonl']).status, 2);
});

test('encode --lines round-trips through decode --jsonl', () => {
  const lines = randomLines(400, 5).map((line) => line.replace(/\r/g, ''));
  const ids = runOk(['encode', '--model', modelPath, '--lines'], lines.join('\n') + '\n');
  const decoded = runOk(['decode', '--model', modelPath, '--jsonl'], ids).split('\n').slice(0, -1)
    .map((line) => JSON.parse(line).text);
  assert.deepEqual(decoded, lines.map((line) => line.normalize('NFC')));
});

test('decode of a line far longer than a read block: characters cut anywhere, invalid bytes dropped', () => {
  // Single-byte pieces (id = byte + 3) put every byte of a character in its
  // own id, so the line's decoding is cut inside characters wherever it is
  // cut; 0xFF, 0xC0 and a truncated sequence are invalid and dropped.
  const next = rng(31);
  let text = '';
  const bytes = [];
  while (bytes.length < 400000) {
    const piece = POOL[Math.floor(next() * POOL.length)];
    text += piece;
    bytes.push(...Buffer.from(piece));
    const r = next();
    if (r < 0.02) bytes.push(0xff);
    else if (r < 0.04) bytes.push(0xc0);
    else if (r < 0.06) { bytes.push(0xe4, 0xbd); }  // then a lead or ASCII byte: truncated
    if (r >= 0.04 && r < 0.06) { text += 'x'; bytes.push(0x78); }
  }
  const line = bytes.map((b) => b + 3).join(',');
  assert.ok(line.length > 8 * 65536);
  for (const ending of ['\n', '']) {
    assert.equal(runOk(['decode', '--model', modelPath], line + ending), text);
    assert.deepEqual(spawnSync(nativeCli, ['decode', '--model', modelPath, '--bytes'], { input: line + ending, maxBuffer: 1 << 28 }).stdout,
      Buffer.from(bytes));
    assert.equal(runOk(['decode', '--model', modelPath, '--jsonl'], line + ending), JSON.stringify({ text }) + '\n');
  }
  // A bad id far into the line is reported at its column.
  const bad = run(['decode', '--model', modelPath], `${line},12x\n`);
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, `edgepiece: line 1: expected an id at column ${line.length + 2}\n`);
  const range = run(['decode', '--model', modelPath], `${line},99999\n`);
  assert.equal(range.status, 1);
  assert.match(range.stderr, new RegExp(`^edgepiece: line 1: out of range: ids\\[${bytes.length}\\]: `));
});

test('--progress: a final line on stderr when it is not a terminal, nothing without it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-progress-'));
  const file = path.join(dir, 'text.txt');
  const text = randomLines(2000, 3).join('\n');
  writeFileSync(file, text);
  const size = Buffer.byteLength(text);
  const plain = run(['encode', '--model', modelPath, file]);
  assert.equal(plain.stderr, '');
  const withProgress = run(['encode', '--model', modelPath, '--progress', file]);
  assert.equal(withProgress.stdout, plain.stdout);
  const mb = (size / 1e6).toFixed(1);
  assert.match(withProgress.stderr, new RegExp(`edgepiece: encode: 100% ${mb} MB of ${mb} MB, [0-9.]+ MB/s, [0-9:]+\\n$`));
  const ids = path.join(dir, 'ids.txt');
  writeFileSync(ids, plain.stdout);
  const decoded = run(['decode', '--model', modelPath, '--progress'], plain.stdout);  // stdin: size unknown
  assert.match(decoded.stderr, /edgepiece: decode: [0-9.]+ MB, [0-9.]+ MB\/s, [0-9:]+\n$/);
  assert.equal(decoded.stdout, runOk(['decode', '--model', modelPath, ids]));
});

test('encode --format json of a document whose offsets pass the 4 MB held in memory', () => {
  // Past 4 MB the offsets wait in a temporary file (native/encode_command.cc);
  // the output must be the same JSON as ever.
  const text = randomLines(60000, 17).join('\n');
  const bytes = Buffer.from(text.normalize('NFC'));
  const ids = runOk(['encode', '--model', modelPath], text).trim().split(',').map(Number);
  assert.ok(ids.length * 10 > 4 << 20, 'offsets text > 4 MB');
  for (const flags of [[], ['--threads', '2'], ['--bos', '--eos']]) {
    const output = runOk(['encode', '--model', modelPath, '--format', 'json', ...flags], text);
    assert.ok(output.endsWith(']]}\n'));
    const json = JSON.parse(output);
    const special = flags.includes('--bos');
    const body = special ? json.ids.slice(1, -1) : json.ids;
    assert.deepEqual(body, ids, `ids ${flags}`);
    const offsets = special ? json.offsets.slice(1, -1) : json.offsets;
    assert.equal(offsets.length, ids.length);
    let end = 0;
    for (const [b, e] of offsets) {
      assert.equal(b, end);
      end = e;
    }
    assert.equal(end, bytes.length);
    if (special) assert.deepEqual(json.offsets.at(-1), [bytes.length, bytes.length]);
  }
});

const trainerGoldenDir = path.join(goldenDir, '../trainer');
const publicJsonl = () => gunzipSync(readFileSync(path.join(goldenDir, 'public.docs.jsonl.gz')));

test('train writes the reference model byte for byte, and encode loads it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-train-'));
  const corpus = path.join(dir, 'public.jsonl');
  writeFileSync(corpus, publicJsonl());
  const model = path.join(dir, 'o3.model');
  const stdout = runOk(['train', '--output', model, '--order', '3', '--vocab-size', '2000',
    '--min-count', '16', '--no-ensure-unicode', '--jsonl', '--quiet', corpus]);
  assert.equal(stdout, `${model}: 1997 pieces (vocabulary size 2000)\n`);
  const golden = readFileSync(path.join(trainerGoldenDir, 'public.o3.v2000.m16.nounicode.model'));
  assert.ok(readFileSync(model).equals(golden), 'model bytes differ from the golden');
  // The trained model encodes like the reference's model (same file) and round-trips.
  const text = 'A trained model: 训练好的模型。\n';
  const ids = runOk(['encode', '--model', model], text);
  assert.match(ids, /^[0-9]+(,[0-9]+)*\n$/);
  assert.equal(runOk(['decode', '--model', model], ids), text);
});

test('train: plain files are one document each; stdin gives the same model', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-train-'));
  const docs = randomLines(400, 5).map((line, i) => `${line}\n${i % 7 === 0 ? '\n\n' : ''}`);
  const files = [0, 1, 2].map((k) => {
    const file = path.join(dir, `doc${k}.txt`);
    writeFileSync(file, docs.filter((_, i) => i % 3 === k).join(''));
    return file;
  });
  const jsonl = path.join(dir, 'docs.jsonl');
  writeFileSync(jsonl, files.map((f) => JSON.stringify({ text: readFileSync(f, 'utf8') })).join('\n') + '\n');
  const flags = ['--vocab-size', '400', '--min-count', '2', '--quiet'];
  const train = (name, args, input) => {
    const out = path.join(dir, name);
    runOk(['train', '--output', out, ...flags, ...args], input);
    return readFileSync(out);
  };
  const fromFiles = train('files.model', files);
  assert.ok(fromFiles.equals(train('jsonl.model', ['--jsonl', jsonl])));
  assert.ok(fromFiles.equals(train('stdin.model', [files[0], '-', files[2]], readFileSync(files[1]))));
});

test('train: bad input is a clear error and leaves no model behind', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-train-'));
  const out = path.join(dir, 'out.model');
  const good = path.join(dir, 'good.txt');
  writeFileSync(good, 'some text\n');
  const empty = path.join(dir, 'empty.txt');
  writeFileSync(empty, '');
  const bad = path.join(dir, 'bad.txt');
  writeFileSync(bad, Buffer.concat([Buffer.from('caf\u00e9 ok\n'), Buffer.from([0x61, 0xc3, 0x28])]));
  const cases = [
    [['--vocab-size', '258', good], 2, /vocabulary size must be at least 259/],
    [['--order', '9', good], 2, /order/],
    [[], 2, /input files/],
    [[empty], 1, /empty corpus/],
    [[bad], 1, /bad\.txt: invalid UTF-8 at byte offset 10/],
    [[good, path.join(dir, 'missing.txt')], 3, /missing\.txt/],
    [['--jsonl', bad], 1, /bad\.txt/],
  ];
  for (const [args, status, message] of cases) {
    const result = run(['train', '--output', out, '--quiet', ...args]);
    assert.equal(result.status, status, `${args}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.ok(!existsSync(out), `${args}: a model was written`);
  }
  // No temporary file is left next to the output either.
  assert.deepEqual(readdirSync(dir).sort(), ['bad.txt', 'empty.txt', 'good.txt']);
  // Progress lines name the passes and the pruning steps.
  const result = run(['train', '--output', out, good]);
  assert.equal(result.status, 0);
  assert.match(result.stderr, /count n-grams: .*100%/);
  assert.match(result.stderr, /train: wasted: \d+ pieces/);
});

test('quantize writes the shipped int8 model byte for byte; bad groups and files are clear errors', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-quantize-'));
  const out = path.join(dir, 'int8.safetensors');
  const shipped = readFileSync(path.join(repoRoot, 'models/int8/kjvzh-lm-int8.safetensors'));
  assert.match(runOk(['quantize', '--model', path.join(repoRoot, 'models'), '--output', out]),
    /int8, 256 columns per scale, 3737110 bytes/);
  assert.ok(readFileSync(out).equals(shipped));
  // The same through a file name, and with the group spelled out.
  runOk(['quantize', '--model', path.join(repoRoot, 'models/kjvzh-lm.safetensors'), '--group', '256', '--output', out]);
  assert.ok(readFileSync(out).equals(shipped));
  assert.match(runOk(['info', '--model', `${out},${path.join(repoRoot, 'models/kjvzh-8k.model')}`]), /int8\/256/);
  const models = path.join(repoRoot, 'models');
  const bad = path.join(dir, 'bad.safetensors');
  const cases = [
    [['--model', models, '--group', '48', '--output', bad], 2, /does not divide/],
    [['--model', models, '--group', '1024', '--output', bad], 2, /group size must be in/],
    [['--model', models], 2, /--output/],
    [['--model', out, '--output', bad], 2, /already int8/],
    [['--model', path.join(models, 'kjvzh-8k.model'), '--output', bad], 2, /--model needs/],
    [['--model', path.join(dir, 'missing.safetensors'), '--output', bad], 3, /missing\.safetensors/],
  ];
  for (const [args, status, message] of cases) {
    const result = run(['quantize', ...args]);
    assert.equal(result.status, status, `${args}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  assert.ok(!existsSync(bad));
});

const o3Flags = ['--order', '3', '--vocab-size', '2000', '--min-count', '16', '--no-ensure-unicode'];
const o3Golden = () => readFileSync(path.join(trainerGoldenDir, 'public.o3.v2000.m16.nounicode.model'));

test('train --memory-limit: sorted runs on disk give the same model bytes', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-train-'));
  const corpus = path.join(dir, 'public.jsonl');
  writeFileSync(corpus, publicJsonl());
  const runsDir = path.join(dir, 'runs');
  mkdirSync(runsDir);
  const env = { ...process.env, TMPDIR: runsDir };
  const train = (model, args) => {
    const result = spawnSync(nativeCli, ['train', '-o', model, '--jsonl', ...args, corpus], { env });
    assert.equal(result.status, 0, result.stderr.toString());
    // 1M forces several runs in both passes; none is left in TMPDIR afterwards.
    const runs = /train: (\d+) sorted runs \(\d+ bytes\) merged/.exec(result.stderr.toString());
    assert.ok(runs && Number(runs[1]) > 2, result.stderr.toString());
    const pieceRuns = /train: (\d+) sorted piece runs \(\d+ bytes\) merged/.exec(result.stderr.toString());
    assert.ok(pieceRuns && Number(pieceRuns[1]) > 2, result.stderr.toString());
    assert.deepEqual(readdirSync(runsDir), []);
    return readFileSync(model);
  };
  assert.ok(train(path.join(dir, 'o3.model'), [...o3Flags, '--memory-limit', '1M']).equals(o3Golden()));
  assert.ok(train(path.join(dir, 'o3t2.model'), [...o3Flags, '--memory-limit', '1M', '--threads', '2'])
    .equals(o3Golden()), 'o3 --memory-limit 1M --threads 2: bytes differ');
  const o6 = train(path.join(dir, 'o6.model'), ['--order', '6', '--vocab-size', '8000',
    '--min-count', '4', '--memory-limit', '1M', '--threads', '2']);
  const o6Golden = readFileSync(path.join(trainerGoldenDir, 'public.o6.v8000.m4.model'));
  assert.ok(o6.equals(o6Golden), 'o6 --memory-limit 1M --threads 2: bytes differ');

  // An unwritable temporary directory, or a full disk (a file size limit
  // here) while spilling, is a clear error and leaves no model behind.
  const out = path.join(dir, 'out.model');
  const missing = spawnSync(nativeCli, ['train', '-o', out, '--quiet', '--jsonl',
    '--memory-limit', '1M', corpus], { env: { ...process.env, TMPDIR: path.join(dir, 'nope') } });
  assert.equal(missing.status, 3, missing.stderr.toString());
  assert.match(missing.stderr.toString(), /cannot create a temporary n-gram run file in .*nope/);
  const full = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 1024; exec "$@"`, 'bash',
    nativeCli, 'train', '-o', out, '--quiet', '--jsonl', '--memory-limit', '1M', corpus], { env });
  assert.equal(full.status, 3, full.stderr.toString());
  assert.match(full.stderr.toString(), /cannot write the temporary n-gram run file in .*runs: File too large/);
  assert.deepEqual(readdirSync(runsDir), []);
  // Bad sizes, and the flag on a shard step, are usage errors.
  for (const [args, message] of [
    [['--memory-limit', '64X', corpus], /--memory-limit: memory size '64X'/],
    [['--memory-limit', '512K', corpus], /at least 1M/],
    [['count', '--memory-limit', '64M', corpus], /not to train count/],
  ]) {
    const result = run(['train', '-o', out, '--quiet', ...args]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, message);
  }
  assert.ok(!existsSync(out));
  assert.deepEqual(readdirSync(dir).sort(), ['o3.model', 'o3t2.model', 'o6.model', 'public.jsonl', 'runs']);
});

test('train --memory-limit: pass 2 spills piece counts alone, and a full disk there is an error', () => {
  // Order 2 over ~1 MB of random lines: few n-grams (pass 1 stays in memory)
  // but tens of thousands of distinct pieces (pass 2 spills).
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-train-'));
  const corpus = path.join(dir, 'random.txt');
  writeFileSync(corpus, randomLines(20000, 5).join('\n'));
  const runsDir = path.join(dir, 'runs');
  mkdirSync(runsDir);
  const env = { ...process.env, TMPDIR: runsDir };
  const flags = ['--order', '2', '--min-count', '1', '--vocab-size', '500', corpus];
  const train = (name, args) => {
    const model = path.join(dir, name);
    const result = spawnSync(nativeCli, ['train', '-o', model, ...args, ...flags], { env });
    assert.equal(result.status, 0, result.stderr.toString());
    return { model: readFileSync(model), stderr: result.stderr.toString() };
  };
  const whole = train('whole.model', ['--quiet']).model;
  for (const threads of ['1', '2']) {
    const bounded = train(`t${threads}.model`, ['--memory-limit', '1M', '--threads', threads]);
    assert.ok(bounded.model.equals(whole), `--threads ${threads}: bytes differ`);
    assert.doesNotMatch(bounded.stderr, /sorted runs/);
    const pieceRuns = /train: (\d+) sorted piece runs/.exec(bounded.stderr);
    assert.ok(pieceRuns && Number(pieceRuns[1]) >= 2, bounded.stderr);
    assert.deepEqual(readdirSync(runsDir), []);
  }
  // The runs need ~1.6 MB: a 512 KB file size limit stands in for a full disk.
  const out = path.join(dir, 'out.model');
  const full = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 512; exec "$@"`, 'bash',
    nativeCli, 'train', '-o', out, '--quiet', '--memory-limit', '1M', ...flags], { env });
  assert.equal(full.status, 3, full.stderr.toString());
  assert.match(full.stderr.toString(), /cannot write the temporary piece run file in .*runs: File too large/);
  assert.ok(!existsSync(out));
  assert.deepEqual(readdirSync(runsDir), []);
  assert.deepEqual(readdirSync(dir).sort(), ['random.txt', 'runs', 't1.model', 't2.model', 'whole.model']);
});

test('train --threads: the same model bytes on 1, 2 and 3 threads', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-train-'));
  const corpus = path.join(dir, 'public.jsonl');
  writeFileSync(corpus, publicJsonl());
  for (const threads of ['2', '3']) {
    const model = path.join(dir, `t${threads}.model`);
    runOk(['train', '-o', model, ...o3Flags, '--jsonl', '--quiet', '--threads', threads, corpus]);
    assert.ok(readFileSync(model).equals(o3Golden()), `--threads ${threads}: bytes differ`);
  }
  // Plain documents, stdin among them, split into runs that workers take in any order.
  const docs = randomLines(3000, 11).join('\n');
  const plain = path.join(dir, 'plain.txt');
  writeFileSync(plain, docs);
  const train = (threads) => {
    const out = path.join(dir, `plain${threads}.model`);
    runOk(['train', '-o', out, '--vocab-size', '500', '--quiet', '--threads', threads, plain, '-'], docs);
    return readFileSync(out);
  };
  assert.ok(train('1').equals(train('3')));
  // An error in a worker is reported with its document, and no model is left.
  writeFileSync(path.join(dir, 'bad.jsonl'), '{"text": "ok"}\n{"text": "\\ud800"}\n');
  const result = run(['train', '-o', path.join(dir, 'bad.model'), '--quiet', '--threads', '2',
    '--jsonl', path.join(dir, 'bad.jsonl')]);
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /bad\.jsonl/);
  assert.ok(!existsSync(path.join(dir, 'bad.model')));
  assert.equal(run(['train', '-o', path.join(dir, 'x'), '--threads', '0', plain]).status, 2);
});

test('train count/merge/segment/finish on 3 shards write the single run\'s model', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-train-'));
  const lines = publicJsonl().toString('utf8').split('\n').filter((l) => l !== '');
  const shards = [0, 1, 2].map((k) => {
    const file = path.join(dir, `shard${k}.jsonl`);
    const part = lines.slice(Math.floor((k * lines.length) / 3), Math.floor(((k + 1) * lines.length) / 3));
    writeFileSync(file, part.join('\n') + '\n');
    return file;
  });
  const at = (name) => path.join(dir, name);
  const step = (...args) => runOk(['train', ...args, '--quiet']);
  shards.forEach((s, k) => step('count', ...o3Flags, '--jsonl', s, '-o', at(`s${k}.counts`)));
  // Merging is associative and commutative: ((s2 + s0) + s1) is the same file as one merge.
  step('merge', at('s2.counts'), at('s0.counts'), '-o', at('a.counts'));
  step('merge', at('a.counts'), at('s1.counts'), '-o', at('all.counts'));
  step('merge', at('s0.counts'), at('s1.counts'), at('s2.counts'), '-o', at('all2.counts'));
  assert.ok(readFileSync(at('all.counts')).equals(readFileSync(at('all2.counts'))));
  shards.forEach((s, k) => step('segment', '--ngrams', at('all.counts'), '--jsonl', '--threads', '2',
    s, '-o', at(`s${k}.pieces`)));
  step('merge', at('s1.pieces'), at('s2.pieces'), at('s0.pieces'), '-o', at('all.pieces'));
  step('finish', '--vocab-size', '2000', '--pieces', at('all.pieces'), '--ngrams', at('all.counts'),
    '-o', at('sharded.model'));
  assert.ok(readFileSync(at('sharded.model')).equals(o3Golden()), 'sharded model differs');

  // Mixed settings, damaged files and mismatched passes are errors naming the file.
  step('count', '--order', '4', '--jsonl', shards[0], '-o', at('o4.counts'));
  writeFileSync(at('short.counts'), readFileSync(at('s0.counts')).subarray(0, 100));
  const cases = [
    [['merge', at('s0.counts'), at('o4.counts')], 1, /o4\.counts was counted with other settings.*order 4 vs 3/],
    [['merge', at('s0.counts'), at('s0.pieces')], 1, /s0\.pieces: byte 0: not an n-gram counts/],
    [['merge', at('short.counts')], 1, /short\.counts: byte 96: truncated/],
    [['merge', shards[0]], 1, /shard0\.jsonl: byte 0: neither/],
    [['segment', '--ngrams', at('all.counts'), '--min-count', '2', shards[0]], 2,
      /disagree.*all\.counts.*min-count 2 vs 16/],
    [['segment', shards[0]], 2, /--ngrams/],
    [['finish', '--pieces', at('all.pieces'), '--ngrams', at('s0.counts')], 1, /the two passes need the same corpus/],
    [['finish', '--pieces', at('all.pieces'), '--order', '6'], 2, /order 6 vs 3/],
  ];
  for (const [args, status, message] of cases) {
    const result = run(['train', ...args, '--quiet', '-o', at('out')]);
    assert.equal(result.status, status, `${args}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.ok(!existsSync(at('out')), `${args}: an output was written`);
  }
});
