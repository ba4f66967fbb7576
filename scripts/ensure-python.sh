#!/usr/bin/env bash
# Checks for Python >= 3.11 with venv support; installs python3-venv with apt-get when root.
set -euo pipefail
py=${1:-python3}
if ! command -v "$py" >/dev/null 2>&1; then
  echo "Kolam needs Python 3.11 or newer ('$py' not found). On Debian/Ubuntu: apt-get install python3 python3-venv" >&2
  exit 1
fi
if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Kolam needs Python 3.11 or newer; $py is $("$py" --version 2>&1)." >&2
  exit 1
fi
if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv
  else
    echo "Python's venv module is missing. Run: sudo apt-get install python3-venv" >&2
    exit 1
  fi
fi
