#!/usr/bin/env bash
# What a page downloads to tokenize with edgepiece or with each JS/WASM peer:
# the code an unbundled `import` fetches, and the model for the plus40k-sized
# vocabulary, in bytes and gzip -9 bytes. Paths are relative to the
# repository root. Run after the wasm build, `bench/bench_tokenizer.sh` (the
# SentencePiece models and tokenizer.json) and
# `(cd bench/js && npm ci --ignore-scripts)`.
set -euo pipefail
cd "$(dirname "$0")/.."

PKG=${PKG:-build/wasm/package}
PEERS=${PEERS_DIR:-bench/js/node_modules}
WORK_DIR=${WORK_DIR:-build/bench-data}
GOLDEN_DIR=${GOLDEN_DIR:-../shared/golden/bytepiece}
EDGEPIECE=${EDGEPIECE:-build/release/native/edgepiece}

sizes() {  # FILE...: "bytes gzipped" summed over the files
  local raw=0 gz=0 f
  for f in "$@"; do
    raw=$((raw + $(stat -c %s "$f")))
    gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
  done
  echo "$raw $gz"
}
row() {  # NAME "CODE_SIZES" "MODEL_SIZES" MODEL_NAME
  read -r code code_gz <<< "$2"
  read -r model model_gz <<< "$3"
  printf '%-16s %10s %9s   %-28s %10s %9s   %9s\n' "$1" "$code" "$code_gz" "$4" "$model" \
    "$model_gz" "$((code_gz + model_gz))"
}

packed=$(mktemp --suffix=.bpk)
trap 'rm -f "$packed"' EXIT
"$EDGEPIECE" pack --model "$GOLDEN_DIR/plus40k.model" --output "$packed" > /dev/null

echo "# bytes a page downloads (code: what an unbundled import fetches; model: plus40k size)"
printf '%-16s %10s %9s   %-28s %10s %9s   %9s\n' tokenizer code code_gz model model model_gz \
  total_gz
# Every ES module `import 'edgepiece'` fetches; not edgepiece-trainer.wasm, which only a
# train() fetches.
ep_code=$(sizes "$PKG"/edgepiece.wasm \
  "$PKG"/{index,core,constants,tokenizer,trainer,model,source,utf8,worker-client}.js)
row edgepiece "$ep_code" "$(sizes "$packed")" "plus40k, packed"
row edgepiece "$ep_code" "$(sizes "$GOLDEN_DIR/plus40k.model")" "plus40k.model (JSON)"
spm=$(sizes "$WORK_DIR/spm-plus40k.model")
row sp-js "$(sizes "$PEERS/@agnai/sentencepiece-js/dist/index.js")" "$spm" spm-plus40k.model
row mlc "$(sizes "$PEERS/@mlc-ai/web-tokenizers/lib/index.js")" "$spm" spm-plus40k.model
row kitoken "$(sizes "$PEERS/kitoken/dist/web.js" "$PEERS/kitoken/dist/web_bg.wasm")" "$spm" \
  spm-plus40k.model
row tok.js "$(sizes "$PEERS/@huggingface/tokenizers/dist/tokenizers.min.mjs")" \
  "$(sizes "$WORK_DIR/spm-plus40k.tokenizer.json")" spm-plus40k.tokenizer.json
