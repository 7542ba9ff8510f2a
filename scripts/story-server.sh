# Sourced by the test scripts: a real `licentia serve` over HTTPS for the
# client stories (C, C++, Python), with a CA and certificate made here with
# openssl, a product "cad" with a node-locked policy (one seat, check-in
# every 7 days, 14 offline) and a floating one (one seat).
#
#   story_setup DIR      PKI in DIR (and DIR/other-ca.pem, a CA that did not
#                        sign the server), server started, policies made;
#                        sets story_base, story_ca, story_key_pem
#   story_license KIND   a new license key of policy KIND (locked|floating)
#   story_stop / story_start   stop the server, start it again (same data)
#   story_pin            the base64 SHA-256 of the server certificate's SPKI
#   story_deactivate_offline FILE   staff answer the offline deactivation
#                        request in FILE: the signed receipt
#
# Needs `target_dir` (the cargo target directory) set by the caller.

story_setup() {
    story_dir=$(realpath -m "$1")
    cargo build -q -p licentia-cli
    story_licentia="${target_dir}/debug/licentia"
    rm -rf "$story_dir" && mkdir -p "$story_dir"
    (
        cd "$story_dir"
        for ca in ca other-ca; do
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
                -subj "/CN=story-$ca" -keyout "$ca.key" -out "$ca.pem" 2>/dev/null
        done
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
            -keyout server.key -out server.csr 2>/dev/null
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >san.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile san.ext -out server.pem 2>/dev/null
        chmod 600 server.key
    )
    story_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    story_base="https://localhost:$story_port"
    story_ca="$story_dir/ca.pem"
    story_key_pem="$story_dir/key.pem"
    story_start
    story_token=$(cat "$story_dir/data/bootstrap-admin-token")
    local product
    product=$(story_api POST /v1/products '{"code": "cad", "name": "CAD"}' | story_field '["id"]')
    story_locked=$(story_api POST /v1/policies "{\"product_id\": \"$product\", \"name\": \"locked\", \"check_in_days\": 7, \"max_offline_days\": 14}" | story_field '["id"]')
    story_floating=$(story_api POST /v1/policies "{\"product_id\": \"$product\", \"name\": \"floating\", \"binding\": \"floating\", \"lease_ttl_secs\": 600}" | story_field '["id"]')
    story_api GET /v1/keys | story_field '["items"][0]["public_pem"]' >"$story_key_pem"
}

story_start() {
    "$story_licentia" serve --data-dir "$story_dir/data" --listen "127.0.0.1:$story_port" \
        --tls-cert "$story_dir/server.pem" --tls-key "$story_dir/server.key" \
        >>"$story_dir/serve.log" 2>&1 &
    story_pid=$!
    for _ in $(seq 100); do
        curl -sf --cacert "$story_dir/ca.pem" "$story_base/readyz" >/dev/null && return
        sleep 0.1
    done
    echo "licentia serve did not start:"
    cat "$story_dir/serve.log"
    exit 1
}

story_stop() { # also at exit: a server already stopped is fine
    kill "$story_pid" 2>/dev/null || true
    wait "$story_pid" 2>/dev/null || true
}

story_api() { # METHOD PATH [JSON]: the JSON answer
    curl -sf --cacert "$story_dir/ca.pem" -X "$1" -H "authorization: Bearer $story_token" \
        -H 'content-type: application/json' ${3:+--data "$3"} "$story_base$2"
}

story_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

story_license() { # KIND: a new license key of that policy
    local policy="story_$1"
    story_api POST /v1/licenses "{\"policy_id\": \"${!policy}\", \"licensee\": \"Jane Doe\"}" |
        story_field '["license_key"]'
}

story_pin() { # the pin of the server's certificate: base64 SHA-256 of its SPKI
    openssl x509 -in "$story_dir/server.pem" -pubkey -noout |
        openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64
}

story_deactivate_offline() { # FILE: the receipt for the request in FILE
    local body
    body=$(python3 -c 'import json,sys; print(json.dumps({"request": open(sys.argv[1]).read()}))' "$1")
    story_api POST /v1/deactivations/offline "$body" | story_field '["receipt"]'
}
