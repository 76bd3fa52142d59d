#!/usr/bin/env bash
# Smoke test of the simulation examples (built by `cargo build --release --examples`, which
# .ci/run does first):
#  1. mmc agrees with queueing theory: for a million customers of an M/M/1 queue, the mean wait
#     in line is within 2% of Erlang C at rho = 0.5 and within 5% at rho = 0.8;
#  2. the same seed prints byte-identical output, another seed a different one;
#  3. --json prints one object with customers and mean_wait;
#  4. replications give the same result on one thread and on two;
#  5. frames and the SimPy ports print exactly the ```text block of their top doc comment;
#  6. resp_dst passes its seeds, and one seed replays the same trace and replies.
# Every run is bounded by `timeout`; exits non-zero if any check failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

examples_dir="${CARGO_TARGET_DIR:-target}/release/examples"
mmc="$examples_dir/mmc"
failures=0
fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}

for case in "0.5 0.02" "0.8 0.05"; do
  set -- $case
  json="$(timeout 120 "$mmc" --lambda "$1" --mu 1.0 --servers 1 --customers 1000000 --seed 7 --json 2>/dev/null)"
  if python3 - "$json" "$2" <<'PY'
import json, sys
run = json.loads(sys.argv[1])
tolerance = float(sys.argv[2])
assert run["customers"] == 1_000_000, run
error = abs(run["mean_wait"] - run["erlang_c_wait"]) / run["erlang_c_wait"]
print(f"rho {run['rho']}: mean wait {run['mean_wait']:.4f}, Erlang C {run['erlang_c_wait']:.4f}, error {error:.2%} (limit {tolerance:.0%})")
sys.exit(0 if error <= tolerance else 1)
PY
  then :; else fail "mmc rho $1: mean wait off Erlang C by more than $2"; fi
done

first="$(timeout 60 "$mmc" --lambda 0.9 --customers 100000 --seed 7 2>/dev/null)"
again="$(timeout 60 "$mmc" --lambda 0.9 --customers 100000 --seed 7 2>/dev/null)"
other="$(timeout 60 "$mmc" --lambda 0.9 --customers 100000 --seed 8 2>/dev/null)"
[ "$first" == "$again" ] || fail "mmc: the same seed printed different output"
[ "$first" != "$other" ] || fail "mmc: another seed printed the same output"
echo "mmc: seed 7 twice byte-identical, seed 8 different"

m2="$(timeout 60 "$mmc" --lambda 1.5 --mu 1.0 --servers 2 --customers 200000 --seed 3 --json 2>/dev/null)"
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r["customers"]==200000 and abs(r["mean_wait"]-r["erlang_c_wait"])/r["erlang_c_wait"] < 0.1, r' "$m2" \
  || fail "mmc M/M/2: $m2"

one="$(timeout 120 "$mmc" --lambda 0.8 --customers 20000 --replications 8 --threads 1 2>/dev/null)"
two="$(timeout 120 "$mmc" --lambda 0.8 --customers 20000 --replications 8 --threads 2 2>/dev/null)"
[ "$one" == "$two" ] || fail "mmc replications differ between 1 and 2 threads"
echo "$two"

if ! "$mmc" --lambda 2 --mu 1 >/dev/null 2>&1; then :; else fail "mmc accepted an unstable queue"; fi

# promised NAME: the first ```text block of examples/NAME.rs's top doc comment.
promised() {
  awk '
    !/^\/\/!/ { exit }
    { line = substr($0, 4); sub(/^ /, "", line) }
    inside && line == "```" { exit }
    inside { print line }
    line == "```text" { inside = 1 }
  ' "examples/$1.rs"
}
for example in frames bank_renege carwash gas_station machine_shop; do
  if diff <(promised "$example") <(timeout 60 "$examples_dir/$example"); then
    echo "$example: output as promised"
  else
    fail "$example: output differs from its doc comment"
  fi
done

dst="$examples_dir/resp_dst"
if out="$(timeout 120 "$dst" --seeds 2000)" && grep -q "every counter audited" <<<"$out"; then
  echo "resp_dst: $(tr '\n' ' ' <<<"$out")"
else
  fail "resp_dst: $out"
fi
if timeout 60 "$dst" --seed 42 | tail -1 | grep -q "replayed: the same trace and replies"; then
  echo "resp_dst: seed 42 replays"
else
  fail "resp_dst: seed 42 did not replay"
fi

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "sim smoke: ok"
