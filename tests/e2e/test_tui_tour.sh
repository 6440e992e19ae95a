#!/usr/bin/env bash
# test_tui_tour.sh — `asyncmon tour` end to end in a real terminal (tmux on
# a private server, screens polled with timeouts, as in test_tui.sh): the
# tour bar, the narration and the code panel with a highlighted line; the
# highlight follows the run (the `await asyncio.wait(...)` line while the
# wait is pending, the line after it once it returned, reached with Space
# and `.`, which steps to the next event); n and p change the scenario; the
# chess simul starts at its own speed; in tour-lock the waiting task's line
# (async with lock:) has the waiting marker while the holder sleeps; `d`
# offers the tour; --lang zh shows
# the Chinese title and narration, every row within the terminal's width
# (wide characters counted as two columns); q quits with status 0.
source "$(dirname "$0")/lib.sh"

source "$(dirname "$0")/tmux.sh"

# widths NAME: every row of the screen fits 120 columns, wide characters
# (East Asian Wide/Fullwidth) counted as two, and the narration's rows hold
# Chinese text
widths() {
  screen "$1" | /usr/bin/python3 -c '
import sys, unicodedata
rows = sys.stdin.read().split("\n")
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
bad = [r for r in rows if w(r.rstrip()) > 120]
assert not bad, bad
i = next(k for k, r in enumerate(rows) if r.startswith(" Narration"))
j = next(k for k, r in enumerate(rows) if r.startswith(" Code "))
body = [r for r in rows[i + 1:j] if r.strip()]
assert body and all(any(unicodedata.east_asian_width(c) == "W" for c in r) for r in body), body
# the panel below starts in column 0 and its title ends at the right edge
assert rows[j].rstrip().endswith("python · awaiting") and w(rows[j].rstrip()) == 119, rows[j]
print("  narration rows:", [w(r.rstrip()) for r in body])'
}

# ---- the tour from its first scenario ----
run t 120 40 tour --speed 0.5
check "tour: the bar says scenario 1 of the tour" wait_for t 'Tour 1/[0-9]+ +Mistakes: await one by one'
check "tour: the bar lists the tour's keys" wait_for t 'n/p next/previous +\. step'
check "tour: narration shown" wait_for t 'Awaiting each coroutine in turn'
check "tour: the code panel" wait_for t '^ Code +python'
check "tour: a highlighted line (the one-by-one loop's await)" \
  wait_for t '^ +3 ▶ +await asyncio\.sleep\(d\) +# total = sum'
check "tour: each group's own clock" wait_for t 'one_by_one +[0-9.]+s +[0-5]/5 ended'
check "tour: the one-by-one bar counts its 5 tasks, not those created so far" \
  wait_for t '^ one_by_one +: +[0-9]+%\|.*\| [0-4]/5 \['
check "tour: the run's bar counts all 15" wait_for t '^ tour-mistakes: +[0-9]+%\|.*\| [0-9]+/15 \['
check "tour: at 40 rows the whole 12-line snippet is in view" \
  wait_for t '^ +12 ▶? +await asyncio\.gather\(\*\(asyncio\.sleep\(d\)'

tm send-keys -t t n
check "n: scenario 2, gather of 2000" wait_for t 'Tour 2/[0-9]+ +gather: 2000 tasks'
check "n: gather's result and completion orders" wait_for t 'results: +sleepers-1 sleepers-2'
tm send-keys -t t p
check "p: back to scenario 1" wait_for t 'Tour 1/[0-9]+ +Mistakes'

# ---- the highlight follows the wait node; . steps while paused ----
run w 120 40 tour --scenario wait-first-exception --speed 0.05
check "wait: the await line is highlighted while the wait is pending" \
  wait_for w '^ +3 ▶ +done, pending = await asyncio\.wait\('
check "wait: the panel title says awaiting" wait_for w 'python · awaiting'
tm send-keys -t w ' '
check "Space: paused" wait_for w 'PAUSED'
tm send-keys -t w .
check ".: stepped to the next event (the failure at 1 s)" wait_for w 'stepped to 1\.00s'
check ".: the wait returned: the line after it is highlighted" wait_for w '^ +7 ▶ +await asyncio\.gather\(\*pending\)'
check ".: the title says returned" wait_for w 'python · returned'
check ".: still paused" wait_for w 'PAUSED'
tm send-keys -t w n
check "n while paused: the next scenario" wait_for w 'Tour 9/[0-9]+ +wait in a while pending'
tm send-keys -t w q
check "q: exits 0" wait_for w 'EXITED 0'

# ---- per-step lines (step.NAME.K): in tour-lock b waits on `async with lock:` ----
run l 120 40 tour --scenario lock --speed 0.05
check "lock: the code panel" wait_for l '^ Code +python'
tm send-keys -t l ' '
check "lock: paused" wait_for l 'PAUSED'
check "lock: while a sleeps inside the block, b waits on async with (marked waiting)" \
  wait_for l '^ +3 ‖ +async with lock:'
