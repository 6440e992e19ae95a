#!/usr/bin/env bash
# tour.sh — every scenario of the guided tour, headless at --speed max: the
# virtual time each one covers, the wall time and peak RSS it takes, and the
# figures the tour teaches (one by one vs. concurrent, the chess simul's two
# clocks). Not a test: nothing here passes or fails.
#
# Usage: bench/tour.sh [build dir=build]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
[[ -x "$build/asyncmon" ]] || bash scripts/build.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%-32s %8s %12s %10s %10s\n' scenario tasks virtual_s wall_s rss_kb
for f in demo/tour-*.ini; do
  name=$(basename "$f" .ini)
  "$build/asyncmon" --headless --demo "$f" --speed max --summary-json "$tmp/$name.json" \
    >/dev/null 2>&1
  /usr/bin/python3 - "$tmp/$name.json" "$name" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
t = j["timing"]
print(f'{sys.argv[2]:<32} {j["tasks"]["created"]:>8} {t["virtual_seconds"]:>12.3f} '
      f'{t["wall_seconds"]:>10.3f} {t["max_rss_kb"]:>10}')
PY
done

echo
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
def span(j, name):
    g = next(g for g in j["groups"] if g["name"] == name)
    return g["last_end"] - g["first_start"]
m = json.load(open(f"{tmp}/tour-mistakes.json"))
print("mistakes: one by one %.2f s, tasks first %.2f s, gather %.2f s"
      % (span(m, "one_by_one"), span(m, "tasks_first"), span(m, "gathered")))
c = json.load(open(f"{tmp}/tour-chess.json"))
print("chess: one by one %.0f s (%.1f h), simultaneous %.0f s (%.2f h); master time 24*5*30 = %d s"
      % (span(c, "one_by_one"), span(c, "one_by_one") / 3600, span(c, "simultaneous"),
         span(c, "simultaneous") / 3600, 24 * 5 * 30))
PY
