"""A circuit breaker per fabric account, its state in Django's cache so every process shares it.

After FABRIC_BREAKER_FAILURES consecutive "unavailable" outcomes of calls (timeouts, connection
errors, 5xx, each after its retries; never 4xx) within FABRIC_BREAKER_WINDOW seconds, calls for
that account are refused at once with FabricCircuitOpen for FABRIC_BREAKER_COOLDOWN seconds, so
pages answer quickly instead of holding workers for fabric's whole deadline. After the cool-down
one caller is let through as a probe (half-open): its success closes the breaker, its failure
opens it for another cool-down. FABRIC_BREAKER_FAILURES = 0 turns the breaker off.

The breaker sits in the fabric client, below the audit ledger: a write it refuses was meant for
fabric and is already recorded as an attempt, so it stays one record, outcome "failed", with
nothing sent. (An edit is normally refused earlier, at its re-read, before any record.)
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core.cache import cache

from contracts_ui.cache import near
from contracts_ui.fabric.errors import (
    FabricBadResponse,
    FabricError,
    FabricRateLimited,
    FabricUnavailable,
)

Outcome = Literal["success", "failure", "neutral"]

# The "opened until" mark must outlive its cool-down (half-open reads it); it expires in the end.
_OPEN_MARK_SECONDS = 24 * 3600
# A probe holds its slot at most this long beyond fabric's deadline before another may try.
_PROBE_GRACE_SECONDS = 5
# Every call reads the breaker: a process may take its state from memory for a second, so a
# breaker opened by another process is seen up to a second late (its own changes, at once).
near("fabric:breaker:", 1)


class FabricCircuitOpen(FabricUnavailable):
    """Refused before sending: fabric failed repeatedly for this account and is resting."""

    # Nothing was sent, so this (not "could not be reached") is what the person reads.
    unreachable_message = default_user_message = (
        "fabric unavailable: it failed repeatedly for this account, so the console is not "
        "calling it for a short while; nothing was sent. Try again shortly."
    )


def _key(account_id: str, part: str) -> str:
    return f"fabric:breaker:v1:{account_id}:{part}"


@dataclass(frozen=True)
class Admission:
    """Why a call was let through: as the half-open probe, and whether any state is set."""

    probe: bool
    state_set: bool  # failures counted or an open mark left: a success must clear them


def before_call(account_id: str, *, request_id: str | None = None) -> Admission:
    """Raise FabricCircuitOpen while the breaker is open; else say how the call was admitted."""
    if settings.FABRIC_BREAKER_FAILURES <= 0:
        return Admission(probe=False, state_set=False)
    # One round trip to the cache on the common path.
    state = cache.get_many([_key(account_id, "failures"), _key(account_id, "opened_until")])
    opened_until = state.get(_key(account_id, "opened_until"))
    if opened_until is None:
        return Admission(probe=False, state_set=bool(state))
    if time.time() < opened_until:
        raise FabricCircuitOpen(
            f"circuit open for account {account_id}; not sent", request_id=request_id
        )
    # Half-open: the first caller to claim the probe slot (atomically) goes through alone.
    probe_seconds = settings.FABRIC_DEADLINE + _PROBE_GRACE_SECONDS
    if cache.add(_key(account_id, "probe"), True, probe_seconds):
        return Admission(probe=True, state_set=True)
    raise FabricCircuitOpen(
        f"circuit half-open for account {account_id}; a probe is in flight", request_id=request_id
    )


def after_call(account_id: str, outcome: Outcome, admission: Admission) -> None:
    """Count a failure (opening the breaker at the threshold), or close it after a success."""
    threshold = settings.FABRIC_BREAKER_FAILURES
    if threshold <= 0:
        return
    if outcome == "success" and admission.state_set:
        cache.delete_many([_key(account_id, part) for part in ("failures", "opened_until")])
    elif outcome == "failure" and (admission.probe or _count_failure(account_id) >= threshold):
        cooldown = settings.FABRIC_BREAKER_COOLDOWN
        cache.set(_key(account_id, "opened_until"), time.time() + cooldown, _OPEN_MARK_SECONDS)
    if admission.probe:
        cache.delete(_key(account_id, "probe"))


@contextmanager
def guard(account_id: str, *, request_id: str | None = None) -> Iterator[None]:
    """Refuse the call while open; afterwards count how it ended.

    Any answer from fabric, 4xx included, shows it is up. A 429 or an unreadable answer says
    nothing either way, so it neither counts as a failure nor closes the breaker.
    """
    admission = before_call(account_id, request_id=request_id)
    outcome: Outcome = "neutral"
    try:
        yield
        outcome = "success"
    except FabricUnavailable:
        outcome = "failure"
        raise
    except (FabricRateLimited, FabricBadResponse):
        raise
    except FabricError:
        outcome = "success"
        raise
    finally:
        after_call(account_id, outcome, admission)


def _count_failure(account_id: str) -> int:
    """Add one to the consecutive failures; the count starts afresh FABRIC_BREAKER_WINDOW
    seconds after its first failure."""
    key = _key(account_id, "failures")
    window = max(1, round(settings.FABRIC_BREAKER_WINDOW))
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def reset(account_id: str) -> None:
    """Close the breaker and forget its failures (tests, and an administrator's fresh start)."""
    cache.delete_many([_key(account_id, part) for part in ("failures", "opened_until", "probe")])
