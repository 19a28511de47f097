"""The shared cache's backend (contracts_ui/cache.py): Django's Redis cache, keeping its client,
and answering the kinds of key near() names from memory for a few seconds."""

import os
import pickle
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.test import Client
from django.urls import reverse

from contracts_ui import cache as cache_module
from contracts_ui.cache import RedisCache
from tests.production.services import REDIS_URL, require


def _own_database() -> str:
    """REDIS_URL with a database of this xdist worker's own (10 and up): the tests below empty
    theirs (clear() is FLUSHDB), which must not reach a test running on the other worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    return urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{10 + int(worker)}"))


def test_every_operation_uses_the_one_client_of_its_pool():
    # Building a client connects nothing: no Redis is needed to see which one is handed out.
    cache = RedisCache("redis://127.0.0.1:1/0", {})
    assert cache._cache.get_client(write=True) is cache._cache.get_client()


def test_it_reads_what_it_wrote_from_several_threads():
    require(redis=True)
    from concurrent.futures import ThreadPoolExecutor

    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    keys = [f"k{n}" for n in range(40)]

    def round_trip(key: str) -> object:
        cache.set(key, {"key": key}, 30)
        return cache.get(key)

    try:
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(round_trip, keys)) == [{"key": key} for key in keys]
    finally:
        cache.delete_many(keys)


class TestNearCopies:
    """Keys near() names are answered from the process's memory for a few seconds; the
    process's own writes forget the copy at once, another process's are seen within the time."""

    PREFIX = "test-near:"

    @pytest.fixture
    def shared(self, monkeypatch):
        require(redis=True)
        monkeypatch.setitem(cache_module._NEAR_PREFIXES, self.PREFIX, 0.5)
        backend = RedisCache(_own_database(), {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
        # Another process, writing to Redis behind this one's back.
        other = redis.Redis.from_url(_own_database())
        yield backend, lambda key, value: other.set(backend.make_key(key), pickle.dumps(value))
        backend.clear()
        other.close()

    def test_another_process_write_is_seen_within_the_time(self, shared):
        backend, elsewhere = shared
        key = f"{self.PREFIX}organization"
        backend.set(key, "Acme", 30)
        assert backend.get(key) == "Acme"
        elsewhere(key, "Acme Corp")
        assert backend.get(key) == "Acme"  # the copy, from memory
        time.sleep(0.6)
        assert backend.get(key) == "Acme Corp"

    def test_an_absent_key_is_remembered_as_absent_too(self, shared):
        backend, elsewhere = shared
        key = f"{self.PREFIX}mark"
        assert backend.get(key, "none") == "none"
        elsewhere(key, True)
        assert backend.get_many([key]) == {}
        time.sleep(0.6)
        assert backend.get_many([key]) == {key: True}

    @pytest.mark.parametrize(
        "write",
        [
            lambda backend, key: backend.set(key, "new", 30),
            lambda backend, key: backend.delete(key),
            lambda backend, key: backend.delete_many([key]),
            lambda backend, key: backend.set_many({key: "new"}, 30),
            lambda backend, key: backend.add(key, "new", 30),
            lambda backend, key: backend.clear(),
        ],
        ids=["set", "delete", "delete_many", "set_many", "add", "clear"],
    )
    def test_this_process_writes_forget_the_copy_at_once(self, shared, write):
        backend, elsewhere = shared
        key = f"{self.PREFIX}token"
        backend.set(key, "old", 30)
        assert backend.get(key) == "old"
        elsewhere(key, "from elsewhere")
        write(backend, key)
        assert backend.get(key) != "old"

    def test_a_count_changed_here_is_read_again(self, shared):
        backend, _ = shared
        key = f"{self.PREFIX}failures"
        backend.set(key, 1, 30)
        assert backend.get(key) == 1
        backend.incr(key)
        assert backend.get(key) == 2

    def test_other_keys_are_always_read_from_redis(self, shared):
        backend, elsewhere = shared
        backend.set("grants", "old", 30)
        assert backend.get("grants") == "old"
        elsewhere("grants", "new")
        assert backend.get("grants") == "new"
        assert backend.get_many(["grants", f"{self.PREFIX}x"]) == {"grants": "new"}

    def test_a_read_that_raced_a_write_keeps_no_copy(self, shared, monkeypatch):
        backend, _ = shared
        key = f"{self.PREFIX}page-limit"
        backend.set(key, 100, 30)
        fetch = DjangoRedisCache.get

        def fetch_while_this_process_writes(self, *args, **kwargs):
            found = fetch(self, *args, **kwargs)  # the old value, already on its way back
            backend.set(key, 50, 30)
            return found

        monkeypatch.setattr(DjangoRedisCache, "get", fetch_while_this_process_writes)
        assert backend.get(key) == 100
        monkeypatch.setattr(DjangoRedisCache, "get", fetch)
        assert backend.get(key) == 50


def test_a_warm_contracts_table_makes_two_round_trips_to_redis(
    console_world, settings, monkeypatch
):
    """The session and the grants (with the user's generation); the token, breaker, page size,
    organization and missing-endpoint marks come from memory."""
    require(redis=True)
    settings.CACHES = {
        "default": {
            "BACKEND": "contracts_ui.cache.RedisCache",
            "LOCATION": _own_database(),
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    settings.SHARED_CACHE = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client = Client()
    client.force_login(console_world.editor_a)
    path = reverse(
        "contracts_ui:contract-list",
        kwargs={
            "account_id": console_world.account_a.account_id,
            "organization_id": console_world.fabric.organization_a["_id"],
        },
    )
    for _ in range(2):  # the first stores what it read from fabric; the second reads it once
        assert client.get(path).status_code == 200
    commands = []
    send = redis.Redis.execute_command

    def counted(self, *args, **kwargs):
        commands.append(args[0])
        return send(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    try:
        assert client.get(path).status_code == 200
        assert commands == ["GET", "MGET"]
    finally:
        monkeypatch.undo()
        caches["default"].clear()
