"""Reads that walk many pages of a fabric list, a bounded number of pages at a time.

fabric's list envelope says how many rows match (`query.count`, documented), so once the first
page is in, the offsets of every other page are known and several can be fetched at once. A walk
keeps at most FABRIC_PAGE_CONCURRENCY pages in its window (in flight, or fetched and waiting
their turn) and yields rows in fabric's order, so memory stays flat however long the list; the
account's pace (pacing.py) decides how many of them are in flight, and lowers that on a 429.
Each page is one fabric_request, retried as every read is; a page whose retries all met 429 is
asked again after fabric's Retry-After. The whole walk, and every walk an account-wide read
starts inside `walk_deadline()`, must end within FABRIC_WALK_DEADLINE_SECONDS, or it stops with
FabricWalkTimeout.

The threads come from the process's walk pool (pools.py). A task waiting for another that has
not started yet runs it itself, so tasks that start tasks (organizations, then their pages)
never wait on a pool that is full of waiters.
"""

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from contextvars import ContextVar, copy_context

from django.conf import settings

from contracts_ui.fabric import pacing
from contracts_ui.fabric.context import walk_stopped
from contracts_ui.fabric.errors import FabricRateLimited, FabricWalkTimeout
from contracts_ui.fabric.pools import pool
from contracts_ui.fabric.types import MAX_PAGE_SIZE, FabricTenant, Page

type PageFetch[T] = Callable[[int, int], Page[T]]

# When a 429 came without Retry-After: how long a page waits before it is asked again.
_RATE_LIMITED_WAIT = 1.0

_deadline: ContextVar[float | None] = ContextVar("fabric_walk_deadline", default=None)


@contextmanager
def walk_deadline() -> Iterator[float]:
    """One deadline for every walk started inside, unless an outer one is already running."""
    current = _deadline.get()
    if current is not None:
        yield current
        return
    token = _deadline.set(time.monotonic() + settings.FABRIC_WALK_DEADLINE_SECONDS)
    try:
        yield _deadline.get()
    finally:
        _deadline.reset(token)


class _Task[R]:
    """A function on the pool, which whoever waits for it runs itself if it has not started."""

    def __init__(self, function: Callable[[], R]) -> None:
        self.function = function
        self.future: Future[R] = pool("walk").submit(copy_context().run, function)

    def result(self, deadline: float, timed_out: Callable[[], Exception]) -> R:
        """Its result, or `timed_out()` raised once the deadline has passed; the caller cancels
        the task then."""
        remaining = deadline - time.monotonic()
        if remaining <= 0 and not self.future.done():
            raise timed_out()
        if self.future.cancel():
            return self.function()
        try:
            return self.future.result(timeout=max(remaining, 0))
        except FutureTimeout:
            raise timed_out() from None


def paced[R](tenant: FabricTenant, call: Callable[[], R]) -> R:
    """One fabric call within the account's pace: it waits for a slot (until the deadline of
    the walk it belongs to) and holds it only while the call lasts."""
    with walk_deadline() as deadline:
        pace = pacing.pace(tenant.account_id)
        if not pace.acquire(deadline):
            raise FabricWalkTimeout(seconds=settings.FABRIC_WALK_DEADLINE_SECONDS)
        fetched = False
        try:
            answer = call()
            fetched = True
            return answer
        finally:
            pace.release(fetched=fetched)


def in_parallel[T, R](function: Callable[[T], R], items: list[T], *, at_once: int) -> list[R]:
    """function(item) for each item, `at_once` at a time on the pool, results in the items'
    order, each in a copy of this thread's context (so fabric sees the request's id). The first
    failure is raised and the calls not yet started are dropped."""
    if len(items) <= 1:
        return [function(item) for item in items]
    with walk_deadline() as deadline:
        pending = iter(items)
        window: deque[_Task[R]] = deque()
        results: list[R] = []

        def timed_out() -> Exception:
            return FabricWalkTimeout(seconds=settings.FABRIC_WALK_DEADLINE_SECONDS)

        try:
            while True:
                for item in pending:
                    window.append(_Task(lambda item=item: function(item)))
                    if len(window) >= at_once:
                        break
                if not window:
                    return results
                results.append(window[0].result(deadline, timed_out))
                window.popleft()
        finally:
            for task in window:
                task.future.cancel()


