#!/usr/bin/env bash
# test_install.sh — `cmake --install` gives a working program: the binary,
# the demos and themes beside it, found from the installed layout.
source "$(dirname "$0")/lib.sh"

build=$(dirname "$BIN")
prefix="$TMP/prefix"
cmake --install "$build" --prefix "$prefix" >"$TMP/install.log" 2>&1
check "cmake --install succeeds" test $? -eq 0
check "binary installed" test -x "$prefix/bin/asyncmon"
check "demos installed" test -f "$prefix/share/asyncmon/demo/gather.ini"
check "themes installed" test -f "$prefix/share/asyncmon/themes/default.ini"
check "example config installed" bash -c 'ls "$1"/share/doc/*/config.ini.example >/dev/null' _ "$prefix"

# run from elsewhere: the installed data is found beside the binary
cd "$TMP"
"$prefix/bin/asyncmon" --list-demos >"$TMP/list" 2>&1
check "--list-demos reads the installed demos" grep -q "$prefix/bin/../share/asyncmon/demo" "$TMP/list"
"$prefix/bin/asyncmon" --demo wait --speed max --summary-json "$TMP/w.json" >/dev/null 2>&1
check "an installed demo runs" expect_json "$TMP/w.json" 'j["node"]["pending"] == 0'
ASYNCMON_DEMO_DIR="$TMP/none" "$prefix/bin/asyncmon" --demo gather >/dev/null 2>"$TMP/err"
check "\$ASYNCMON_DEMO_DIR overrides it" grep -q "$TMP/none" "$TMP/err"

finish
