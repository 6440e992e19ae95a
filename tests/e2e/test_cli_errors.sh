#!/usr/bin/env bash
# test_cli_errors.sh — bad input gets a clear message and exit status 2,
# and nothing is started (no summary written).
source "$(dirname "$0")/lib.sh"

# expect_error NAME PATTERN ARGS...: exit 2, stderr matches, no summary file
expect_error() {
  local what="$1" pattern="$2"; shift 2
  rm -f "$TMP/s.json"
  "$BIN" "$@" --summary-json "$TMP/s.json" >"$TMP/out" 2>"$TMP/err" </dev/null
  local rc=$?
  if [[ $rc -eq 2 ]] && grep -qE -e "$pattern" "$TMP/err" && [[ ! -e "$TMP/s.json" ]]; then
    ok "$what"
  else
    fail "$what (exit $rc)"; sed 's/^/  stderr: /' "$TMP/err"
  fi
}

expect_error "unknown option" "unknown option.*--bogus" --bogus
expect_error "bad --speed" "--speed.*abc" --speed abc
expect_error "negative --tasks" "--tasks" --tasks -5
expect_error "missing demo" "nosuch" --demo nosuch
expect_error "missing scenario file" "nothere.ini" --demo "$TMP/nothere.ini"
expect_error "explicit config missing" "missing.ini" --config "$TMP/missing.ini"

printf '[scenario]\ntitle = t\n[group.a]\ncount = 10\nduration = uniform 5 1\n' >"$TMP/bad1.ini"
expect_error "scenario: bad distribution, with file:line" "bad1.ini:5: .*duration" --demo "$TMP/bad1.ini"
printf '[scenario]\ntitle = t\ncolour = red\n' >"$TMP/bad2.ini"
expect_error "scenario: unknown key, with file:line" "bad2.ini:3: .*colour" --demo "$TMP/bad2.ini"
printf '[scenario]\ntitle = t\n[group.a]\ncount = lots\nduration = fixed 1\n' >"$TMP/bad3.ini"
expect_error "scenario: unparsable number" "bad3.ini:4: .*count" --demo "$TMP/bad3.ini"
printf '[nonsense]\n' >"$TMP/bad4.ini"
expect_error "scenario: unknown section" "bad4.ini:1: .*nonsense" --demo "$TMP/bad4.ini"

printf '[ui]\nrefresh_hz = 1000\n' >"$TMP/cfg1.ini"
expect_error "config: value out of range, with file:line" "cfg1.ini:2: .*refresh_hz" --config "$TMP/cfg1.ini"
printf '[run]\nspeed = fast\n' >"$TMP/cfg2.ini"
expect_error "config: unparsable number" "cfg2.ini:2: .*speed" --config "$TMP/cfg2.ini"
printf '[run]\nspeed = 2\n[colours]\n' >"$TMP/cfg3.ini"
expect_error "config: unknown section" "cfg3.ini:3: .*colours" --config "$TMP/cfg3.ini"
ASYNCMON_CONFIG="$TMP/cfg2.ini" expect_error "config from \$ASYNCMON_CONFIG is checked too" "cfg2.ini:2" --demo gather

# the good paths still work
"$BIN" --help >"$TMP/help" 2>&1
check "--help exits 0 and lists --demo" grep -q -- "--demo" "$TMP/help"
"$BIN" --version >"$TMP/ver" 2>&1
check "--version" grep -qE '^asyncmon [0-9]+\.[0-9]+' "$TMP/ver"
"$BIN" --list-demos >"$TMP/list" 2>&1
check "--list-demos names gather, as_completed, wait" bash -c 'grep -q "gather" "$1" && grep -q "as_completed" "$1" && grep -q "wait" "$1"' _ "$TMP/list"
printf '[run]\nspeed = max\nseed = 3\n[ui]\nrefresh_hz = 10\n' >"$TMP/good.ini"
"$BIN" --config "$TMP/good.ini" --demo gather --tasks 20 --summary-json "$TMP/s.json" >/dev/null 2>&1
check "a good config is used (speed max from the file)" expect_json "$TMP/s.json" 'j["speed"] == "max" and j["seed"] == 3'
"$BIN" --config "$TMP/good.ini" --demo gather --tasks 20 --seed 9 --summary-json "$TMP/s.json" >/dev/null 2>&1
check "the command line beats the file" expect_json "$TMP/s.json" 'j["seed"] == 9'
mkdir -p "$XDG_CONFIG_HOME/asyncmon"
cp "$TMP/good.ini" "$XDG_CONFIG_HOME/asyncmon/config.ini"
"$BIN" --demo gather --tasks 20 --summary-json "$TMP/s.json" >/dev/null 2>&1
check "config found in \$XDG_CONFIG_HOME" expect_json "$TMP/s.json" 'j["seed"] == 3'

finish
