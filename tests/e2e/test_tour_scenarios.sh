#!/usr/bin/env bash
# test_tour_scenarios.sh — every scenario of the teaching tour, run headless
# by the real binary, checked against what asyncio does (table below, one
# entry per demo/tour-*.ini; a tour scenario without a check fails the test):
# mistakes (one by one = sum, tasks = max), gather order and errors, as_completed
# order and timeout, wait's three modes, its loop and its timeout that cancels
# nothing, wait_for vs. shield, cancel, TaskGroup, semaphore limit and the
# bounded semaphore's error, lock/event/condition, priority and LIFO order,
# blocking vs. executor, and the chess simul's 12 h vs. 1 h; and every
# [code] snippet compiles as Python and fits the code panel.
# --speed max everywhere: virtual time jumps; only the blocking demo burns
# real CPU seconds (that is what it shows).
source "$(dirname "$0")/lib.sh"

for f in "$SRC"/demo/tour-*.ini; do
  name=$(basename "$f" .ini)
  timeout 60 "$BIN" --headless --demo "$f" --speed max --seed 3 --summary-json "$TMP/$name.json" \
    --trace "$TMP/$name.trace" >"$TMP/$name.out" 2>"$TMP/$name.err"
  check "$name exits 0" test $? -eq 0
done

# the tour command headless: --scenario by number and by name, bad values
timeout 60 "$BIN" tour --headless --speed max --scenario 20 --summary-json "$TMP/t20.json" >/dev/null 2>&1
check "tour --scenario 20 runs the priority queue" expect_json "$TMP/t20.json" \
  'j["scenario"] == "tour-priority-queue"'
timeout 60 "$BIN" tour --headless --speed max --scenario lock --summary-json "$TMP/tl.json" >/dev/null 2>&1
check "tour --scenario lock runs tour-lock" expect_json "$TMP/tl.json" 'j["scenario"] == "tour-lock"'
"$BIN" tour --headless --scenario 999 >/dev/null 2>"$TMP/bad.err"
check "tour --scenario 999: exit 2" test $? -eq 2
check "  with what was expected" grep -q -- "--scenario: expected a tour scenario number from 1 to" \
  "$TMP/bad.err"

/usr/bin/python3 - "$SRC" "$TMP" <<'PY'
import glob, json, os, sys

src, tmp = sys.argv[1], sys.argv[2]

def near(a, b, eps=1e-3):
    return abs(a - b) <= eps

class Run:
    def __init__(self, name):
        self.j = json.load(open(f"{tmp}/{name}.json"))
        self.ev = [json.loads(l) for l in open(f"{tmp}/{name}.trace")]
        self.node = self.j.get("node", {})
    def g(self, name):
        return next(g for g in self.j["groups"] if g["name"] == name)
    def span(self, name):
        g = self.g(name)
        return g["last_end"] - g["first_start"]
    def ends(self, prefix):
        """(time, name, state, error) of each simulated task of a group, in end order"""
        return [(e["t"], e["name"], e["state"], e.get("error")) for e in self.ev
                if e["ev"] == "ended" and e["kind"] in ("sleep", "program")
                and e["name"].startswith(prefix + "-")]
    def times(self, prefix):
        start = {e["task"]: e["t"] for e in self.ev if e["ev"] == "started"}
        return [e["t"] - start[e["task"]] for e in self.ev
                if e["ev"] == "ended" and e["name"].startswith(prefix + "-") and e["task"] in start]
    def obj(self, name):
        return next(o for o in self.j["objects"] if o["name"] == name)

def mistakes(r):
    seq, tf, ga = r.times("one_by_one"), r.times("tasks_first"), r.times("gathered")
    assert len(seq) == len(tf) == len(ga) == 5
    assert near(r.span("one_by_one"), sum(seq)), (r.span("one_by_one"), seq)  # sum
    assert near(r.span("tasks_first"), max(tf)), (r.span("tasks_first"), tf)  # max
    assert near(r.span("gathered"), max(ga))
    assert r.span("one_by_one") > 2 * r.span("tasks_first")

