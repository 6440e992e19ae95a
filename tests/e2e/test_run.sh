#!/usr/bin/env bash
# test_run.sh — `asyncmon run` headless, end to end with real commands:
# usage errors, outcomes and exit status, the joblog field by field, retries,
# timeouts, quoting with and without --shell, output files, 2000 jobs, and
# signals (SIGINT, SIGTERM, SIGHUP) that leave no process of any job behind.
source "$(dirname "$0")/lib.sh"

BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")" # some checks run in $TMP
source "$(dirname "$0")/procs.sh"

# ---- usage errors: exit 2, a clear message, nothing run ----
usage() { # usage DESCRIPTION REGEX ARGS...: exit 2 and stderr matching REGEX
  local what="$1" re="$2"; shift 2
  "$BIN" run --headless "$@" </dev/null >"$TMP/u.out" 2>"$TMP/u.err"
  local rc=$?
  if [[ $rc -eq 2 ]] && grep -qE -- "$re" "$TMP/u.err"; then ok "$what"
  else fail "$what (exit $rc)"; sed 's/^/  | /' "$TMP/u.err"; fi
}
usage "no command" "expected a command" -j 2
usage "-j 0" "^asyncmon: -j: expected a whole number from 1 to 4096, got '0'" -j 0 -- true
usage "-j x" "jobs: expected a whole number" --jobs=x -- true
usage "--timeout -1" "--timeout: expected seconds" --timeout -1 -- true
usage "--grace missing" "--grace: expected a value" --grace
usage "unknown option" "run: unknown option '--bogus'" --bogus -- true
usage "-f and a command" "either -f JOBS or a command" -f x -- true
usage "-f missing file" "nope.txt: cannot read: No such file" -f "$TMP/nope.txt"
printf 'echo ok\n\n# a comment\necho "open\n' >"$TMP/bad.jobs"
usage "-f bad quote: file:line" "bad.jobs:4: column 6: expected a closing \" for the one opened" -f "$TMP/bad.jobs"
usage "--output-dir is a file" "expected a writable directory" --output-dir "$TMP/bad.jobs" -- true
usage "--joblog cannot write" "--joblog .*: cannot write" --joblog "$TMP/no/dir/log" -- true
"$BIN" run --help >"$TMP/h.out"
check "run --help" grep -q "asyncmon run \[OPTIONS\] -- CMD" "$TMP/h.out"

# ---- outcomes and exit status ----
cat >"$TMP/mixed.jobs" <<'EOF'
# every way a job ends
true
sh -c 'echo to-out; echo to-err >&2; exit 3'
sh -c 'kill -9 $$'
no-such-command-here
sleep 5
EOF
"$BIN" run --headless -j 5 --timeout 0.3 --grace 0.1 -f "$TMP/mixed.jobs" \
  --joblog "$TMP/mixed.log" >"$TMP/m.out" 2>"$TMP/m.err"
check "some failed: exit 1" test $? -eq 1
check "summary on stderr" grep -qE '^run: 5 jobs in [0-9.]+ s \(-j 5\): done 1, failed 3, cancelled 0, timed out 1$' "$TMP/m.err"
check "failed job on stderr, after its own stderr" bash -c \
  'grep -A1 "^to-err$" "$1" | grep -q "^job 2 failed (exit 3): sh -c .echo to-out"' _ "$TMP/m.err"
check "stdout: only the jobs' stdout" bash -c '[[ $(cat "$1") == to-out ]]' _ "$TMP/m.out"
check "a missing command's error passes through" grep -q "^asyncmon: no-such-command-here: No such file" "$TMP/m.err"
check "a signal" grep -q "^job 3 failed (signal 9)" "$TMP/m.err"
check "a missing command: 127" grep -q "^job 4 failed (exit 127): no-such-command-here" "$TMP/m.err"
check "a timeout" grep -q "^job 5 timed out: sleep 5" "$TMP/m.err"
check "final tqdm line" grep -qE '^run: 100%\|.*\| 5/5 \[' "$TMP/m.err"

# the joblog, field by field (Seq Host Starttime JobRuntime Send Receive Exitval Signal Command)
check "joblog: header and a line per job" bash -c '
  [[ $(head -1 "$1") == $(printf "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand") ]] &&
  [[ $(wc -l <"$1") == 6 ]]' _ "$TMP/mixed.log"
