#!/usr/bin/env bash
# Load bench of the back office: issue and activate at 64 connections with
# wrk, on SQLite (with the in-process ceiling, sign + one durable insert, to
# compare with) or on PostgreSQL. Installs wrk (Debian) when missing.
#
#   scripts/load-bench.sh                       # 10 s per run, SQLite, synchronous=full
#   DURATION=30s SYNCHRONOUS=normal scripts/load-bench.sh
#   DATABASE=postgres://postgres@127.0.0.1:5432 scripts/load-bench.sh
#   DATABASE=postgres://... INSTANCES=2 scripts/load-bench.sh
#   BIN=/path/to/licentia scripts/load-bench.sh # another build's server
#   LICENSES=64 scripts/load-bench.sh           # activations over 64 licences
#
# INSTANCES (PostgreSQL only) starts that many servers on one database, each
# on a fresh, empty data directory of its own (the database URL and the
# key-encryption key are all an instance needs), and splits wrk's threads
# between them. Each run also reports the CPU time the servers and
# PostgreSQL used, as a share of the machine's, to name the bound.
#
# With DATABASE set to a PostgreSQL server, the bench creates its own database
# there (licentia_bench_<pid>) and drops it at the end.
# Targets (issue 4): >= 1,000 activations/s with p99 < 50 ms at 64 connections
# on SQLite. The server runs without the per-address and per-key rate limits
# (the bench comes from one address, with one license key); everything else
# is the default configuration.
# Prints one BENCHJSON line per figure (scripts/bench.sh gathers them).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
SYNCHRONOUS="${SYNCHRONOUS:-full}"
PORT="${PORT:-18188}"
DATABASE="${DATABASE:-sqlite}"
INSTANCES="${INSTANCES:-1}"
LICENSES="${LICENSES:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
if [ "$INSTANCES" != 1 ] && [ "$DATABASE" = sqlite ]; then
    echo "error: INSTANCES is for PostgreSQL (a SQLite database belongs to one data directory)" >&2
    exit 2
fi
[ "$THREADS" -ge "$INSTANCES" ] || THREADS="$INSTANCES"

scripts/install-wrk.sh

# BIN: a server binary built before (another build's, to compare the two
# on one machine, alternately), instead of this tree's.
bin="${BIN:-$CARGO_TARGET_DIR/release/licentia}"
[ -n "${BIN:-}" ] || cargo build --release --all-features -p licentia-cli --bin licentia 2>&1 | tail -1
# The in-process ceiling, the limit of the SQLite runs.
if [ "$DATABASE" = sqlite ]; then
    cargo build --release --all-features -p licentia-server --test ceiling 2>&1 | tail -1
fi

work="$(mktemp -d)"
server_pids=()
database_flag=()
backend="SQLite (synchronous=$SYNCHRONOUS)"
if [ "$DATABASE" != sqlite ]; then
    database="licentia_bench_$$"
    psql -q "$DATABASE/postgres" -c "CREATE DATABASE $database"
    database_flag=(--database-url "$DATABASE/$database")
    backend="PostgreSQL"
    [ "$INSTANCES" = 1 ] || backend="PostgreSQL, $INSTANCES instances"