def gather(r):
    assert r.j["tasks"]["done"] == 2000 and r.node["state"] == "done"
    assert r.node["submitted_first"] == [f"sleepers-{i}" for i in range(1, 11)]
    done = [n for _, n, _, _ in r.ends("sleepers")]
    assert r.node["completed_first"] == done[:10] != r.node["submitted_first"]
    assert 4.9 <= r.node["ended_at"] <= 5.0  # the longest task, not the sum

def gather_error(r):
    assert r.node["state"] == "failed" and near(r.node["ended_at"], 1.0)
    ok = r.g("ok")  # the siblings were not cancelled: done at 3 s
    assert ok["done"] == 4 and ok["cancelled"] == 0 and near(ok["last_end"], 3.0)

def gather_return_exceptions(r):
    assert r.node["state"] == "done" and r.node["error"] is None and near(r.node["ended_at"], 3.0)
    assert r.g("bad")["failed"] == 1 and r.g("ok")["done"] == 4
    assert r.node["submitted_first"] == ["ok-1", "ok-2", "ok-3", "ok-4", "bad-1"]

def as_completed(r):
    assert r.node["state"] == "timed_out" and near(r.node["ended_at"], 2.0)
    fast = [n for _, n, _, _ in r.ends("fast")]
    assert r.node["yielded_first"] == fast  # completion order
    slow = r.g("slow")  # not cancelled by the timeout
    assert slow["done"] == 1 and near(slow["last_end"], 10.0)

def wait_all(r):
    ends = r.ends("ok") + r.ends("bad")
    assert r.node["done"] == 5 and r.node["pending"] == 0 and r.node["state"] == "done"
    assert near(r.node["ended_at"], max(t for t, _, _, _ in ends))
    assert r.g("bad")["failed"] == 1

def wait_first_completed(r):
    ends = r.ends("jobs")
    assert r.node["done"] == 1 and r.node["pending"] == 4
    assert near(r.node["ended_at"], ends[0][0])
    assert r.j["tasks"]["done"] == 5 and r.j["tasks"]["cancelled"] == 0  # the others ran on

def wait_first_exception(r):
    assert near(r.node["ended_at"], 1.0) and r.node["done"] == 1 and r.node["pending"] == 4
    first = sorted(r.ends("ok") + r.ends("bad"))[0]
    assert first[1] == "bad-1" and first[2] == "failed"  # the failed task is in done
    assert r.g("ok")["done"] == 4

def wait_loop(r):
    jobs = r.g("jobs")
    assert r.node["rounds"] > 1 and r.node["pending"] == 0
    assert r.node["readded"] == jobs["failed"] > 0
    assert jobs["done"] == 20  # every job succeeded in the end

def wait_timeout(r):
    assert r.node["timed_out"] is True and near(r.node["ended_at"], 2.0) and r.node["pending"] > 0
    assert r.j["tasks"]["done"] == 6 and r.j["tasks"]["cancelled"] == 0  # nothing cancelled
    assert max(t for t, _, _, _ in r.ends("jobs")) > 2.0

def wait_for(r):
    p, s = r.g("plain"), r.g("shielded")
    assert p["timed_out"] == 1 and near(p["last_end"], 2.0)
    assert s["done"] == 1 and near(s["last_end"], 5.0)
    fors = [e for e in r.ev if e["ev"] == "node_end" and e["kind"] == "wait_for"]
    assert len(fors) == 2 and all(e["state"] == "timed_out" and near(e["t"], 2.0) for e in fors)

def cancel(r):
    l = r.g("long")
    assert l["cancelled"] == 1 and near(l["last_end"], 5.0)
    assert r.g("others")["done"] == 6

def taskgroup(r):
    assert r.node["state"] == "failed" and near(r.node["ended_at"], 1.0)
    ok = r.g("ok")
    assert ok["cancelled"] == 5 and near(ok["last_end"], 1.0)

def semaphore(r):
    api = r.obj("api")
    assert api["peak"] == 10 and api["holders"] == 0  # never more than 10 at a time
    assert r.j["tasks"]["done"] == 1000

def bounded_semaphore(r):
    assert r.g("workers")["done"] == 2
    (t, n, st, err), = r.ends("buggy")
    assert st == "failed" and err == "AM_EOVERRELEASE" and near(t, 2.0)

