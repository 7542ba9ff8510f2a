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
#   SCALE=1 KEEP=/srv/scale scripts/scale-bench.sh     # keep the filled data
#   REUSE=/srv/scale scripts/scale-bench.sh            # time a new build on it
#
# KEEP names a directory where the filled back office's data directory,
# key-encryption key (mode 0600) and shape are kept; REUSE times the pages and
# throughput again on what KEEP left, without the seed and the fill (a fill
# of ten million licences takes a quarter of an hour and 36 GiB).
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
KEEP="${KEEP:-}"
REUSE="${REUSE:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

# wrk times the throughput at the end: installed first, not found missing
# after a quarter of an hour's fill.
scripts/install-wrk.sh
if [ "$PROFILE" = release ]; then
    cargo build --release --all-features -p licentia-cli --bin licentia 2>&1 | tail -1
else
    cargo build --all-features -p licentia-cli --bin licentia 2>&1 | tail -1
fi
bin="$CARGO_TARGET_DIR/$PROFILE/licentia"
work="${REUSE:-${KEEP:-$(mktemp -d)}}"
mkdir -p "$work"
database_flag=()
[ "$DATABASE" = sqlite ] || database_flag=(--database-url "$DATABASE/licentia_scale")
if [ "$DATABASE" != sqlite ] && [ -z "$REUSE" ]; then
    psql -q "$DATABASE/postgres" -c "DROP DATABASE IF EXISTS licentia_scale" \
        -c "CREATE DATABASE licentia_scale"
fi
server=""
cleanup() {
    [ -z "$server" ] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
    [ -n "$KEEP$REUSE" ] || rm -rf "$work"
}
trap cleanup EXIT
if [ -n "$REUSE" ]; then
    LICENTIA_KEK="$(cat "$work/kek")"
else
    LICENTIA_KEK="$(openssl rand -base64 32)"
    (umask 077; printf '%s\n' "$LICENTIA_KEK" >"$work/kek")
fi
export LICENTIA_KEK
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

if [ -z "$REUSE" ]; then
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
fi
token="$(cat "$work/data/bootstrap-admin-token")"
shape="$(sed -n 's/^shape: //p' "$work/filled")"
licences="$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['licences'])" "$shape")"
start
python3 scripts/scale-bench.py time "http://127.0.0.1:$PORT" "$token" "$REQUESTS" "$shape"

# Issue and activate at this size: wrk at 64 connections for THROUGHPUT
# each (as scripts/load-bench.sh; activations spread over 1,000 licences).
base="http://127.0.0.1:$PORT"
api() { curl -sf -X "$1" "$base$2" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d "$3"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
product="$(api POST /v1/products "{\"code\":\"throughput-$$\",\"name\":\"Throughput\"}" | json "['id']")"
policy="$(api POST /v1/policies "{\"product_id\":\"$product\",\"name\":\"t\",\"binding\":\"node-locked\",\"seats\":100000000,\"duration_days\":365}" | json "['id']")"
keys=""
for n in $(seq 1000); do
    keys="$keys\"$(api POST /v1/licenses "{\"policy_id\":\"$policy\",\"licensee\":\"Throughput $n\"}" | json "['license_key']")\","
done
cat >"$work/activate.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local keys = {${keys%,}}
local counter = 0
local salt = 0
function init(args) salt = math.random(0, 2147483647) end
request = function()
  counter = counter + 1
  local fp = string.format("03%08x%08x%08x%08x", salt, counter, math.random(0, 2147483647), math.random(0, 2147483647))
  return wrk.format(nil, "/v1/activations", nil, '{"license_key":"' .. keys[counter % #keys + 1] .. '","fingerprint":"' .. fp .. '","platform":"bench"}')
end
LUA
cat >"$work/issue.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"policy_id":"$policy","licensee":"Throughput"}'
LUA
for what in issue activate; do
    path=/v1/licenses; [ "$what" = activate ] && path=/v1/activations
    wrk -t2 -c64 -d"$THROUGHPUT" --latency -s "$work/$what.lua" "$base$path" >"$work/$what.txt"
    python3 - "$what" "$licences" "$work/$what.txt" <<'PY'
import json, re, sys
what, licences, out = sys.argv[1], int(sys.argv[2]), open(sys.argv[3]).read()
def ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
print(f"{what} at {licences:,} licences: {rate:,.0f}/s, p99 {p99:.1f} ms"
      + (f", {errors.group(1)} refused" if errors else ""))
print("BENCHJSON " + json.dumps({"name": f"scale {what} at {licences}", "per_second": round(rate),
                                 "p99_ms": round(p99, 1)}), file=sys.stderr)
PY
done
