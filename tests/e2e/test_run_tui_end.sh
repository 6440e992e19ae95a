#!/usr/bin/env bash
# test_run_tui_end.sh — `asyncmon run`'s dashboard around the end of a batch
# (tmux, as test_run_tui.sh): once every job has ended, the header's elapsed
# time and the batch bar's elapsed time and rate stay where they were when
# the last job ended, as tqdm's bar does when it closes; the event log's
# first line says what runs; the header counts jobs, not attempts (--retries);
# q gives the jobs --grace to go after SIGTERM, and no more.
source "$(dirname "$0")/lib.sh"

source "$(dirname "$0")/tmux.sh"

source "$(dirname "$0")/procs.sh"

# clock NAME: the header's elapsed time and the batch bar's [elapsed<left, rate]
clock() { screen "$1" | grep -oE '[0-9.:]+s  speed|\[[0-9:]+<[^]]*\]' | tr '\n' ' '; }
# frozen NAME: the clock reads the same 1.3 s later (a second boundary is crossed)
frozen() {
  local a b
  a=$(clock "$1")
  sleep 1.3
  b=$(clock "$1")
  [[ -n $a && $a == "$b" ]] || { echo "  before: $a"; echo "  after:  $b"; return 1; }
}
# not_on NAME REGEX: the screen does not show it
not_on() { ! screen "$1" | grep -qE -- "$2" || { echo "  /$2/ is on screen"; return 1; }; }

# the clock stops with the last job
printf 'true\n%s 0.3\n' "$SLEEP" >"$TMP/quick"
run e 120 30 run -j 2 -f quick
check "all ended: finished" wait_for e 'finished .* q to quit'
check "all ended: the bar at 2/2" wait_for e 'all jobs: 100%.*\| 2/2 \['
check "the header's elapsed time and the bar's time and rate stop" frozen e
check "the elapsed time is that of the batch (0.3 s), not more" wait_for e ' 0\.[3-5][0-9]?s  speed'
# a job added starts the clock again; it stops again when that job ends
tm send-keys -t e a; tm send-keys -t e "$SLEEP 0.2" Enter
check "a job added runs" wait_for e 'all jobs: 100%.*\| 3/3 \['
check "a job added: finished again" wait_for e 'finished .* q to quit'
check "after the added job: frozen again" frozen e
check "the event log says what runs" wait_for e '→ run 1: 2 jobs, -j 2 *$'
check "the event log: no scenario, no speed" not_on e 'run 1: .*(tasks|speed)'
tm send-keys -t e q
check "q: exits 0" wait_for e '^EXITED 0$'
check "q: no process of any job left" no_survivors

# --retries: the header counts jobs, each once in its final state; the
# attempts are in the job list
printf 'true\nsh -c "exit 3"\n%s 0.2\n' "$SLEEP" >"$TMP/retry"
run h 120 30 run -j 3 --retries 2 -f retry
check "retries: finished" wait_for h 'finished .* q to quit'
check "retries: the header counts jobs, not attempts" \
  wait_for h '^ jobs 3  queued 0  running 0  done 2  failed 1  cancelled 0  timed out 0  rate'
tm send-keys -t h Down; tm send-keys -t h Enter
check "retries: the job's attempts in its detail" wait_for h 'job 2: failed · exit 3, .*attempt 3'
tm send-keys -t h q
check "retries: q exits 1" wait_for h '^EXITED 1$'

# q honours --grace: a job that takes 2.5 s to clean up after SIGTERM is
# not killed at 2 s when --grace is 6
cat >"$TMP/slowterm" <<EOF
sh -c 'trap "echo term >> $TMP/grace.log; $SLEEP 2.5; echo clean >> $TMP/grace.log; exit 0" TERM; while :; do $SLEEP 0.1; done'
EOF
run g 120 30 run --grace 6 -f slowterm
check "grace: the job runs" wait_for g '^ +1 running'
tm send-keys -t g q
check "grace: q exits once the job has cleaned up" wait_for g '^EXITED 1$' 10
check "grace: the job got SIGTERM and finished its cleanup" \
  bash -c '[[ $(cat "$1") == $'"'"'term\nclean'"'"' ]]' _ "$TMP/grace.log"
check "grace: no process of any job left" no_survivors
# ...and the wait is bounded: a job ignoring SIGTERM is killed after --grace
run k 120 30 run --grace 0.5 -- sh -c "trap '' TERM; $SLEEP 40"
check "bounded: the job runs" wait_for k '^ +1 running'
tm send-keys -t k q
check "bounded: q exits soon after the grace" wait_for k '^EXITED 1$' 4
check "bounded: no process of any job left" no_survivors

finish
