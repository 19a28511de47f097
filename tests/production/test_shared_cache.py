"""The shared cache's backend (contracts_ui/cache.py): Django's Redis cache, keeping its client."""

import uuid

from contracts_ui.cache import RedisCache
from tests.production.services import REDIS_URL, require


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
