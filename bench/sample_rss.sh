#!/usr/bin/env bash
# Runs a command and appends its resident set size once a second to LOG, one
# "SECONDS KB" line per sample (seconds since the start, VmRSS), then "rc N":
# where in a run the memory goes (docs/benchmarks.md "Trainer"). The peak
# itself comes from /usr/bin/time -v, which misses nothing between samples.
#
# usage: bench/sample_rss.sh LOG COMMAND [ARGS...]   (the command's stderr goes to LOG.err)
set -u
log=$1
shift
"$@" 2> "$log.err" &
pid=$!
start=$(date +%s.%N)
while kill -0 "$pid" 2> /dev/null; do
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2> /dev/null)
  echo "$(echo "$(date +%s.%N) - $start" | bc) $rss" >> "$log"
  sleep 1
done
wait "$pid"
rc=$?
echo "rc $rc" >> "$log"
exit "$rc"
