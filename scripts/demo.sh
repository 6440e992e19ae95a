#!/usr/bin/env bash
# demo.sh — build asyncmon (installing what is missing) and launch the main demo.
# Extra arguments go to asyncmon, e.g. scripts/demo.sh --demo wait --speed 4
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec "${ASYNCMON_BUILD_DIR:-build}/asyncmon" "$@"
