#!/usr/bin/env bash
# Differential test: am_meter_format (src/monitor/meter.c, via the meter_fmt
# tool) must print exactly what tqdm.format_meter prints, byte for byte, on a
# few thousand random cases generated with a fixed seed.
#
# usage: test_tqdm_meter.sh DIR   (DIR holds the built meter_fmt binary)
# The reference is the system tqdm under /usr/bin/python3 (python3-tqdm);
# a `python3` found on PATH may be another interpreter without tqdm.
set -euo pipefail

dir=${1:?usage: test_tqdm_meter.sh DIR_WITH_meter_fmt}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=/usr/bin/python3
tool=$dir/meter_fmt
# ctest passes the directory of the asyncmon binary; the tests/diff tools are
# built one level down, in the tests/ build directory.
[[ -x $tool ]] || tool=$dir/tests/meter_fmt
cases_py=$here/tqdm_meter_cases.py
seed=20240611
count=${METER_CASES:-4000}

if [[ ! -x $tool ]]; then
    echo "FAIL: no executable meter_fmt in $dir or $dir/tests (build the meter_fmt target)" >&2
    exit 1
fi
if ! version=$("$py" -c 'import tqdm; print(tqdm.__version__)' 2>/dev/null); then
    echo "FAIL: $py cannot import tqdm, the reference for this test (apt-get install python3-tqdm)" >&2
    exit 1
fi
echo "reference: tqdm $version under $py; edge cases + $count random cases, seed $seed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$py" "$cases_py" gen "$seed" "$count" >"$tmp/cases"
"$py" "$cases_py" eval <"$tmp/cases" >"$tmp/want"
"$tool" <"$tmp/cases" >"$tmp/got"

# compare prints the first differing cases and "N passed, M failed"
"$py" "$cases_py" compare "$tmp/cases" "$tmp/want" "$tmp/got"
