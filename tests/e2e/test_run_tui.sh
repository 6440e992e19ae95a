#!/usr/bin/env bash
# test_run_tui.sh — `asyncmon run`'s dashboard in a real terminal (tmux, as
# test_tui.sh): the job list with states, per-job progress parsed from
# "i/10" lines, exit codes and last output lines; the keys c (cancel: SIGTERM),
# z (pause: SIGSTOP, and resume), r (retry), Enter (the job's output,
# scrolled with the moving keys),
# + and - (the limit), a (add a job from a prompt); q and Ctrl-C leave no
# process of any job behind and restore the terminal; input piped on stdin
# still leaves the keys to the terminal.
source "$(dirname "$0")/lib.sh"

source "$(dirname "$0")/tmux.sh"

source "$(dirname "$0")/procs.sh"
# proc_is N GLOB: within 3 s, the state letters of the process "$SLEEP N" match GLOB (T: stopped)
proc_is() {
  local i st
  for i in $(seq 30); do
    st=$(ps -o stat= -p "$(pgrep -f -- "^$SLEEP $1\$" | head -1)" 2>/dev/null)
    [[ $st == $2 ]] && return 0
    sleep 0.1
  done
  echo "  state of $SLEEP $1: '$st'"; return 1
}

cat >"$TMP/jobs" <<EOF
sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do echo "step \$i/10"; sleep 0.15; done'
sh -c 'echo failing-now >&2; exit 3'
$SLEEP 31
$SLEEP 32
sh -c 'echo last-line-here'
EOF

run r 120 36 run -j 4 -f jobs
check "the job list" wait_for r ' Jobs .*-j 4 · [0-9]+ running, [0-9]+ queued'
check "per-job progress from i/10 lines" wait_for r '^ +1 running +[█▏▎▍▌▋▊▉·]+ +[1-9]0% .*step [1-9]/10'
check "a failed job: exit 3, its stderr as last output" wait_for r '^ +2 failed .* exit 3 .*failing-now'
check "the fifth job ran when a slot freed" wait_for r '^ +5 done .*exit 0 .*last-line-here'
check "the batch bar" wait_for r 'all jobs: +[0-9]+%\|.*\| [0-9]/5 \['
check "the first job ends at 100%" wait_for r '^ +1 done +██████ 100% .*exit 0'

# c on job 3: SIGTERM, cancelled
tm send-keys -t r Down; tm send-keys -t r Down; tm send-keys -t r c
check "c cancels the selected job" wait_for r '^ +3 cancelled .*cancelled'
check "c: logged" wait_for r 'job 3 cancelling \(SIGTERM\)'
# z on job 4: SIGSTOP, then SIGCONT
tm send-keys -t r Down; tm send-keys -t r z
check "z pauses the selected job" wait_for r '^ +4 paused'
check "z: the process is stopped" proc_is 32 'T*'
check "the title counts it" wait_for r ' Jobs .*1 paused'
tm send-keys -t r z
check "z again resumes it" wait_for r '^ +4 running'
check "z: the process runs again" proc_is 32 'S*'
# r on job 2 (failed): queued again, fails again
tm send-keys -t r Up; tm send-keys -t r Up; tm send-keys -t r r
check "r retries a failed job" wait_for r 'job 2 queued again'
tm send-keys -t r Up; tm send-keys -t r r
check "r on a done job: refused" wait_for r 'job 1 is done: only a failed'
# Enter: the output of job 2
tm send-keys -t r Down; tm send-keys -t r Enter
check "Enter: the detail pane" wait_for r 'Job output \(Enter/Esc: back\)'
check "Enter: job, outcome, attempt" wait_for r 'job 2: failed · exit 3, .*attempt 2'
check "Enter: stderr's lines" wait_for r 'stderr · 2 lines'
check "Enter: the text" wait_for r '^ failing-now'
tm send-keys -t r Escape
check "Esc: back to the list" wait_for r '^ #  STATE +PROGRESS'
# + and -: the limit
tm send-keys -t r +; tm send-keys -t r +
check "+ raises -j" wait_for r ' Jobs .*-j 6 ·'
tm send-keys -t r -
check "- lowers -j" wait_for r ' Jobs .*-j 5 ·'
check "+/-: logged" wait_for r '\-j 5 \(was 6\)'
tm send-keys -t r '>'
check "> still changes the clock's speed" wait_for r 'speed [2-9][0-9.]*x'
# a: add a job from the prompt
tm send-keys -t r a
check "a: the prompt" wait_for r 'Add a job \(command line\):'
tm send-keys -t r "sh -c 'echo added-job-output'" Enter
check "a: the job runs" wait_for r '^ +6 done .*added-job-output'
check "a: logged" wait_for r "job 6 added: sh -c 'echo added-job-output'"
check "a: the title counts the job added" wait_for r '^ asyncmon run · 6 jobs, -j 5 '
tm send-keys -t r a; tm send-keys -t r "echo 'open" Enter
check "a: a bad line is an error" wait_for r "expected a closing ' for the one opened"
# ?: the help lists the run keys
tm send-keys -t r '?'
check "?: the run keys in the help" wait_for r 'asyncmon run: the job list \(the selected job\)'
check "?: < > as the speed" wait_for r "< > +the clock's speed"
check "?: quit" wait_for r ' q( F10)? +quit'
# keys that do nothing, or something else, in run are not offered
not_on_screen() { ! screen "$1" | grep -E -- "$2"; }
check "?: no task actions, task list, demo menu or speed on +" \
  not_on_screen r 'Task list|the selected task|pick another demo|speed the clock up|Queues & primitives|pause or resume the simulation'
