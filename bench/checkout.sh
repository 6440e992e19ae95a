#!/usr/bin/env bash
# checkout.sh — the supermarket checkout at scale (demo checkout-rush: 200
# cashiers, maxsize 10,000, 100,000 customers). Headless at full speed: wall
# and CPU time, peak RSS, customers per wall second. In a real terminal
# (tmux, 160x50): frame times from the dashboard's own $ASYNCMON_FRAME_LOG,
# CPU while it runs, and key-to-screen latency of the checkout's keys (] and
# [ change the arrival rate shown in the panel's title; + and - a cashier).
# Not a test: it prints figures, nothing passes or fails.
#
# Usage: bench/checkout.sh [build dir=build] [dashboard speed=20]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
speed="${2:-20}"
[[ -x "$build/asyncmon" ]] || bash scripts/build.sh
bin="$(cd "$build" && pwd)/asyncmon"
tmp=$(mktemp -d)
sock="asyncmon-bench-co-$$"
source bench/lib.sh
export ASYNCMON_CONFIG=

# ---- headless ----
command -v /usr/bin/time >/dev/null || { echo "bench: needs GNU time" >&2; exit 1; }
headless() { # headless NAME ARGS...: prints "wall cpu rss_kb" and keeps the JSON
  local name="$1"; shift
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/$name.time" "$bin" --headless "$@" \
    --summary-json "$tmp/$name.json" >/dev/null 2>&1
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$tmp/$name.time"
}
field() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

echo "checkout-rush: 200 cashiers, maxsize 10000, 100000 customers"
read -r w c r < <(headless rush --demo checkout-rush --speed max)
served=$(field "$tmp/rush.json" 'j["checkout"]["served"]')
vsec=$(field "$tmp/rush.json" 'round(j["timing"]["virtual_seconds"], 1)')
printf '%-36s %s s wall, %s s CPU, %s KiB peak RSS\n' "headless, --speed max" "$w" "$c" "$r"
printf '%-36s %s served in %s s virtual; %s customers per wall second\n' "" "$served" "$vsec" \
  "$(awk -v n="$served" -v w="$w" 'BEGIN { printf "%.0f", n / (w > 0.001 ? w : 0.001) }')"
printf '%-36s L %s vs lambda*W %s\n' "  Little's law over the run" \
  "$(field "$tmp/rush.json" 'round(j["checkout"]["littles_law"]["L"], 2)')" \
  "$(field "$tmp/rush.json" 'round(j["checkout"]["littles_law"]["lambda_W"], 2)')"
read -r w c r < <(headless hour --demo checkout --speed max --duration 3600)
printf '%-36s %s s wall, %s s CPU, %s KiB peak RSS (%s served)\n' "checkout, one virtual hour" "$w" "$c" "$r" \
  "$(field "$tmp/hour.json" 'j["checkout"]["served"]')"

# ---- the dashboard ----
command -v tmux >/dev/null || { echo "bench: needs tmux for the dashboard figures" >&2; exit 0; }

tm new-session -d -s b -x 160 -y 50 \
  "LANG=C.UTF-8 ASYNCMON_FRAME_LOG=$tmp/frames.txt $(printf %q "$bin") --demo checkout-rush --speed $speed; echo EXITED \$?"
until_shows 'Checkout +200 cashiers' 30
pid=$(pgrep -P "$(tm display -p -t b '#{pane_pid}')" | head -1)
[[ -n "$pid" ]] || { echo "bench: no asyncmon process" >&2; exit 1; }
sleep 2 # let the queue build up
c0=$(cpu_ticks "$pid"); w0=$(now)
: >"$tmp/keys.txt"
rate=80.00
for i in $(seq 10); do # ] then [: the rate in the title changes each time
  if (( i % 2 )); then key=']'; next=120.00; else key='['; next=80.00; fi
  k=$(now)
  tm send-keys -t b "$key"
  until_shows "arrivals $next/s" 10
  since "$k" >>"$tmp/keys.txt"; echo >>"$tmp/keys.txt"
  sleep 0.1
done
for i in $(seq 10); do # + then -: 201 cashiers, then one closing
  k=$(now)
  if (( i % 2 )); then tm send-keys -t b +; until_shows 'Checkout +201 cashiers' 10
  else tm send-keys -t b -; until_shows 'a cashier closes after the customer' 10; fi
  since "$k" >>"$tmp/keys.txt"; echo >>"$tmp/keys.txt"
  sleep 0.1
done
c1=$(cpu_ticks "$pid"); w1=$(now)
cpu=$(awk -v c="$((c1 - c0))" -v hz="$hz" -v a="$w0" -v b="$w1" 'BEGIN { printf "%.1f", 100 * c / hz / (b - a) }')
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
depth=$(tm capture-pane -p -t b | grep -oE 'queue [^ ]+ [0-9]+/10000' | head -1 || true)
tm send-keys -t b q
until_shows '^EXITED' 30
awk '{ printf "%.3f\n", $1 / 1e6 }' "$tmp/frames.txt" >"$tmp/frames_ms.txt"
awk '{ printf "%.3f\n", $2 / 1e6 }' "$tmp/frames.txt" >"$tmp/draw_ms.txt"
read -r f50 f99 fmax fcount < <(pcts "$tmp/frames_ms.txt")
read -r d50 d99 dmax _ < <(pcts "$tmp/draw_ms.txt")
read -r k50 k99 kmax kcount < <(grep . "$tmp/keys.txt" | pcts /dev/stdin)
echo "dashboard, checkout-rush at speed ${speed}x, terminal 160x50 (tmux)"
printf '%-36s p50 %s ms, p99 %s ms, max %s ms (%s frames)\n' "frame time (draw + write out)" "$f50" "$f99" "$fmax" "$fcount"
printf '%-36s p50 %s ms, p99 %s ms, max %s ms\n' "  of it drawing (no terminal I/O)" "$d50" "$d99" "$dmax"
printf '%-36s p50 %s ms, p99 %s ms, max %s ms (%s keys: ] [ + -)\n' "key to screen" "$k50" "$k99" "$kmax" "$kcount"
printf '%-36s %s%% of a core; %s KiB RSS; %s\n' "while running" "$cpu" "$rss" "${depth:-queue ?}"
