#!/usr/bin/env bash
# Runs every test suite: installs dependencies, builds the native release
# and the ASan+UBSan configurations, and runs all GoogleTest suites in both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
jobs=$(nproc)

for preset in release asan; do
  echo "=== native tests: $preset ==="
  cmake --preset "$preset" > /dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done
