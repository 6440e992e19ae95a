# procs.sh — process checks for the tests of asyncmon run (sourced after
# lib.sh): every process a test starts carries $MARK in its command line (a
# sleep linked as $SLEEP = $TMP/$MARK-sleep), so that what is left of them
# can be found with pgrep, whatever the exit path.

MARK="amjob-$$-$(basename "$0" .sh)-mark" # unlike tmux.sh's socket name
SLEEP="$TMP/$MARK-sleep"
ln -s "$(command -v sleep)" "$SLEEP"

marked() { pgrep -f -- "$MARK" | grep -v "^$$\$" || true; }
# count_sleeps ARGS: how many "$SLEEP ARGS" processes run now
count_sleeps() { pgrep -f -- "^$SLEEP $1" | wc -l; }
# no_survivors: within 2 s, no process carrying the marker, not even a zombie
no_survivors() {
  local i
  for i in $(seq 20); do [[ -z "$(marked)" ]] && return 0; sleep 0.1; done
  echo "  left behind:"; pgrep -af -- "$MARK" | sed 's/^/  | /'; return 1
}
# no_live: within 2 s, none alive; zombies are allowed, for an exit path
# where asyncmon itself is gone and init reaps what it killed
no_live() {
  local i p live
  for i in $(seq 20); do
    live=""
    for p in $(marked); do [[ $(ps -o stat= -p "$p" 2>/dev/null) == Z* ]] || live+=" $p"; done
    [[ -z "$live" ]] && return 0
    sleep 0.1
  done
  live="${live# }"
  echo "  alive:"; ps -o pid,stat,args -p "${live// /,}" | sed 's/^/  | /'; return 1
}
