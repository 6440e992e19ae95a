#!/usr/bin/env bash
# test_sync_demos.sh — the primitives and real-work demos end to end: runs the
# real binary headless on demo/semaphore.ini (1000 requests through a
# Semaphore(10)), demo/blocking.ini (CPU work on the loop vs. in an executor)
# and a producer/consumer scenario around a queue with daemon workers, and
# checks the exit status, that every task is done (or, for the workers,
# cancelled at the end), the virtual time, and the slow steps in the trace.
source "$(dirname "$0")/lib.sh"

invariant='sum(j["tasks"][s] for s in ("pending","running","done","failed","cancelled","timed_out")) == j["tasks"]["created"]'

# semaphore: 1000 requests of 0.1-0.5 s, ten at a time: about 30 s
"$BIN" --headless --demo semaphore --speed max --summary-json "$TMP/s.json" >"$TMP/s.out" 2>"$TMP/s.err"
check "semaphore exits 0" test $? -eq 0
check "semaphore: 1000 created, all done" expect_json "$TMP/s.json" \
  'j["tasks"]["created"] == 1000 and j["tasks"]["done"] == 1000'
check "semaphore: states add up" expect_json "$TMP/s.json" "$invariant"
check "semaphore: gather done after 25-35 virtual seconds" expect_json "$TMP/s.json" \
  'j["node"]["state"] == "done" and 25 <= j["node"]["ended_at"] <= 35'
check "semaphore: summary on stdout" grep -q 'done 1000' "$TMP/s.out"

# blocking: four 0.5 s CPU steps on the loop are slow steps; the executor's are not
now() { /usr/bin/python3 -c 'import time; print(time.monotonic())'; }
start=$(now)
"$BIN" --headless --demo blocking --speed max --summary-json "$TMP/b.json" --trace "$TMP/b.trace" \
  >"$TMP/b.out" 2>"$TMP/b.err"
rc=$?
took=$(/usr/bin/python3 -c "print(round($(now) - $start, 2))")
check "blocking exits 0" test $rc -eq 0
check "blocking: 28 created, all done" expect_json "$TMP/b.json" \
  'j["tasks"]["created"] == 28 and j["tasks"]["done"] == 28'
check "blocking: states add up" expect_json "$TMP/b.json" "$invariant"
check "blocking: the CPU work really ran (>= 2 s, took $took s)" \
  /usr/bin/python3 -c "assert $took >= 2.0"
check "blocking: exactly 4 slow steps, all from on_loop" /usr/bin/python3 -c '
import json, sys
slow = [json.loads(l) for l in open(sys.argv[1]) if "\"ev\":\"slow\"" in l]
assert len(slow) == 4, slow
assert all(e["name"].startswith("on_loop-") for e in slow), slow' "$TMP/b.trace"

# producers and daemon consumers around a queue: the workers are cancelled
# once the producers are done and the queue is joined
cat >"$TMP/pc.ini" <<'EOF'
[scenario]
title = producers and consumers
combinator = gather

[queue.q]

[group.producers]
count = 2
do = sleep exponential 0.5; put q
repeat = 50

[group.consumers]
count = 3
do = get q; sleep uniform 0.2 1; task_done q
repeat = forever
daemon = true
EOF
timeout 20 "$BIN" --headless --demo "$TMP/pc.ini" --speed max --summary-json "$TMP/pc.json" \
  >/dev/null 2>&1
check "producer/consumer exits 0" test $? -eq 0
check "producer/consumer: producers done, consumers cancelled" expect_json "$TMP/pc.json" \
  'j["tasks"]["created"] == 5 and j["tasks"]["done"] == 2 and j["tasks"]["cancelled"] == 3'
check "producer/consumer: states add up" expect_json "$TMP/pc.json" "$invariant"

finish
