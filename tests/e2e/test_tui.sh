#!/usr/bin/env bash
# test_tui.sh — the dashboard end to end, in a real terminal: tmux runs
# asyncmon in a pane on a private server, sends it keys, and reads the
# screen back with capture-pane. Checks poll the screen with a timeout
# instead of sleeping, and each one can fail: bars advance, a cancelled task
# and the counts change, added tasks are counted, the wait() sets move, the
# help lists the keys, resizes (60x20, 15x5) redraw, filters and sorts show,
# the demo picker switches runs, r runs again, and q, Ctrl-C and SIGTERM give
# the terminal back (normal screen, cursor, no mouse mode) with the summary;
# so do SIGHUP and a crash (SIGSEGV).
source "$(dirname "$0")/lib.sh"

source "$(dirname "$0")/tmux.sh"

# the number of tasks ended on the overall bar ("gather  : 47%|...| 940/2000 [...")
bar_n() { screen "$1" | sed -nE "s/^ $2 *: *[0-9]+%\|.*\| ([0-9]+)\/[0-9]+ .*/\1/p" | head -1; }
header_count() { screen "$1" | sed -nE "2s/.* $2 ([0-9,]+) .*/\1/p" | tr -d ,; }
fmt() { tm display -p -t "$1" "$2"; }
restored() { # the pane is back on the normal screen, cursor shown, no mouse reporting
  [[ $(fmt "$1" '#{alternate_on}') == 0 && $(fmt "$1" '#{cursor_flag}') == 1 &&
     $(fmt "$1" '#{mouse_any_flag}') == 0 && $(fmt "$1" '#{mouse_standard_flag}') == 0 ]] ||
    { echo "  alternate_on=$(fmt "$1" '#{alternate_on}') cursor=$(fmt "$1" '#{cursor_flag}')" \
      "mouse=$(fmt "$1" '#{mouse_any_flag}')"; return 1; }
}
increases() { # increases NAME DESC-REGEX: the overall bar's count grows
  local a b
  wait_for "$1" "^ $2 *: *[0-9]+%.*\| [1-9][0-9]*/" 20 || return 1
  a=$(bar_n "$1" "$2")
  for _ in $(seq 100); do
    b=$(bar_n "$1" "$2")
    [[ -n "$b" && -n "$a" && $b -gt $a ]] && { echo "  bar: $a -> $b"; return 0; }
    sleep 0.1
  done
  echo "  bar stayed at $a ($b)"; return 1
}

# ---- gather at 120x40: bars, cancel, timeout, add, help, filter, sort ----
run g 120 40 --demo gather --speed 0.2
check "dashboard starts: header, bars, task list, log, footer" wait_for g \
  'asyncmon gather .* asyncio.gather' &&
  check "  progress bars" wait_for g '^ gather *: +[0-9]+%\|' &&
  check "  task list with columns" wait_for g 'NAME +GROUP +STATE +PROGRESS +ELAPSED +DEADLINE +RESULT' &&
  check "  event log" wait_for g 'Event log' &&
  check "  footer keys" wait_for g '\?Help.*qQuit'
check "uses the alternate screen while running" test "$(fmt g '#{alternate_on}')" = 1
check "header shows the loop's lag, labelled" wait_for g ' lag(\(max late\))? [0-9.]+ms'

# cancel the selected task (the first row, sleepers-1: 1 s at least = 5 s here)
check "sleepers-1 running, nothing cancelled" wait_for g '^ sleepers-1 +sleepers +running'
check "header: cancelled 0" test "$(header_count g cancelled)" = 0
tm send-keys -t g c
check "c: sleepers-1 cancelled in the list" wait_for g '^ sleepers-1 +sleepers +cancelled .*CancelledError'
check "c: header cancelled 0 -> 1" wait_for g '^ created 2,000 .* cancelled 1 '
check "c: action in the event log" wait_for g 'cancel requested: sleepers-1 \(by user\)'
check "c: the cancellation in the event log" wait_for g ' sleepers-1 +cancelled$'

# a timeout on the next task: it ends timed out, counted and shown as such
tm send-keys -t g j t
check "t: asks for the timeout" wait_for g 'Timeout for sleepers-2, in seconds'
tm send-keys -t g 0.1 Enter
check "t: logged" wait_for g 'timeout set: sleepers-2 in 0.1 s \(by user\)'
check "t: sleepers-2 timed out, TIMED OUT in the deadline column" \
  wait_for g '^ sleepers-2 +sleepers +timed out .*TIMED OUT +TimeoutError'
check "t: header timed out 0 -> 1" wait_for g '^ created 2,000 .* timed out 1 '
tm send-keys -t g k

# add tasks to the selected task's group
check "created 2,000" test "$(header_count g created)" = 2000
tm send-keys -t g a
check "a: created 2,000 -> 2,001" wait_for g '^ created 2,001 '
tm send-keys -t g A
check "A: created 2,001 -> 2,101" wait_for g '^ created 2,101 '
check "A: logged" wait_for g 'added 100 tasks to group sleepers \(by user\)'
check "the overall bar's count increases" increases g gather