tm send-keys -t r Escape
check "?: closed by a key" gone r 'asyncmon run: the job list'
# Space: the clock does not pause (the commands run in real time), it says so
check "Space: not in the footer" not_on_screen r 'SpacePause'
tm send-keys -t r Space
check "Space: says z pauses a job" wait_for r 'the clock does not pause in asyncmon run \(z pauses a job\)'
check "Space: the clock still runs" not_on_screen r 'PAUSED'
# q: job 4 still runs; it is stopped, the terminal restored, exit 1 (not all succeeded)
check "job 4 still running before q" test -n "$(pgrep -f -- "^$SLEEP 32")"
tm send-keys -t r q
check "q: exits 1" wait_for r '^EXITED 1$'
check "q: the summary" wait_for r '^run: 6 jobs in .*: done 3, failed 1, cancelled 2, timed out 0'
check "q: one summary, of the jobs (not of their attempts as tasks)" not_on_screen r ' tasks — '
check "q: the terminal is restored" gone r 'all jobs:'
check "q: no process of any job left" no_survivors

# all jobs ended: the header says so; a job added runs it again
printf 'true\nfalse\n' >"$TMP/quick"
run f 120 30 run -f quick
check "all ended: finished" wait_for f 'finished .* q to quit'
check "all ended: the bar at 2/2" wait_for f 'all jobs: 100%.*\| 2/2 \['
tm send-keys -t f a; tm send-keys -t f "$SLEEP 5" Enter
check "a job added: running again" wait_for f '▶ running'
tm send-keys -t f X
check "X cancels every job" wait_for f '^ +3 cancelled'
check "then finished again" wait_for f 'finished .* q to quit'
tm send-keys -t f q
check "finished: q exits 1 (one failed)" wait_for f '^EXITED 1$'

# Ctrl-C: 130; input lines piped on stdin, keys from the terminal
tm new-session -d -s c -x 120 -y 30 "cd '$TMP' && seq 3 | '$BIN' run -j 2 -- '$SLEEP' 3{}; echo EXITED \$?; sleep 300"
check "piped input: the dashboard" wait_for c '^ +3 queued'
tm send-keys -t c Down; tm send-keys -t c c
check "piped input: keys work" wait_for c '^ +2 cancelled'
tm send-keys -t c C-c
check "Ctrl-C: exit 130" wait_for c '^EXITED 130$'
check "Ctrl-C: the job not started is counted" wait_for c '^run: 3 jobs .*done 0, failed 0, cancelled 3'
check "Ctrl-C: no process of any job left" no_survivors

# a second Ctrl-C: the dashboard exits at once, the jobs get SIGKILL first
tm new-session -d -s cc -x 120 -y 30 "cd '$TMP' && seq 2 | '$BIN' run --grace 60 -- sh -c \"trap '' TERM; '$SLEEP' 4{}\" sh {}; echo EXITED \$?; sleep 300"
check "second Ctrl-C: two jobs ignoring SIGTERM" wait_for cc '^ +2 running'
tm send-keys -t cc C-c
check "second Ctrl-C: the first one asks them to stop" wait_for cc 'Jobs '
tm send-keys -t cc C-c
check "second Ctrl-C: exit 130 at once, not after the grace" wait_for cc '^EXITED 130$' 5
check "second Ctrl-C: no job alive" no_live

# Enter on a job with more output than rows (80x24): the moving keys scroll its stdout
echo "seq 1 60; $SLEEP 33" >"$TMP/long"
run sc 80 24 run --shell -f long
check "scroll: the job runs" wait_for sc '^ +1 running .* 60$'
tm send-keys -t sc Enter
check "scroll: the detail pane follows the end" wait_for sc '^ 60$'
tm send-keys -t sc Home
check "scroll: Home shows the first line" wait_for sc '^ 1$'
check "scroll: the header says how far back" wait_for sc 'stdout · 60 lines, [0-9]+ bytes · [0-9]+ lines back \(End: follow\)'
check "scroll: the last line is off" gone sc '^ 60$'
tm send-keys -t sc Down
check "scroll: Down moves one line" wait_for sc '^ 2$'
tm send-keys -t sc End
check "scroll: End follows the end again" wait_for sc '^ 60$'
check "scroll: no more back" gone sc 'lines back'
tm send-keys -t sc c
check "c in the pane: the job, cancelled, said once" wait_for sc '^ job 1: cancelled, .*attempt 1'
tm send-keys -t sc Escape
check "scroll: Esc closes the pane" wait_for sc '^ #  STATE'
tm send-keys -t sc q
check "scroll: q exits 1 (cancelled)" wait_for sc '^EXITED 1$'
check "scroll: no process of any job left" no_survivors

# SIGTERM and SIGHUP to the dashboard: 128+N, every job stopped, the terminal restored
for sig in TERM:143 HUP:129; do
  name=${sig%%:*} want=${sig##*:}
  tm new-session -d -s "$name" -x 120 -y 30 "cd '$TMP' && '$BIN' run -j 2 -f jobs; echo EXITED \$?; sleep 300"
  check "$name: the dashboard runs" wait_for "$name" '^ +4 running'
  kill -"$name" "$(pgrep -f -- "^$BIN run -j 2 -f jobs")"
  check "$name: exit $want" wait_for "$name" "^EXITED $want\$"
  check "$name: the terminal is restored" gone "$name" 'all jobs:'
  check "$name: no process of any job left" no_survivors
done

finish
