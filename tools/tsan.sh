#!/usr/bin/env bash
# ThreadSanitizer run of what the runtime does on several threads: the
# `tsan` preset builds tests/native/threads_test (one Tokenizer under many
# Encoders, one Model under many Sessions, trainer parts counted and
# segmented on threads) and the CLI, then runs the test and
# `edgepiece encode --threads 4` (plain, --lines, --jsonl) and `edgepiece
# train --threads 4` (also with a --memory-limit that spills), whose output
# must equal the one-thread run. Any race report fails. tools/test.sh runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset tsan > /dev/null
cmake --build --preset tsan -j "$(nproc)" --target threads_test edgepiece
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
build/tsan/tests/native/threads_test

cli=build/tsan/native/edgepiece
model=models/kjvzh-8k.model
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# About 1 MB of text (many 64 KB blocks a thread), lines and JSON lines.
for _ in $(seq 70); do cat tests/golden/model/heldout-en.txt tests/golden/model/heldout-zh.txt; done \
  > "$work/text.txt"
python3 -c 'import json,sys; [print(json.dumps({"text": l})) for l in open(sys.argv[1])]' \
  "$work/text.txt" > "$work/text.jsonl"
for mode in plain --lines --jsonl; do
  input=$work/text.txt
  [ "$mode" = --jsonl ] && input=$work/text.jsonl
  flags=()
  [ "$mode" != plain ] && flags=("$mode")
  "$cli" encode --model "$model" "${flags[@]}" "$input" > "$work/one.ids"
  "$cli" encode --model "$model" "${flags[@]}" --threads 4 "$input" > "$work/four.ids"
  cmp "$work/one.ids" "$work/four.ids"
  echo "tsan: encode $mode --threads 4: same ids as one thread, no race"
done
for extra in "" "--memory-limit 1M"; do
  # shellcheck disable=SC2086  # $extra is two words or none
  "$cli" train --quiet --jsonl --vocab-size 3000 $extra -o "$work/one.model" "$work/text.jsonl"
  # shellcheck disable=SC2086
  "$cli" train --quiet --jsonl --vocab-size 3000 $extra --threads 4 -o "$work/four.model" \
    "$work/text.jsonl"
  cmp "$work/one.model" "$work/four.model"
  echo "tsan: train --threads 4 $extra: same model as one thread, no race"
done
