#!/usr/bin/env bash
# Installs the OS packages the test suite runs for real (Mosquitto, InfluxDB, PostgreSQL, ...)
# when missing, and starts PostgreSQL when it is installed but not running.
# As root it uses apt-get; otherwise it says what to install and fails.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
# openssl makes the throw-away CA of the broker TLS tests (tests/utils/tls.py).
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# InfluxDB (Debian ships 1.6) for the InfluxDB store tests; they run their own influxd.
command -v influxd >/dev/null 2>&1 || need+=(influxdb)
# Chromium for the dashboard's browser tests (driven by Playwright through executable_path).
[ -x /usr/bin/chromium ] || need+=(chromium chromium-driver)
# PostgreSQL for the registry tests, on 127.0.0.1:5432 (KOLAM_TEST_POSTGRES_URL overrides).
installed_postgres=0
if [ -z "${KOLAM_TEST_POSTGRES_URL:-}" ] && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && ! command -v pg_ctlcluster >/dev/null 2>&1
then
  need+=(postgresql)
  installed_postgres=1
fi

start_postgres() {
  [ -n "${KOLAM_TEST_POSTGRES_URL:-}" ] && return 0
  pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && return 0
  if [ "$installed_postgres" = 1 ]; then
    # A server this script installed serves the tests only: trust local TCP logins.
    for hba in /etc/postgresql/*/main/pg_hba.conf; do
      grep -q '^host all all 127.0.0.1/32 trust' "$hba" ||
        sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
    done
  fi
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
    done
  fi
  for _ in $(seq 1 40); do
    pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && return 0
    sleep 0.25
  done
  echo "The registry tests need PostgreSQL on 127.0.0.1:5432 (or KOLAM_TEST_POSTGRES_URL):" >&2
  echo "  sudo pg_ctlcluster <version> main start   (or run make test as root)" >&2
  return 1
}

if [ ${#need[@]} -eq 0 ]; then
  start_postgres
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing OS packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  # The Debian package starts a system broker; the tests start their own on free ports.
  start_postgres
else
  echo "The test suite needs these OS packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install ${need[*]}   (or run make test as root)" >&2
  exit 1
fi
