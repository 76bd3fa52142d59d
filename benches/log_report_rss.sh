#!/usr/bin/env bash
# Peak RSS of the release log_report on generated 100 MiB and 1 GiB logs, with /usr/bin/time -v
# (or VmHWM from /proc when it is missing). The budget: at most 16 MiB, flat as the file grows.
#
#   bash benches/log_report_rss.sh          # writes the logs under /tmp, reuses them if present
#   KEEP_LOGS=0 bash benches/log_report_rss.sh   # deletes them afterwards
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --example log_report >/dev/null 2>&1
bin="${CARGO_TARGET_DIR:-target}/release/examples/log_report"

peak_rss_kib() { # peak resident set of "$@", in KiB
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
  else
    "$@" >/dev/null &
    local pid=$! hwm=0 now
    while kill -0 "$pid" 2>/dev/null; do
      now=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      [ "${now:-0}" -gt "$hwm" ] && hwm=$now
      sleep 0.05
    done
    wait "$pid"
    echo "$hwm"
  fi
}

printf '%-8s %12s %14s %10s\n' size bytes peak_rss_MiB seconds
for size in 100MiB 1GiB; do
  log="/tmp/volley_log_report_$size.log"
  [ -s "$log" ] || "$bin" --generate "$size" "$log" 2>/dev/null
  start=$(date +%s%N)
  kib=$(peak_rss_kib "$bin" "$log" --json)
  end=$(date +%s%N)
  awk -v size="$size" -v bytes="$(stat -c %s "$log")" -v kib="$kib" -v ns="$((end - start))" \
    'BEGIN { printf "%-8s %12s %14.1f %10.2f\n", size, bytes, kib / 1024, ns / 1e9 }'
  if [ "${KEEP_LOGS:-1}" = 0 ]; then rm -f "$log"; fi
done
