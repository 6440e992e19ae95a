#!/usr/bin/env bash
# test_checkout.sh — the supermarket checkout headless: every customer is
# accounted for, the queue never holds more than its maxsize, no cashier
# serves two customers at once (from the trace's serve_start/serve_end
# lines), Little's law holds on a long stable run, and bad checkout
# scenarios are clear errors.
source "$(dirname "$0")/lib.sh"

"$BIN" --demo checkout --headless --speed 50 --duration 60 --summary-json "$TMP/c.json" \
  --trace "$TMP/c.trace" >"$TMP/c.out" 2>"$TMP/c.err"
check "checkout exits 0" test $? -eq 0
check "checkout object with every field" expect_json "$TMP/c.json" \
  'all(k in j["checkout"] for k in ("arrived","served","in_queue","in_service","cancelled","max_queue_depth","maxsize"))'
check "nothing lost: arrived = served + in_queue + in_service + cancelled" expect_json "$TMP/c.json" \
  'j["checkout"]["arrived"] == j["checkout"]["served"] + j["checkout"]["in_queue"] + j["checkout"]["in_service"] + j["checkout"]["cancelled"]'
check "a real run: customers arrived and were served" expect_json "$TMP/c.json" \
  'j["checkout"]["arrived"] > 60 and j["checkout"]["served"] > 30'
check "max_queue_depth <= maxsize (5), and the queue filled up" expect_json "$TMP/c.json" \
  'j["checkout"]["maxsize"] == 5 and j["checkout"]["max_queue_depth"] == 5'
check "queue object agrees: puts = arrived" expect_json "$TMP/c.json" \
  '[o for o in j["objects"] if o["name"] == "checkout"][0]["puts"] == j["checkout"]["arrived"]'
check "time in queue quantiles ordered" expect_json "$TMP/c.json" \
  '0 <= j["checkout"]["wait_p50"] <= j["checkout"]["wait_p95"] <= j["checkout"]["wait_max"]'
check "summary line on stdout" grep -q "customers arrived" "$TMP/c.out"

# From the trace: per cashier, serve intervals never overlap; every start
# has its end; served (ends without error) matches the summary.
check "no cashier served two customers at once (trace)" /usr/bin/python3 - "$TMP/c.trace" "$TMP/c.json" <<'PY'
import json, sys
busy, served, cashiers = {}, 0, set()
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["ev"] == "serve_start":
        assert e["task"] not in busy, f"task {e['task']} started a service at {e['t']} while serving"
        busy[e["task"]] = e["t"]
        cashiers.add(e["task"])
    elif e["ev"] == "serve_end":
        start = busy.pop(e["task"])  # KeyError: an end without a start
        assert e["t"] >= start
        if "error" not in e:
            served += 1
            assert e["n"] == e["total"], e
j = json.load(open(sys.argv[2]))
assert not busy, f"services never ended: {busy}"
assert served == j["checkout"]["served"], (served, j["checkout"]["served"])
assert len(cashiers) == 3, cashiers
PY

# Little's law on a long stable run: 4 cashiers (about 1.2 customers/s) for
# one customer a second, a queue that rarely fills: L and lambda*W agree.
cat >"$TMP/stable.ini" <<'INI'
[queue.checkout]
maxsize = 100
[products]
beer = 2
bananas = 0.5
sausage = 0.2
diapers = 0.2
[group.customers]
count = 1
do = sleep exponential 1; put checkout items uniform 0 9
repeat = 20000
[group.cashiers]
count = 4
do = get checkout; serve checkout; task_done checkout
repeat = forever
daemon = true
INI
"$BIN" --demo "$TMP/stable.ini" --headless --speed max --summary-json "$TMP/s.json" >/dev/null 2>&1
check "stable run exits 0" test $? -eq 0
check "stable run: all 20000 served, none cancelled (join, then cancel)" expect_json "$TMP/s.json" \
  'j["checkout"]["served"] == 20000 and j["checkout"]["cancelled"] == 0 and j["checkout"]["in_queue"] == 0'
check "Little's law: L within 3% of lambda*W" expect_json "$TMP/s.json" \
  'j["checkout"]["littles_law"]["L"] > 0.3 and abs(j["checkout"]["littles_law"]["L"] - j["checkout"]["littles_law"]["lambda_W"]) < 0.03 * j["checkout"]["littles_law"]["L"]'

# The rush: 200 cashiers, maxsize 10,000, 100,000 customers, at full speed:
# every customer served, the queue filled to its maxsize and no further.
"$BIN" --demo checkout-rush --headless --speed max --summary-json "$TMP/r.json" >/dev/null 2>&1
check "rush exits 0" test $? -eq 0
check "rush: 100000 arrived and served, nothing lost" expect_json "$TMP/r.json" \
  'j["checkout"]["arrived"] == 100000 and j["checkout"]["served"] == 100000 and j["checkout"]["in_queue"] == 0 and j["checkout"]["cancelled"] == 0'
check "rush: the queue reached its maxsize of 10000, never more" expect_json "$TMP/r.json" \
  'j["checkout"]["maxsize"] == 10000 and j["checkout"]["max_queue_depth"] == 10000'
check "rush: 200 cashiers, cancelled after the join" expect_json "$TMP/r.json" \
  '[g for g in j["groups"] if g["name"] == "cashiers"][0]["cancelled"] == 200'

# Bad checkout scenarios: a clear FILE:LINE message and exit 2.
printf '[queue.q]\n[group.c]\ncount = 1\ndo = get q; serve q; task_done q\n' >"$TMP/nop.ini"
"$BIN" --demo "$TMP/nop.ini" --headless >/dev/null 2>"$TMP/nop.err"
check "serve without [products]: exit 2" test $? -eq 2
check "serve without [products]: message" grep -q "nop.ini:4: do: step 2: serve scans products: add a \[products\] section" "$TMP/nop.err"
printf '[products]\nbeer = soon\n[group.c]\ncount = 1\nduration = fixed 1\n' >"$TMP/bad.ini"
"$BIN" --demo "$TMP/bad.ini" --headless >/dev/null 2>"$TMP/bad.err"
check "bad product time: exit 2" test $? -eq 2
check "bad product time: message" grep -q 'bad.ini:2: beer: expected the seconds it takes to scan one' "$TMP/bad.err"
printf '[queue.q]\n[group.p]\ncount = 1\ndo = put q items lots\n' >"$TMP/items.ini"
"$BIN" --demo "$TMP/items.ini" --headless >/dev/null 2>"$TMP/items.err"
check "bad item count: exit 2" test $? -eq 2
check "bad item count: message" grep -q "items.ini:4: do: step 1: put: items: expected" "$TMP/items.err"

finish
