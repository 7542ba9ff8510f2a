#!/usr/bin/env bash
# Scale bench (issue 17): a back office of SCALE x ten million licences, one
# million customers (partner -> customer -> site), three million activations
# and twenty million history entries, with subscriptions, members,
# purchases and notices, in the server's own schema; then every list,
# search, report and console page timed (p50/p99 over REQUESTS requests
# with varying filters) against a real `licentia serve` on it, and
# issue/activate throughput at that size (scripts/load-bench.sh's wrk runs).
#
#   SCALE=0.01 scripts/scale-bench.sh                  # 100 k licences, PostgreSQL
#   SCALE=1 REQUESTS=100 scripts/scale-bench.sh        # 10 M (the measured run)
#   SCALE=0.1 DATABASE=sqlite scripts/scale-bench.sh   # 1 M on SQLite
#   PROFILE=debug SCALE=0.001 REQUESTS=3 scripts/scale-bench.sh   # smoke test
#
# On PostgreSQL (DATABASE, default postgres://postgres@127.0.0.1:5432) the
# bench drops and recreates its own database, licentia_scale, and leaves it
# for a look afterwards. The catalogue and one record of each copied kind
# are made through the API (scale-bench.py seed), the rest by
# `licentia scale-data`; `licentia audit verify` then walks the whole chain.
# Prints the table and one BENCHJSON line per figure.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE="${SCALE:-0.01}"
REQUESTS="${REQUESTS:-50}"
DATABASE="${DATABASE:-postgres://postgres@127.0.0.1:5432}"
PROFILE="${PROFILE:-release}"
PORT="${PORT:-18288}"
THROUGHPUT="${THROUGHPUT:-10s}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

if [ "$PROFILE" = release ]; then
    cargo build --release --all-features -p licentia-cli --bin licentia 2>&1 | tail -1
else
    cargo build --all-features -p licentia-cli --bin licentia 2>&1 | tail -1
fi
bin="$CARGO_TARGET_DIR/$PROFILE/licentia"
work="$(mktemp -d)"
database_flag=()
if [ "$DATABASE" != sqlite ]; then
    psql -q "$DATABASE/postgres" -c "DROP DATABASE IF EXISTS licentia_scale" \
        -c "CREATE DATABASE licentia_scale"
    database_flag=(--database-url "$DATABASE/licentia_scale")
fi
server=""
cleanup() {
    [ -z "$server" ] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT
export LICENTIA_KEK="$(openssl rand -base64 32)"
start() {
    LICENTIA_RATE_LIMIT_PER_MINUTE=0 LICENTIA_KEY_RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn \
        "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$PORT" "${database_flag[@]}" \
        >>"$work/out" 2>>"$work/err" &
    server=$!
    for _ in $(seq 240); do
        curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return
        kill -0 "$server" 2>/dev/null || break
        sleep 0.5
    done
    cat "$work/err" >&2
    exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

start
token="$(cat "$work/data/bootstrap-admin-token")"
python3 scripts/scale-bench.py seed "http://127.0.0.1:$PORT" "$token" >/dev/null
stop

echo "filling: SCALE=$SCALE on ${DATABASE%%://*}" >&2
t0=$(date +%s.%N)
"$bin" scale-data --data-dir "$work/data" "${database_flag[@]}" --scale "$SCALE" | tee "$work/filled"
t1=$(date +%s.%N)
shape="$(sed -n 's/^shape: //p' "$work/filled")"
licences="$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['licences'])" "$shape")"
"$bin" audit verify --data-dir "$work/data" "${database_flag[@]}"
t2=$(date +%s.%N)
if [ "$DATABASE" = sqlite ]; then
    bytes=$(( $(stat -c %s "$work/data/licentia.db") + $(stat -c %s "$work/data/licentia.db-wal" 2>/dev/null || echo 0) ))
else
    bytes="$(psql -Atq "$DATABASE/licentia_scale" -c "SELECT pg_database_size(current_database())")"
fi
python3 - "$SCALE" "$licences" "$t0" "$t1" "$t2" "$bytes" <<'EOF'
import json, sys
scale, licences, t0, t1, t2, size = sys.argv[1:]
licences = int(licences); fill = float(t1) - float(t0); verify = float(t2) - float(t1)
size = int(size)
print(f"filled {licences:,} licences in {fill:.0f} s ({licences / fill:,.0f} licences/s with their "
      f"rows); audit verify {verify:.0f} s; database {size / 2**30:.2f} GiB, "
      f"{size / licences:,.0f} bytes per licence (with its activations, history and the rest)")
print("BENCHJSON " + json.dumps({"name": f"scale fill {licences}", "seconds": round(fill, 1),
                                 "verify_seconds": round(verify, 1),
                                 "bytes_per_licence": round(size / licences)}), file=sys.stderr)
EOF

start
python3 scripts/scale-bench.py time "http://127.0.0.1:$PORT" "$token" "$REQUESTS" "$shape"
