#!/usr/bin/env bash
# Redis's own TCL test suite (7.0, from Debian's `redis` source package) in external-server mode
# against Volley's RESP server, and against redis-server with the same flags as the peer. Prints
# the passed tests per unit for both and the ratio (budget: Volley passes >= 90% of what
# redis-server passes).
#
#   bash benches/redis_suite.sh                      # the 15 units, both servers
#   bash benches/redis_suite.sh type/list pubsub     # some units only
#   PEER=0 bash benches/redis_suite.sh               # Volley only
#   UNIT_TIMEOUT=300 bash benches/redis_suite.sh     # stop a unit after 300 s (default 120)
#
# Each unit runs against a freshly started server, so one unit's leftovers or a crash do not
# spill into the next. Needs tclsh and the suite: both are installed with apt-get when missing
# (a deb-src entry is added for `apt-get source redis`); the suite is cached in target/redis-suite, each unit's output kept in
# target/redis-suite/logs.
set -euo pipefail
cd "$(dirname "$0")/.."

UNITS_DEFAULT=(type/string type/incr type/list type/list-3 type/set type/hash type/zset type/stream
  keyspace expire protocol quit pubsub multi info-command)
if [ "$#" -gt 0 ]; then UNITS=("$@"); else UNITS=("${UNITS_DEFAULT[@]}"); fi
PEER="${PEER:-1}"
UNIT_TIMEOUT="${UNIT_TIMEOUT:-120}"
VOLLEY_PORT="${VOLLEY_PORT:-6581}"
REDIS_PORT="${REDIS_PORT:-6582}"
# The suite's own ports (its test server listens just below): change it when runs overlap.
SUITE_BASEPORT="${SUITE_BASEPORT:-21111}"
WORK="$PWD/target/redis-suite"
LOGS="$WORK/logs"
mkdir -p "$WORK" "$LOGS"

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_install() {
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
command -v tclsh >/dev/null || apt_install tcl
command -v redis-cli >/dev/null || apt_install redis-tools
if [ "$PEER" = 1 ] && ! command -v redis-server >/dev/null; then apt_install redis-server; fi

# The suite: Debian's source package of the redis it ships (7.0.x on bookworm).
SUITE=$(find "$WORK" -maxdepth 2 -name runtest -path '*/redis-*/runtest' 2>/dev/null | head -n1 || true)
if [ -z "$SUITE" ]; then
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    echo "adding a deb-src entry for the redis source package" >&2
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$codename" "$codename" | $SUDO tee /etc/apt/sources.list.d/volley-deb-src.sources >/dev/null
  fi
  $SUDO apt-get update -qq
  (cd "$WORK" && apt-get source -qq redis >/dev/null 2>&1)
  SUITE=$(find "$WORK" -maxdepth 2 -name runtest -path '*/redis-*/runtest' | head -n1)
fi
SUITE_DIR=$(dirname "$SUITE")
echo "suite: $SUITE_DIR" >&2

cargo build --release -q -p volley-resp --bin volley-resp
VOLLEY_BIN="$PWD/target/release/volley-resp"

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT

start_server() { # kind port
  case "$1" in
    volley) "$VOLLEY_BIN" --port "$2" >"$LOGS/volley-server.log" 2>&1 & ;;
    redis) redis-server --port "$2" --bind 127.0.0.1 --save "" --appendonly no \
      --daemonize no --loglevel warning >"$LOGS/redis-server.log" 2>&1 & ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$1 server exited at start (port $2 taken?)" >&2; exit 1; }
    timeout 2 redis-cli -p "$2" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "$1 server on port $2 did not answer" >&2
  exit 1
}

# Runs one unit against one server kind; prints "passed failed" (exceptions count as one
# failure: they end the unit early).
run_unit() { # kind port unit
  local kind=$1 port=$2 unit=$3 log
  log="$LOGS/${kind}-${unit//\//_}.log"
  start_server "$kind" "$port"
  (cd "$SUITE_DIR" && timeout "$UNIT_TIMEOUT" ./runtest --host 127.0.0.1 --port "$port" --singledb --baseport "$SUITE_BASEPORT" \
    --ignore-encoding --tags "-slow -needs:debug -needs:repl" --single "unit/$unit" \
    </dev/null >"$log" 2>&1) || true
  stop_server
  sed -i 's/\x1b\[[0-9;]*m//g' "$log"
  local ok err exc
  ok=$(grep -c '^\[ok\]:' "$log" || true)
  err=$(grep -c '^\[err\]:' "$log" || true)
  exc=$(grep -c '^\[exception\]:' "$log" || true)
  echo "$ok $((err + exc))"
}

printf '%-14s %14s %14s %8s\n' unit volley redis-server ratio
total_v=0; total_r=0
for unit in "${UNITS[@]}"; do
  read -r v_ok v_fail < <(run_unit volley "$VOLLEY_PORT" "$unit")
  if [ "$PEER" = 1 ]; then
    read -r r_ok _ < <(run_unit redis "$REDIS_PORT" "$unit")
  else
    r_ok=0
  fi
  total_v=$((total_v + v_ok)); total_r=$((total_r + r_ok))
  ratio=$(awk -v a="$v_ok" -v b="$r_ok" 'BEGIN { if (b > 0) printf "%.1f%%", 100 * a / b; else print "-" }')
  printf '%-14s %8s (%3s✗) %14s %8s\n' "$unit" "$v_ok" "$v_fail" "$r_ok" "$ratio"
done
ratio=$(awk -v a="$total_v" -v b="$total_r" 'BEGIN { if (b > 0) printf "%.1f%%", 100 * a / b; else print "-" }')
printf '%-14s %14s %14s %8s\n' total "$total_v" "$total_r" "$ratio"
echo "each unit's output: $LOGS (Volley's failures: grep -h '^\[err\]\|^\[exception\]' $LOGS/volley-*.log)" >&2
