#!/usr/bin/env bash
# test_run_output.sh — `asyncmon run` without a terminal passes the jobs'
# output through, as GNU parallel does: grouped per job (never interleaved),
# --line-buffer (whole lines), --tag, -k, stderr to stderr, big and binary
# outputs byte for byte, no newline added, a reader that goes away.
source "$(dirname "$0")/lib.sh"

# ---- grouped (the default): each job's lines together, all of them ----
# 12 jobs at -j 6 each print 300 lines, one write per line, yielding between
cat >"$TMP/lines.sh" <<'EOF'
i=0
while [ $i -lt 300 ]; do echo "$1:$i"; i=$((i + 1)); [ $((i % 50)) -eq 0 ] && sleep 0.01; done
EOF
seq 12 | "$BIN" run --headless -j 6 -- sh "$TMP/lines.sh" {} >"$TMP/g.out" 2>"$TMP/g.err"
check "grouped: exit 0" test $? -eq 0
check "grouped: every line of every job" test "$(wc -l <"$TMP/g.out")" -eq 3600
check "grouped: each job's lines contiguous and in order" awk -F: '
  $1 != job { if (seen[$1]++) exit 1; if (job != "" && n != 300) exit 1; job = $1; n = 0 }
  $2 != n { exit 1 } { n++ }
  END { if (length(seen) != 12 || n != 300) exit 1 }' "$TMP/g.out"
check "grouped: the summary on stderr, not stdout" bash -c \
  'grep -q "^run: 12 jobs in .*done 12," "$1" && ! grep -q "^run:" "$2"' _ "$TMP/g.err" "$TMP/g.out"
echo x | "$BIN" run -- echo {} >"$TMP/x.out" 2>/dev/null
check "echo x | run -- echo {}: x on stdout (no terminal: headless)" test "$(cat "$TMP/x.out")" = x

# ---- --line-buffer: whole lines as they come, from any job ----
# each line is written in two halves, with a pause between them
cat >"$TMP/halves.sh" <<'EOF'
for i in 1 2 3 4; do printf '%s:%s:' "$1" "$i"; sleep 0.03; printf 'end\n'; done
EOF
seq 3 | "$BIN" run --headless -j 3 --line-buffer -- sh "$TMP/halves.sh" {} >"$TMP/l.out" 2>/dev/null
check "--line-buffer: 12 lines" test "$(wc -l <"$TMP/l.out")" -eq 12
check "--line-buffer: every line whole" bash -c '! grep -qvE "^[1-3]:[1-4]:end$" "$1"' _ "$TMP/l.out"
check "--line-buffer: jobs' lines interleave as they come" bash -c \
  '[[ $(cut -d: -f1 "$1" | uniq | wc -l) -gt 3 ]]' _ "$TMP/l.out"

# ---- --tag: the input line and a tab before each line, stdout and stderr ----
printf 'a b\nc\n' | "$BIN" run --headless -j 1 --tag -- sh -c 'echo "out $1"; echo "err $1" >&2; printf "tail"' sh {} \
  >"$TMP/t.out" 2>"$TMP/t.err"
check "--tag: stdout lines tagged, the last partial one too" test "$(cat "$TMP/t.out")" = "$(printf 'a b\tout a b\na b\ttailc\tout c\nc\ttail')"
check "--tag: stderr lines tagged" bash -c 'grep -qx "a b	err a b" "$1" && grep -qx "c	err c" "$1"' _ "$TMP/t.err"
printf 'echo one\necho two\n' >"$TMP/tag.jobs"
"$BIN" run --headless -j 1 --tag -f "$TMP/tag.jobs" >"$TMP/tf.out" 2>/dev/null
check "--tag -f: the command is the tag" test "$(cat "$TMP/tf.out")" = "$(printf 'echo one\tone\necho two\ttwo')"

