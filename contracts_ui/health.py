"""Liveness and readiness for load balancers and orchestrators.

Readiness checks the database, the cache and fabric at once, each in its own thread, and
answers within HEALTH_CHECK_TIMEOUT plus a little: a check still running then counts as failed.
"""

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from contracts_ui.fabric.health import fabric_reachable

# Time on top of the check timeout for threads to start and answers to be gathered.
_GRACE_SECONDS = 0.5


@dataclass(frozen=True)
class CheckResult:
    """One dependency's answer: reachable or not, how long it took, and why not."""

    ok: bool
    duration_ms: int
    error: str = ""

    def as_dict(self) -> dict:
        body: dict = {"ok": self.ok, "duration_ms": self.duration_ms}
        if self.error:
            body["error"] = self.error
        return body


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, ""
    finally:
        # This thread is gone after the check: hand its connection back (to the pool, if any).
        connection.close()


def _check_cache() -> tuple[bool, str]:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    found = cache.get(key) == "1"
    cache.delete(key)
    return found, "" if found else "value written was not read back"


def _check_fabric() -> tuple[bool, str]:
    return fabric_reachable(settings.HEALTH_CHECK_TIMEOUT)


def _timed(check: Callable[[], tuple[bool, str]]) -> CheckResult:
    started = time.monotonic()
    try:
        ok, error = check()
    except Exception as exc:  # any failure of a dependency means "not ready"
        ok, error = False, type(exc).__name__
    return CheckResult(ok, round((time.monotonic() - started) * 1000), error)


CHECKS: dict[str, Callable[[], tuple[bool, str]]] = {
    "database": _check_database,
    "cache": _check_cache,
    "fabric": _check_fabric,
}


def readiness() -> dict[str, CheckResult]:
    """Every dependency's result; a check that overruns the budget is reported as timed out."""
    budget = settings.HEALTH_CHECK_TIMEOUT + _GRACE_SECONDS
    deadline = time.monotonic() + budget
    executor = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readiness")
    try:
        futures = {name: executor.submit(_timed, check) for name, check in CHECKS.items()}
        results = {}
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                results[name] = CheckResult(False, round(budget * 1000), "timed out")
        return results
    finally:
        # A hung check keeps its thread until its own timeout; the answer does not wait for it.
        executor.shutdown(wait=False, cancel_futures=True)
