#!/usr/bin/env bash
# Smoke test of the core examples: runs each release binary (built by `cargo build --release
# --examples`, which .ci/run does first) and checks one line of what its doc comment promises.
# Exits non-zero on the first failure; each run is bounded by `timeout`.
set -euo pipefail
cd "$(dirname "$0")/../.."

target_dir="${CARGO_TARGET_DIR:-target}"
examples_dir="$target_dir/release/examples"
failures=0

# check NAME EXPECTED_LINE: runs the example and looks for the exact line in its stdout.
check() {
  local name="$1" expected="$2" binary="$examples_dir/$1" output status=0
  if [ ! -x "$binary" ]; then
    echo "FAIL $name: $binary is missing (run cargo build --release --examples)"
    failures=$((failures + 1))
    return
  fi
  output="$(env -u RUST_LOG timeout 30 "$binary" 2>&1)" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "FAIL $name: exited with status $status"
    printf '%s\n' "$output" | tail -n 20
    failures=$((failures + 1))
  elif ! grep -qxF -- "$expected" <<<"$output"; then
    echo "FAIL $name: no line '$expected' in its output:"
    printf '%s\n' "$output" | tail -n 20
    failures=$((failures + 1))
  else
    echo "ok   $name: $expected"
  fi
}

check lazy "main: got 4; the body stopped right there"
check running_average "send(10) before start: error \"send before start: the coroutine has not been primed (the value is handed back)\""
check throw_reset "throw(reset) -> caught: total 0, state suspended"
check close_cleanup "dropped while suspended; file holds 14 bytes"
check flatten "deep: stopped after the first leaf, 10000 suspended coroutines closed"
check fibonacci "sum of the even terms below four million: 4613732"

if [ "$failures" -ne 0 ]; then
  echo "core smoke: $failures example(s) failed"
  exit 1
fi
echo "core smoke: all 6 examples ok"
