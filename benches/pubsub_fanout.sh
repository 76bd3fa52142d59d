#!/usr/bin/env bash
# Pub/sub fan-out, Volley's resp_server example against Debian's redis-server in the same run:
# one publisher pipelining PUBLISH on one channel, SUBSCRIBERS clients subscribed to it
# (benches/pubsub_fanout.rs). Prints messages delivered per second for both and the ratio.
#
#   bash benches/pubsub_fanout.sh                         # 100 subscribers, 20000 messages
#   SUBSCRIBERS=100 MESSAGES=50000 ROUNDS=3 bash benches/pubsub_fanout.sh
#
# Rounds alternate the servers; the best round of each counts (the machine is shared).
set -euo pipefail
cd "$(dirname "$0")/.."

SUBSCRIBERS="${SUBSCRIBERS:-100}"
MESSAGES="${MESSAGES:-20000}"
PAYLOAD="${PAYLOAD:-16}"
ROUNDS="${ROUNDS:-3}"
REDIS_PORT="${REDIS_PORT:-6483}"
VOLLEY_PORT="${VOLLEY_PORT:-6484}"

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "installing redis-server and redis-tools with apt-get" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools >/dev/null
fi

cargo build --release --example resp_server -q
cargo bench -p volley-benches --bench pubsub_fanout --no-run -q 2>/dev/null
LOAD=$(ls -t target/release/deps/pubsub_fanout-* | grep -v '\.d$' | head -n1)

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize no --loglevel warning >/dev/null &
PIDS+=($!)
./target/release/examples/resp_server --port "$VOLLEY_PORT" >/dev/null &
PIDS+=($!)

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

delivered() {
  "$LOAD" "$1" "$SUBSCRIBERS" "$MESSAGES" "$PAYLOAD" | sed -n 's/.*delivered_per_s=\([0-9]*\).*/\1/p'
}

best_volley=0; best_redis=0
for round in $(seq 1 "$ROUNDS"); do
  v=$(delivered "$VOLLEY_PORT"); r=$(delivered "$REDIS_PORT")
  echo "round $round: volley $v/s, redis-server $r/s" >&2
  [ "$v" -gt "$best_volley" ] && best_volley=$v
  [ "$r" -gt "$best_redis" ] && best_redis=$r
done
printf '%-28s %14s %14s %8s\n' "pub/sub fan-out" "volley" "redis-server" "ratio"
printf '%-28s %14s %14s %8s\n' "$SUBSCRIBERS subscribers, msgs/s" "$best_volley" "$best_redis" \
  "$(awk -v a="$best_volley" -v b="$best_redis" 'BEGIN { printf "%.2f", a / b }')"
