// Runs the examples of README.md, wasm/src/README.md (the npm package's) and docs/*.md so
// they cannot drift from the code. Fenced blocks are run by language:
//   sh   each command (continuation lines joined) runs in bash, in a scratch
//        folder that holds the fixture files the examples name (text.txt,
//        docs.jsonl, corpus.txt) and links to models/ and build/, with the
//        release CLI first on PATH; it must exit 0. A comment line
//        `# => OUTPUT` right after a command is its expected stdout (its
//        first line; `...` at the end matches any rest).
//   cpp  wrapped in main() (#include lines hoisted), compiled against the
//        release runtime library and run.
//   js   run as an ES module in Node with `edgepiece` resolving to the built
//        package and the byte variables the examples assume defined, in a
//        folder that links models/.
// A block whose info string has `no-test` (installs, servers, long
// benchmarks) is not run, but every repository path it names must exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cliDir = path.join(repoRoot, 'build/release/native');
const packageDir = path.join(repoRoot, 'build/wasm/package');
const runtimeLibrary = path.join(repoRoot, 'build/release/runtime/libedgepiece_runtime.a');

const documents = ['README.md', 'wasm/src/README.md', ...readdirSync(path.join(repoRoot, 'docs'))
  .filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

// Every fenced block of a Markdown file: { lang, flags, code, line }.
function fencedBlocks(file) {
  const lines = readFileSync(path.join(repoRoot, file), 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; ++i) {
    const open = lines[i].match(/^```(\w*)\s*(.*)$/);
    if (!open) continue;
    const start = i;
    while (++i < lines.length && !lines[i].startsWith('```'));
    blocks.push({ lang: open[1], flags: open[2].split(/\s+/), code: lines.slice(start + 1, i), line: start + 1 });
  }
  return blocks;
}

// Commands of a sh block, each with the expected first line of its stdout.
// A line that only assigns variables (M=...) runs before every later command.
function shellCommands(lines) {
  const commands = [];
  const assignments = [];
  for (let i = 0; i < lines.length; ++i) {
    let line = lines[i];
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i];
    const assignment = line.match(/^\s*([A-Za-z_]\w*=\S*)\s*(#.*)?$/);
    if (assignment) {
      assignments.push(assignment[1]);
      continue;
    }
    const expected = lines[i + 1]?.match(/^\s*# => (.*)$/)?.[1];
    commands.push({ command: line, prelude: assignments.join('; '), expected });
  }
  return commands;
}

function matchesExpected(actual, expected) {
  const first = actual.split('\n')[0];
  if (expected.endsWith('...')) return first.startsWith(expected.slice(0, -3));
  return first === expected;
}

// The scratch folder sh examples run in.
let scratch = null;
function scratchDir() {
  if (scratch) return scratch;
  scratch = mkdtempSync(path.join(tmpdir(), 'edgepiece-examples-'));
  for (const name of ['models', 'build', 'tools', 'bench', 'web-demo']) {
    symlinkSync(path.join(repoRoot, name), path.join(scratch, name));
  }
  const text = 'In the beginning God created the heaven and the earth.\n天下大事，必作于细。\n';
  writeFileSync(path.join(scratch, 'text.txt'), text);
  writeFileSync(path.join(scratch, 'corpus.txt'), text.repeat(200));
  writeFileSync(path.join(scratch, 'docs.jsonl'), text.split('\n').filter(Boolean)
    .map((line) => JSON.stringify({ text: line })).join('\n') + '\n');
  return scratch;
}

function runShell(command, prelude) {
  const script = prelude ? `${prelude}\n${command}` : command;
  return spawnSync('bash', ['-o', 'pipefail', '-c', script], {
    cwd: scratchDir(),
    env: { ...process.env, PATH: `${cliDir}:${process.env.PATH}` },
    encoding: 'utf8',
    input: '',
    timeout: 120_000,
  });
}

function runCpp(code) {
  const includes = code.filter((line) => line.startsWith('#include'));
  const body = code.filter((line) => !line.startsWith('#include'));
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-cpp-'));
  try {
    const source = path.join(dir, 'example.cc');
    writeFileSync(source, [...includes, 'int main() {', ...body, '  return 0;', '}', ''].join('\n'));
    execFileSync('g++', ['-std=c++17', '-O1', `-I${repoRoot}`, source, runtimeLibrary,
      '-lhwy', '-lsimdjson', '-lutf8proc', '-o', path.join(dir, 'example')], { stdio: 'pipe' });
    execFileSync(path.join(dir, 'example'), { cwd: repoRoot, stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runJs(code) {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgepiece-js-'));
  try {
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(packageDir, path.join(dir, 'node_modules/edgepiece'));
    symlinkSync(path.join(repoRoot, 'models'), path.join(dir, 'models'));  // for URL and path examples
    const imports = code.filter((line) => /^import\s/.test(line));
    const body = code.filter((line) => !/^import\s/.test(line));
    const prelude = [
      "import { readFileSync } from 'node:fs';",
      `const repo = ${JSON.stringify(repoRoot)};`,
      "const tokenizerBytes = new Uint8Array(readFileSync(`${repo}/models/kjvzh-8k.model`));",
      "const weightsBytes = new Uint8Array(readFileSync(`${repo}/models/kjvzh-lm.safetensors`));",
    ];
    writeFileSync(path.join(dir, 'example.mjs'), [...imports, ...prelude, ...body, ''].join('\n'));
    execFileSync(process.execPath, [path.join(dir, 'example.mjs')], { cwd: dir, stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Repository paths a block names (tools/x.sh, models/y, ...); a brace list
// (models/lm.{a,b}) names one path per entry.
function namedPaths(code) {
  const roots = '(?:tools|bench|docs|models|tests|wasm|native|runtime|web-demo|cmake)';
  const pattern = new RegExp(`(?<![\\w./-])${roots}/[\\w./-]*(?:\\{[\\w.,-]+\\}|\\w)`, 'g');
  return [...code.join('\n').matchAll(pattern)].flatMap(([named]) => {
    const brace = named.match(/^(.*)\{(.*)\}$/);
    return brace ? brace[2].split(',').map((entry) => brace[1] + entry) : [named];
  });
}

for (const file of documents) {
  for (const block of fencedBlocks(file)) {
    const where = `${file}:${block.line}`;
    for (const named of namedPaths(block.code)) {
      if (named.startsWith('build/')) continue;
      test(`${where} names ${named}, which exists`, () => {
        assert.ok(existsSync(path.join(repoRoot, named)), `${named} (named at ${where}) is missing`);
      });
    }
    if (block.flags.includes('no-test')) continue;
    if (block.lang === 'sh') {
      for (const { command, prelude, expected } of shellCommands(block.code)) {
        test(`${where}: ${command}`, () => {
          const result = runShell(command, prelude);
          assert.equal(result.status, 0, `exit ${result.status}\n${result.stderr}`);
          if (expected !== undefined) {
            assert.ok(matchesExpected(result.stdout, expected),
              `stdout ${JSON.stringify(result.stdout.slice(0, 200))} does not start as ${expected}`);
          }
        });
      }
    } else if (block.lang === 'cpp') {
      test(`${where}: C++ example compiles and runs`, () => runCpp(block.code));
    } else if (block.lang === 'js') {
      test(`${where}: JS example runs`, () => runJs(block.code));
    }
  }
}

test.after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});
