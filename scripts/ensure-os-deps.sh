#!/usr/bin/env bash
# Installs the OS packages the test suite runs for real (Mosquitto, ...) when missing.
# As root it uses apt-get; otherwise it says what to install and fails.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing OS packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  # The Debian package starts a system broker; the tests start their own on free ports.
else
  echo "The test suite needs these OS packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install ${need[*]}   (or run make test as root)" >&2
  exit 1
fi
