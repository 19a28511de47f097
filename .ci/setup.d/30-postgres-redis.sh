#!/usr/bin/env bash
# PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379 for the suite's
# production-shape run: the machine's own when they answer, else Debian's, installed and started.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && psql -h 127.0.0.1 -U postgres -Atqc 'SELECT 1' postgres >/dev/null 2>&1; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 1; done; return 1; }

if ! pg_up; then
    if ! command -v pg_ctlcluster >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
    fi
    version=$(ls /etc/postgresql | sort -V | tail -1)
    [ -d "/etc/postgresql/$version/main" ] || pg_createcluster "$version" main
    # Loopback only, trusted: this is a throw-away CI database, reachable from nowhere else.
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    grep -q '^host all postgres 127.0.0.1/32 trust' "$hba" \
        || sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    pg_ctlcluster "$version" main start 2>/dev/null || pg_ctlcluster "$version" main reload
    wait_for pg_up || { echo "PostgreSQL did not come up on 127.0.0.1:5432"; exit 1; }
fi
echo "PostgreSQL: $(psql -h 127.0.0.1 -U postgres -Atqc 'SHOW server_version' postgres)"

if ! redis_up; then
    if ! command -v redis-server >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
    fi
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no
    wait_for redis_up || { echo "Redis did not come up on 127.0.0.1:6379"; exit 1; }
fi
echo "Redis: $(redis-cli -h 127.0.0.1 -p 6379 info server | grep -m1 redis_version)"
