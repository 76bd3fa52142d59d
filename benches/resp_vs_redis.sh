#!/usr/bin/env bash
# Volley's resp_server example against Debian's redis-server, in the same run, on loopback:
# the same `redis-benchmark -t ping,set,get -c 50` at -P 1 and -P 16 against both, printing
# ops/s per test and the ratio resp_server / redis-server (budget: >= 1.0).
#
#   bash benches/resp_vs_redis.sh            # 200000 requests per test
#   REQUESTS=50000 ROUNDS=3 bash benches/resp_vs_redis.sh
#   BUSY_POLL=0 bash benches/resp_vs_redis.sh   # the example with busy-polling off
#
# Each (pipeline, test) pair is measured ROUNDS times alternating servers; the best round of
# each server counts, which damps noise from the other processes on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS="${REQUESTS:-200000}"
ROUNDS="${ROUNDS:-3}"
CLIENTS=50
REDIS_PORT="${REDIS_PORT:-6479}"
VOLLEY_PORT="${VOLLEY_PORT:-6480}"

need() { command -v "$1" >/dev/null; }
if ! need redis-server || ! need redis-benchmark; then
  echo "installing redis-server and redis-tools with apt-get" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools >/dev/null
fi

cargo build --release --example resp_server -q

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize no --loglevel warning >/dev/null &
PIDS+=($!)
./target/release/examples/resp_server --port "$VOLLEY_PORT" ${BUSY_POLL:+--busy-poll "$BUSY_POLL"} >/dev/null &
PIDS+=($!)

# Waits until the server with this pid answers on this port; fails if it died (port taken).
wait_up() {
  local pid=$1 port=$2
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { echo "server for port $port exited (port in use?)" >&2; exit 1; }
    timeout 2 redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server on port $port did not start" >&2
  exit 1
}
wait_up "${PIDS[0]}" "$REDIS_PORT"
wait_up "${PIDS[1]}" "$VOLLEY_PORT"

# ops/s of one test: redis-benchmark --csv prints "test","rps",...
rps() {
  local port=$1 pipeline=$2 test=$3
  timeout 120 redis-benchmark -p "$port" -c "$CLIENTS" -n "$REQUESTS" -P "$pipeline" -t "$test" --csv 2>/dev/null |
    awk -F'"' 'NR > 1 && $2 != "" { print $4; exit }'
}

# Both servers share the machine with redis-benchmark (and whatever else runs): say how busy.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
printf '%-4s %-6s %14s %14s %7s\n' "-P" "test" "redis-server" "resp_server" "ratio"
for pipeline in 1 16; do
  for test in ping set get; do
    best_redis=0; best_volley=0
    for _ in $(seq 1 "$ROUNDS"); do
      r=$(rps "$REDIS_PORT" "$pipeline" "$test"); v=$(rps "$VOLLEY_PORT" "$pipeline" "$test")
      best_redis=$(awk -v a="$best_redis" -v b="$r" 'BEGIN { print (b > a ? b : a) }')
      best_volley=$(awk -v a="$best_volley" -v b="$v" 'BEGIN { print (b > a ? b : a) }')
    done
    ratio=$(awk -v v="$best_volley" -v r="$best_redis" 'BEGIN { printf "%.2f", (r > 0 ? v / r : 0) }')
    printf '%-4s %-6s %14.0f %14.0f %7s\n' "$pipeline" "$test" "$best_redis" "$best_volley" "$ratio"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
