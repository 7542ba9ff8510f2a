#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 20) each, seeded from tests/vectors.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

seed() { # target, files...
    local dir="fuzz/corpus/$1"
    shift
    mkdir -p "$dir"
    for f in "$@"; do cp "$f" "$dir/$(basename "$f")"; done
}
texts=(tests/vectors/licenses/* tests/vectors/documents/* tests/vectors/invalid/*)
seed text "${texts[@]}"
# The C ABI target also reads keys (PEM) and fingerprints (hex).
seed capi_text "${texts[@]}" tests/vectors/keys/*
seed activation_request tests/vectors/documents/activation.request
# Deactivation: the request's text, and the receipt's body (the envelope's
# bytes between the 10-byte header and the 64-byte signature).
seed deactivation tests/vectors/documents/deactivation.request
grep -v -- '-----' tests/vectors/documents/deactivation.receipt | base64 -d | tail -c +11 | head -c -64 \
    >fuzz/corpus/deactivation/deactivation.receipt.body
# Binary seeds: the envelopes inside the armored vectors, and their bodies
# (a leading selector byte picks the body type in the `bodies` target).
mkdir -p fuzz/corpus/envelope fuzz/corpus/bodies
for f in tests/vectors/licenses/*.lic tests/vectors/documents/*.renewal \
         tests/vectors/documents/*.revocation tests/vectors/documents/*.rollover \
         tests/vectors/documents/*.answer; do
    name=$(basename "$f")
    grep -v -- '-----' "$f" | base64 -d >"fuzz/corpus/envelope/$name" 2>/dev/null || continue
    case "$f" in
        *.lic) selector='\000' ;; *.renewal) selector='\001' ;; *.revocation) selector='\002' ;;
        *.rollover) selector='\003' ;; *) selector='\004' ;;
    esac
    { printf "$selector"; tail -c +11 "fuzz/corpus/envelope/$name" | head -c -64; } >"fuzz/corpus/bodies/$name"
done
seed usage_report tests/vectors/documents/usage.report
seed spec_json tests/vectors/invalid/not_licentia_text.lic
# CSV imports: the test files, each with a selector byte (0 customers,
# 1 licenses, 2 members).
mkdir -p fuzz/corpus/csv_import
for f in fuzz/seeds/csv_import/*.csv; do
    case "$f" in *licenses*) selector='\001' ;; *members*) selector='\002' ;; *) selector='\000' ;; esac
    { printf "$selector"; cat "$f"; } >"fuzz/corpus/csv_import/$(basename "$f")"
done
seed fingerprint tests/vectors/keys/issuer.raw

targets=$(cd fuzz && cargo fuzz list)
cd fuzz
for target in $targets; do
    log=$(mktemp)
    # -s none: no sanitizer, so the stable toolchain builds it.
    if ! cargo fuzz run -s none "$target" -- -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 40 "$log"
        echo "fuzz target $target FAILED (input in fuzz/artifacts/$target/)"
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "fuzz $target: ${runs:-?} executions in ${seconds}s, no crash"
    rm -f "$log"
done
