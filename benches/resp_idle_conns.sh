#!/usr/bin/env bash
# Memory per idle connection: the resp_server example against Debian's redis-server in the same
# run. Opens CONNS connections to each (each sends one PING, reads PONG, then stays idle) and
# prints the growth of the server's resident memory divided by CONNS, measured 3 s after the
# last PONG (redis-server releases an idle client's query buffer from its cron after ~2 s).
#
#   bash benches/resp_idle_conns.sh          # 2000 connections
#   CONNS=5000 bash benches/resp_idle_conns.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONNS="${CONNS:-2000}"
REDIS_PORT="${REDIS_PORT:-6483}"
VOLLEY_PORT="${VOLLEY_PORT:-6484}"

command -v redis-server >/dev/null || {
  echo "installing redis-server with apt-get" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
}
cargo build --release --example resp_server -q
ulimit -n $((CONNS * 2 + 256))

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --maxclients $((CONNS + 100)) \
  --daemonize no --loglevel warning >/dev/null &
PIDS+=($!)
./target/release/examples/resp_server --port "$VOLLEY_PORT" >/dev/null &
PIDS+=($!)

python3 - "$CONNS" "$REDIS_PORT" "${PIDS[0]}" "$VOLLEY_PORT" "${PIDS[1]}" <<'PY'
import socket, sys, time

conns = int(sys.argv[1])
SETTLE = 3.0

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

def wait_up(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on port {port}")

def per_connection(port, pid):
    wait_up(port)
    before = rss_kib(pid)
    socks = []
    for _ in range(conns):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"PING\r\n")
        socks.append(s)
    for s in socks:
        assert s.recv(16) == b"+PONG\r\n"
    # redis-server frees an idle client's query buffer from its cron after about 2 s.
    time.sleep(SETTLE)
    after = rss_kib(pid)
    for s in socks:
        s.close()
    return (after - before) * 1024 / conns

for name, port, pid in (("redis-server", int(sys.argv[2]), int(sys.argv[3])),
                        ("resp_server", int(sys.argv[4]), int(sys.argv[5]))):
    print(f"{name:13} {per_connection(port, pid):8.0f} bytes per idle connection ({conns} connections)")
PY
