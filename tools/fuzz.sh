#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, the `fuzz` preset: clang-14, ASan
# + UBSan) and runs each for a fixed budget, one after another; a crash, a
# sanitizer report, a leak, a timeout or a broken invariant fails the run and
# leaves the input in build/test-artifacts/fuzz/. tools/test.sh runs it.
#   tools/fuzz.sh [TARGET...]          all targets, or the ones named
# Environment:
#   FUZZ_SECONDS=60                    budget per target (docs/fuzzing.md)
#   FUZZ_RUNS=N                        also stop a target after N executions
#   FUZZ_SECONDS_<target>=N            one target's budget, e.g. FUZZ_SECONDS_capi_fuzzer=120
#   FUZZ_CORPUS_DIR=build/fuzz-corpus  the corpora, kept and grown between runs
# A long run (docs/fuzzing.md):
#   FUZZ_RUNS=10000000 FUZZ_SECONDS=86400 nice -n 19 bash tools/fuzz.sh
# Reproduce a finding: build/fuzz/tests/fuzz/<target> build/test-artifacts/fuzz/<file>
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(tokenizer_file_fuzzer model_loader_fuzzer snapshot_fuzzer encode_fuzzer
             decode_fuzzer trainer_fuzzer capi_fuzzer)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
seconds=${FUZZ_SECONDS:-60}
corpus_root=${FUZZ_CORPUS_DIR:-build/fuzz-corpus}
artifacts=build/test-artifacts/fuzz
golden_dir=${EDGEPIECE_GOLDEN_DIR:-../shared/golden}

cmake --preset fuzz > /dev/null
cmake --build --preset fuzz -j "$(nproc)" --target fuzz_seeds "${targets[@]}"
bin=build/fuzz/tests/fuzz

# Seeds: written by fuzz_seeds, plus the small golden files on disk.
seeds=build/fuzz/seeds
rm -rf "$seeds"
for t in "${all_targets[@]}"; do mkdir -p "$seeds/$t" "$corpus_root/$t"; done
"$bin/fuzz_seeds" "$seeds"
cp tests/golden/model/tiny.safetensors "$seeds/model_loader_fuzzer/"
for f in "$golden_dir"/trainer/*.model; do
  # Small tokenizer files only: a big seed slows every mutation.
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -le 200000 ] && cp "$f" "$seeds/tokenizer_file_fuzzer/"
done
# Small SentencePiece .model files from the parity matrix, where a release build has run it.
for f in build/release/tests/spm_matrix/*.model; do
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -le 200000 ] && cp "$f" "$seeds/tokenizer_file_fuzzer/"
done
mkdir -p "$artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
summary=()
for t in "${targets[@]}"; do
  budget_var="FUZZ_SECONDS_$t"
  budget=${!budget_var:-$seconds}
  args=(-max_total_time="$budget" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/$t-")
  [ -n "${FUZZ_RUNS:-}" ] && args+=(-runs="$FUZZ_RUNS")
  case $t in
    tokenizer_file_fuzzer) args+=(-dict=tests/fuzz/tokenizer_file.dict -max_len=200000) ;;
    model_loader_fuzzer) args+=(-dict=tests/fuzz/model_loader.dict -max_len=65536) ;;
    trainer_fuzzer) args+=(-max_len=4096) ;;
  esac
  echo "=== fuzz: $t (${budget} s) ==="
  log="$artifacts/$t.log"
  if "$bin/$t" "${args[@]}" "$corpus_root/$t" "$seeds/$t" > "$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
    tail -n 60 "$log"
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
  summary+=("$(printf '%-22s %-6s %10s execs %7s exec/s  %s' "$t" "$status" \
    "${execs:-?}" "${rate:-?}" "${cov:-?}")")
done
echo "=== fuzz summary (logs in $artifacts) ==="
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}; crashing inputs: $(ls "$artifacts" | grep -v '\.log$' | tr '\n' ' ')"
  exit 1
fi
