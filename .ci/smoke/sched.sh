#!/usr/bin/env bash
# Smoke test of the scheduler examples (release binaries from `cargo build --release --examples`):
#  1. countdown runs to the end with its interleaved, joined, cancelled and killed tasks;
#  2. echo_server --max-conns N serves N concurrent connections from the example's own client
#     mode, each checking its own bytes, then exits by itself;
#  3. echo_server without a limit shuts down gracefully on SIGINT;
#  4. echo_server --threads 2 (thread-per-core) serves the client, then stops on SIGINT.
# Every run is bounded by `timeout`; background servers are killed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

examples_dir="${CARGO_TARGET_DIR:-target}/release/examples"
workdir="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

fail() {
  echo "FAIL $*"
  exit 1
}

for name in countdown echo_server; do
  [ -x "$examples_dir/$name" ] || fail "$name: $examples_dir/$name is missing (run cargo build --release --examples)"
done

# 1. countdown
out="$(env -u RUST_LOG timeout 30 "$examples_dir/countdown" 2>&1)" || fail "countdown exited with $?: $out"
for line in "fast     liftoff!" "slow     liftoff!" "main     joined watchdog: the task was killed" "watchdog killed: cleanup runs"; do
  grep -qF -- "$line" <<<"$out" || fail "countdown: no '$line' in its output:
$out"
done
grep -qE '^done: [0-9]+ numbers printed; 5 tasks spawned, 5 finished' <<<"$out" || fail "countdown: no summary line:
$out"
echo "ok   countdown: $(tail -n 1 <<<"$out")"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_listening LOG: waits up to 10 s for the server's "listening" line.
wait_listening() {
  for _ in $(seq 100); do
    grep -q "listening on" "$1" 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# 2. echo_server with --max-conns against its own checking client
conns=1000
port="$(free_port)"
timeout 60 "$examples_dir/echo_server" --addr "127.0.0.1:$port" --max-conns "$conns" >"$workdir/server.log" 2>&1 &
server_pid=$!
wait_listening "$workdir/server.log" || fail "echo_server did not start: $(cat "$workdir/server.log")"
client_out="$(timeout 60 "$examples_dir/echo_server" --client "$conns" --addr "127.0.0.1:$port" --bytes 20000 2>&1)" \
  || fail "echo_server client failed: $client_out"
status=0
wait "$server_pid" || status=$?
server_pid=""
[ "$status" -eq 0 ] || fail "echo_server exited with $status: $(cat "$workdir/server.log")"
grep -qF "done, $conns connections accepted" "$workdir/server.log" || fail "echo_server summary missing: $(cat "$workdir/server.log")"
echo "ok   echo_server: $client_out"

# 3. graceful shutdown on SIGINT
port="$(free_port)"
timeout 30 "$examples_dir/echo_server" --addr "127.0.0.1:$port" >"$workdir/sigint.log" 2>&1 &
server_pid=$!
wait_listening "$workdir/sigint.log" || fail "echo_server did not start: $(cat "$workdir/sigint.log")"
kill -INT "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[ "$status" -eq 0 ] || fail "echo_server exited with $status after SIGINT: $(cat "$workdir/sigint.log")"
grep -qF "Ctrl-C, shutting down" "$workdir/sigint.log" || fail "no shutdown message: $(cat "$workdir/sigint.log")"
echo "ok   echo_server: graceful shutdown on SIGINT"

# 4. thread-per-core: --threads 2 serves the checking client, then shuts down on SIGINT
port="$(free_port)"
timeout 60 "$examples_dir/echo_server" --addr "127.0.0.1:$port" --threads 2 >"$workdir/cores.log" 2>&1 &
server_pid=$!
wait_listening "$workdir/cores.log" || fail "echo_server --threads 2 did not start: $(cat "$workdir/cores.log")"
client_out="$(timeout 60 "$examples_dir/echo_server" --client 200 --addr "127.0.0.1:$port" --bytes 20000 2>&1)" \
  || fail "echo_server client against --threads 2 failed: $client_out"
kill -INT "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[ "$status" -eq 0 ] || fail "echo_server --threads 2 exited with $status after SIGINT: $(cat "$workdir/cores.log")"
grep -qE "done, 200 connections accepted on 2 threads" "$workdir/cores.log" || fail "echo_server --threads 2 summary missing: $(cat "$workdir/cores.log")"
echo "ok   echo_server --threads 2: $client_out"
