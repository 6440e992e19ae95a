#!/usr/bin/env bash
# test_tui_queues.sh — the dashboard's "Queues & primitives" panel and the
# header's loop health, end to end in a real terminal (tmux on a private
# server, screens read back with capture-pane and polled with timeouts, as in
# test_tui.sh): the semaphore demo shows "semaphore api ... 10/10 held, N
# waiting" with N going down; focused (Tab), + and - change the limit (11/11,
# back to 10, never below 1), logged and shown, while + elsewhere still
# changes the speed; the queue demo shows the queue's gauge, depth/maxsize,
# sparkline, rates and who is waiting, in UTF-8 and ASCII, beside and below
# the task list, and + / - change its maxsize; gather has no such panel; the
# blocking demo puts a slow-step count in the header after its on-loop CPU
# work.
source "$(dirname "$0")/lib.sh"

source "$(dirname "$0")/tmux.sh"

absent() { # absent NAME REGEX: not on the screen now
  if screen "$1" | grep -qE -- "$2"; then
    echo "  /$2/ is on the screen:"; screen "$1" | sed 's/^/  | /'; return 1
  fi
}
# the number of waiters on the screen's "semaphore api ... held, N waiting"
sem_waiting() { screen "$1" | sed -nE 's/.*semaphore api +[^ ]+ [0-9]+\/[0-9]+ held, ([0-9,]+) waiting.*/\1/p' | head -1 | tr -d ,; }
decreases() { # decreases NAME: the semaphore's waiting count goes down between captures
  local a b
  a=$(sem_waiting "$1")
  [[ -n "$a" ]] || { echo "  no waiting count on screen"; screen "$1" | sed 's/^/  | /'; return 1; }
  for _ in $(seq 100); do
    sleep 0.1
    b=$(sem_waiting "$1")
    [[ -n "$b" && $b -lt $a ]] && { echo "  waiting: $a -> $b"; return 0; }
  done
  echo "  waiting stayed at $a ($b)"; return 1
}

# ---- the semaphore demo: 1000 requests, 10 permits ----
run s 120 40 --demo semaphore --speed 0.25
check "semaphore: the panel is shown" wait_for s 'Queues & primitives +1 semaphore'
check "semaphore: 'semaphore api', a gauge, 10/10 held, N waiting" \
  wait_for s 'semaphore api +█+ 10/10 held, [0-9,]+ waiting'
check "semaphore: the waiting count decreases" decreases s
check "semaphore: the footer's + and - change the speed while the task list has the focus" \
  wait_for s '\+Faster -Slower'

tm send-keys -t s Tab
check "Tab: the queues panel has the focus; the footer says + raises, - lowers" \
  wait_for s '\+Raise -Lower'
tm send-keys -t s +
check "+: the limit is 11, every permit held" wait_for s 'semaphore api +█+ 11/11 held'
check "+: in the action log" wait_for s 'semaphore api: limit 10 → 11 \(by user\)'
check "+: the speed did not change" wait_for s 'speed 0\.25x'
tm send-keys -t s -
check "-: logged" wait_for s 'semaphore api: limit 11 → 10 \(by user\)'
check "-: back to 10 (once a holder releases)" wait_for s 'semaphore api +█+ 10/10 held'
check "-: the speed did not change" wait_for s 'speed 0\.25x'

# never below 1: ten presses from 10
tm send-keys -t s - - - - - - - - - -
check "- x10: the limit stops at 1" wait_for s 'semaphore api: the limit is already 1, the lowest'
check "  logged down to 1" wait_for s 'limit 2 → 1 \(by user\)'
check "- x10: one permit held, as holders release" wait_for s 'semaphore api +[█░]+ 1/1 held' 20

# the help lists what + and - do in the panel
tm send-keys -t s '?'
check "?: the help explains + and - in the queues panel" \
  wait_for s '\+ - on a semaphore: its limit \+1 / -1 \(never below 1\)'
tm send-keys -t s End
check "  and its toggle" wait_for s '6 +show or hide the queues & primitives panel'
tm send-keys -t s Escape
check "Esc closes the help" bash -c '
  for _ in $(seq 50); do
    tmux -f "$1" -L "$2" capture-pane -p -t s | grep -q "on a semaphore: its limit" || exit 0
    sleep 0.1
  done; exit 1' _ "$TMP/tmux.conf" "$SOCK"

# focus elsewhere: + is the speed again
tm send-keys -t s Tab
check "Tab on: the footer's + is Faster again" wait_for s '\+Faster -Slower'
tm send-keys -t s +
check "+ outside the panel: faster (0.25 -> 0.5)" wait_for s 'speed 0\.5x'
check "  and the limit stays 1" wait_for s 'semaphore api +[█░]+ 1/1 held'