check "lock: a runs the sleep inside it" wait_for l '^ +4 ▶ +await asyncio\.sleep\(2\)'
check "lock: the legend explains the two markers" wait_for l '▶ runs here +‖ waits here'
tm send-keys -t l .
check "lock: . steps to a's exit at 2 s" wait_for l 'stepped to 2\.00s'
check "lock: b has the lock: nobody waits on async with" wait_for l '^ +3   +async with lock:'
check "lock: b sleeps inside the block" wait_for l '^ +4 ▶ +await asyncio\.sleep\(2\)'
tm send-keys -t l q
check "lock: q exits 0" wait_for l 'EXITED 0'

# ---- a cancelled task: the highlight moves on when its group has ended ----
run k 120 40 tour --scenario cancel --speed 2
check "cancel: main sleeps 5 s while the long task runs" wait_for k '^ +3 ▶ +await asyncio\.sleep\(5\)'
check "cancel: after 5 s, the CancelledError branch" wait_for k '^ +8 ▶ +print\("cancelled after 5 s"\)'
check "cancel: the long task ended cancelled" wait_for k 'long-1 +cancelled'
tm send-keys -t k q
check "cancel: q exits 0" wait_for k 'EXITED 0'

# ---- wait_for vs. shield: after the 2 s timeouts, main is at `await b` ----
run f 120 40 tour --scenario wait-for --speed 2
check "wait_for: the gather of both wait_for calls while they are pending" \
  wait_for f '^ +4 ▶ +await asyncio\.gather\('
check "wait_for: after 2 s, await b" wait_for f '^ +8 ▶ +await b '
check "  while the shielded task runs on (the gather returned, the run goes on)" \
  wait_for f 'python · returned'
check "  and no longer the wait_for(shield(b)) line" bash -c \
  '! tmux -f "$1" -L "$2" capture-pane -p -t f | grep -q "^ *6 ▶"' _ "$TMP/tmux.conf" "$SOCK"
tm send-keys -t f q

# ---- the chess simul runs at its own speed; d offers the tour ----
run c 120 40 tour --scenario chess
check "chess: at 600x" wait_for c 'speed 600x'
check "chess: both clocks" wait_for c 'simultaneous +[0-9]+m[0-9]+s'
tm send-keys -t c d
check "d: the demo menu offers the guided tour" wait_for c 'the guided tour of asyncio'
tm send-keys -t c Escape
check "Esc: the menu closes" gone c 'the guided tour of asyncio'

# ---- from a plain demo, d reaches the tour ----
run g 120 40 --demo gather --speed 0.5
check "gather: no tour bar" wait_for g 'asyncmon gather'
check "gather: no tour bar (really)" gone g 'Tour [0-9]+/' 1
tm send-keys -t g d
check "d: the menu" wait_for g 'the guided tour of asyncio'
tm send-keys -t g Home Enter
check "d, Home, Enter: the tour starts at scenario 1" wait_for g 'Tour 1/[0-9]+ +Mistakes'
check "  with its code panel" wait_for g '^ Code +python'
tm send-keys -t g q
check "  q exits 0" wait_for g 'EXITED 0'

# ---- the bounded semaphore's error reaches the event log ----
run b 120 40 tour --scenario bounded-semaphore --speed 5
check "bounded semaphore: the extra release fails, in the log" \
  wait_for b 'buggy-1 +failed: released more times than acquired'
tm send-keys -t b q
check "bounded semaphore: q exits 0" wait_for b 'EXITED 0'

# ---- Chinese ----
run z 120 40 tour --lang zh --scenario 2
check "zh: the bar in Chinese" wait_for z '导览 2/[0-9]+ +gather：2000 个任务'
check "zh: the header's title in Chinese too" wait_for z '^ asyncmon tour-gather · gather：2000 个任务，一个进度条 '
check "zh: the narration in Chinese" wait_for z '2000 个任务各睡眠 1 到 5 秒'
check "zh: every row fits the terminal, wide characters as two columns" widths z
tm send-keys -t z q
check "zh: q exits 0" wait_for z 'EXITED 0'

# ---- 80x24: the whole title, the tour's keys in Chinese, two lines of narration ----
run s 80 24 tour --lang zh
check "80x24 zh: the whole title in the tour bar, with n/p" \
  wait_for s '导览 1/[0-9]+ +常见错误：逐个 await，还是先创建任务 +n/p 下一个/上一个'
check "80x24 zh: two lines of narration" wait_for s '^ Narration +▼ 1-2/[34]'
check "80x24 zh: its second line" wait_for s '^ .*总耗时是所有延迟之和'
tm send-keys -t s .
check "80x24 zh: . pauses, said in Chinese" wait_for s '已暂停：按 \. 单步，按空格继续'
tm send-keys -t s .
check "80x24 zh: . steps, said in Chinese" wait_for s '单步到 [0-9.]+s：[0-9]+ 个事件'
tm send-keys -t s p
check "80x24 zh: p on the first scenario" wait_for s '这是导览的第一个场景'
run h 80 24 tour --scenario chess
check "80x24 chess: two lines of its six-line narration" wait_for h '^ Narration +▼ 1-2/6'
tm send-keys -t h q
run e 80 24 tour --scenario 19
check "80x24 checkout: the header keeps its title row" wait_for e '^ asyncmon checkout · '
check "80x24 checkout: its panel shows two cashiers (its long narration scrolls)" \
  wait_for e '^ cashiers-2 '
tm send-keys -t s q
check "80x24: q exits 0" wait_for s 'EXITED 0'

finish
