#!/usr/bin/env bash
# The language model beside ONNX Runtime (native CPU provider and web/wasm backend), one command:
#   bash bench/bench_lm_ort.sh [ROUNDS]      (default 3)
# Exports the reference model to ONNX once (tools/lm/export_onnx.py, ~2 minutes), installs the
# pinned onnxruntime-node and onnxruntime-web in bench/ort (benchmark only; CI never does), and runs
# bench/bench_lm_ort.mjs. Needs the release and wasm builds and
# `bash tools/install_deps.sh --reference` (PyTorch, python3-onnx).
set -euo pipefail
cd "$(dirname "$0")/.."
onnx_dir=build/bench-data/onnx
if [ ! -f "$onnx_dir/check.json" ] || [ models/kjvzh-lm.safetensors -nt "$onnx_dir/check.json" ] ||
   [ tools/lm/export_onnx.py -nt "$onnx_dir/check.json" ]; then
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/lm/export_onnx.py models/kjvzh-lm.safetensors \
    "$onnx_dir" 2> >(grep -v -i warn >&2)
fi
# --ignore-scripts: onnxruntime-node's install script fetches CUDA parts from elsewhere; the CPU
# backend ships in its tarball.
[ -d bench/ort/node_modules/onnxruntime-web ] ||
  (cd bench/ort && npm ci --ignore-scripts --no-audit --no-fund)
node bench/bench_lm_ort.mjs "$onnx_dir" "${1:-3}"
