#!/usr/bin/env bash
# Fails when a folder includes a header from a layer it may not depend on, so the
# layer diagram in CMakeLists.txt stays true. Layers, dependencies pointing down:
#   native/, wasm/ -> runtime/capi -> runtime/model -> runtime/tokenizer -> runtime/text
#   (runtime/trainer sits on runtime/tokenizer beside runtime/model, under runtime/capi)
#   -> runtime/ops (Highway kernels; they know nothing of tokenizers or models) -> runtime/base
# (native/ also uses the C++ API below capi directly.) Tests, benchmarks and fuzz
# targets sit outside the layers and may include anything.
#
#   tools/check_layers.sh [ROOT]    check the tree at ROOT (default: this repository)
#   tools/check_layers.sh --self-test   check that an upward include is caught
set -euo pipefail

# Each layer and the layers its files may include (its own included).
declare -A allowed=(
  [runtime/base]="runtime/base"
  [runtime/ops]="runtime/ops runtime/base"
  [runtime/text]="runtime/text runtime/ops runtime/base"
  [runtime/tokenizer]="runtime/tokenizer runtime/text runtime/ops runtime/base"
  [runtime/model]="runtime/model runtime/tokenizer runtime/text runtime/ops runtime/base"
  [runtime/trainer]="runtime/trainer runtime/tokenizer runtime/text runtime/ops runtime/base"
  [runtime/capi]="runtime/capi runtime/model runtime/trainer runtime/tokenizer runtime/text
                  runtime/ops runtime/base"
  [native]="native runtime/capi runtime/model runtime/trainer runtime/tokenizer runtime/text
            runtime/ops runtime/base"
  [wasm]="wasm runtime/capi"
)

if [[ "${1:-}" == --self-test ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/runtime/ops" "$tmp/runtime/model"
  echo '#include "runtime/base/status.h"' > "$tmp/runtime/ops/down.h"
  echo '#include "runtime/model/model.h"' > "$tmp/runtime/ops/up.h"
  if out=$("$0" "$tmp" 2>&1); then
    echo "self-test failed: runtime/ops including runtime/model was accepted"
    exit 1
  fi
  if ! grep -q '^runtime/ops/up.h:1: ' <<< "$out" || grep -q 'down.h' <<< "$out"; then
    printf 'self-test failed: wrong report:\n%s\n' "$out"
    exit 1
  fi
  echo "self-test: the upward include was reported"
  exit 0
fi

root=${1:-$(dirname "$0")/..}
cd "$root"
errors=0

# A folder under runtime/ missing from the table is an error: a new layer needs a place.
for dir in runtime/*/; do
  dir=${dir%/}
  if [[ -z "${allowed[$dir]+x}" ]]; then
    echo "$dir: not in the layer table of tools/check_layers.sh"
    errors=$((errors + 1))
  fi
done

for layer in "${!allowed[@]}"; do
  [[ -d "$layer" ]] || continue
  while IFS=: read -r file line include; do
    # "runtime/ops/foo.h" belongs to runtime/ops; "native/foo.h" to native.
    path=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]([^">]*)[">].*/\1/' \
             <<< "$include")
    if [[ "$path" == runtime/* ]]; then
      dep=$(cut -d/ -f1-2 <<< "$path")
    else
      dep=${path%%/*}
    fi
    if [[ " $(echo ${allowed[$layer]}) " != *" $dep "* ]]; then
      echo "$file:$line: $layer may not include $path (allowed: $(echo ${allowed[$layer]}))"
      errors=$((errors + 1))
    fi
  done < <(grep -rnE --include='*.h' --include='*.cc' --include='*.cpp' \
             '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<](runtime|native|wasm|tests|bench)/' \
             "$layer" || true)
done

if ((errors > 0)); then
  echo "$errors layering violation(s); the layers are drawn in CMakeLists.txt"
  exit 1
fi
echo "layers: every include points down"
