"""Value helpers shared by every part of the sandbox: record ids, timestamps, ISO-8601 parsing."""

import itertools
import os
import random
import re
import time
from datetime import UTC, datetime

_PROCESS_BYTES = os.urandom(5).hex()
_ID_COUNTER = itertools.count(random.SystemRandom().randrange(1 << 24))
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
# fromisoformat also takes "20210819" or week dates; fabric's examples are all extended format.
_ISO_SHAPE = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?"
)


def new_object_id() -> str:
    """A Mongo-ObjectId-like id: 24 hex characters, roughly ordered by creation time."""
    counter = next(_ID_COUNTER) & 0xFFFFFF
    return f"{int(time.time()) & 0xFFFFFFFF:08x}{_PROCESS_BYTES}{counter:06x}"


def object_id_from(rng: random.Random, created_ms: int) -> str:
    """A deterministic ObjectId-like id for generated data (demo and bulk contracts)."""
    return f"{(created_ms // 1000) & 0xFFFFFFFF:08x}{rng.getrandbits(64):016x}"


def now_ms() -> int:
    """Milliseconds since the epoch, the precision of fabric's timestamps."""
    return time.time_ns() // 1_000_000


def iso_from_ms(ms: int) -> str:
    """Format epoch milliseconds as fabric does: `2021-08-30T23:20:42.822Z`."""
    moment = time.gmtime(ms // 1000)
    # The year is padded by hand: glibc's %Y does not pad years below 1000.
    return f"{moment.tm_year:04d}{time.strftime('-%m-%dT%H:%M:%S', moment)}.{ms % 1000:03d}Z"


def ms_from_iso(value: str) -> int:
    """Epoch milliseconds of a timestamp written by `iso_from_ms`."""
    return int(datetime.fromisoformat(value).timestamp() * 1000 + 0.5)


def timestamp_after(previous: str | None) -> str:
    """Now, or one millisecond after `previous` when the clock has not moved past it.

    The console detects concurrent edits by comparing updatedAt, so every write of a record
    must move it forward, even two writes within the same millisecond.
    """
    current = now_ms()
    if previous is not None:
        current = max(current, ms_from_iso(previous) + 1)
    return iso_from_ms(current)


def is_date_only(value: str) -> bool:
    """True for a calendar date without a time (`2025-01-31`)."""
    return _DATE_ONLY.fullmatch(value) is not None


def normalize_iso(value: object) -> str | None:
    """An ISO-8601 date or date-time as fabric stores it (UTC, milliseconds, `Z`), or None.

    A value without an offset is taken as UTC; a date alone is midnight UTC.
    """
    if not isinstance(value, str) or _ISO_SHAPE.fullmatch(value.strip()) is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return iso_from_ms(round(moment.timestamp() * 1000))
    except (OverflowError, OSError, ValueError):
        return None


def end_of_day(value: str) -> str:
    """The last millisecond of a date given alone, so a `...To` filter includes that whole day."""
    return f"{value}T23:59:59.999Z"
