#!/usr/bin/env bash
# Fuzzes the running back office from its own OpenAPI document with
# schemathesis: every route, valid and invalid inputs, as the bootstrap
# admin. Fails on any 5xx, and on any response that breaks the document
# (status, content type, headers, schema) or lets bad input or missing
# authentication through.
#
#   scripts/schemathesis.sh                # ~2 minutes
#   SCHEMATHESIS_MAX_TIME=600 scripts/schemathesis.sh
#
# schemathesis (pinned) is installed from PyPI into target/schemathesis-venv
# the first time and reused afterwards. The server runs on a temporary
# SQLite database with a little data in it.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
venv="$PWD/target/schemathesis-venv"
max_time="${SCHEMATHESIS_MAX_TIME:-120}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-30}"

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
    echo "installing schemathesis $version into $venv" >&2
    # --clear: a venv moved or copied from elsewhere has dead interpreters.
    python3 -m venv --clear "$venv"
    "$venv/bin/pip" install -q "schemathesis==$version"
fi

# --all-features: the same build as scripts/test.sh, so nothing is compiled twice.
cargo build --workspace --all-features --bin licentia
bin="${CARGO_TARGET_DIR:-target}/debug/licentia"

work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

LICENTIA_RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn \
    "$bin" serve --listen 127.0.0.1:0 --data-dir "$work/data" >"$work/out" 2>"$work/log" &
server=$!
for _ in $(seq 1 100); do
    grep -q "^licentia listening on " "$work/out" && break
    kill -0 "$server" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
    sleep 0.1
done
base="$(sed -n 's/^licentia listening on //p' "$work/out")"
# The first start writes the admin token to a 0600 file, never to stdout.
token="$(cat "$work/data/bootstrap-admin-token" 2>/dev/null || true)"
if [ -z "$base" ] || [ -z "$token" ]; then
    echo "error: the server did not start" >&2
    cat "$work/log" >&2
    exit 1
fi

# A little data, so that lists and lookups have something to find; the ids
# go into a configuration that fixes `{id}` in their routes, so the fuzzer
# reaches past "no such license" into each handler.
post() {
    curl -fsS -X POST "$base$1" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d "$2"
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
config="$work/schemathesis.toml"
echo '[cache]
enabled = false' >"$config"
fix() { # fix ROUTE-PREFIX ID: routes under /v1/ROUTE-PREFIX/{id} get ID
    if [ -n "$2" ]; then
        printf '[[operations]]\ninclude-path-regex = "^/v1/%s/[{]id[}]"\nparameters = { id = "%s" }\n' "$1" "$2" >>"$config"
    fi
}
product="$(post /v1/products '{"code":"fuzz","name":"Fuzz"}' | field '["id"]')"
policy="$(post /v1/policies "{\"product_id\":\"$product\",\"name\":\"p\",\"binding\":\"node-locked\",\"seats\":3}" | field '["id"]')"
customer="$(post /v1/customers '{"kind":"partner","name":"Partner"}' | field '["id"]')"
license="$(post /v1/licenses "{\"policy_id\":\"$policy\",\"licensee\":\"Jane Doe\"}" | field '["license"]["id"]')"
plan="$(post /v1/plans "{\"name\":\"Plan\",\"policy_id\":\"$policy\"}" | field '["id"]')"
fix products "$product"
fix policies "$policy"
fix customers "$customer"
fix reports/customers "$customer"
fix licenses "$license"
fix plans "$plan"
# Domains that change as they grow: seeded when their routes take this shape.
purchase="$(post /v1/purchases "{\"customer_id\":\"$customer\",\"product_id\":\"$product\",\"quantity\":10,\"purchased_on\":\"2026-01-31\"}" 2>/dev/null | field '["id"]' 2>/dev/null || true)"
fix purchases "$purchase"
buyer="$(post /v1/customers '{"kind":"customer","name":"Buyer"}' | field '["id"]')"
subscription="$(post /v1/subscriptions "{\"customer_id\":\"$buyer\",\"plan_id\":\"$plan\",\"seats\":2,\"billing\":\"monthly\",\"interval\":\"monthly\",\"start\":\"2026-01-01\",\"renewal\":\"always\",\"notice\":\"1 week before month end\"}" 2>/dev/null | field '["subscription"]["id"]' 2>/dev/null || true)"
fix subscriptions "$subscription"

# One worker: with two threads, CPython 3.11 (before 3.11.9) can fail its
# own AST parsing inside hypothesis with "AST constructor recursion depth
# mismatch" (a race in the interpreter, not in the server).
# Every check but positive_data_acceptance: the document gives each body
# field's type and whether it is required, not its enums and ranges, so
# "valid" generated bodies may rightly be refused (422).
run() (
    cd "$work"
    "$venv/bin/schemathesis" --config-file "$config" run "$base/v1/openapi.json" \
        --url "$base" \
        -H "Authorization: Bearer $token" \
        --checks all \
        --exclude-checks positive_data_acceptance \
        --request-timeout 30 \
        --workers 1 \
        --seed 6 \
        "$@"
)
start=$(date +%s)
# Revoking tokens goes last, alone: schemathesis reuses the ids it has seen
# (GET /v1/tokens), and once it revokes its own token every other call is 401.
run --exclude-operation-id delete_v1_tokens__id_ \
    --max-examples "$max_examples" --max-time "$max_time"
run --include-operation-id delete_v1_tokens__id_ --max-examples 20 --max-time 15
echo "schemathesis: passed in $(($(date +%s) - start)) s (max-examples $max_examples, max-time $max_time s)" >&2
# The server must still be up and answering.
curl -fsS "$base/healthz" >/dev/null
if grep -q "panicked" "$work/log"; then
    echo "error: the server panicked:" >&2
    grep -A3 "panicked" "$work/log" >&2
    exit 1
fi
