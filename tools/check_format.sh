#!/usr/bin/env bash
# Fails when a tracked C or C++ file differs from what clang-format (Debian's,
# .clang-format at the root) would write. Fix with: tools/check_format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
# Tracked files and new ones git does not ignore.
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.h' '*.cc' '*.c' '*.cpp')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! clang-format --dry-run --Werror "${files[@]}" 2> "$log"; then
  grep -m 20 'error:' "$log" >&2 || true
  echo "check_format: files differ from clang-format; run tools/check_format.sh --fix" >&2
  exit 1
fi
echo "check_format: ${#files[@]} files formatted"
