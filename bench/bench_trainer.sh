#!/usr/bin/env bash
# BytePiece training, one thread: `edgepiece train` on the public corpus with
# the three golden settings, wall time and peak RSS (/usr/bin/time -v), each
# model checked against its golden; with BPREF_DIR set (../shared/tools/bpref
# set up, see its README) the reference Trainer runs the same settings and the
# ratios are printed.
# Then the same with --threads THREADS (default 2; the model must be the same
# bytes) and the speedup over one thread.
#   bash bench/bench_trainer.sh [REPEAT]     (default 3: best wall time of REPEAT runs)
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-3}
threads=${THREADS:-2}
golden=${EDGEPIECE_GOLDEN_DIR:-../shared/golden}
bpref_tools=../shared/tools/bpref
bin=build/release/native/edgepiece
[ -x "$bin" ] || { cmake --preset release > /dev/null && cmake --build --preset release -j2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
zcat "$golden/bytepiece/public.docs.jsonl.gz" > "$work/public.jsonl"
echo "corpus: public.docs.jsonl ($(stat -c %s "$work/public.jsonl") bytes), $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Runs a command under /usr/bin/time -v; prints "wall_s peak_mb".
measure() {
  /usr/bin/time -v "$@" > /dev/null 2> "$work/time.txt" || { cat "$work/time.txt"; exit 1; }
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                                          for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
              /Maximum resident set size/ { rss = $2 / 1024 }
              END { printf "%.2f %.0f\n", wall, rss }' "$work/time.txt"
}

echo
echo "| setting | edgepiece wall s | peak RSS MB | reference wall s | peak RSS MB | speedup |" \
     "$threads threads wall s | peak RSS MB | speedup over 1 thread |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
# Best "wall_s peak_mb" of REPEAT runs of edgepiece train with the flags given.
best_of() {
  local best="" result
  for _ in $(seq "$repeat"); do
    result=$(measure "$bin" train --quiet --jsonl "$@")
    if [ -z "$best" ] || awk -v a="${result% *}" -v b="${best% *}" 'BEGIN { exit !(a < b) }'; then
      best=$result
    fi
  done
  echo "$best"
}
while read -r name flags; do
  # shellcheck disable=SC2086
  best=$(best_of --output "$work/$name.model" $flags "$work/public.jsonl")
  cmp -s "$work/$name.model" "$golden/trainer/public.$name.model" ||
    { echo "$name: the model differs from the golden"; exit 1; }
  # shellcheck disable=SC2086
  multi=$(best_of --threads "$threads" --output "$work/$name.t.model" $flags "$work/public.jsonl")
  cmp -s "$work/$name.t.model" "$golden/trainer/public.$name.model" ||
    { echo "$name: the --threads $threads model differs from the golden"; exit 1; }
  thread_speedup=$(awk -v a="${best% *}" -v b="${multi% *}" 'BEGIN { printf "%.2fx", a / b }')
  ref_wall="-" ref_rss="-" speedup="-"
  if [ -n "${BPREF_DIR:-}" ]; then
    ref_flags=${flags/--vocab-size/--max-vocab-size}
    # shellcheck disable=SC2086
    ref=$(NPY_DISABLE_CPU_FEATURES="AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL" \
            measure /usr/bin/python3 "$bpref_tools/train_ref.py" "$work/public.jsonl" \
            "$work/$name.ref.model" $ref_flags)
    cmp -s "$work/$name.ref.model" "$golden/trainer/public.$name.model" ||
      { echo "$name: the reference's model differs from the golden"; exit 1; }
    ref_wall=${ref% *} ref_rss=${ref#* }
    speedup=$(awk -v r="$ref_wall" -v o="${best% *}" 'BEGIN { printf "%.0fx", r / o }')
  fi
  echo "| $name | ${best% *} | ${best#* } | $ref_wall | $ref_rss | $speedup |" \
       "${multi% *} | ${multi#* } | $thread_speedup |"
done <<'SETTINGS'
o6.v8000.m4 --order 6 --vocab-size 8000 --min-count 4
o6.v30000.m2.digits --order 6 --vocab-size 30000 --min-count 2 --isolate-digits
o3.v2000.m16.nounicode --order 3 --vocab-size 2000 --min-count 16 --no-ensure-unicode
SETTINGS
