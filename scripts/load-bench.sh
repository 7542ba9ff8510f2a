#!/usr/bin/env bash
# Load bench of the back office on SQLite: issue and activate at 64
# connections with wrk, and the in-process ceiling (sign + one durable insert)
# to compare with. Installs wrk (Debian, as root) when missing.
#
#   scripts/load-bench.sh                       # 10 s per run, synchronous=full
#   DURATION=30s SYNCHRONOUS=normal scripts/load-bench.sh
#
# Targets (issue 4): >= 1,000 activations/s with p99 < 50 ms at 64 connections.
# The server runs without the per-address rate limit (the bench comes from one
# address); everything else is the default configuration.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
SYNCHRONOUS="${SYNCHRONOUS:-full}"
PORT="${PORT:-18188}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

if ! command -v wrk >/dev/null; then
    echo "installing wrk" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --features server --bin licentia --test server_ceiling 2>&1 | tail -1
bin="$CARGO_TARGET_DIR/release/licentia"

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

LICENTIA_RATE_LIMIT_PER_MINUTE=0 LICENTIA_SQLITE_SYNCHRONOUS="$SYNCHRONOUS" RUST_LOG=warn \
    "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$PORT" >"$work/out" 2>"$work/err" &
server_pid=$!
for _ in $(seq 1 100); do
    grep -q "listening" "$work/out" 2>/dev/null && break
    sleep 0.1
done
grep -q "listening" "$work/out" || { cat "$work/err" >&2; echo "error: the server did not start" >&2; exit 1; }
token="$(grep -o 'lic_[A-Za-z0-9_-]*' "$work/out")"
base="http://127.0.0.1:$PORT"

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
api() { curl -sf -X "$1" "$base$2" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d "$3"; }
product="$(api POST /v1/products '{"code":"bench","name":"Bench"}' | json "['id']")"
policy="$(api POST /v1/policies "{\"product_id\":\"$product\",\"name\":\"b\",\"binding\":\"node-locked\",\"seats\":100000000,\"duration_days\":365,\"entitlements\":[\"export\"]}" | json "['id']")"
key="$(api POST /v1/licenses "{\"policy_id\":\"$policy\",\"licensee\":\"Bench\"}" | json "['license_key']")"

cat >"$work/activate.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
local salt = 0
function init(args) salt = math.random(0, 65535) + 65536 * tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 65536 end
request = function()
  counter = counter + 1
  local fp = string.format("03%08x%08x%08x%08x", salt % 4294967296, counter, math.random(0, 2147483647), math.random(0, 2147483647))
  return wrk.format(nil, "/v1/activations", nil, '{"license_key":"$key","fingerprint":"' .. fp .. '","platform":"bench"}')
end
LUA
cat >"$work/issue.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"policy_id":"$policy","licensee":"Bench Customer"}'
LUA

run() {
    echo "== $1: $CONNECTIONS connections, $THREADS threads, $DURATION, SQLite synchronous=$SYNCHRONOUS"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/$1.lua" "$base$2" | tee "$work/$1.txt"
}
run activate /v1/activations
run issue /v1/licenses

ceiling="$(LICENTIA_SQLITE_SYNCHRONOUS="$SYNCHRONOUS" cargo test --release --features server --test server_ceiling -- --ignored --nocapture 2>/dev/null | grep CEILING)"
echo "== $ceiling"

rate() { grep "Requests/sec" "$work/$1.txt" | awk '{print $2}'; }
p99() { grep -E "^ +99%" "$work/$1.txt" | awk '{print $2}'; }
ceil="$(echo "$ceiling" | grep -o '[0-9]*/s' | tr -d '/s')"
for what in activate issue; do
    r="$(rate $what)"
    python3 -c "print('$what: %.0f/s, p99 $(p99 $what), ratio to the in-process ceiling %.2f' % ($r, $r / $ceil))"
done
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
