"""This process's thread pools for fabric reads, each at most FABRIC_POOL_SIZE threads, kept for
the process's life, so each thread keeps its one `requests.Session` and cache connection rather
than opening new ones per read."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

_pools: dict[str, ThreadPoolExecutor] = {}
_pools_pid = 0
_lock = threading.Lock()


def pool(name: str) -> ThreadPoolExecutor:
    """The pool `name` (a forked worker makes its own: threads do not survive a fork)."""
    global _pools_pid
    with _lock:
        if _pools_pid != os.getpid():
            _pools.clear()
            _pools_pid = os.getpid()
        if name not in _pools:
            _pools[name] = ThreadPoolExecutor(
                max_workers=settings.FABRIC_POOL_SIZE, thread_name_prefix=f"fabric-{name}"
            )
        return _pools[name]
