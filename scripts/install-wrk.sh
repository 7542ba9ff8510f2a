#!/usr/bin/env bash
# wrk, the HTTP load generator of the throughput benches (Debian's package).
set -euo pipefail
command -v wrk >/dev/null && exit 0
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
echo "installing wrk" >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
