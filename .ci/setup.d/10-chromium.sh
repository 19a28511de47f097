#!/usr/bin/env bash
# The browser suite drives Debian's Chromium (Playwright cannot download its own browser here):
# its headless shell, the build Playwright itself runs for headless tests, and the full browser
# for a person who wants to watch a test (tests/browser/conftest.py says which is used).
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
