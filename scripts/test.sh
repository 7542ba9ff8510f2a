#!/usr/bin/env bash
# Every test of the project, from a fresh machine: installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --all-features
scripts/test-postgres.sh
scripts/test-c.sh
scripts/test-bindings.sh
scripts/schemathesis.sh
