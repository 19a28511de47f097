#!/usr/bin/env bash
# The browser suite drives Debian's Chromium (Playwright cannot download its own browser here):
# its headless shell, the build Playwright itself runs for headless tests; the full browser is
# what tests/browser/conftest.py falls back to where only it is installed.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromium-headless-shell ]; then
    echo "chromium: $(/usr/bin/chromium-headless-shell --version 2>/dev/null || echo present)"
    exit 0
fi
echo "chromium: installing from Debian"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium chromium-headless-shell >/dev/null
echo "chromium: $(/usr/bin/chromium-headless-shell --version)"