def lock(r):
    ends = sorted(t for t, _, _, _ in r.ends("a") + r.ends("b"))
    assert [round(t, 6) for t in ends] == [2.0, 4.0]  # one after the other

def event(r):
    ends = r.ends("workers")
    assert len(ends) == 2 and all(near(t, 6.0) for t, _, _, _ in ends)  # set at 5 s, 1 s of work

def condition(r):
    assert r.g("workers")["done"] == 2 and near(r.node["ended_at"], 17.0)

def priority_queue(r):
    assert r.obj("pq")["got_priorities"] == [1, 2, 3]

def lifo_queue(r):
    assert r.obj("stack")["got_put_order"] == [2, 1, 0]

def blocking(r):
    h = r.j["health"]
    assert h["slow_steps"] == 4 and h["lag_max"] >= 0.3
    slow = [e for e in r.ev if e["ev"] == "slow"]
    assert len(slow) == 4 and all(e["name"].startswith("on_loop-") for e in slow)

def chess(r):
    assert near(r.span("one_by_one"), 24 * 30 * 60)  # 12 h
    sim = r.span("simultaneous")
    master = 24 * 5 * 30  # her time: she is never idle, then the last reply
    assert master <= sim <= master + 55 + 1e-3, sim

checks = {
    "tour-mistakes": mistakes, "tour-gather": gather, "tour-gather-error": gather_error,
    "tour-gather-return-exceptions": gather_return_exceptions, "tour-as-completed": as_completed,
    "tour-wait-all": wait_all, "tour-wait-first-completed": wait_first_completed,
    "tour-wait-first-exception": wait_first_exception, "tour-wait-loop": wait_loop,
    "tour-wait-timeout": wait_timeout, "tour-wait-for": wait_for, "tour-cancel": cancel,
    "tour-taskgroup": taskgroup, "tour-semaphore": semaphore,
    "tour-bounded-semaphore": bounded_semaphore, "tour-lock": lock, "tour-event": event,
    "tour-condition": condition, "tour-priority-queue": priority_queue,
    "tour-lifo-queue": lifo_queue, "tour-blocking": blocking, "tour-chess": chess,
}
bad = 0
for f in sorted(glob.glob(f"{src}/demo/tour-*.ini")):
    name = os.path.basename(f)[:-4]
    try:
        if name not in checks:
            raise AssertionError("no check for this tour scenario")
        checks[name](Run(name))
        print(f"ok - {name}: outcome as asyncio's")
    except Exception as e:
        bad += 1
        print(f"not ok - {name}: {type(e).__name__} {e}")
sys.exit(1 if bad else 0)
PY
check "every tour scenario's outcome" test $? -eq 0

# every [code] snippet of the tour (and the checkout's) is Python that
# compiles as written (a top-level await does not) and fits the code panel's
# 61 columns of text without being cut
/usr/bin/python3 - "$SRC" <<'PY'
import glob, re, sys
src = sys.argv[1]
bad = 0
for f in sorted(glob.glob(f"{src}/demo/tour-*.ini")) + [f"{src}/demo/checkout.ini"]:
    lines, on = [], False
    for raw in open(f, encoding="utf-8"):
        m = re.match(r"^python\s*=\s*\|( ?)(.*)$", raw.rstrip("\n"))
        if m:
            on = True
            lines.append(m.group(2))
            continue
        m = re.match(r"^\s+\|( ?)(.*)$", raw.rstrip("\n"))
        if on and m:
            lines.append(m.group(2))
            continue
        on = False
    name = f.rsplit("/", 1)[1]
    code = "\n".join(lines) + "\n"
    try:
        compile(code, name, "exec")
    except SyntaxError as e:
        bad += 1
        print(f"not ok - {name}: line {e.lineno}: {e.msg}")
        continue
    long = [i + 1 for i, l in enumerate(lines) if len(l) > 61]
    if long:
        bad += 1
        print(f"not ok - {name}: lines {long} are wider than the code panel's 61 columns")
        continue
    print(f"ok - {name}: the snippet compiles and fits")
sys.exit(1 if bad else 0)
PY
check "every tour snippet compiles and fits its panel" test $? -eq 0
finish
