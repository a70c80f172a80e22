#!/usr/bin/env bash
# Installs everything the build and the tests need, from Debian's packages.
# Idempotent: does nothing when every package is already installed.
#   --reference   also what the PyTorch reference, training and the model
#                 goldens need (tools/lm/): not needed to build or test.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config zlib1g-dev clang-format  # clang-format: tools/check_format.sh
  libhwy-dev libsimdjson-dev libutf8proc-dev   # runtime: SIMD, JSON, NFC
  libgtest-dev libbenchmark-dev                # tests
  clang-14 libclang-rt-14-dev                  # fuzz targets (tools/fuzz.sh): libFuzzer, sanitizers
  sentencepiece libsentencepiece-dev hyperfine # peer benchmarks
  emscripten node-acorn binaryen wabt          # WebAssembly build
  chromium firefox-esr fonts-wqy-microhei      # browser tests (two engines), CJK and emoji fonts
  fonts-noto-color-emoji                       #   for readable screenshots
  python3-distributed                          # sharded training under Dask (tests/dask)
)
if [ "${1:-}" = "--reference" ]; then
  packages+=(python3-torch python3-numpy libopenblas0-pthread  # reference, training
             python3-onnx                                      # bench/bench_lm_ort.sh export
             bible-kjv bible-kjv-text fortunes-zh)             # the demo model's corpus
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install_deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
