#!/usr/bin/env bash
# Soak runs (docs/hardening.md, "Soak and limits"): memory that stays flat however much goes
# through. Needs the release build (edgepiece CLI) and, for `npm`, the wasm build.
#
#   bash tools/soak.sh cli        # SOAK_BYTES (default 1G) through encode (plain, --lines,
#                                 # --jsonl, --lines --threads 2) and back through decode
#   bash tools/soak.sh generate   # SOAK_TOKENS (default 100000) generated tokens
#   bash tools/soak.sh npm        # the long npm soak: EDGEPIECE_SOAK=long tests/wasm/soak.test.mjs
#   bash tools/soak.sh all        # the three
#
# Each CLI command runs on the corpus and on an eighth of it; its peak RSS (/usr/bin/time -v)
# at full size must stay within 25% + 4 MB of the eighth's: flat, not growing with the input.
# `generate` samples RSS every second (bench/sample_rss.sh); the second half of the run may
# not exceed the first half's peak by more than 2 MB. Work files go to SOAK_DIR (default
# build/soak); a table of figures is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
bytes=${SOAK_BYTES:-1G}
tokens=${SOAK_TOKENS:-100000}
dir=${SOAK_DIR:-build/soak}
cli=build/release/native/edgepiece
model=models/kjvzh-8k.model
docs=${EDGEPIECE_GOLDEN_DIR:-../shared/golden}/bytepiece/public.docs.jsonl.gz
mkdir -p "$dir"
failed=0
report=()

to_bytes() { numfmt --from=iec "$1"; }

# corpus FILE.txt FILE.jsonl BYTES: the public documents repeated to BYTES, as plain text
# (one document a line, newlines inside made spaces) and as JSON lines.
make_corpus() {
  python3 - "$docs" "$1" "$2" "$3" << 'EOF'
import gzip, json, sys
docs, txt, jsonl, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lines = [json.loads(l)["text"] for l in gzip.open(docs, "rt", encoding="utf-8") if l.strip()]
plain = "".join(t.replace("\n", " ") + "\n" for t in lines).encode()
js = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in lines).encode()
for path, block in ((txt, plain), (jsonl, js)):
    with open(path, "wb") as out:
        written = 0
        while written < size:
            out.write(block)
            written += len(block)
EOF
}

# peak_kb LOG: the maximum resident set size /usr/bin/time -v wrote to LOG.
peak_kb() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
seconds() { awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1"; }

# measure NAME INPUT_SIZE_TAG -- COMMAND...: runs COMMAND under /usr/bin/time -v, output
# to $dir/NAME.TAG.out; echoes the peak RSS in KB.
measure() {
  local name=$1 tag=$2
  shift 3
  /usr/bin/time -v -o "$dir/$name.$tag.time" "$@" > "$dir/$name.$tag.out"
  peak_kb "$dir/$name.$tag.time"
}

soak_cli() {
  local full small
  full=$(to_bytes "$bytes")
  small=$((full / 8))
  echo "corpus: $full bytes (and $small) in $dir"
  make_corpus "$dir/corpus.txt" "$dir/corpus.jsonl" "$full"
  make_corpus "$dir/small.txt" "$dir/small.jsonl" "$small"
  local -A modes=(
    [encode]="--model $model"
    [encode-lines]="--model $model --lines"
    [encode-jsonl]="--model $model --jsonl"
    [encode-lines-threads2]="--model $model --lines --threads 2"
  )
  for name in encode encode-lines encode-lines-threads2 encode-jsonl; do
    local peaks=()
    for tag in small corpus; do
      local input="$dir/$tag.txt"
      [[ $name == encode-jsonl ]] && input="$dir/$tag.jsonl"
      # shellcheck disable=SC2086
      peaks+=("$(measure "$name" "$tag" -- "$cli" encode ${modes[$name]} < "$input")")
    done
    check "$name" "${peaks[0]}" "${peaks[1]}" "$(seconds "$dir/$name.corpus.time")"
  done
  # Back through decode: the plain run's ids, checked against the corpus (the public
  # documents are NFC, so the round trip is exact).
  local peaks=()
  for tag in small corpus; do
    peaks+=("$(measure decode "$tag" -- "$cli" decode --model "$model" < "$dir/encode.$tag.out")")
  done
  if ! cmp -s "$dir/decode.corpus.out" "$dir/corpus.txt"; then
    echo "FAIL decode: the decoded text differs from the corpus"
    failed=1
  fi
  check decode "${peaks[0]}" "${peaks[1]}" "$(seconds "$dir/decode.corpus.time")"
  rm -f "$dir"/*.out
}

# check NAME SMALL_KB FULL_KB TIME: flat means FULL <= 1.25 SMALL + 4 MB.
check() {
  local verdict=ok
  if (($3 > $2 * 5 / 4 + 4096)); then
    verdict=FAIL
    failed=1
  fi
  report+=("$(printf '%-24s %8s KB at 1/8  %8s KB at %s  %10s  %s' "$1" "$2" "$3" "$bytes" "$4" "$verdict")")
}

soak_generate() {
  local log="$dir/generate.rss"
  rm -f "$log"
  /usr/bin/time -v -o "$dir/generate.time" bash bench/sample_rss.sh "$log" \
    "$cli" generate --model models --prompt "In the beginning" --max-tokens "$tokens" \
    --ignore-eos --seed 1 --stats > "$dir/generate.out"
  local verdict
  verdict=$(awk '$1 != "rc" && $2 != "" {t[NR] = $1; r[NR] = $2; n = NR}
    END {half = t[n] / 2; for (i = 1; i <= n; ++i) {
           if (t[i] <= half) { if (r[i] > a) a = r[i] } else if (r[i] > b) b = r[i] }
         printf "%s first half peak %d KB, second half peak %d KB, %d samples",
                (b <= a + 2048 ? "ok" : "FAIL"), a, b, n}' "$log")
  [[ $verdict == ok* ]] || failed=1
  report+=("$(printf 'generate %s tokens: %s; %s' "$tokens" "$verdict" "$(tail -1 "$log.err")")")
}

case $what in
  cli) soak_cli ;;
  generate) soak_generate ;;
  npm) EDGEPIECE_SOAK=long node --test --test-timeout=0 tests/wasm/soak.test.mjs ;;
  all)
    soak_cli
    soak_generate
    EDGEPIECE_SOAK=long node --test --test-timeout=0 tests/wasm/soak.test.mjs
    ;;
  *) echo "usage: tools/soak.sh [cli|generate|npm|all]" >&2; exit 2 ;;
esac
printf '%s\n' "${report[@]}"
exit "$failed"
