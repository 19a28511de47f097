"""The shared cache's backend: Django's Redis cache, keeping its redis client and answering a
few kinds of key from the process's own memory for a few seconds.

Django's Redis cache builds a new `redis.Redis` for every operation, and each one fills a
dictionary of some 170 response callbacks: in the profile of the contracts table (eight cache
reads), that was more CPU than the reads themselves. A `redis.Redis` is safe to share between
threads, so one is kept per connection pool.

Each read is still a round trip to Redis (~0.2 ms here), and the contracts table made seven of
them. Most read values that change seldom and whose staleness costs nothing: fabric's token, a
page size or a missing endpoint learned from fabric, an organization's name, the circuit breaker
of a healthy account. The module defining such a key says, with `near(prefix, seconds)`, how long
a process may answer it from memory. Every write of the key through this process forgets the
copy at once, so only another process's write is seen late, and at most that many seconds late.
Sessions, grants and locks never are: a change there must reach every process at once.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

_MISSING = object()
# Key prefix -> seconds a process may answer it from memory; filled by near() at import.
_NEAR_PREFIXES: dict[str, float] = {}
# Made (prefixed, versioned) key -> (monotonic expiry, value or _MISSING); one per process, as
# the cache handler gives each thread its own backend object.
_copies: dict[str, tuple[float, object]] = {}
_copies_lock = threading.Lock()
# Counts this process's writes, so a read that raced one keeps no copy of what it fetched.
_writes = 0


def near(prefix: str, seconds: float) -> None:
    """Let each process answer reads of keys starting with `prefix` from memory for `seconds`.

    Only for values another process may change `seconds` late without harm."""
    _NEAR_PREFIXES[prefix] = seconds


def _near_seconds(key: str) -> float | None:
    for prefix, seconds in _NEAR_PREFIXES.items():
        if key.startswith(prefix):
            return seconds
    return None


class _KeptClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        # Keyed by the pool's id: pools live as long as this object, in its _pools.
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's RedisCache, one redis client per connection pool instead of one per call, and
    the near() kinds of key answered from memory."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _KeptClient

    def _copy(self, made_key: str) -> tuple[object, bool]:
        found = _copies.get(made_key)
        if found is None:
            return _MISSING, False
        expires, value = found
        if time.monotonic() >= expires:
            _copies.pop(made_key, None)
            return _MISSING, False
        return value, True

    def _keep(self, made_key: str, seconds: float, value: object, writes_before: int) -> None:
        with _copies_lock:
            if _writes == writes_before:
                _copies[made_key] = (time.monotonic() + seconds, value)

    def _forget(self, keys, version=None) -> None:
        """Drop this process's copies of `keys` (all of them when None) after a write."""
        global _writes
        with _copies_lock:
            _writes += 1
            if keys is None:
                _copies.clear()
            for key in keys or ():
                _copies.pop(self.make_key(key, version=version), None)

    @contextmanager
    def _writing(self, keys, version=None) -> Iterator[None]:
        """A write through Redis, after which (even a failed one) the copies are forgotten."""
        try:
            yield
        finally:
            self._forget(keys, version)

    def get(self, key, default=None, version=None):
        seconds = _near_seconds(key)
        if seconds is None:
            return super().get(key, default, version)
        made_key = self.make_and_validate_key(key, version=version)
        value, found = self._copy(made_key)
        if not found:
            writes_before = _writes
            value = super().get(key, _MISSING, version)
            self._keep(made_key, seconds, value, writes_before)
        return default if value is _MISSING else value

    def get_many(self, keys, version=None):
        keys = list(keys)
        answer, remote = {}, []
        for key in keys:
            if _near_seconds(key) is None:
                remote.append(key)
                continue
            value, found = self._copy(self.make_and_validate_key(key, version=version))
            if not found:
                remote.append(key)
            elif value is not _MISSING:
                answer[key] = value
        if remote:
            writes_before = _writes
            fetched = super().get_many(remote, version)
            answer |= fetched
            for key in remote:
                seconds = _near_seconds(key)
                if seconds is not None:
                    made_key = self.make_key(key, version=version)
                    self._keep(made_key, seconds, fetched.get(key, _MISSING), writes_before)
        return {key: answer[key] for key in keys if key in answer}

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._writing([key], version):
            super().set(key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._writing([key], version):
            return super().add(key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        with self._writing([key], version):
            return super().touch(key, timeout, version)

    def delete(self, key, version=None):
        with self._writing([key], version):
            return super().delete(key, version)

    def incr(self, key, delta=1, version=None):
        with self._writing([key], version):
            return super().incr(key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        with self._writing(list(data), version):
            return super().set_many(data, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        with self._writing(keys, version):
            return super().delete_many(keys, version)

    def clear(self):
        with self._writing(None):
            return super().clear()
