#!/usr/bin/env bash
# The main job: install dependencies, build, run the tokenizer on the bundled
# model (models/kjvzh-8k.model) and generate text with the bundled language
# model (models/kjvzh-lm.safetensors).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake --preset release > /dev/null
cmake --build --preset release -j "$(nproc)"
bin=build/release/native/edgepiece
model=models/kjvzh-8k.model
text='In the beginning God created the heaven and the earth. 天行健，君子以自强不息。'

echo "--- edgepiece info"
"$bin" info --model "$model"
echo "--- encode (deterministic):  $text"
printf '%s' "$text" | "$bin" encode --model "$model" --format pieces
ids=$(printf '%s' "$text" | "$bin" encode --model "$model")
echo "$ids"
echo "--- decode"
echo "$ids" | "$bin" decode --model "$model"; echo
echo "--- encode (sampling, alpha 0.1, seed 7, three draws of one stream)"
printf '%s\n%s\n%s\n' "{\"text\":\"$text\"}" "{\"text\":\"$text\"}" "{\"text\":\"$text\"}" |
  "$bin" encode --model "$model" --jsonl --alpha 0.1 --seed 7 --format pieces
echo "--- generate (language model, streamed; temperature 0.8, top-p 0.95, seed 1)"
"$bin" generate --model models --prompt "And God said" --max-tokens 80 --seed 1 --stats
"$bin" generate --model models --prompt "子曰：" --max-tokens 40 --seed 1 --stats
echo "--- score (bits per byte of a held-out passage)"
"$bin" score --model models tests/golden/model/heldout-en.txt
