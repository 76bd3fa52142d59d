#!/usr/bin/env bash
# Smoke test of the tokio examples (release binaries from `cargo build --release --examples`):
#  1. async_bridge runs a tokio program whose Volley task awaits tokio futures and whose tokio
#     task awaits the Volley task;
#  2. channel_pingpong runs the same channel bodies on a one-thread scheduler and on tokio's
#     multi-threaded runtime, with the same result.
# Each one's stdout must be the lines its doc comment promises. Bounded by `timeout`; exits
# non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

# check NAME SECONDS EXPECTED WHAT: runs the example NAME for at most SECONDS and compares its
# output with EXPECTED; says WHAT it showed when it matches.
check() {
  local name="$1" seconds="$2" expected="$3" what="$4"
  local binary="${CARGO_TARGET_DIR:-target}/release/examples/$name"
  [ -x "$binary" ] || { echo "FAIL $name: $binary is missing (run cargo build --release --examples)"; exit 1; }
  local out
  out="$(env -u RUST_LOG timeout "$seconds" "$binary")" || { echo "FAIL $name: exited with $?: $out"; exit 1; }
  if [ "$out" != "$expected" ]; then
    echo "FAIL $name: unexpected output:"
    echo "$out"
    exit 1
  fi
  echo "ok   $name: $what"
}

check async_bridge 30 "volley task: a tokio timer fired
volley task: the tokio server answered \"PONG\"
volley task: a tokio channel delivered 1 + 2 + 3 = 6
tokio task: the volley task returned after 3 steps" "both directions of the bridge"

check channel_pingpong 60 "one thread: 10000 round trips, answers summing to 100000000; 40000 messages from 4 producers to 3 consumers, each received once and in order
tokio, 2 workers: 10000 round trips, answers summing to 100000000; 40000 messages from 4 producers to 3 consumers, each received once and in order" \
  "one set of channel bodies, the same result on one thread and on tokio"
