#!/usr/bin/env bash
# The load test, short: 10 users for 15 s on gunicorn with the production settings. Fails on any
# lost or duplicated audit record, a broken hash chain, or a 5xx the injected faults don't explain.
set -euo pipefail
cd "$(dirname "$0")/../.."
make load LOAD_USERS=10 LOAD_SECONDS=15 LOAD_FAULTS=3
