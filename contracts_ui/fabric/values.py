"""Reading and writing the values inside fabric's JSON: dates, flags, ids, objects."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from fabric's ISO-8601 text (with or without `Z`), None if absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO date string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is UTC:  # fabric's own `Z`: nothing to convert
        return parsed
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:
        # 9999-12-31 behind UTC or 0001-01-01 ahead of it: no datetime holds it in UTC.
        raise ValueError(f"date out of range in UTC: {value}") from exc


def format_datetime(value: datetime | None) -> str | None:
    """fabric's own date format: ISO-8601 in UTC with milliseconds and `Z`."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def text(value: Any) -> str:
    """A text field; absent is empty."""
    return "" if value is None else str(value)


def optional_text(value: Any) -> str | None:
    """An optional reference such as an id; absent or empty is None."""
    return None if value is None or value == "" else str(value)


def flag(value: Any, default: bool = False) -> bool:
    """A boolean, also from "true"/"false" text."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def mapping(value: Any) -> dict:
    """A free-form object such as additionalAttributes; absent is empty."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return dict(value)


def integer(value: Any) -> int:
    """An integer id such as priceListId, also from digits in text; never a boolean."""
    if isinstance(value, bool):
        raise TypeError("expected an integer, got a boolean")
    return int(value)
