#!/usr/bin/env bash
# Every test of the project, from a fresh machine: installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
# A one-shot build: no incremental caches (they double the target directory).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# The key-file tests run the real openssl binary.
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
# The key-custody tests keep keys in a SoftHSM2 token.
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v softhsm2-util >/dev/null || need+=(softhsm2)
if [ ${#need[@]} -gt 0 ]; then
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need[@]}"
fi
# The console's browser tests (tests/console_browser.rs) drive Chromium.
# Each step says how long it took.
step() {
    local start=$SECONDS
    "$@"
    echo "test.sh: $* took $((SECONDS - start)) s" >&2
}
step scripts/install-browser.sh
step cargo test --workspace --all-features
step scripts/test-postgres.sh
step scripts/test-c.sh
step scripts/test-bindings.sh
step scripts/schemathesis.sh
