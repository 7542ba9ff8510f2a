#!/usr/bin/env bash
# The Python packages the Rust tests run against (a real SMTP server:
# aiosmtpd), pinned, in a venv under the cargo target directory:
#
#   scripts/test-venv.sh [TARGET_DIR]     # prints the venv's python
#
# Idempotent: does nothing when the venv already holds the pinned versions.
# The tests call it themselves when the venv is missing (tests/mail.rs), so
# `cargo test` works on a fresh clone with PyPI reachable. Installs
# python3-venv with apt-get when Debian lacks it.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir=${1:-${CARGO_TARGET_DIR:-target}}
mkdir -p "$target_dir"
venv="$(cd "$target_dir" && pwd)/test-venv"
requirements="aiosmtpd==1.4.6"

# Two test binaries may ask at once: one installs, the other waits.
exec 9>"$venv.lock"
flock 9

if [ "$(cat "$venv/requirements" 2>/dev/null)" != "$requirements" ]; then
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >&2 2>/dev/null; then
        rm -rf "$venv"
        sudo=
        [ "$(id -u)" = 0 ] || sudo=sudo
        export DEBIAN_FRONTEND=noninteractive
        $sudo apt-get update -qq </dev/null >&2
        $sudo apt-get install -y -qq python3-venv </dev/null >&2
        python3 -m venv "$venv" >&2
    fi
    "$venv/bin/python" -m pip install --quiet --no-input --disable-pip-version-check \
        $requirements >&2
    echo "$requirements" >"$venv/requirements"
fi
echo "$venv/bin/python"
