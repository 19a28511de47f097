"""The shared cache's backend: Django's Redis cache, keeping its redis client.

Django's Redis cache builds a new `redis.Redis` for every operation, and each one fills a
dictionary of some 170 response callbacks: in the profile of the contracts table (eight cache
reads), that was more CPU than the reads themselves. A `redis.Redis` is safe to share between
threads, so one is kept per connection pool.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


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
    """Django's RedisCache, one redis client per connection pool instead of one per call."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _KeptClient
