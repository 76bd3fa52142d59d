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

binary="${CARGO_TARGET_DIR:-target}/release/examples/async_bridge"
[ -x "$binary" ] || { echo "FAIL async_bridge: $binary is missing (run cargo build --release --examples)"; exit 1; }

expected="volley task: a tokio timer fired
volley task: the tokio server answered \"PONG\"
volley task: a tokio channel delivered 1 + 2 + 3 = 6
tokio task: the volley task returned after 3 steps"
out="$(env -u RUST_LOG timeout 30 "$binary")" || { echo "FAIL async_bridge: exited with $?: $out"; exit 1; }
if [ "$out" != "$expected" ]; then
  echo "FAIL async_bridge: unexpected output:"
  echo "$out"
  exit 1
fi
echo "ok   async_bridge: both directions of the bridge"

binary="${CARGO_TARGET_DIR:-target}/release/examples/channel_pingpong"
[ -x "$binary" ] || { echo "FAIL channel_pingpong: $binary is missing (run cargo build --release --examples)"; exit 1; }

expected="one thread: 10000 round trips, answers summing to 100000000; 40000 messages from 4 producers to 3 consumers, each received once and in order
tokio, 2 workers: 10000 round trips, answers summing to 100000000; 40000 messages from 4 producers to 3 consumers, each received once and in order"
out="$(env -u RUST_LOG timeout 60 "$binary")" || { echo "FAIL channel_pingpong: exited with $?: $out"; exit 1; }
if [ "$out" != "$expected" ]; then
  echo "FAIL channel_pingpong: unexpected output:"
  echo "$out"
  exit 1
fi
echo "ok   channel_pingpong: one set of channel bodies, the same result on one thread and on tokio"