# help overlay
tm send-keys -t g '?'
check "?: help lists the keys" wait_for g 'keys' &&
  check "  cancel" wait_for g 'c +cancel the selected task' &&
  check "  quit with q and F10" wait_for g 'q F10 +quit'
tm send-keys -t g End
check "  End scrolls it to the panel toggles" wait_for g '4 +show or hide the event log panel'
tm send-keys -t g Escape
check "Esc closes the help" gone g 'cancel the selected task'

# filter by state and by name, sort
tm send-keys -t g f
check "f: running tasks only" wait_for g 'Tasks .*of 2,101 · running'
tm send-keys -t g f f f f
check "f f f f: cancelled tasks only, sleepers-1 listed" wait_for g 'of 2,101 · cancelled' &&
  check "  and only cancelled rows" wait_for g '^ sleepers-1 +sleepers +cancelled'
tm send-keys -t g Escape
check "Esc clears the filters" gone g '· cancelled'
tm send-keys -t g / 'sleepers-20' Enter
check "/: name filter shows in the title" wait_for g '"sleepers-20"'
check "  every row matches it" bash -c '
  rows=$(tmux -f "$1" -L "$2" capture-pane -p -t g | grep -E "^ sleepers-[0-9]+ " )
  [[ -n "$rows" ]] && ! grep -vq "sleepers-20" <<<"$rows"' _ "$TMP/tmux.conf" "$SOCK"
tm send-keys -t g / C-u Enter
check "/ with nothing clears it" gone g '"sleepers-20"'
tm send-keys -t g s
check "s: sorted by state" wait_for g 'sort: state'
tm send-keys -t g s
check "s: sorted by elapsed" wait_for g 'sort: elapsed'

# pause and speed
tm send-keys -t g Space
check "space: paused" wait_for g 'PAUSED'
tm send-keys -t g +
check "+: faster (0.2 -> 0.25)" wait_for g 'speed 0.25x'
tm send-keys -t g - -
check "- -: slower (0.25 -> 0.1)" wait_for g 'speed 0.1x'
tm send-keys -t g Space
check "space: running again" gone g 'PAUSED'

# resize: 60x20 still draws, 15x5 says it is too small, and back
tm resize-window -t g -x 60 -y 20
check "60x20: redrawn at the new size" wait_for g '^ Tasks ' &&
  check "  the bars reformatted to fit" wait_for g '^ gather *: +[0-9]+%\|.{5,30}\| [0-9]+/2101 \[.*\]$' &&
  check "  the footer on the last row" bash -c '
    tmux -f "$1" -L "$2" capture-pane -p -t g | sed -n 20p | grep -q "^?Help"' _ "$TMP/tmux.conf" "$SOCK"
tm resize-window -t g -x 15 -y 5
check "15x5: terminal too small" wait_for g 'too small'
tm resize-window -t g -x 120 -y 40
check "120x40 again: the dashboard is back" wait_for g 'NAME +GROUP +STATE' &&
  check "  and 'too small' is gone" gone g 'too small'

# cancel a group asks first; n changes nothing, y cancels
tm send-keys -t g C
check "C: asks before cancelling the group" wait_for g 'Cancel group sleepers \([0-9,]+ unfinished tasks?\)\? \[y/N\]'
tm send-keys -t g n
check "C then n: nothing cancelled" gone g 'Cancel group sleepers'
check "  the group still runs" wait_for g ' running [1-9]'
tm send-keys -t g Space # paused: the requests wait for the loop, the screen stays still
check "paused before X" wait_for g 'PAUSED'
tm send-keys -t g X
check "X: asks before cancelling everything" wait_for g 'Cancel every unfinished task \([0-9,]+\)\? \[y/N\]'
tm send-keys -t g y
check "X then y: logged" wait_for g 'cancel requested: all tasks, [0-9]+ \(by user\)'
check "  delivered by the loop: nothing cancelled while paused" wait_for g ' cancelled 1 '
tm send-keys -t g Space
check "X then y, resumed: nothing left running" wait_for g '^ created 2,101  pending 0  running 0 '
check "X then y: finished" wait_for g 'finished — q to quit, r to run again'

# quit: the terminal is given back, with the one-line summary
tm send-keys -t g q
check "q: exits 0" wait_for g '^EXITED 0$'
check "q: summary line on the normal screen" wait_for g \
  '^gather: 2101 tasks — done [0-9]+, failed 0, cancelled [1-9][0-9]*, timed out 1 in [0-9.]+ s$'
check "q: terminal restored (normal screen, cursor, no mouse mode)" restored g

