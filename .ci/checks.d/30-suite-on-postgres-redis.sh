#!/usr/bin/env bash
# The whole suite a second time, on the production shape: PostgreSQL and Redis on 127.0.0.1
# (started by setup.d/30-postgres-redis.sh). Unreachable services fail CI rather than skip.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! pg_isready -q -h 127.0.0.1 -p 5432 || [ "$(redis-cli -h 127.0.0.1 ping 2>/dev/null)" != PONG ]; then
    echo "PostgreSQL or Redis is not reachable on 127.0.0.1"
    exit 1
fi
make test-services
