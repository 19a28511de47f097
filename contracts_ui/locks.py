"""One lock per (account, contract), shared by every console process, around each write.

fabric has no version token, so a save's re-read, its conflict check, its write and the check of
fabric's answer must not interleave with another save of the same contract; otherwise both pass
the check and one silently overwrites the other. The lock lives in Django's cache: Redis in
production (`SET NX` with a TTL, shared by every process and machine), the in-process cache in
the single-process demo. Each holder stores a random token and releases only its own: on Redis
with an atomic compare-and-delete; on other backends with a read then a delete, which could drop
a successor's lock only if the holder had outlived the TTL (several fabric deadlines) in the
instant between the two.
"""

import hashlib
import logging
import random
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

# Deletes the key only while it still holds our token: a lock that expired and was taken by
# another save is left alone.
_RELEASE_IF_OURS = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
logger = logging.getLogger(__name__)

# Between tries while another save holds the lock; jittered so waiters do not retry in step.
_POLL_SECONDS = (0.01, 0.04)


class LockTimeout(Exception):
    """Another save of the same contract held its lock for longer than this save may wait."""


def lock_ttl() -> int:
    """Seconds a lock outlives a holder that died: longer than a save's fabric calls (re-read,
    write, the read that confirms an empty answer, each within FABRIC_DEADLINE) and its two
    ledger records can take, so a slow save never loses its lock while it works."""
    return int(4 * settings.FABRIC_DEADLINE + 30)


def wait_deadline() -> float:
    """The monotonic time after which a save stops waiting for a lock."""
    return time.monotonic() + min(settings.CONTRACT_LOCK_WAIT, settings.FABRIC_DEADLINE)


def _key(account_id: str, contract_key: str) -> str:
    # A contract's id is fabric's data: hashed, any character is a valid cache key.
    digest = hashlib.sha256(f"{account_id}\x00{contract_key}".encode()).hexdigest()
    return f"contract-lock:{digest}"


@contextmanager
def contract_lock(
    account_id: str, contract_key: str, *, until: float | None = None
) -> Iterator[None]:
    """Hold the lock of one contract (by the id the caller has) for the block.

    Waits until `until` (monotonic; wait_deadline() when not given), then raises LockTimeout.
    """
    cache = caches["default"]
    key = _key(account_id, contract_key)
    # An int is stored by Redis as its digits, unpickled, so the release script can compare it.
    token = secrets.randbits(62) + 1
    until = wait_deadline() if until is None else until
    while not cache.add(key, token, lock_ttl()):
        remaining = until - time.monotonic()
        if remaining <= 0:
            raise LockTimeout(f"contract {contract_key} is being saved by another request")
        time.sleep(min(remaining, random.uniform(*_POLL_SECONDS)))  # noqa: S311 - jitter only
    try:
        yield
    finally:
        _release(cache, key, token)


def _release(cache, key: str, token: int) -> None:
    try:
        if isinstance(cache, RedisCache):
            stored_key = cache.make_and_validate_key(key)
            client = cache._cache.get_client(stored_key, write=True)
            client.eval(_RELEASE_IF_OURS, 1, stored_key, token)
        elif cache.get(key) == token:
            cache.delete(key)
    except Exception:
        # The save itself is done; a lock left behind expires with its TTL.
        logger.exception("could not release a contract lock; it expires in %ss", lock_ttl())
