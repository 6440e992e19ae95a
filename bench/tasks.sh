#!/usr/bin/env bash
# tasks.sh — N simulated tasks (uniform 1–5 s) through asyncmon, headless,
# against the raw libuv baseline (one uv_timer_t per task), in one run.
# Prints wall time, CPU time, peak RSS and RSS bytes per task for both, and
# the ratios asyncmon / raw libuv. Not a test: nothing here passes or fails.
#
# Usage: bench/tasks.sh [N=1000000] [build dir=build]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
build="${2:-build}"
[[ -x "$build/asyncmon" ]] || bash scripts/build.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -std=c11 -D_XOPEN_SOURCE=700 bench/raw_libuv.c -o "$tmp/raw" \
  $(pkg-config --cflags --libs libuv)

# measure CMD...: prints "wall cpu rss_kb" using GNU time's format via bash
measure() {
  local out="$tmp/time.txt"
  /usr/bin/env time -f "%e %U %S %M" -o "$out" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || {
    echo "failed: $*" >&2; tail -5 "$tmp/stderr" >&2; exit 1; }
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$out"
}

command -v /usr/bin/time >/dev/null || bash scripts/deps.sh >/dev/null
if ! /usr/bin/env time -f "%e" true 2>/dev/null; then
  echo "bench: needs GNU time (apt-get install time)" >&2; exit 1
fi

echo "tasks: $n, durations uniform 1-5 s, speed 1 (real time)"
read -r aw ac ar < <(measure "$build/asyncmon" --demo gather --headless --tasks "$n" \
  --summary-json "$tmp/summary.json")
late=$(grep -o '"max_end_late_seconds": [0-9.]*' "$tmp/summary.json" | awk '{print $2}')
maxlate=$(grep -o '"max_late_seconds": [0-9.]*' "$tmp/summary.json" | awk '{print $2}')
done_n=$(grep -o '"done": [0-9]*' "$tmp/summary.json" | head -1 | awk '{print $2}')
read -r a0w a0c a0r < <(measure "$build/asyncmon" --demo gather --headless --tasks 1000 \
  --speed max)
read -r rw rc rr < <(measure "$tmp/raw" "$n")
rlate=$(awk '{print $4}' "$tmp/stdout")
read -r r0w r0c r0r < <(measure "$tmp/raw" 1000)

# late s: worst delay of a timer/task end after its deadline (real seconds at speed 1)
printf "%-10s %8s %8s %10s %10s %10s\n" "" "wall s" "cpu s" "rss KiB" "B/task" "late s"
bpt() { echo $(( ($1 - $2) * 1024 / n )); }
printf "%-10s %8s %8s %10s %10s %10s\n" asyncmon "$aw" "$ac" "$ar" "$(bpt "$ar" "$a0r")" "$late"
printf "%-10s %8s %8s %10s %10s %10s\n" raw-libuv "$rw" "$rc" "$rr" "$(bpt "$rr" "$r0r")" "$rlate"
awk -v ac="$ac" -v rc="$rc" -v ar="$ar" -v rr="$rr" -v a0="$a0r" -v r0="$r0r" 'BEGIN {
  printf "ratio asyncmon/raw: cpu %.2fx, rss/task %.2fx\n",
    (rc > 0 ? ac / rc : 0), ((rr - r0) > 0 ? (ar - a0) / (rr - r0) : 0) }'
echo "asyncmon tasks done: $done_n of $n; worst lateness of any event: $maxlate s (task starts queued behind the spawn)"
