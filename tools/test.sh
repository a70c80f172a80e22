#!/usr/bin/env bash
# Runs every test suite: installs dependencies, checks the C++ formatting
# (tools/check_format.sh), builds the native release and the ASan+UBSan
# configurations and runs all GoogleTest suites in both, runs every fuzz
# target for a short fixed budget (tools/fuzz.sh) and the threaded tests
# under ThreadSanitizer (tools/tsan.sh), trains from shards
# under Dask distributed (tests/dask), then lints the
# JavaScript (ESLint), builds the WebAssembly module and runs the node:test
# suites on it (including the tsc check of the types) with the system Node and
# with Node 18, 20 and 22 from the npm registry (npx node@N), the web demo's
# tests in headless Chromium and Firefox ESR (tests/browser), the package
# bundled by Vite, webpack 5 and esbuild and the demo under a strict
# Content-Security-Policy (tests/consumers), and the README and docs examples
# (tests/docs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
jobs=$(nproc)

echo "=== C++ formatting ==="
bash tools/check_format.sh

for preset in release asan; do
  echo "=== native tests: $preset ==="
  cmake --preset "$preset" > /dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done

echo "=== fuzzing: every libFuzzer target for ${FUZZ_SECONDS:-60} s (tools/fuzz.sh) ==="
bash tools/fuzz.sh

echo "=== ThreadSanitizer: the threaded native tests (tools/tsan.sh) ==="
bash tools/tsan.sh

echo "=== sharded training under Dask distributed ==="
# Debian's python3 has python3-distributed; a python3 earlier on PATH may not.
python=/usr/bin/python3
[ -x "$python" ] || python=python3
golden_dir=${EDGEPIECE_GOLDEN_DIR:-../shared/golden}
if "$python" -c 'import dask.distributed' 2> /dev/null; then
  "$python" tests/dask/train_shards.py build/release/native/edgepiece "$golden_dir"
else
  echo "SKIP: $python cannot import dask.distributed (Debian: python3-distributed)"
fi

echo "=== WebAssembly build and node tests ==="
export NODE_PATH=/usr/share/nodejs  # Debian's emcc needs its acorn module
(cd wasm && npm ci --no-audit --no-fund)
echo "=== JavaScript lint ==="
wasm/node_modules/.bin/eslint -c wasm/eslint.config.js
cmake --preset wasm > /dev/null
cmake --build --preset wasm -j "$jobs"
wasm_bytes=$(stat -c %s build/wasm/package/edgepiece.wasm)
echo "edgepiece.wasm: $wasm_bytes bytes, $(gzip -9 -c build/wasm/package/edgepiece.wasm | wc -c) gzipped"
echo "edgepiece-spm.wasm: $(stat -c %s build/wasm/package/edgepiece-spm.wasm) bytes," \
     "$(gzip -9 -c build/wasm/package/edgepiece-spm.wasm | wc -c) gzipped"
node --test tests/wasm/

# The package supports Node 18 and later (wasm/src/package.json "engines"):
# the same suite on each supported major release, Node from the npm registry
# (the "node" package: a prebuilt binary, cached by npx after the first run).
system_node=$(node -p 'process.versions.node.split(".")[0]')
for major in ${NODE_MAJORS:-18 20 22}; do
  [ "$major" = "$system_node" ] && continue  # just tested
  version=$(npx --prefer-offline -y "node@$major" -p 'process.versions.node')
  case "$version" in
    "$major".*) ;;
    *) echo "npx node@$major runs Node $version"; exit 1 ;;
  esac
  echo "=== WebAssembly node tests on Node $version (npx node@$major) ==="
  # The soak test (tests/wasm/soak.test.mjs) runs once, with the system Node.
  EDGEPIECE_SOAK=off npx --prefer-offline -y "node@$major" --test tests/wasm/*.test.mjs  # Node 22: no directories
done

echo "=== browser tests: Chromium and Firefox ESR ==="
(cd tests/browser && npm ci --no-audit --no-fund)
node --test tests/browser/

echo "=== bundlers (Vite, webpack 5, esbuild) and a strict CSP, in Chromium ==="
(cd tests/consumers && npm ci --no-audit --no-fund)
node --test tests/consumers/

echo "=== README and docs examples ==="
node --test tests/docs/
