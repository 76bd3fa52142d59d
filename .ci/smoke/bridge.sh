#!/usr/bin/env bash
# Smoke test of the async bridge example (release binary from `cargo build --release
# --examples`): async_bridge runs a tokio program whose Volley task awaits tokio futures and
# whose tokio task awaits the Volley task; its stdout must be the lines its doc comment
# promises. Bounded by `timeout`; exits non-zero on failure.
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