# 6 hides and shows the panel
tm send-keys -t s 6
check "6: the panel is hidden" bash -c '
  for _ in $(seq 50); do
    tmux -f "$1" -L "$2" capture-pane -p -t s | grep -q "Queues & primitives" || exit 0
    sleep 0.1
  done; exit 1' _ "$TMP/tmux.conf" "$SOCK"
tm send-keys -t s 6
check "6 again: shown" wait_for s 'Queues & primitives'
tm send-keys -t s q
check "q: exits 0" wait_for s '^EXITED 0$'

# ---- the queue demo: producers and consumers around Queue(maxsize=5) ----
run q 120 40 --demo queue --speed 1
check "queue: 'queue jobs', its gauge, depth/5, fifo" wait_for q 'queue jobs +[█░]+ [0-9]+/5 +fifo'
check "queue: a sparkline of the depth" wait_for q 'depth +[ ▁▂▃▄▅▆▇█]*[▁▂▃▄▅▆▇█]'
check "queue: put and get rates" wait_for q 'put [0-9.]+/s \([0-9]+\) +get [0-9.]+/s \([0-9]+\)'
check "queue: time in queue" wait_for q 'in queue p50 [0-9.]+s +p95 [0-9.]+s +max [0-9.]+s'
check "queue: who is waiting (a consumer or producer blocked)" \
  wait_for q '[1-9][0-9]* (consumers? waiting|producers? waiting to put)' 20
tm send-keys -t q Tab +
check "Tab +: maxsize 5 -> 6, logged" wait_for q 'queue jobs: maxsize 5 → 6 \(by user\)'
check "  and shown as /6" wait_for q 'queue jobs +[█░]+ [0-9]+/6 '
tm send-keys -t q -
check "-: maxsize back to 5" wait_for q 'queue jobs +[█░]+ [0-9]+/5 '
check "  logged" wait_for q 'queue jobs: maxsize 6 → 5 \(by user\)'
tm resize-window -t q -x 80 -y 40
check "80 columns: the panel goes below the task list, full width" \
  wait_for q '^ Queues & primitives +1 queue$'
check "  still with its rows" wait_for q '^ queue jobs +[█░]+ [0-9]+/5 +fifo'
tm send-keys -t q q
check "queue: q exits 0" wait_for q '^EXITED 0$'

# ASCII when the locale is not UTF-8
tm new-session -d -s a -x 120 -y 40 \
  "cd '$TMP' && LANG=C LC_ALL=C $(printf %q "$BIN") --demo queue --speed 1; echo EXITED \$?; sleep 300"
check "C locale: an ASCII gauge, depth/5" wait_for a 'queue jobs +[#.]+ [0-9]+/5 +fifo'
check "C locale: an ASCII sparkline" wait_for a 'depth +[ .:=+*#-]*[.:=+*#-]' 20
check "C locale: no block characters anywhere" bash -c '
  ! tmux -f "$1" -L "$2" capture-pane -p -t a | grep -q "[▁▂▃▄▅▆▇█░]"' _ "$TMP/tmux.conf" "$SOCK"
tm send-keys -t a q

# ---- gather has no primitives: no panel ----
run g 120 40 --demo gather --speed 0.5
check "gather: the dashboard is up" wait_for g 'NAME +GROUP +STATE'
check "gather: no Queues & primitives panel" absent g 'Queues & primitives'
check "gather: the task list has the whole width" wait_for g '^ Tasks .* sort: id$'
tm send-keys -t g q

# ---- blocking: CPU work on the loop shows up as slow steps in the header ----
run b 120 40 --demo blocking --speed 1
# before 1 s nothing has blocked the loop: lag, no slow steps
check "blocking: before the CPU work (under 1 s), lag and no slow steps" bash -c '
  for _ in $(seq 100); do
    l=$(tmux -f "$1" -L "$2" capture-pane -p -t b | sed -n 1p)
    if grep -qE "running +0\.[0-9]+s +speed 1x +lag [0-9.]+ms" <<<"$l"; then
      grep -q "slow" <<<"$l" && { echo "  $l"; exit 1; }
      exit 0
    fi
    sleep 0.05
  done; echo "  never saw the header under 1 s"; exit 1' _ "$TMP/tmux.conf" "$SOCK"
check "blocking: the header counts the slow steps after the on-loop CPU work" \
  wait_for b '^ asyncmon blocking .*lag [0-9.]+ms \(max [0-9]+ms\) +slow [1-9][0-9]*$' 20
check "blocking: the lag's max shows the block (>= 100 ms)" \
  wait_for b 'lag [0-9.]+ms \(max [0-9]{3,}ms\)'
check "blocking: no queues panel (no primitives)" absent b 'Queues & primitives'
tm send-keys -t b q
check "blocking: q exits 0" wait_for b '^EXITED 0$'

finish