# ---- the wait() sets ----
run w 120 40 --demo wait --speed 0.5
check "wait: the wait() panel" wait_for w 'wait\(FIRST_COMPLETED\) +round [0-9]+'
check "wait: done and pending columns" wait_for w 'done \([0-9]+\).* pending \([0-9]+\)'
round() { screen w | sed -nE 's/.*wait\(FIRST_COMPLETED\) +round ([0-9]+) .*/\1/p' | head -1; }
pending() { screen w | sed -nE 's/.*pending \(([0-9]+)\).*/\1/p' | head -1; }
r1=$(round); p1=$(screen w | grep -oE 'jobs-[0-9]+ +running' | sort | tr -d ' ' | md5sum)
check "wait: the rounds advance and the sets change as tasks end" bash -c '
  for _ in $(seq 150); do
    s=$(tmux -f "$1" -L "$2" capture-pane -p -t w)
    r=$(sed -nE "s/.*wait\(FIRST_COMPLETED\) +round ([0-9]+) .*/\1/p" <<<"$s" | head -1)
    [[ -n "$r" && $r -gt $3 ]] && { echo "  round $3 -> $r"; exit 0; }
    sleep 0.1
  done; exit 1' _ "$TMP/tmux.conf" "$SOCK" "${r1:-0}"
check "wait: last returned set shown" wait_for w 'last return \([0-9]+\) at '
check "wait: pending shrinks to 0 at the end" wait_for w 'pending \(0\)' 40
check "wait: finished status" wait_for w 'finished — q to quit, r to run again' 10
# r: the same scenario again, in the same terminal
tm send-keys -t w r
check "r: a second run" wait_for w 'run 2: wait \(wait\)'
check "r: running again from the start" wait_for w '▶ running'
tm send-keys -t w C-c
check "Ctrl-C: exits 130" wait_for w '^EXITED 130$'
check "Ctrl-C: summary, interrupted" wait_for w '^wait: [0-9]+ tasks — .* \(interrupted\)$'
check "Ctrl-C: terminal restored" restored w

# ---- demo picker, SIGTERM ----
run d 100 30 --demo as_completed --speed 0.5
check "as_completed runs" wait_for d 'asyncmon as_completed'
tm send-keys -t d d
check "d: the demo menu lists the demos" wait_for d 'Run another demo scenario' &&
  check "  with their titles" wait_for d 'gather +asyncio.gather: 2000 sleeping tasks'
tm send-keys -t d g Enter
check "Enter: gather runs in the same terminal" wait_for d 'asyncmon gather .* asyncio.gather'
check "  a fresh run" wait_for d 'run 2: gather \(gather\), 2000 tasks'
pid=$(pgrep -P "$(fmt d '#{pane_pid}')" -x asyncmon || pgrep -P "$(fmt d '#{pane_pid}')")
check "found the process" test -n "$pid"
kill -TERM "$pid" 2>/dev/null
check "SIGTERM: exits 143" wait_for d '^EXITED 143$'
check "SIGTERM: summary printed" wait_for d '^gather: 2000 tasks — .* \(stopped by signal 15\)$'
check "SIGTERM: terminal restored" restored d

# ---- SIGHUP, and a crash: the terminal is restored on the way out ----
run h 100 30 --demo gather --speed 0.5
check "SIGHUP run starts" wait_for h '^ Tasks '
pid=$(pgrep -P "$(fmt h '#{pane_pid}')" | head -1)
kill -HUP "$pid" 2>/dev/null
check "SIGHUP: exits 129" wait_for h '^EXITED 129$'
check "SIGHUP: terminal restored" restored h
run s 100 30 --demo gather --speed 0.5
check "crash run starts" wait_for s '^ Tasks '
pid=$(pgrep -P "$(fmt s '#{pane_pid}')" | head -1)
kill -SEGV "$pid" 2>/dev/null
check "SIGSEGV: the process dies of it" wait_for s '^EXITED (139|134|1)$'
check "SIGSEGV: terminal restored by the fatal-signal handler" restored s

# ---- a bad theme: an error, the terminal untouched ----
run t 200 24 --theme nope
check "unknown theme: the error" wait_for t 'asyncmon: unknown theme "nope": no .*nope.ini \(themes: default, high-contrast, light, mono\)'
check "unknown theme: exit 2" wait_for t '^EXITED 2$'
check "unknown theme: the screen was never switched" restored t

# ---- a non-UTF-8 locale: ASCII bars; NO_COLOR: still drawn ----
tm new-session -d -s a -x 100 -y 30 \
  "cd '$TMP' && LANG=C LC_ALL=C NO_COLOR=1 $(printf %q "$BIN") --demo gather --speed 0.5; echo EXITED \$?; sleep 300"
check "C locale: ASCII bar" wait_for a '^ gather *: +[0-9]+%\|#+[0-9 ]*\|' 20
check "C locale: no block characters anywhere" bash -c '! tmux -f "$1" -L "$2" capture-pane -p -t a | grep -q "[█▏▎▍▌▋▊▉]"' \
  _ "$TMP/tmux.conf" "$SOCK"
tm send-keys -t a q
check "C locale: ASCII summary" wait_for a '^gather: 2000 tasks - done'

# ---- --speed max finishes at once; the dashboard stays up ----
run m 100 30 --demo gather --tasks 300 --speed max --summary-json "$TMP/m.json"
check "speed max: finished, dashboard stays" wait_for m 'finished — q to quit, r to run again'
check "speed max: full bar" wait_for m '^ gather *: 100%\|.*\| 300/300 '
tm send-keys -t m q
check "summary JSON written from the dashboard" wait_for m '^EXITED 0$' &&
  check "  with every task done" expect_json "$TMP/m.json" 'j["tasks"]["done"] == 300'

finish
