#!/usr/bin/env bash
# test.sh — build asyncmon with its tests and run the whole suite through ctest.
# Usage: scripts/test.sh [--sanitize]   (--sanitize: ASan+UBSan build in build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--sanitize" ]]; then
  export ASYNCMON_BUILD_DIR=build-asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  bash scripts/build.sh --test -DASYNCMON_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
else
  bash scripts/build.sh --test
fi
cd "${ASYNCMON_BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" </dev/null
