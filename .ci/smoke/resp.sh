#!/usr/bin/env bash
# Smoke test of the resp_server example (release build): start it on a free loopback port,
# redis-cli ping/set/get, a short redis-benchmark, then stop it. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in redis-cli redis-benchmark; do
  command -v "$tool" >/dev/null || { echo "resp smoke: $tool missing (install redis-tools)" >&2; exit 1; }
done

cargo build --release --example resp_server -q
LOG=$(mktemp)
./target/release/examples/resp_server --port 0 >"$LOG" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -f "$LOG"; }
trap cleanup EXIT

PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$LOG")
  [ -n "$PORT" ] && break
  kill -0 "$PID" 2>/dev/null || { echo "resp smoke: server exited:" >&2; cat "$LOG" >&2; exit 1; }
  sleep 0.05
done
[ -n "$PORT" ] || { echo "resp smoke: server did not report its port" >&2; exit 1; }

cli() { timeout 10 redis-cli -p "$PORT" "$@"; }
expect() {
  local want=$1; shift
  local got; got=$(cli "$@")
  [ "$got" = "$want" ] || { echo "resp smoke: redis-cli $* answered '$got', expected '$want'" >&2; exit 1; }
}
expect PONG ping
expect OK set smoke:key hello
expect hello get smoke:key

OUT=$(timeout 60 redis-benchmark -p "$PORT" -q -n 2000 -t ping,set,get 2>&1)
echo "$OUT" | tr '\r' '\n' | grep 'requests per second' | sed 's/^/resp smoke: /'
for test in PING_INLINE PING_MBULK SET GET; do
  echo "$OUT" | tr '\r' '\n' | grep -q "^$test: .*requests per second" ||
    { echo "resp smoke: redis-benchmark did not finish $test:" >&2; echo "$OUT" >&2; exit 1; }
done
if echo "$OUT" | grep -qi 'error'; then
  echo "resp smoke: redis-benchmark reported an error:" >&2; echo "$OUT" >&2; exit 1
fi
kill -0 "$PID" || { echo "resp smoke: server died" >&2; exit 1; }
echo "resp smoke: ok"
