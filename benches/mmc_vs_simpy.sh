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
# customer does not depend on the count). Times are the processor time of the simulating
# thread, so other programs on the machine do not count. Prints each round, then the best
# times and the ratios SimPy / Volley and Volley / heap loop (of the best times, and the
# median of the rounds' own ratios).
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

# per_customer ENGINE: processor-time nanoseconds per customer of one run of mmc with that
# engine (wall time where the processor time cannot be read).
per_customer() {
  "$mmc" "${args[@]}" --customers "$customers" --engine "$1" 2>&1 >/dev/null |
    python3 -c '
import re, sys
text = sys.stdin.read()
cpu = re.search(r"cpu time .*\(([0-9.]+) ns per customer\)", text)
wall = re.search(r"wall time .*\(([0-9.]+) ns per customer\)", text)
print((cpu or wall).group(1))'
}

results="$target/mmc-vs-simpy.rounds"
: >"$results"
for round in $(seq "$rounds"); do
  volley="$(per_customer volley)"
  heap="$(per_customer heap)"
  simpy="$("$venv/bin/python" benches/mmc_simpy.py "${args[@]}" --customers $((customers / 5)) |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(r.get("cpu_ns_per_customer", r["ns_per_customer"]))')"
  printf 'round %s: volley %.1f ns, heap loop %.1f ns, simpy %.0f ns per customer (volley / heap %.2fx)\n' \
    "$round" "$volley" "$heap" "$simpy" "$(python3 -c "print($volley / $heap)")"
  echo "$volley $heap $simpy" >>"$results"
done

simpy_version="$("$venv/bin/python" -c 'import simpy; print(simpy.__version__)')"
python3 - "$results" "$simpy_version" <<'PY'
import statistics, sys
rounds = [tuple(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
volley, heap, simpy = (min(r[i] for r in rounds) for i in range(3))
print(f"best of {len(rounds)} rounds, processor ns per customer: volley {volley:.1f}, heap loop {heap:.1f}, SimPy {sys.argv[2]} {simpy:.0f}")
print(f"SimPy / volley:     {simpy / volley:.1f}x (median of rounds {statistics.median(r[2] / r[0] for r in rounds):.1f}x)")
print(f"volley / heap loop: {volley / heap:.2f}x (median of rounds {statistics.median(r[0] / r[1] for r in rounds):.2f}x)")
PY
