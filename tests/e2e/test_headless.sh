#!/usr/bin/env bash
# test_headless.sh — the headless front end end to end: runs the real binary
# on the shipped scenarios and checks the JSON summary, the trace, the exit
# status, and the progress lines on stderr.
source "$(dirname "$0")/lib.sh"

invariant='sum(j["tasks"][s] for s in ("pending","running","done","failed","cancelled","timed_out")) == j["tasks"]["created"]'

# gather: the classic 2000 tasks, 1-5 s each
"$BIN" --headless --demo gather --speed max --summary-json "$TMP/g.json" --trace "$TMP/g.trace" \
  >"$TMP/g.out" 2>"$TMP/g.err"
check "gather exits 0" test $? -eq 0
check "gather: 2000 created, all done" expect_json "$TMP/g.json" \
  'j["tasks"]["created"] == 2000 and j["tasks"]["done"] == 2000'
check "gather: states add up" expect_json "$TMP/g.json" "$invariant"
check "gather: node done, ends within 1-5 s" expect_json "$TMP/g.json" \
  'j["node"]["kind"] == "gather" and j["node"]["state"] == "done" and 1 <= j["node"]["ended_at"] <= 5'
check "gather: final tqdm line on stderr" grep -qE 'gather: 100%\|.*\| 2000/2000 \[00:0[0-5]<00:00' "$TMP/g.err"
check "gather: summary on stdout" grep -q 'done 2000' "$TMP/g.out"
check "trace: one created/started/ended line per task" bash -c '
  [[ $(grep -c "\"ev\":\"created\"" "$1") == 2000 && $(grep -c "\"ev\":\"started\"" "$1") == 2000 &&
     $(grep -c "\"ev\":\"ended\"" "$1") == 2000 ]]' _ "$TMP/g.trace"
check "trace: every line is JSON" /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]): json.loads(line)' "$TMP/g.trace"

# --tasks and --seed: the same seed gives the same run
"$BIN" --headless --demo gather --tasks 300 --seed 7 --speed max --summary-json "$TMP/a.json" >/dev/null 2>&1
"$BIN" --headless --demo gather --tasks 300 --seed 7 --speed max --summary-json "$TMP/b.json" >/dev/null 2>&1
check "--tasks 300" expect_json "$TMP/a.json" 'j["tasks"]["created"] == 300'
check "--seed repeats the run" test "$(json "$TMP/a.json" 'j["node"]["ended_at"]')" == "$(json "$TMP/b.json" 'j["node"]["ended_at"]')"

# --duration stops early: the rest is cancelled, nothing lost
"$BIN" --headless --demo gather --speed max --duration 2 --summary-json "$TMP/d.json" >/dev/null 2>&1
check "--duration exits 0" test $? -eq 0
check "--duration: stopped, some done, the rest cancelled" expect_json "$TMP/d.json" \
  'j["stopped"] and 0 < j["tasks"]["done"] < 2000 and j["tasks"]["done"] + j["tasks"]["cancelled"] == 2000'

# as_completed: the timeout stops the waiting, not the slow task
"$BIN" --headless --demo as_completed --speed max --summary-json "$TMP/ac.json" >/dev/null 2>&1
check "as_completed: node timed out, every task still done" expect_json "$TMP/ac.json" \
  'j["node"]["state"] == "timed_out" and j["tasks"]["done"] == j["tasks"]["created"]'

# wait: the while-pending loop re-adds failed tasks until nothing is pending
"$BIN" --headless --demo wait --speed max --summary-json "$TMP/w.json" >/dev/null 2>&1
check "wait: loop ran, pending empty at the end" expect_json "$TMP/w.json" \
  'j["node"]["kind"] == "wait" and j["node"]["rounds"] > 1 and j["node"]["pending"] == 0'
check "wait: one new task per failure" expect_json "$TMP/w.json" \
  'j["node"]["readded"] == j["tasks"]["failed"] and j["tasks"]["created"] == 50 + j["node"]["readded"]'
check "wait: states add up" expect_json "$TMP/w.json" "$invariant"

# stdout not a terminal: headless without asking
"$BIN" --demo gather --tasks 50 --speed max >"$TMP/auto.out" 2>"$TMP/auto.err"
check "not a tty: runs headless" grep -q 'done 50' "$TMP/auto.out"

# real time at speed 50: lines on stderr, throttled
"$BIN" --headless --demo gather --tasks 200 --speed 50 >/dev/null 2>"$TMP/rt.err"
lines=$(wc -l <"$TMP/rt.err")
check "speed 50: a few progress lines, at most one per 0.1 s ($lines)" test "$lines" -ge 2 -a "$lines" -le 5

# Ctrl-C: cancel what is left, report, exit 130
"$BIN" --headless --demo gather --speed 1 --summary-json "$TMP/int.json" >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
check "SIGINT exits 130" test $? -eq 130
check "SIGINT: interrupted, tasks cancelled, nothing lost" expect_json "$TMP/int.json" \
  'j["interrupted"] and j["tasks"]["cancelled"] > 0 and j["tasks"]["pending"] + j["tasks"]["running"] == 0'
"$BIN" --headless --demo gather --speed 1 >/dev/null 2>&1 &
pid=$!
sleep 0.5
kill -TERM $pid
wait $pid
check "SIGTERM exits 143" test $? -eq 143

finish
