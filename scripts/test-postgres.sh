#!/usr/bin/env bash
# Runs the back office's tests on PostgreSQL (each test in a database of its
# own, dropped afterwards). Installs PostgreSQL (Debian, as root) when it is
# missing, starts the local cluster when it is stopped, and fails loudly when
# the server cannot be reached.
#
#   scripts/test-postgres.sh                 # postgres://postgres@127.0.0.1:5432
#   LICENTIA_TEST_POSTGRES=postgres://u:p@host:5432 scripts/test-postgres.sh
set -euo pipefail
cd "$(dirname "$0")/.."

given="${LICENTIA_TEST_POSTGRES:-}"
url="${given:-postgres://postgres@127.0.0.1:5432}"
hostport="${url##*@}"
host="${hostport%%:*}"
port="${hostport##*:}"
port="${port%%/*}"

# pg_isready, and pg_dump and pg_restore for the backup test.
if ! command -v pg_isready >/dev/null || ! command -v pg_dump >/dev/null ||
    ! command -v pg_restore >/dev/null; then
    if [ -z "$given" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing PostgreSQL" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
        echo "error: PostgreSQL client tools are missing (apt-get install postgresql)" >&2
        exit 1
    fi
fi

ready() { pg_isready -q -h "$host" -p "$port"; }

if ! ready && [ -z "$given" ]; then
    echo "PostgreSQL is not answering on $host:$port; starting the local cluster" >&2
    for version in $(ls /etc/postgresql 2>/dev/null); do
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 30); do
        ready && break
        sleep 1
    done
fi
if ! ready; then
    echo "error: PostgreSQL cannot be reached or started at $host:$port" >&2
    exit 1
fi

# A fresh Debian cluster asks TCP clients for a password: give the local
# superuser one the tests can use.
if [ -z "$given" ] && ! psql "$url/postgres" -Atqc 'select 1' >/dev/null 2>&1; then
    runuser -u postgres -- psql -qc "ALTER USER postgres PASSWORD 'licentia-test'" >/dev/null
    url="postgres://postgres:licentia-test@$host:$port"
fi
if ! psql "$url/postgres" -Atqc 'select 1' >/dev/null; then
    echo "error: cannot log in to PostgreSQL at $host:$port" >&2
    exit 1
fi

export LICENTIA_TEST_POSTGRES="$url"
# Every back-office test file, but those that do not run here: the restart
# test (alone, below), the ceiling measurement (scripts/load-bench.sh), the
# slow-client test (no database in it) and the browser tests (the console's
# pages in Chromium, on SQLite; the console's PostgreSQL runs are its HTTP
# tests); then the command line's tests
# that run the binary on a back office's database.
tests=()
for file in licentia-server/tests/*.rs; do
    name="$(basename "$file" .rs)"
    case "$name" in
        pg_restart | ceiling | slow_client | console_browser*) ;;
        *) tests+=(--test "$name") ;;
    esac
done
tests+=(--test jobs --test transfer)
# --workspace --all-features: the features scripts/test.sh builds with, so
# the dependencies are not compiled a second time.
cargo test --workspace --all-features "${tests[@]}"

# Last and alone (every other PostgreSQL test would fail while the database
# is down): PostgreSQL stopped and started under a running server's load.
# Only on the local Debian cluster, which this script may restart.
if [ -z "$given" ] && [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null; then
    LICENTIA_TEST_PG_RESTART="$(ls /etc/postgresql | head -n 1)/main" \
        cargo test --workspace --all-features --test pg_restart
else
    echo "SKIPPED: PostgreSQL restart under load (needs root and the local Debian cluster)" >&2
fi
