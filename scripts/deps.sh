#!/usr/bin/env bash
# deps.sh — make sure the Debian packages asyncmon needs are installed.
#
# Installs the missing ones with apt-get when running as root or with
# password-less sudo; otherwise prints the exact command and fails.
# Usage: scripts/deps.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail

pkgs=(gcc make cmake pkg-config libuv1-dev libncurses-dev libinih-dev)
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(libcmocka-dev python3 python3-tqdm tmux)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "asyncmon: installing missing packages: ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt_get=(sudo apt-get)
else
  echo "asyncmon: cannot install packages without root. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" update -qq
"${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
