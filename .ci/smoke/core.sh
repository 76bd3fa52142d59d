#!/usr/bin/env bash
# Smoke test of the core examples: runs each release binary (built by `cargo build --release
# --examples`, which .ci/run does first) and checks that
#  1. without RUST_LOG its whole stdout is the ```text block of its top doc comment, line for
#     line, and it writes nothing to stderr;
#  2. with RUST_LOG=volley=... its stderr carries the lifecycle events and warnings it should.
# The examples also assert their key results themselves. Every run is bounded by `timeout`;
# exits non-zero if any check failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

examples_dir="${CARGO_TARGET_DIR:-target}/release/examples"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}

# promised NAME: the ```text block of examples/NAME.rs's top doc comment (the leading `//!`
# lines), without the fences.
promised() {
  awk '
    !/^\/\/!/ { exit }
    { line = substr($0, 4); sub(/^ /, "", line) }
    inside && line == "```" { exit }
    inside { print line }
    line == "```text" { inside = 1 }
  ' "examples/$1.rs"
}

# run NAME [RUST_LOG]: runs the example, stdout to $work/NAME.out and stderr to $work/NAME.err;
# fails (and returns 1) if the binary is missing or exits non-zero.
run() {
  local name="$1" binary="$examples_dir/$1" status=0
  if [ ! -x "$binary" ]; then
    fail "$name: $binary is missing (run cargo build --release --examples)"
    return 1
  fi
  if [ $# -ge 2 ]; then
    RUST_LOG="$2" timeout 30 "$binary" >"$work/$name.out" 2>"$work/$name.err" || status=$?
  else
    env -u RUST_LOG timeout 30 "$binary" >"$work/$name.out" 2>"$work/$name.err" || status=$?
  fi
  if [ "$status" -ne 0 ]; then
    fail "$name: exited with status $status"
    tail -n 20 "$work/$name.out" "$work/$name.err"
    return 1
  fi
}

# check NAME: stdout is exactly the doc comment's ```text block, stderr is empty.
check() {
  local name="$1"
  run "$name" || return 0
  promised "$name" >"$work/$name.promised"
  if [ ! -s "$work/$name.promised" ]; then
    fail "$name: examples/$name.rs has no \`\`\`text block in its doc comment"
  elif ! diff -u --label "promised by examples/$name.rs" --label "printed by $name" \
    "$work/$name.promised" "$work/$name.out"; then
    fail "$name: printed something other than its doc comment says (diff above)"
  elif [ -s "$work/$name.err" ]; then
    fail "$name: wrote to stderr without RUST_LOG:"
    head -n 20 "$work/$name.err"
  else
    echo "ok   $name: $(wc -l <"$work/$name.out") lines as promised"
  fi
}

# logs NAME FILTER [!]NEEDLE...: with RUST_LOG=FILTER, stderr contains every NEEDLE and none of
# the !NEEDLEs.
logs() {
  local name="$1" filter="$2" needle bad=0
  shift 2
  run "$name" "$filter" || return 0
  for needle in "$@"; do
    if [ "${needle#!}" != "$needle" ]; then
      if grep -qF -- "${needle#!}" "$work/$name.err"; then
        fail "$name: RUST_LOG=$filter logged '${needle#!}'"
        bad=1
      fi
    elif ! grep -qF -- "$needle" "$work/$name.err"; then
      fail "$name: RUST_LOG=$filter did not log '$needle'"
      bad=1
    fi
  done
  if [ "$bad" -ne 0 ]; then
    head -n 20 "$work/$name.err"
  else
    echo "ok   $name: RUST_LOG=$filter logs as expected"
  fi
}

for name in lazy running_average throw_reset close_cleanup flatten fibonacci; do
  check "$name"
done

logs lazy volley=debug "coroutine created" "coroutine started" "coroutine closed" announced counting
logs running_average volley=warn "send before start" running_average "!coroutine created"
logs throw_reset volley=debug "error thrown into coroutine" "coroutine completed" running_total
logs close_cleanup volley=debug first_writer second_writer "coroutine closed" "!drop_close_failed"

# memory: its RSS figures vary from run to run, so only the computed lines are compared.
if run memory; then
  if grep -qE '^lazy:  sum 49999995000000, held [0-9]+ bytes \(the Co itself, no heap\)' "$work/memory.out" &&
    grep -qF 'eager: sum 49999995000000, held 80000024 bytes' "$work/memory.out" &&
    grep -qE '^the eager side held [0-9]+x the bytes of the lazy one$' "$work/memory.out"; then
    echo "ok   memory: lazy and eager agree, the bytes each holds printed"
  else
    fail "memory: unexpected output:"
    cat "$work/memory.out"
  fi
fi

if [ "$failures" -ne 0 ]; then
  echo "core smoke: $failures check(s) failed"
  exit 1
fi
echo "core smoke: all 7 examples print what they promise"
