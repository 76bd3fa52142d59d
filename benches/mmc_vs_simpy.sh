#!/usr/bin/env bash
# The speed of Volley's simulated scheduler on an M/M/1 queue, beside SimPy 4 running the same
# model (benches/mmc_simpy.py) and a hand-written Rust event-heap loop (`mmc --engine heap`),
# all in one run on this machine.
#
#   bash benches/mmc_vs_simpy.sh [CUSTOMERS] [ROUNDS]
#
# Installs SimPy 4 from PyPI into a virtual environment under target/ (once), builds the mmc
# example in release mode, then runs ROUNDS rounds (default 5), each one Volley, heap loop and
# SimPy run back to back, and keeps each engine's best time per customer. Volley and the heap
# loop serve CUSTOMERS customers (default 1,000,000); SimPy a fifth of them (its time per
# customer does not depend on the count). Prints the times and the ratios
# SimPy / Volley and Volley / heap loop.
set -euo pipefail
cd "$(dirname "$0")/.."

customers="${1:-1000000}"
rounds="${2:-5}"
target="${CARGO_TARGET_DIR:-target}"
venv="$target/simpy-venv"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import simpy' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'simpy>=4,<5'
fi
cargo build --release --example mmc --quiet
mmc="$target/release/examples/mmc"
args=(--lambda 0.9 --mu 1.0 --servers 1 --seed 7)

# per_customer ENGINE: nanoseconds per customer of one run of mmc with that engine.
per_customer() {
  "$mmc" "${args[@]}" --customers "$customers" --engine "$1" 2>&1 >/dev/null |
    sed -n 's/.*(\([0-9.]*\) ns per customer).*/\1/p'
}

best_volley=""
best_heap=""
best_simpy=""
min() { python3 -c 'import sys; v=[float(x) for x in sys.argv[1:] if x]; print(min(v))' "$@"; }
for round in $(seq "$rounds"); do
  volley="$(per_customer volley)"
  heap="$(per_customer heap)"
  simpy="$("$venv/bin/python" benches/mmc_simpy.py "${args[@]}" --customers $((customers / 5)) |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["ns_per_customer"])')"
  printf 'round %s: volley %.1f ns, heap loop %.1f ns, simpy %.0f ns per customer\n' \
    "$round" "$volley" "$heap" "$simpy"
  best_volley="$(min "$volley" "$best_volley")"
  best_heap="$(min "$heap" "$best_heap")"
  best_simpy="$(min "$simpy" "$best_simpy")"
done

simpy_version="$("$venv/bin/python" -c 'import simpy; print(simpy.__version__)')"
python3 - "$best_volley" "$best_heap" "$best_simpy" "$simpy_version" <<'PY'
import sys
volley, heap, simpy = map(float, sys.argv[1:4])
print(f"best of the rounds, ns per customer: volley {volley:.1f}, heap loop {heap:.1f}, SimPy {sys.argv[4]} {simpy:.0f}")
print(f"SimPy / volley:     {simpy / volley:.1f}x")
print(f"volley / heap loop: {volley / heap:.2f}x")
PY
