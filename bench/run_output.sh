#!/usr/bin/env bash
# run_output.sh — big job outputs through `asyncmon run --headless` and GNU
# parallel: N jobs of `seq 1 L` at -j J, grouped (the default),
# --line-buffer and --tag, each output piped to md5sum and checked against
# the jobs run one after the other by sh. Prints the best wall and CPU
# seconds of R runs and MB/s of output; GNU parallel's rows are skipped
# when it is not installed. Not a test: nothing here passes or fails.
#
# Usage: bench/run_output.sh [N=4] [L=1000000] [J=4] [R=3] [build dir=build]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-4}"
lines="${2:-1000000}"
j="${3:-4}"
reps="${4:-3}"
build="${5:-build}"
[[ -x "$build/asyncmon" ]] || bash scripts/build.sh
if ! /usr/bin/env time -f "%e" true 2>/dev/null; then
  echo "bench: needs GNU time (apt-get install time)" >&2; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((i = 0; i < n; i++)); do echo "seq 1 $lines"; done >"$tmp/jobs"
want=$(sh "$tmp/jobs" | md5sum)
bytes=$(sh "$tmp/jobs" | wc -c)
want_tag=$(sh "$tmp/jobs" | sed "s/^/seq 1 $lines\t/" | md5sum)

# best SORTED CMD...: the best of $reps runs, "wall cpu" (seconds); the
# output's md5 must be the expected one (sorted: by lines, jobs interleave)
best() {
  local sorted="$1" expect="$2" r bw="" bc=""; shift 2
  for ((r = 0; r < reps; r++)); do
    /usr/bin/env time -f "%e %U %S" -o "$tmp/t" "$@" <"$tmp/jobs" >"$tmp/out" 2>"$tmp/err" || {
      echo "failed: $*" >&2; tail -5 "$tmp/err" >&2; exit 1; }
    local sum
    if [[ $sorted == 1 ]]; then sum=$(sort "$tmp/out" | md5sum); else sum=$(md5sum <"$tmp/out"); fi
    [[ $sum == "$expect" ]] || { echo "wrong output: $*" >&2; exit 1; }
    read -r w u s <"$tmp/t"
    if [[ -z "$bw" ]] || awk -v a="$w" -v b="$bw" 'BEGIN { exit !(a < b) }'; then
      bw=$w; bc=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    fi
  done
  echo "$bw $bc"
}
want_sorted=$(sh "$tmp/jobs" | sort | md5sum)

echo "jobs: $n x seq 1 $lines ($((bytes / 1000000)) MB in all), -j $j, best of $reps runs; $(nproc) CPUs"
printf "%-32s %8s %8s %8s\n" "" "wall s" "cpu s" "MB/s"
row() { printf "%-32s %8s %8s %8s\n" "$1" "$2" "$3" \
  "$(awk -v b="$bytes" -v w="$2" 'BEGIN { printf "%.0f", (w > 0 ? b / w / 1e6 : 0) }')"; }
read -r w c < <(best 0 "$want" sh "$tmp/jobs"); row "sh, one after the other" "$w" "$c"
read -r w c < <(best 0 "$want" "$build/asyncmon" run --headless -j "$j" -k -f -); row "asyncmon run -k (grouped)" "$w" "$c"
read -r w c < <(best 1 "$want_sorted" "$build/asyncmon" run --headless -j "$j" -f -); row "asyncmon run (grouped)" "$w" "$c"
read -r w c < <(best 1 "$want_sorted" "$build/asyncmon" run --headless -j "$j" --line-buffer -f -); row "asyncmon run --line-buffer" "$w" "$c"
read -r w c < <(best 0 "$want_tag" "$build/asyncmon" run --headless -j "$j" -k --tag -f -); row "asyncmon run -k --tag" "$w" "$c"
if command -v parallel >/dev/null; then
  read -r w c < <(best 0 "$want" parallel --will-cite -j "$j" -k); row "GNU parallel -k (grouped)" "$w" "$c"
  read -r w c < <(best 1 "$want_sorted" parallel --will-cite -j "$j"); row "GNU parallel (grouped)" "$w" "$c"
  read -r w c < <(best 1 "$want_sorted" parallel --will-cite -j "$j" --line-buffer); row "GNU parallel --line-buffer" "$w" "$c"
  read -r w c < <(best 0 "$want_tag" parallel --will-cite -j "$j" -k --tag); row "GNU parallel -k --tag" "$w" "$c"
else
  echo "GNU parallel: not installed (apt-get install parallel), its rows skipped"
fi
