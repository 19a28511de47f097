"""How many list pages of one fabric account this process fetches at once.

An account starts at FABRIC_PAGE_CONCURRENCY pages in flight. A 429 from fabric, on any call of
that account, halves it (never below one) and holds every new page back for the Retry-After
fabric asked for; each page fetched afterwards adds back 1/limit, about one more page in flight
per `limit` pages, so a rate limit just met is not run into again at once. The state is this
process's own: each console process paces itself.
"""

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger("contracts_ui.fabric")


class AccountPace:
    """The pages of one account in flight in this process, and how many may be."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = float(self.ceiling)
        self.in_flight = 0
        self._paused_until = 0.0
        # One burst of 429s lowers the limit once: each page in flight when it began sees one.
        self._lowered_until = 0.0
        self._changed = threading.Condition()

    def _take(self) -> bool:
        if time.monotonic() < self._paused_until or self.in_flight >= int(self.limit):
            return False
        self.in_flight += 1
        return True

    def try_acquire(self) -> bool:
        """A slot for one more page now, if the pace allows it."""
        with self._changed:
            return self._take()

    def acquire(self, deadline: float) -> bool:
        """A slot for one page, waiting for it until `deadline` (monotonic); False if none came."""
        with self._changed:
            while not self._take():
                now = time.monotonic()
                if now >= deadline:
                    return False
                wait = deadline - now
                if now < self._paused_until:
                    wait = min(wait, self._paused_until - now)
                self._changed.wait(wait)
            return True

    def release(self, *, fetched: bool) -> None:
        """The page's call is over; `fetched` when fabric answered it with the page."""
        with self._changed:
            self.in_flight -= 1
            if fetched:
                self.limit = min(float(self.ceiling), self.limit + 1 / self.limit)
            self._changed.notify_all()

    def rate_limited(self, seconds: float) -> bool:
        """fabric answered 429: pause new pages for `seconds` and halve the limit; True when
        this 429 lowered it (the first of a burst)."""
        with self._changed:
            now = time.monotonic()
            self._paused_until = max(self._paused_until, now + seconds)
            if now < self._lowered_until:
                return False
            self.limit = max(1.0, self.limit / 2)
            self._lowered_until = now + max(seconds, 0.1)
            return True


_paces: dict[str, AccountPace] = {}
_paces_lock = threading.Lock()


def pace(account_id: str) -> AccountPace:
    """This process's pace for the account (made anew when FABRIC_PAGE_CONCURRENCY changed)."""
    ceiling = max(1, settings.FABRIC_PAGE_CONCURRENCY)
    with _paces_lock:
        found = _paces.get(account_id)
        if found is None or found.ceiling != ceiling:
            found = _paces[account_id] = AccountPace(ceiling)
        return found


def rate_limited(account_id: str, seconds: float) -> None:
    """Record a 429 for the account (the client calls this for every one it meets)."""
    account_pace = pace(account_id)
    if account_pace.rate_limited(seconds):
        logger.warning(
            "fabric rate-limited account %s: %d pages at once now, new ones wait %.1f s",
            account_id,
            int(account_pace.limit),
            seconds,
            extra={"account_id": account_id, "page_concurrency": int(account_pace.limit)},
        )


def reset(account_id: str) -> None:
    """Forget what the account's 429s taught this process (tests start each from the ceiling)."""
    with _paces_lock:
        _paces.pop(account_id, None)
