# tmux.sh — the terminal-test harness shared by the dashboard tests (sourced
# after lib.sh): asyncmon runs in panes of a private tmux server, keys go in
# with send-keys and the screen comes back with capture-pane; checks poll
# the screen with a timeout instead of sleeping.

if ! command -v tmux >/dev/null; then
  fail "tmux is needed for the terminal tests (scripts/deps.sh --test installs it)"
  finish
  exit 1
fi
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")" # the panes run in $TMP

SOCK="asyncmon-$(basename "$0" .sh)-$$"
cat >"$TMP/tmux.conf" <<'EOF'
set -g status off
set -g remain-on-exit on
set -g history-limit 100
EOF
tm() { tmux -f "$TMP/tmux.conf" -L "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR ASYNCMON_THEME_DIR ASYNCMON_DEMO_DIR

# run NAME COLS ROWS ARGS...: asyncmon in a new session, followed by a marker
# line with its exit status, so the screen tells when and how it ended.
run() {
  local name="$1" cols="$2" rows="$3"; shift 3
  local cmd
  printf -v cmd '%q ' "$BIN" "$@"
  tm new-session -d -s "$name" -x "$cols" -y "$rows" \
    "cd '$TMP' && $cmd; echo EXITED \$?; sleep 300"
}
screen() { tm capture-pane -p -t "$1"; }
# elapsed START LIMIT: 1 when more than LIMIT seconds passed since START ($EPOCHREALTIME)
elapsed() { awk -v s="$1" -v n="$EPOCHREALTIME" -v l="$2" 'BEGIN{print (n - s > l)}'; }
# wait_for NAME REGEX [SECONDS]: poll the screen until the regex matches
wait_for() {
  local name="$1" re="$2" limit="${3:-15}" start=$EPOCHREALTIME
  while :; do
    screen "$name" | grep -qE -- "$re" && return 0
    if (( $(elapsed "$start" "$limit") )); then
      echo "  timed out after ${limit}s waiting for /$re/ in $name; the screen was:"
      screen "$name" | sed 's/^/  | /'
      return 1
    fi
    sleep 0.1
  done
}
# gone NAME REGEX [SECONDS]: poll until the regex no longer matches
gone() {
  local name="$1" re="$2" limit="${3:-10}" start=$EPOCHREALTIME
  while screen "$name" | grep -qE -- "$re"; do
    if (( $(elapsed "$start" "$limit") )); then
      echo "  /$re/ still on screen after ${limit}s:"; screen "$name" | sed 's/^/  | /'; return 1
    fi
    sleep 0.1
  done
}
