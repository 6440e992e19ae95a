#!/usr/bin/env bash
# tui.sh — the dashboard under a million tasks, in a real terminal (tmux):
# frame draw times (p50/p99/max, from the dashboard's own $ASYNCMON_FRAME_LOG),
# CPU used while the tasks run and once the run is over (from /proc/PID/stat),
# key-to-screen latency (a key that opens the help, polled with capture-pane
# until it shows, ~20 times), and what sorting and filtering a million rows
# cost. Not a test: it prints figures, nothing passes or fails.
#
# The frame log has, per frame, the whole frame and the part before curses
# writes to the terminal: the first depends on the terminal (a screen that
# changes entirely, like the help opening, is a lot of output for tmux to
# take), the second only on asyncmon.
#
# Usage: bench/tui.sh [N=1000000] [build dir=build] [speed=0.25]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
build="${2:-build}"
speed="${3:-0.25}"
[[ -x "$build/asyncmon" ]] || bash scripts/build.sh
command -v tmux >/dev/null || { echo "bench: needs tmux" >&2; exit 1; }
bin="$(cd "$build" && pwd)/asyncmon"
tmp=$(mktemp -d)
sock="asyncmon-bench-$$"
source bench/lib.sh

echo "asyncmon dashboard, $n tasks (gather, durations 1-5 s), speed ${speed}x, terminal 160x50 (tmux)"
t0=$(now)
tm new-session -d -s b -x 160 -y 50 \
  "LANG=C.UTF-8 ASYNCMON_FRAME_LOG=$tmp/frames.txt $(printf %q "$bin") --demo gather --tasks $n --speed $speed; echo EXITED \$?"
until_shows '^ sleepers-1 ' 120
startup=$(since "$t0")
pid=$(pgrep -P "$(tm display -p -t b '#{pane_pid}')" | head -1)
[[ -n "$pid" ]] || { echo "bench: no asyncmon process" >&2; exit 1; }
rss0=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")

# ---- while the tasks run: CPU, and key-to-screen latency ----
c0=$(cpu_ticks "$pid"); w0=$(now)
: >"$tmp/keys.txt"
for _ in $(seq 20); do
  k=$(now)
  tm send-keys -t b '?'
  until_shows 'any other key closes' 10
  since "$k" >>"$tmp/keys.txt"; echo >>"$tmp/keys.txt"
  tm send-keys -t b Escape
  until_gone 'any other key closes'
  sleep 0.05
done
c1=$(cpu_ticks "$pid"); w1=$(now)
run_cpu=$(awk -v c="$((c1 - c0))" -v hz="$hz" -v a="$w0" -v b="$w1" 'BEGIN { printf "%.1f", 100 * c / hz / (b - a) }')
running=$(tm capture-pane -p -t b | sed -n 2p | grep -oE 'running [0-9,]+' || true)

# ---- a million rows: sort and filter, as the user sees them ----
k=$(now); tm send-keys -t b s; until_shows 'sort: state' 30; sort_ms=$(since "$k")
sort_inner=$(tm capture-pane -p -t b | grep -oE 'sorted by state \([0-9]+ ms\)' | head -1 || true)
k=$(now); tm send-keys -t b s; until_shows 'sort: elapsed' 30; sort2_ms=$(since "$k")
target="sleepers-$((n - 1))" # near the end of the list: the longest search
k=$(now); tm send-keys -t b / "$target" Enter; until_shows "^ $target " 60; text_ms=$(since "$k")
tm send-keys -t b Escape s s
until_shows 'sort: id' 10

# ---- while tasks end (from 1 s virtual on): CPU over 3 s ----
ended() { tm capture-pane -p -t b | sed -n 2p | sed -nE 's/.* done ([0-9,]+) .*/\1/p' | tr -d ,; }
e0=$(ended); c0=$(cpu_ticks "$pid"); w0=$(now)
sleep 3
c1=$(cpu_ticks "$pid"); w1=$(now); e1=$(ended)
end_cpu=$(awk -v c="$((c1 - c0))" -v hz="$hz" -v a="$w0" -v b="$w1" 'BEGIN { printf "%.1f", 100 * c / hz / (b - a) }')
end_rate=$(awk -v a="${e0:-0}" -v b="${e1:-0}" -v s="$w0" -v t="$w1" 'BEGIN { printf "%.0f", (b - a) / (t - s) }')

# ---- after the run: idle CPU, and the frame times ----
until_shows 'finished — q to quit' 600
sleep 0.5
c0=$(cpu_ticks "$pid"); w0=$(now)
sleep 3
c1=$(cpu_ticks "$pid"); w1=$(now)
idle_cpu=$(awk -v c="$((c1 - c0))" -v hz="$hz" -v a="$w0" -v b="$w1" 'BEGIN { printf "%.1f", 100 * c / hz / (b - a) }')
rss1=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
tm send-keys -t b q
until_shows '^EXITED' 60
summary=$(tm capture-pane -p -t b -S -100 | grep -E '^gather: ' || true)
[[ -n "$summary" ]] || summary="(not found; the pane:)$(tm capture-pane -p -t b | grep . | head -5)"

awk '{ printf "%.3f\n", $1 / 1e6 }' "$tmp/frames.txt" >"$tmp/frames_ms.txt"
awk '{ printf "%.3f\n", $2 / 1e6 }' "$tmp/frames.txt" >"$tmp/draw_ms.txt"
read -r f50 f99 fmax fcount < <(pcts "$tmp/frames_ms.txt")
read -r d50 d99 dmax _ < <(pcts "$tmp/draw_ms.txt")
read -r k50 k99 kmax kcount < <(grep . "$tmp/keys.txt" | pcts /dev/stdin)

printf '%-34s %s\n' "startup to first screen" "${startup} ms (spawning $n tasks)"
printf '%-34s p50 %s ms, p99 %s ms, max %s ms (%s frames)\n' "frame time (draw + write out)" "$f50" "$f99" "$fmax" "$fcount"
printf '%-34s p50 %s ms, p99 %s ms, max %s ms\n' "  of it drawing (no terminal I/O)" "$d50" "$d99" "$dmax"
printf '%-34s %s%% of a core (%s; the key test)\n' "CPU while tasks run" "$run_cpu" "${running:-?}"
printf '%-34s %s%% of a core (%s tasks ended per second)\n' "CPU while tasks end" "$end_cpu" "$end_rate"
printf '%-34s %s%% of a core\n' "CPU once finished (idle)" "$idle_cpu"
printf '%-34s p50 %s ms, p99 %s ms, max %s ms (%s keys)\n' "key to screen (help overlay)" "$k50" "$k99" "$kmax" "$kcount"
printf '%-34s %s ms to screen%s\n' "sort $n rows by state" "$sort_ms" "${sort_inner:+; $sort_inner}"
printf '%-34s %s ms to screen\n' "sort $n rows by elapsed" "$sort2_ms"
printf '%-34s %s ms to screen\n' "find one name among $n" "$text_ms"
printf '%-34s %s KiB running, %s KiB at the end\n' "RSS" "$rss0" "$rss1"
echo "summary: $summary"
