#!/usr/bin/env bash
# The views tests and the browser's main flows a second time, against the stand-in in
# documented-only mode (issue 17): the console must work on what fabric's pages document, and
# any call it makes to an UNDOCUMENTED endpoint fails the run (tests/conftest.py checks the
# stand-in's request log after each test).
set -euo pipefail
cd "$(dirname "$0")/../.."
make test-documented
