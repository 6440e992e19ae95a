#!/usr/bin/env bash
# run.sh — N `true` jobs at -j J through `asyncmon run --headless`, `xargs -P J`
# and GNU parallel, in one invocation: wall seconds, CPU seconds, jobs per
# second, and each tool's rate as a ratio of xargs's. Each tool runs R
# times; the best wall time counts (the machine is shared, noise is one-way).
# GNU parallel is Debian's `parallel`: installed with apt-get when we may
# (root or password-less sudo), its row skipped with a message otherwise.
# Not a test: nothing here passes or fails.
#
# Usage: bench/run.sh [N=2000] [J=8] [R=3] [build dir=build]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-2000}"
j="${2:-8}"
reps="${3:-3}"
build="${4:-build}"
[[ -x "$build/asyncmon" ]] || bash scripts/build.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seq "$n" >"$tmp/input"

if ! command -v parallel >/dev/null; then
  if [[ $(id -u) -eq 0 ]] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
    sudo_=(); [[ $(id -u) -eq 0 ]] || sudo_=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_[@]}" apt-get install -y -qq --no-install-recommends \
      parallel >/dev/null 2>&1 || true
  fi
fi
if ! /usr/bin/env time -f "%e" true 2>/dev/null; then
  echo "bench: needs GNU time (apt-get install time)" >&2; exit 1
fi

# best CMD...: the best of $reps runs, "wall cpu" (seconds)
best() {
  local r bw="" bc=""
  for ((r = 0; r < reps; r++)); do
    /usr/bin/env time -f "%e %U %S" -o "$tmp/t" "$@" <"$tmp/input" >"$tmp/out" 2>"$tmp/err" || {
      echo "failed: $*" >&2; tail -5 "$tmp/err" >&2; exit 1; }
    read -r w u s <"$tmp/t"
    if [[ -z "$bw" ]] || awk -v a="$w" -v b="$bw" 'BEGIN { exit !(a < b) }'; then
      bw=$w; bc=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    fi
  done
  echo "$bw $bc"
}

echo "jobs: $n x true, -j $j, best of $reps runs; $(nproc) CPUs"
read -r aw ac < <(best "$build/asyncmon" run --headless -j "$j" -- true)
grep -q "done $n," "$tmp/err" || { echo "asyncmon run did not report $n done jobs" >&2; exit 1; }
read -r xw xc < <(best xargs -P "$j" -n 1 true)
pw="" pc=""
if command -v parallel >/dev/null; then
  read -r pw pc < <(best parallel --will-cite -j "$j" true)
fi

rate() { awk -v n="$n" -v w="$1" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }'; }
printf "%-16s %8s %8s %10s %16s\n" "" "wall s" "cpu s" "jobs/s" "time vs xargs"
row() { printf "%-16s %8s %8s %10s %15sx\n" "$1" "$2" "$3" "$(rate "$2")" \
  "$(awk -v a="$2" -v x="$xw" 'BEGIN { printf "%.2f", (x > 0 ? a / x : 0) }')"; }
row "asyncmon run" "$aw" "$ac"
row "xargs -P" "$xw" "$xc"
if [[ -n "$pw" ]]; then
  row "GNU parallel" "$pw" "$pc"
  awk -v a="$aw" -v p="$pw" 'BEGIN { printf "asyncmon run is %.1fx as fast as GNU parallel\n", (a > 0 ? p / a : 0) }'
else
  echo "GNU parallel: not installed (apt-get install parallel), row skipped"
fi
