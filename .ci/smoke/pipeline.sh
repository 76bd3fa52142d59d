#!/usr/bin/env bash
# Smoke test of the pipeline examples (release binaries built by `cargo build --release
# --examples`, which .ci/run does first): log_report on its default input, as text and as JSON
# checked by `python3 -m json.tool`; log_report on a small generated file with known malformed
# lines; grep_pipeline on a file and on stdin. Every run is bounded by `timeout`; exits
# non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

examples="${CARGO_TARGET_DIR:-target}/release/examples"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL pipeline: $*"; exit 1; }
for bin in log_report grep_pipeline; do
  [ -x "$examples/$bin" ] || fail "$examples/$bin is missing (run cargo build --release --examples)"
done

# 1. Default input, text report.
timeout 60 "$examples/log_report" >"$work/report.txt" || fail "log_report (default input) exited $?"
grep -q '^  lines ' "$work/report.txt" || fail "no lines count in the text report"
grep -q '^top 10 components by errors' "$work/report.txt" || fail "no top-10 ranking in the text report"
echo "ok   log_report default input, text"

# 2. Default input, JSON: exactly one valid object with every key.
timeout 60 "$examples/log_report" --json >"$work/report.json" || fail "log_report --json exited $?"
python3 -m json.tool "$work/report.json" >/dev/null || fail "--json output is not valid JSON"
python3 - "$work/report.json" <<'PY' || fail "--json output lacks a key or has a wrong type"
import json, sys
r = json.load(open(sys.argv[1]))
keys = {"lines", "malformed", "malformed_lines", "too_long", "max_line", "levels", "errors",
        "errors_by_component", "component_counts", "component_overcount",
        "top_error_components", "first_error", "last_error"}
assert set(r) == keys, set(r) ^ keys
assert r["lines"] > 0 and 0 < len(r["malformed_lines"]) <= 5
assert r["too_long"] == 0 and r["max_line"] == 1 << 20
assert r["component_counts"] == "exact" and r["component_overcount"] == 0
assert r["errors"] == sum(r["errors_by_component"].values())
assert len(r["top_error_components"]) == 10
PY
echo "ok   log_report default input, --json through python3 -m json.tool"

# 3. A small file with known malformed lines (CRLF, invalid UTF-8, no final newline).
printf '%s\r\n' 't1 INFO db: up' 't2 ERROR db: disk' >"$work/small.log"
printf '\n%s\n%s\n%s\n' 'only two' 't3 NOTICE db: x' 't4 WARN db no colon' >>"$work/small.log"
printf 't5 FATAL web: \377\376 bytes\nt6 ERROR : empty name\nt7 ERROR db: last' >>"$work/small.log"
timeout 30 "$examples/log_report" "$work/small.log" --json >"$work/small.json" || fail "log_report on the small file exited $?"
python3 -m json.tool "$work/small.json" >/dev/null || fail "small --json output is not valid JSON"
python3 - "$work/small.json" <<'PY' || fail "small file report is wrong: $(cat "$work/small.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["lines"] == 9, r["lines"]
assert r["malformed"] == 5 and r["malformed_lines"] == [3, 4, 5, 6, 8], r
assert r["levels"] == {"TRACE": 0, "DEBUG": 0, "INFO": 1, "WARN": 0, "ERROR": 2, "FATAL": 1}, r["levels"]
assert r["errors_by_component"] == {"db": 2, "web": 1}, r["errors_by_component"]
assert r["top_error_components"] == [["db", 2], ["web", 1]], r["top_error_components"]
assert (r["first_error"], r["last_error"]) == ("t2", "t7"), r
PY
echo "ok   log_report small file with malformed lines"

# 4. A missing file is a clear error, not a crash.
status=0
timeout 30 "$examples/log_report" "$work/missing.log" 2>"$work/err.txt" >/dev/null || status=$?
[ "$status" -eq 1 ] && grep -q 'cannot open' "$work/err.txt" || fail "missing file: status $status, $(cat "$work/err.txt")"
echo "ok   log_report missing file"

# 5. grep_pipeline on a file and on stdin.
out="$(timeout 30 "$examples/grep_pipeline" ERROR "$work/small.log" 2>"$work/grep_err.txt")" || fail "grep_pipeline exited $?"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 3 ] || fail "grep_pipeline printed: $out"
grep -qx '3 matching lines of 9' "$work/grep_err.txt" || fail "grep_pipeline count: $(cat "$work/grep_err.txt")"
out="$(printf 'a\nneedle 1\nb\nneedle 2\n' | timeout 30 "$examples/grep_pipeline" needle - 2>/dev/null)" || fail "grep_pipeline on stdin exited $?"
[ "$out" = $'2:needle 1\n4:needle 2' ] || fail "grep_pipeline on stdin printed: $out"
echo "ok   grep_pipeline file and stdin"
echo "pipeline smoke passed"
