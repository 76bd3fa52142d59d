#!/usr/bin/env bash
# Soak test (not in CI): the echo_server and resp_server examples (release), each under a minute
# of mixed hostile load from benches/soak_load.py (slow readers, half-sent requests, connection
# storms, resets) while well-behaved clients keep checking answers; each server runs under
# `ulimit -n 256`, so the storms also run it out of descriptors. Then the server's descriptors
# must come back to their baseline and its RSS to within RSS_SLACK_KIB of it, every
# well-behaved request must have been answered, and the server must still be running.
#
#   bash benches/soak.sh                          # 60 s per server
#   SOAK_SECONDS=10 bash benches/soak.sh          # shorter
#   SOAK_NOFILE=1024 RSS_SLACK_KIB=32768 bash benches/soak.sh
#
# Prints one row per server: descriptors (baseline, after), RSS in KiB (baseline, peak, after),
# and the load's summary. Exits 1 if any check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

SOAK_SECONDS="${SOAK_SECONDS:-60}"
SOAK_NOFILE="${SOAK_NOFILE:-256}"
RSS_SLACK_KIB="${RSS_SLACK_KIB:-16384}"
SETTLE_SECONDS="${SETTLE_SECONDS:-30}"

cargo build --release -q --example echo_server --example resp_server
bin="${CARGO_TARGET_DIR:-target}/release/examples"

fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
status_kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

PID=""
LOG=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  [ -n "$LOG" ] && rm -f "$LOG"
  return 0
}
trap cleanup EXIT

failed=0
printf '%-12s %8s %8s %10s %10s %10s  %s\n' server fds_base fds_after rss_base rss_peak rss_after load
soak() { # soak KIND PROGRAM ARGS...: one server under load, one row
  local kind=$1; shift
  LOG=$(mktemp)
  (ulimit -n "$SOAK_NOFILE" && exec "$@") >"$LOG" 2>&1 &
  PID=$!
  local addr=""
  for _ in $(seq 1 200); do
    addr=$(sed -n 's/^\(echo_server: \)\{0,1\}listening on \([0-9.]*:[0-9]*\)$/\2/p' "$LOG" | head -n 1)
    [ -n "$addr" ] && break
    kill -0 "$PID" 2>/dev/null || { echo "soak: $kind server exited:" >&2; cat "$LOG" >&2; exit 1; }
    sleep 0.05
  done
  [ -n "$addr" ] || { echo "soak: $kind server did not report its address" >&2; exit 1; }

  python3 benches/soak_load.py --kind "$kind" --addr "$addr" --seconds 2 --gentle >/dev/null
  local fds_base rss_base
  fds_base=$(fds "$PID")
  rss_base=$(status_kib "$PID" VmRSS)

  local load status=0
  load=$(python3 benches/soak_load.py --kind "$kind" --addr "$addr" --seconds "$SOAK_SECONDS") || status=$?

  # The hostile clients are gone: wait (up to SETTLE_SECONDS) for their descriptors to close.
  local fds_after
  for _ in $(seq 1 $((SETTLE_SECONDS * 10))); do
    fds_after=$(fds "$PID")
    [ "$fds_after" -le "$fds_base" ] && break
    sleep 0.1
  done
  local rss_peak rss_after
  rss_peak=$(status_kib "$PID" VmHWM)
  rss_after=$(status_kib "$PID" VmRSS)
  printf '%-12s %8s %8s %10s %10s %10s  %s\n' "$kind" "$fds_base" "$fds_after" "$rss_base" \
    "$rss_peak" "$rss_after" "$(echo "$load" | head -n 1)"
  echo "$load" | tail -n +2
  kill -0 "$PID" 2>/dev/null || { echo "soak: $kind server died" >&2; failed=1; }
  [ "$status" -eq 0 ] || { echo "soak: $kind: well-behaved clients went unanswered" >&2; failed=1; }
  [ "$fds_after" -le "$fds_base" ] || { echo "soak: $kind: descriptors did not come back" >&2; failed=1; }
  [ "$rss_after" -le $((rss_base + RSS_SLACK_KIB)) ] ||
    { echo "soak: $kind: RSS stayed $((rss_after - rss_base)) KiB over its baseline" >&2; failed=1; }
  local warnings
  warnings=$(grep -c "accept failed" "$LOG" || true)
  echo "  $kind server log: $warnings accept warnings (at most one a second)"
  cleanup
  PID=""
  LOG=""
}

soak echo "$bin/echo_server" --addr 127.0.0.1:0
soak resp "$bin/resp_server" --port 0
exit "$failed"
