// The benchmark workloads shared by bench/bench_wasm.mjs and
// bench/bench_js_peers.mjs. The cutting rule lives in one place,
// native/text_workloads.cc (used by `edgepiece bench` and
// bench/tokenizer_peers); the release build's text_workloads_bounds prints
// where that rule cuts a file, and this module only slices the file there.
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = path.resolve(root, process.env.BUILD_DIR ?? 'build/release');

/**
 * The workloads of a text file, as native/text_workloads.cc cuts them:
 * `lines` (every line with its '\n') and `documents` (whole lines joined
 * into ~64 KB documents), as strings.
 */
export function workloads(file) {
  const tool = path.join(buildDir, 'bench/text_workloads_bounds');
  if (!existsSync(tool)) {
    throw new Error(`${tool} missing: cmake --build --preset release --target text_workloads_bounds`);
  }
  const bytes = readFileSync(file);
  const ends = JSON.parse(execFileSync(tool, [file], { maxBuffer: 1 << 30 }).toString());
  const slice = (list) => list.map((end, i) => bytes.toString('utf8', i ? list[i - 1] : 0, end));
  return { lines: slice(ends.lines), documents: slice(ends.documents) };
}

/** CPU seconds of this process (user + system), for MB per CPU-second. */
export function cpuSeconds() { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; }
