#!/usr/bin/env bash
# Runs every test suite: installs dependencies, checks the C++ formatting
# (tools/check_format.sh), builds the native release and the ASan+UBSan
# configurations and runs all GoogleTest suites in both, runs every fuzz
# target for a short fixed budget (tools/fuzz.sh) and the threaded tests
# under ThreadSanitizer (tools/tsan.sh), trains from shards
# under Dask distributed (tests/dask), then lints the
# JavaScript (ESLint), builds the WebAssembly module and runs the node:test
# suites on it (including the tsc check of the types), the web demo's tests
# in headless Chromium (tests/browser), and the README and docs examples
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

echo "=== fuzzing: every libFuzzer target for ${FUZZ_SECONDS:-30} s (tools/fuzz.sh) ==="
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

echo "=== browser tests ==="
(cd tests/browser && npm ci --no-audit --no-fund)
node --test tests/browser/

echo "=== README and docs examples ==="
node --test tests/docs/