fi
cleanup() {
    for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    if [ "$DATABASE" != sqlite ]; then psql -q "$DATABASE/postgres" -c "DROP DATABASE IF EXISTS $database" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# A key-encryption key of the run's own (PostgreSQL needs one given), the
# same for every instance.
kek="$(openssl rand -base64 32)"
ports=()
for i in $(seq 0 $((INSTANCES - 1))); do
    port=$((PORT + i))
    LICENTIA_KEK="$kek" \
    LICENTIA_RATE_LIMIT_PER_MINUTE=0 LICENTIA_KEY_RATE_LIMIT_PER_MINUTE=0 \
    LICENTIA_SQLITE_SYNCHRONOUS="$SYNCHRONOUS" RUST_LOG=warn \
        "$bin" serve --data-dir "$work/data$i" --listen "127.0.0.1:$port" "${database_flag[@]}" >"$work/out$i" 2>"$work/err$i" &
    server_pids+=($!)
    ports+=("$port")
    for _ in $(seq 1 100); do
        grep -q "listening" "$work/out$i" 2>/dev/null && break
        sleep 0.1
    done
    grep -q "listening" "$work/out$i" || { cat "$work/err$i" >&2; echo "error: server $i did not start" >&2; exit 1; }
done
token="$(cat "$work/data0/bootstrap-admin-token")"
base="http://127.0.0.1:$PORT"
# wrk's threads, split between the instances (one address per thread).
spread=""
if [ "$INSTANCES" != 1 ]; then
    spread="local ports = {$(IFS=,; echo "${ports[*]}")}
local next_port = 0
function setup(thread)
  thread.addr = wrk.lookup(\"127.0.0.1\", tostring(ports[next_port % #ports + 1]))[1]
  next_port = next_port + 1
end"
fi

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
api() { curl -sf -X "$1" "$base$2" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d "$3"; }
product="$(api POST /v1/products '{"code":"bench","name":"Bench"}' | json "['id']")"
policy="$(api POST /v1/policies "{\"product_id\":\"$product\",\"name\":\"b\",\"binding\":\"node-locked\",\"seats\":100000000,\"duration_days\":365,\"entitlements\":[\"export\"]}" | json "['id']")"
# LICENSES: the activations go round the keys of that many licences (one
# by default: a site licence's machines, all on one licence's row).
keys=""
for i in $(seq 1 "$LICENSES"); do
    key="$(api POST /v1/licenses "{\"policy_id\":\"$policy\",\"licensee\":\"Bench $i\"}" | json "['license_key']")"
    keys="$keys\"$key\","
done

cat >"$work/activate.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local keys = {${keys%,}}
local counter = 0
local salt = 0
function init(args) salt = math.random(0, 65535) + 65536 * tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 65536 end
request = function()
  counter = counter + 1
  local fp = string.format("03%08x%08x%08x%08x", salt % 4294967296, counter, math.random(0, 2147483647), math.random(0, 2147483647))
  return wrk.format(nil, "/v1/activations", nil, '{"license_key":"' .. keys[counter % #keys + 1] .. '","fingerprint":"' .. fp .. '","platform":"bench"}')
end
$spread
LUA
cat >"$work/issue.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"policy_id":"$policy","licensee":"Bench Customer"}'
$spread
LUA

# CPU ticks used so far by the servers and by PostgreSQL's processes, and
# the machine's ticks (every core): a run's share of each.
ticks() {
    local servers=0 postgres=0 pid
    for pid in "${server_pids[@]}"; do
        servers=$((servers + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    for pid in $(pgrep -x postgres || true); do
        postgres=$((postgres + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$servers $postgres $(awk '/^cpu /{print $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat)"
}

run() {
    echo "== $1: $CONNECTIONS connections, $THREADS threads, $DURATION, $backend"
    local before after
    before="$(ticks)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/$1.lua" "$base$2" | tee "$work/$1.txt"
    after="$(ticks)"
    echo "$before $after" >"$work/$1.cpu"
}
run activate /v1/activations
run issue /v1/licenses

ceil=""
if [ "$DATABASE" = sqlite ]; then
    ceiling="$(LICENTIA_SQLITE_SYNCHRONOUS="$SYNCHRONOUS" cargo test --release --all-features -p licentia-server --test ceiling -- --ignored --nocapture 2>/dev/null | grep CEILING)"
    echo "== $ceiling"
    ceil="$(echo "$ceiling" | grep -o '[0-9]*/s' | tr -d '/s')"
fi
python3 - "$work" "$backend" "$ceil" "$CONNECTIONS" <<'PY'
import json, re, sys
work, backend, ceil, connections = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ceil = float(ceil) if ceil else None
sqlite = backend.startswith("SQLite")
def ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
for what in ("activate", "issue"):
    out = open(f"{work}/{what}.txt").read()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    s0, g0, m0, s1, g1, m1 = map(int, open(f"{work}/{what}.cpu").read().split())
    cpu = (f"CPU of the machine: servers {100 * (s1 - s0) / (m1 - m0):.0f}%, "
           f"PostgreSQL {100 * (g1 - g0) / (m1 - m0):.0f}%")
    print(f"{what}: {rate:.0f}/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms; {cpu}"
          + (f", ratio to the in-process ceiling {rate / ceil:.2f}" if ceil else ""))
    targets = sqlite and what == "activate"
    name = f"server: {what} on {backend}, {connections} connections"
    rows = [
        dict(figure=f"{name}: throughput", value=rate, unit="requests/s",
             limit="in-process sign + durable insert" if ceil else None,
             limit_value=ceil, ratio=rate / ceil if ceil else None,
             target="≥ 1,000/s" if targets else None,
             met=rate >= 1000 if targets else None, note=f"p50 {p50:.1f} ms; {cpu}"),
        dict(figure=f"{name}: p99 latency", value=p99, unit="ms", limit=None,
             limit_value=None, ratio=None, target="< 50 ms" if targets else None,
             met=p99 < 50 if targets else None, note=""),
    ]
    for row in rows:
        print("BENCHJSON " + json.dumps(row, ensure_ascii=False))
PY
rate() { grep "Requests/sec" "$work/$1.txt" | awk '{print $2}'; }
errors="$(grep -h -e "Non-2xx" -e "Socket errors" "$work/activate.txt" "$work/issue.txt" || true)"
if [ -n "$errors" ]; then echo "error: failed requests: $errors" >&2; exit 1; fi
# A run that completes nothing means the server stopped answering (a bench
# that runs after another's hung-up connections checks that none left a
# transaction open).
for what in activate issue; do
    if python3 -c "import sys; sys.exit(0 if float('$(rate $what)') < 1 else 1)"; then
        echo "error: the $what run completed no request" >&2
        exit 1
    fi
done
