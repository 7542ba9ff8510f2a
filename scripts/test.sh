#!/usr/bin/env bash
# Every test of the project, from a fresh machine: installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
# The key-file tests run the real openssl binary.
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
command -v openssl >/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y -qq openssl; }
cargo test --workspace --all-features
scripts/test-postgres.sh
scripts/test-c.sh
scripts/test-bindings.sh
scripts/schemathesis.sh
