#!/usr/bin/env bash
# Language-model speed, single thread: the edgepiece runtime and the PyTorch
# reference on the same weights, in one run, with the ratios.
#   bash bench/bench_lm.sh [MODEL_DIR]        (default: models/)
# Needs the release build and, for the PyTorch side,
# `bash tools/install_deps.sh --reference`.
set -euo pipefail
cd "$(dirname "$0")/.."
model_dir=${1:-models}
weights=$(ls "$model_dir"/*.safetensors)
bin=build/release/native/edgepiece
[ -x "$bin" ] || { cmake --preset release > /dev/null && cmake --build --preset release -j "$(nproc)"; }

ours=$("$bin" bench --model "$model_dir" --prefill-tokens 512 --decode-tokens 256 --repeat 5)
echo "$ours"
torch=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/bench_torch.py "$weights" \
          --prefill-tokens 512 --decode-tokens 256 --repeat 3)
echo "pytorch reference: $torch"
python3 - "$ours" "$torch" <<'PY'
import json, re, sys
ours, torch = sys.argv[1], json.loads(sys.argv[2])
speed = {m: float(v) for m, v in re.findall(r"(prefill|decode)\s+\d+ tokens\s+([\d.]+) tok/s", ours)}
print("\n| phase | edgepiece tok/s | PyTorch tok/s | ratio |")
print("|---|---|---|---|")
for phase in ("prefill", "decode"):
    t = torch[f"{phase}_tokens_per_s"]
    print(f"| {phase} | {speed[phase]:.0f} | {t:.0f} | {speed[phase] / t:.1f}x |")
PY
