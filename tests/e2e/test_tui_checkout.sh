#!/usr/bin/env bash
# test_tui_checkout.sh — the checkout view and its keys end to end in a real
# terminal (tmux, screens polled with timeouts): the default scenario is the
# checkout; + opens a cashier and - closes one after its customer; [ and ]
# change the arrival rate and the statistics follow; m/M, p and e change the
# queue, the arrivals and the order; x closes the store and the queue drains
# to 0; the help lists the keys; another scenario has no checkout view.
source "$(dirname "$0")/lib.sh"

source "$(dirname "$0")/tmux.sh"

# the number in "arrivals N/min" on the checkout's statistics row
arrivals() { screen "$1" | sed -nE 's/^ *arrivals ([0-9]+)\/min.*/\1/p' | head -1; }
below() { # below NAME LIMIT: arrivals per minute fall under LIMIT
  local v
  for _ in $(seq 150); do
    v=$(arrivals "$1")
    [[ -n "$v" && $v -lt $2 ]] && { echo "  arrivals $v/min"; return 0; }
    sleep 0.1
  done
  echo "  arrivals stayed at $v/min"; screen "$1" | sed 's/^/  | /'; return 1
}

run c 120 40 --speed 10 --seed 3
check "default scenario: the checkout view" wait_for c 'Checkout +3 cashiers \([0-3] busy\) · arrivals 2\.00/s'
check "queue row: gauge, depth/maxsize, fifo" wait_for c 'queue [█░]+ [0-5]/5 fifo'
check "cashier rows: customer, tqdm bar, served, utilisation %" \
  wait_for c 'cashiers-1 +#[0-9]+ +[0-9 ]+%\|.*\| [0-9]/[0-9] \[.*served [0-9]+ +util +[0-9]+%'
check "the queue fills up and the generator blocks in put" \
  wait_for c 'generator blocked in put: customer waiting to join queue' 30
check "statistics: arrivals, departures, time in queue, in system" \
  wait_for c 'arrivals [0-9]+/min +departures [0-9]+/min +in queue p50 .* p95 .* max .* in system'
check "Little's law side by side" wait_for c "Little's law +L = [0-9.]+ \(mean queue\) +λ·W = [0-9.]+"
check "event log: services" wait_for c 'cashiers-[0-9] +(serving a customer: [0-9]+ products?|served a customer: [0-9]+ products?)'
check "footer: the checkout keys; Faster on a key the mode leaves" wait_for c '\+Cashier -Close \[\]Rate mMSize pHold eExpress xShut .*[=>]Faster'

tm send-keys -t c +
check "+: four cashiers" wait_for c 'Checkout +4 cashiers'
check "+: a fourth cashier row, serving (the queue is full)" wait_for c 'cashiers-4 +#[0-9]+ '
check "+: logged" wait_for c 'checkout: cashier opened, 4 open \(by user\)'
check "+: the speed did not change" wait_for c 'speed 10x'
tm send-keys -t c -
check "-: logged" wait_for c 'a cashier closes after the customer in hand'
check "-: back to three once its customer is served" wait_for c 'Checkout +3 cashiers' 20
check "-: the cashier ended done (task list)" wait_for c 'cashiers-4 +done'

tm send-keys -t c ']'
check "]: arrivals 3.00/s in the title" wait_for c 'arrivals 3\.00/s'
check "]: logged" wait_for c 'checkout: arrivals 2\.00/s → 3\.00/s'
tm send-keys -t c '[' '[' '[' '['
check "[ x4: arrivals 0.59/s" wait_for c 'arrivals 0\.59/s'
check "[ x4: the arrival statistics fall below 50/min" below c 50

tm send-keys -t c M
check "M: maxsize 6" wait_for c 'queue [█░]+ [0-9]/6 '
tm send-keys -t c m m
check "m m: maxsize 4" wait_for c 'queue [█░]+ [0-9]/4 '
tm send-keys -t c e
check "e: the express lane" wait_for c 'queue [█░]+ [0-9]/4 express'
check "e: logged" wait_for c 'express lane on: fewest products first'
tm send-keys -t c p
check "p: arrivals paused" wait_for c 'arrivals paused \(waiting on event open\)'
check "p: the event is clear in the queues panel" wait_for c 'event open +clear, 1 waiting'
tm send-keys -t c p
check "p again: resumed" wait_for c 'arrivals resumed: event open set'

# half speed first: the log line below stays on screen twice as long while
# the queue drains (at 10x, a stalled machine could miss it scrolling by)
tm send-keys -t c '<'
check "<: speed 5x" wait_for c 'speed 5x'
tm send-keys -t c x
check "x: logged" wait_for c 'store closed: arrivals stop, join\(\) drains the queue'
check "x: the store is closed" wait_for c 'Checkout \(closed\)'
check "x: the queue drains to 0" wait_for c 'queue [█░]+ 0/4 express .*store closed$' 30
check "x: the run finishes, cashiers cancelled after the join" wait_for c 'cashiers-1 +cancelled' 30
check "x: nobody half-served: served = arrived" bash -c '
  screen() { tmux -f "$1" -L "$2" capture-pane -p -t c; }
  s=$(screen "$1" "$2" | sed -nE "s/.*served ([0-9]+) of ([0-9]+).*/\1 \2/p" | head -1)
  read -r a b <<<"$s"; [[ -n "$a" && "$a" == "$b" ]] || { echo "  served/arrived: $s"; exit 1; }' _ "$TMP/tmux.conf" "$SOCK"
tm send-keys -t c +
check "after the run: + says so" wait_for c 'the run is over: r runs it again'

tm send-keys -t c '?'
tm send-keys -t c NPage
check "help: the checkout keys" wait_for c 'open a cashier / close one after its current customer'
tm send-keys -t c Escape
tm send-keys -t c q
check "q: exits 0" wait_for c 'EXITED 0'

# before anyone has left the queue, its times are unknown: "-", not 0.00s
run z 120 40 --speed 0.1 --seed 3
check "start: no time in queue or in system yet" \
  wait_for z '^ arrivals 0/min +departures 0/min +in queue p50 - p95 - max - +in system -'
tm send-keys -t z q
check "start: q exits 0" wait_for z 'EXITED 0'

# 80x24: a statistic that does not fit is left out whole, never cut
run n 80 24 --speed 5
check "80x24: the statistics row ends on a whole value" \
  wait_for n '^ arrivals [0-9]+/min +departures [0-9]+/min +in queue p50 [0-9.hms]+ p95 [0-9.hms]+ max [0-9.hms]+ *$'
check "80x24: two cashier rows, not one of three" wait_for n '^ cashiers-2 '
check "  the header keeps its title row" wait_for n '^ asyncmon checkout · '
tm send-keys -t n q
check "80x24: q exits 0" wait_for n 'EXITED 0'

# another scenario: no checkout view, and + is the speed again
run g 120 40 --demo gather --speed 1
check "gather: no checkout view" wait_for g 'Progress'
check "gather: no Checkout title" bash -c '! tmux -f "$1" -L "$2" capture-pane -p -t g | grep -q "Checkout"' _ "$TMP/tmux.conf" "$SOCK"
tm send-keys -t g +
check "gather: + is faster" wait_for g 'speed 2x'
tm send-keys -t g q

finish