def walk[T](
    tenant: FabricTenant, fetch: PageFetch[T], *, first: Page[T], max_rows: int | None = None
) -> Iterator[T]:
    """Every row of a list, starting with the page already fetched, in fabric's order: each
    further page, as long as the first (100 at most), fetched once, several at a time. Stops at
    the count fabric first gave (or `max_rows`), or at an empty page (the list shrank)."""
    total = first.count if max_rows is None else min(first.count, max_rows)
    # The deadline is read, not set: a generator's context is its consumer's, and one left
    # suspended would hand its deadline to whatever that thread walks next.
    deadline = _deadline.get() or time.monotonic() + settings.FABRIC_WALK_DEADLINE_SECONDS
    rows_read = min(len(first.items), total)
    yield from first.items[:rows_read]
    step = first.end_offset - first.offset
    if step <= 0 or first.end_offset >= total:
        return
    pace = pacing.pace(tenant.account_id)
    ceiling = min(pace.ceiling, settings.FABRIC_POOL_SIZE)
    offsets = iter(range(first.end_offset, total, step))
    window: deque[tuple[int, _Task[Page[T]]]] = deque()

    def timed_out() -> Exception:
        return FabricWalkTimeout(
            seconds=settings.FABRIC_WALK_DEADLINE_SECONDS, rows_read=rows_read, rows_total=total
        )

    stop = threading.Event()

    def one_page(offset: int) -> Page[T]:
        token = walk_stopped.set(stop)
        try:
            while True:
                try:
                    page = fetch(offset, min(step, total - offset))
                except FabricRateLimited as error:
                    # fabric_request's retries all met 429: the pace is lowered; wait and ask
                    # again while the walk has time.
                    wait = min(
                        error.retry_after or _RATE_LIMITED_WAIT,
                        settings.FABRIC_RETRY_AFTER_CAP,
                    )
                    if stop.is_set() or time.monotonic() + wait >= deadline:
                        raise
                    time.sleep(wait)
                    continue
                pace.release(fetched=True)
                return page
        except BaseException:
            pace.release(fetched=False)
            raise
        finally:
            walk_stopped.reset(token)

    def start(offset: int) -> _Task[Page[T]]:
        return _Task(lambda: one_page(offset))

    try:
        next_offset = next(offsets, None)
        while True:
            # Top the window up: wait for a slot only when nothing is in it to read meanwhile.
            while next_offset is not None and len(window) < ceiling:
                if window and not pace.try_acquire():
                    break
                if not window and not pace.acquire(deadline):
                    raise timed_out()
                window.append((next_offset, start(next_offset)))
                next_offset = next(offsets, None)
            if not window:
                return
            offset, task = window[0]
            page = task.result(deadline, timed_out)
            window.popleft()
            end = min(offset + step, total)
            position = offset
            while True:
                taken = page.items[: max(0, end - position)]
                rows_read += len(taken)
                yield from taken
                if page.end_offset <= page.offset:
                    return  # an empty page: the list ended before its count
                position = page.end_offset
                if position >= end:
                    break
                # A short page (fabric cut the page size meanwhile): the rest of its stretch
                # is read here, in order, before the next page of the window.
                if time.monotonic() >= deadline:
                    raise timed_out()
                page = fetch(position, min(MAX_PAGE_SIZE, end - position))
    finally:
        # Pages still in flight end with their current attempt (no retry); those not
        # started never are.
        stop.set()
        for _, task in window:
            if task.future.cancel():
                pace.release(fetched=False)