check "joblog: fields" /usr/bin/python3 - "$TMP/mixed.log" <<'EOF'
import sys, time
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
by = {int(r[0]): r for r in rows}
assert sorted(by) == [1, 2, 3, 4, 5], by
for r in rows:
    assert len(r) == 9, r
    assert r[1] == ":" and r[4] == "0", r
    assert abs(float(r[2]) - time.time()) < 600, r        # a calendar time, now-ish
    assert 0 <= float(r[3]) < 5, r                       # runtime in seconds
want = {1: ("0", "0", "true"), 2: ("3", "0", "sh -c 'echo to-out; echo to-err >&2; exit 3'"),
        3: ("0", "9", "sh -c 'kill -9 $$'"), 4: ("127", "0", "no-such-command-here"),
        5: ("0", "15", "sleep 5")}
for seq, (exitval, sig, cmd) in want.items():
    r = by[seq]
    assert (r[6], r[7], r[8]) == (exitval, sig, cmd), (seq, r)
assert by[2][5] == "7", by[2]                            # bytes received on stdout: "to-out\n"
assert float(by[5][3]) >= 0.25, by[5]                     # ran until the timeout
EOF

# all done: exit 0; input lines and {}
printf 'a\nb b\n\nc\n' | "$BIN" run --headless -j 2 --output-dir "$TMP/out" -- sh -c 'echo "[$1]"' sh {} \
  >"$TMP/ok.out" 2>"$TMP/ok.err"
check "all done: exit 0" test $? -eq 0
check "a job per non-blank line" grep -q "^run: 3 jobs" "$TMP/ok.err"
check "--output-dir: the output passes through too" bash -c '[[ $(sort "$1") == "$(printf "[a]\n[b b]\n[c]")" ]]' _ "$TMP/ok.out"
check "{} is one argument, spaces and all" bash -c '[[ $(cat "$1/2.out") == "[b b]" ]]' _ "$TMP/out"
check "--output-dir: SEQ.out and SEQ.err" bash -c '[[ $(cat "$1/1.out") == "[a]" && -f "$1/3.err" ]]' _ "$TMP/out"
# without {}: the line is the last argument
printf 'x\n' | "$BIN" run --headless --output-dir "$TMP/out2" -- echo got >/dev/null 2>&1
check "no {}: line appended" bash -c '[[ $(cat "$1/1.out") == "got x" ]]' _ "$TMP/out2"
# -a FILE
printf '1\n2\n3\n' >"$TMP/args"
"$BIN" run --headless -a "$TMP/args" -- test {} -le 2 2>"$TMP/a.out"
check "-a FILE: one of 3 fails: exit 1" test $? -eq 1
check "-a FILE: 3 jobs, 2 done" grep -q "^run: 3 jobs .*done 2, failed 1" "$TMP/a.out"

# no shell: input is never code
cd "$TMP" || exit 1
printf '$(touch injected1); touch injected2\n' | "$BIN" run --headless --output-dir "$TMP/inj" -- echo {} >/dev/null 2>&1
check "no shell: \$(...) and ; are text" bash -c '[[ ! -e injected1 && ! -e injected2 && $(cat "$1/1.out") == "\$(touch injected1); touch injected2" ]]' _ "$TMP/inj"
# --shell: the command is shell text, {} goes in quoted
printf "it's; touch injected3\n" | "$BIN" run --headless --shell --output-dir "$TMP/sh" -- 'echo {} | tr a-z A-Z' >/dev/null 2>&1
check "--shell: pipes work, {} quoted" bash -c "[[ ! -e injected3 && \$(cat '$TMP/sh/1.out') == \"IT'S; TOUCH INJECTED3\" ]]"
printf 'echo one | wc -c\n' >"$TMP/sh.jobs"
"$BIN" run --headless --shell -f "$TMP/sh.jobs" --output-dir "$TMP/sh2" >/dev/null 2>&1
check "--shell -f: a line is a shell command" bash -c '[[ $(cat "$1/1.out" | tr -d " ") == 4 ]]' _ "$TMP/sh2"
cd - >/dev/null || exit 1

# retries: a job that fails twice, then succeeds; one that always fails
cnt="$TMP/count"
: >"$cnt"
printf 'sh -c "echo x >> %s; [ \\$(wc -l < %s) -ge 3 ]"\nfalse\n' "$cnt" "$cnt" >"$TMP/retry.jobs"
"$BIN" run --headless -j 1 --retries 2 -f "$TMP/retry.jobs" --joblog "$TMP/retry.log" 2>"$TMP/r.out"
check "retries: exit 1 (false never succeeds)" test $? -eq 1
check "retries: 1 done after 3 attempts, false failed" bash -c '
  grep -q "done 1, failed 1" "$1" && [[ $(wc -l < "$3") == 3 ]]' _ "$TMP/r.out" "$TMP/retry.log" "$cnt"
