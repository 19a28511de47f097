"""fabric reads started before the page needs their answer, so the page is drawn meanwhile.

A view starts a read with `Ahead(function, ...)` and hands what it will answer to the template
as lazy values (`Ahead.lazy`): everything above the first place that shows the answer is
rendered while the request travels, and rendering waits there. A failure is raised there, for
the view to show (views/rendering.py, `render_page(awaited=...)`).

Each read runs on the process's ahead pool (pools.py; with GUNICORN_THREADS no larger than
FABRIC_POOL_SIZE, as gunicorn.conf.py asks, a read never queues), in a copy of the starting
thread's context, so fabric sees the request's id. It reads fabric and the shared cache only,
never the database, whose connections belong to the request's thread.
"""

import threading
from collections.abc import Callable
from concurrent.futures import Future, wait
from contextvars import copy_context
from functools import partial
from typing import Any

from django.utils.functional import SimpleLazyObject

from contracts_ui.fabric.context import request_written
from contracts_ui.fabric.pools import pool

# How long the starting thread waits for the request to be written before it reads itself,
# which it does only when the read has not started: every ahead thread was busy.
_START_WAIT_SECONDS = 0.05


class Ahead[R]:
    """function(*args, **kwargs), started now on the ahead pool; `result()` waits for it."""

    def __init__(self, function: Callable[..., R], /, *args: Any, **kwargs: Any) -> None:
        written = threading.Event()

        def read() -> R:
            token = request_written.set(written)
            try:
                return function(*args, **kwargs)
            finally:
                request_written.reset(token)
                written.set()

        self._future: Future[R] = pool("ahead").submit(copy_context().run, read)
        # Go on once the request is written (transport.py's connections say so), not before:
        # this thread, rendering, would hold the GIL while the read's thread still sends.
        if not written.wait(_START_WAIT_SECONDS) and self._future.cancel():
            self._future = _settled(read)

    def result(self) -> R:
        """The read's answer, or the FabricError it raised (each of its fabric calls keeps to
        its own deadline, so this returns)."""
        return self._future.result()

    def lazy(self, *names: str) -> "Awaited":
        """The answer's attributes `names`, each worked out where a template first uses it."""
        return Awaited(
            self, {name: SimpleLazyObject(partial(self._attribute, name)) for name in names}
        )

    def settle(self) -> None:
        """Wait for the read whatever its outcome, when its answer is no longer wanted: a
        request leaves no read of its own running behind its answer."""
        wait([self._future])

    def _attribute(self, name: str) -> Any:
        return getattr(self.result(), name)


class Awaited(dict[str, Any]):
    """Lazy values of one read started ahead (`Ahead.lazy`), by name."""

    def __init__(self, read: Ahead, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.read = read


def _settled[R](function: Callable[[], R]) -> Future[R]:
    """function() run here, as a finished Future."""
    future: Future[R] = Future()
    try:
        future.set_result(function())
    except Exception as error:
        future.set_exception(error)
    return future