# ---- -k: the input's order, whichever job ends first ----
seq 5 | "$BIN" run --headless -j 5 -k -- sh -c 'sleep 0.$((6 - $1)); echo "$1"' sh {} >"$TMP/k.out" 2>/dev/null
check "-k: output in input order" test "$(cat "$TMP/k.out" | tr '\n' ' ')" = "1 2 3 4 5 "
seq 5 | "$BIN" run --headless -j 5 -- sh -c 'sleep 0.$((6 - $1)); echo "$1"' sh {} >"$TMP/nk.out" 2>/dev/null
check "without -k: output as the jobs end" test "$(cat "$TMP/nk.out" | tr '\n' ' ')" = "5 4 3 2 1 "
seq 4 | "$BIN" run --headless -j 4 -k --line-buffer -- sh -c 'sleep 0.$((5 - $1)); echo "$1"' sh {} >"$TMP/kl.out" 2>/dev/null
check "-k --line-buffer: input order" test "$(cat "$TMP/kl.out" | tr '\n' ' ')" = "1 2 3 4 "

# ---- stderr to stderr, stdout to stdout ----
printf 'sh -c "echo o1; echo e1 >&2"\nsh -c "echo e2 >&2; echo o2; exit 4"\n' >"$TMP/se.jobs"
"$BIN" run --headless -j 2 -k -f "$TMP/se.jobs" >"$TMP/se.out" 2>"$TMP/se.err"
check "stderr: exit 1 (a job failed)" test $? -eq 1
check "stdout has only the jobs' stdout" test "$(cat "$TMP/se.out")" = "$(printf 'o1\no2')"
check "stderr has the jobs' stderr, then the failure" bash -c \
  'grep -qx e1 "$1" && grep -A1 -x e2 "$1" | grep -q "^job 2 failed (exit 4)" && ! grep -q "^o" "$1"' _ "$TMP/se.err"

# ---- big and binary outputs, byte for byte ----
head -c 1048576 /dev/urandom >"$TMP/mb.bin"
printf '%s\n' "$TMP/mb.bin" "$TMP/mb.bin" | "$BIN" run --headless -j 2 -- cat {} >"$TMP/mb.out" 2>/dev/null
check "two jobs of 1 MB random bytes: both whole" bash -c \
  'cat "$1" "$1" | cmp -s - "$2"' _ "$TMP/mb.bin" "$TMP/mb.out"
printf 'seq 1 1000000\n' >"$TMP/seq.jobs"
"$BIN" run --headless -f "$TMP/seq.jobs" >"$TMP/seq.out" 2>/dev/null
check "seq 1 1000000: every line" bash -c 'seq 1 1000000 | cmp -s - "$1"' _ "$TMP/seq.out"
"$BIN" run --headless --tag -f "$TMP/seq.jobs" >"$TMP/seqt.out" 2>/dev/null
check "seq 1 1000000 --tag: every line tagged" bash -c \
  'seq 1 1000000 | sed "s/^/seq 1 1000000\t/" | cmp -s - "$1"' _ "$TMP/seqt.out"
echo x | "$BIN" run --headless -- printf 'a\0b\377\r\nno newline%s' >"$TMP/bin.out" 2>/dev/null
check "NUL, 0xff, CR and no trailing newline pass unchanged" bash -c \
  'printf "a\0b\377\r\nno newlinex" | cmp -s - "$1"' _ "$TMP/bin.out"
echo x | "$BIN" run --headless --line-buffer -- printf 'last%s' >"$TMP/nonl.out" 2>/dev/null
check "--line-buffer: a last line without newline still comes" test "$(cat "$TMP/nonl.out")" = lastx

# ---- a reader that goes away: the jobs end, asyncmon exits 0 ----
printf 'seq 1 1000000\nseq 1 1000000\n' >"$TMP/two.jobs"
"$BIN" run --headless -f "$TMP/two.jobs" 2>"$TMP/pipe.err" | head -3 >"$TMP/pipe.out"
check "| head: exit 0" test "${PIPESTATUS[0]}" -eq 0
check "| head: the first lines" test "$(cat "$TMP/pipe.out" | tr '\n' ' ')" = "1 2 3 "
check "| head: the lost bytes are said" grep -q "of the jobs' output could not be written" "$TMP/pipe.err"

# ---- help and usage ----
"$BIN" run --help >"$TMP/h.out"
check "--help: the output options" bash -c 'grep -q -- "--line-buffer" "$1" && grep -q -- "--tag" "$1" && grep -q -- "--keep-order" "$1"' _ "$TMP/h.out"
"$BIN" run --headless --tag=x -- true </dev/null >/dev/null 2>"$TMP/u.err"
check "--tag=x: usage error, exit 2" bash -c '[[ $1 -eq 2 ]] && grep -q "tag: takes no value" "$2"' _ $? "$TMP/u.err"

finish