# as GNU parallel: a line per job, its last attempt's, not one per attempt
check "retries: the joblog has one line per job, the last attempt's" bash -c '
  [[ $(wc -l < "$1") == 3 && $(awk -F"\t" "\$1==1 {print \$7}" "$1") == 0 &&
     $(awk -F"\t" "\$1==2 {print \$7}" "$1") == 1 ]]' _ "$TMP/retry.log"

# many jobs: every one reported
seq 2000 | "$BIN" run --headless -j 64 --joblog "$TMP/big.log" -- true >"$TMP/big.out" 2>"$TMP/big.err"
check "2000 true jobs at -j 64: exit 0" test $? -eq 0
check "2000 jobs, all done" grep -q "^run: 2000 jobs in .* (-j 64): done 2000, failed 0, cancelled 0, timed out 0$" "$TMP/big.err"
check "2000 silent jobs: stdout empty" test ! -s "$TMP/big.out"
check "2000 jobs: each in the joblog once" bash -c '[[ $(tail -n +2 "$1" | cut -f1 | sort -n | uniq | wc -l) == 2000 && $(wc -l <"$1") == 2001 ]]' _ "$TMP/big.log"
check "2000 jobs: final line 2000/2000" grep -qE '\| 2000/2000 \[' "$TMP/big.err"

# ---- signals: the jobs' process groups go, grandchildren too; 128+N ----
# each job leaves a grandchild sleep in its group and ignores SIGTERM in the shell
interrupt() { # interrupt SIGNAL EXPECTED_STATUS
  local sig="$1" want="$2"
  seq 4 | "$BIN" run --headless -j 3 --grace 0.2 -- sh -c "$SLEEP 30 & trap '' TERM; $SLEEP 30; wait" sh {} \
    >"$TMP/s.out" 2>"$TMP/s.err" &
  local pid=$!
  local i
  for i in $(seq 50); do [[ $(count_sleeps 30) -ge 6 ]] && break; sleep 0.1; done
  check "$sig: jobs running with grandchildren" test "$(count_sleeps 30)" -ge 6
  kill -"$sig" "$pid"
  wait "$pid"
  local rc=$?
  check "$sig: exit $want" test "$rc" -eq "$want"
  check "$sig: 3 running cancelled, 1 queued never run" grep -q "done 0, failed 0, cancelled 4" "$TMP/s.err"
  check "$sig: no process of any job left" no_survivors
}
interrupt INT 130
interrupt TERM 143
interrupt HUP 129

# a second Ctrl-C kills at once (the grace is long)
seq 2 | "$BIN" run --headless --grace 30 -- sh -c "trap '' TERM; $SLEEP 30" sh {} >"$TMP/s2.out" 2>"$TMP/s2.err" &
pid=$!
for i in $(seq 50); do [[ $(count_sleeps 30) -ge 2 ]] && break; sleep 0.1; done
kill -INT "$pid"; sleep 0.3; kill -INT "$pid"
wait "$pid"
check "second SIGINT: exit 130 without waiting for the grace" test $? -eq 130
check "second SIGINT: nothing left" no_survivors
check "second SIGINT: said so" grep -q "interrupted again" "$TMP/s2.err"

# a crash (SIGABRT, as abort() raises it; a sanitizer build reports SIGSEGV itself):
# the jobs' groups are killed before the process dies
seq 2 | "$BIN" run --headless -- sh -c "$SLEEP 30 & $SLEEP 30" sh {} >/dev/null 2>&1 &
pid=$!
for i in $(seq 50); do [[ $(count_sleeps 30) -ge 4 ]] && break; sleep 0.1; done
check "SIGABRT: jobs running" test "$(count_sleeps 30)" -ge 4
kill -ABRT "$pid"
{ wait "$pid"; } 2>/dev/null
check "SIGABRT: the process dies of it" test $? -eq 134
check "SIGABRT: no process of any job alive" no_live

# stderr not a terminal (a log file, CI): a progress line per second at most,
# not one per refresh (ten a second) while jobs keep ending
t0=$(date +%s.%N)
seq 30 | "$BIN" run -j 2 -- sh -c 'sleep 0.1' >/dev/null 2>"$TMP/log.err"
t1=$(date +%s.%N)
lines=$(grep -c '^run: *[0-9]*%|' "$TMP/log.err")
most=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) + 2 }')
check "log file: $lines progress lines in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, at most $most" \
  test "$lines" -le "$most"
check "log file: the last progress line is complete" grep -q '^run: 100%|.*| 30/30 ' "$TMP/log.err"

finish
