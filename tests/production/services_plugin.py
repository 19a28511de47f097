"""pytest plugin for the whole suite on PostgreSQL and Redis (`make test-services`, CI).

Loaded with `-p tests.production.services_plugin`, before Django reads its settings:
- each xdist worker gets its own Redis database (the URL's number plus the worker's), since a
  test's cache.clear() empties a whole Redis database and must not reach the other worker;
- test connections may empty the audit tables between tests (live-server tests flush the
  database), which the ledger's TRUNCATE trigger allows only to a superuser session that asks.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from django.db.backends.signals import connection_created


def _cache_url_for_this_worker() -> None:
    url, worker = os.environ.get("CACHE_URL", ""), os.environ.get("PYTEST_XDIST_WORKER", "")
    if url.startswith("redis") and worker.startswith("gw"):
        parts = urlsplit(url)
        number = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
        os.environ["CACHE_URL"] = urlunsplit(parts._replace(path=f"/{number}"))


def _let_the_test_harness_empty_the_ledger(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET contracts_console.allow_audit_truncate = 'on'")


_cache_url_for_this_worker()
connection_created.connect(_let_the_test_harness_empty_the_ledger, dispatch_uid="ledger-flush")
