# lib.sh — helpers for the end-to-end tests (sourced).
set -uo pipefail
BIN="${1:?usage: $0 path/to/asyncmon}"
SRC="${ASYNCMON_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0
# Keep the user's own configuration out of the tests.
export ASYNCMON_CONFIG=
export XDG_CONFIG_HOME="$TMP/xdg"
export HOME="$TMP/home"
mkdir -p "$HOME"

ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
# json FILE EXPR: evaluate a Python expression over the parsed JSON as `j`
json() { /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# expect_json FILE EXPR: the expression must be true
expect_json() { [[ "$(json "$1" "$2")" == "True" ]] || { echo "  false: $2 in $1"; cat "$1" | head -40; return 1; }; }
finish() {
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 ]]
}
