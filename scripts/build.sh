#!/usr/bin/env bash
# build.sh — configure and build asyncmon in build/ (or $ASYNCMON_BUILD_DIR).
# Usage: scripts/build.sh [--test] [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."
deps=()
if [[ "${1:-}" == "--test" ]]; then deps=(--test); shift; fi
bash scripts/deps.sh "${deps[@]}"
dir="${ASYNCMON_BUILD_DIR:-build}"
werror=OFF
[[ "${CI:-}" == "true" ]] && werror=ON
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASYNCMON_WERROR="$werror" "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
