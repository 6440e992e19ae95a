# lib.sh — helpers shared by the dashboard benchmarks (sourced after $tmp and
# $sock are set): a private tmux server whose pane "b" runs asyncmon, the
# clock, polling the pane's screen, a process's CPU ticks, and percentiles.
printf 'set -g status off\nset -g remain-on-exit on\n' >"$tmp/tmux.conf"
tm() { tmux -f "$tmp/tmux.conf" -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
now() { echo "$EPOCHREALTIME"; }
# since T0: milliseconds from T0 (a $EPOCHREALTIME) to now
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
shows() { tm capture-pane -p -t b | grep -qE -- "$1"; }
until_shows() { # until_shows REGEX SECONDS
  local t0; t0=$(now)
  until shows "$1"; do
    if [[ $(awk -v a="$t0" -v b="$(now)" -v l="$2" 'BEGIN{print (b - a > l)}') == 1 ]]; then
      echo "bench: timed out waiting for /$1/" >&2; tm capture-pane -p -t b >&2; exit 1
    fi
    sleep 0.002
  done
}
until_gone() { while shows "$1"; do sleep 0.002; done; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
# pcts FILE: "p50 p99 max count" of a column of numbers
pcts() { sort -n "$1" | awk '{ v[NR] = $1 } END {
  if (!NR) { print "- - - 0"; exit }
  i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
  printf "%s %s %s %d\n", v[i50], v[i99], v[NR], NR }'; }
