#!/usr/bin/env bash
# The console's browser tests drive Debian's Chromium over WebDriver:
# installs `chromium` and `chromium-driver` (and the fonts its screenshots
# are drawn with) when either binary is missing. Idempotent and quiet;
# scripts/test.sh calls it before the cargo tests.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-liberation >/dev/null
