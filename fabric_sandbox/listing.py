"""Query-parameter rules shared by the list endpoints: paging, sorting, flags, date ranges."""

from dataclasses import dataclass
from typing import Any

from .errors import field_error
from .values import end_of_day, is_date_only, normalize_iso

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page:
    """Which slice of a list to answer."""

    offset: int
    limit: int


@dataclass(frozen=True)
class Sort:
    """An ORDER BY clause built from whitelisted columns and a direction."""

    columns: tuple[str, ...]
    direction: str

    def clause(self, tie_break: str) -> str:
        """ORDER BY text; ties are broken by `_id` in the same direction, so paging is stable."""
        return ", ".join(f"{column} {self.direction}" for column in (*self.columns, tie_break))


def _non_negative_int(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise field_error(name, "must be a non-negative integer")
    return int(raw)


def parse_page(query: dict[str, str], max_limit: int = MAX_LIMIT) -> Page:
    """`offset` (default 0) and `limit` (default 10, 1 to `max_limit`)."""
    offset = _non_negative_int(query, "offset", 0)
    limit = _non_negative_int(query, "limit", min(DEFAULT_LIMIT, max_limit))
    if limit < 1 or limit > max_limit:
        raise field_error("limit", f"must be between 1 and {max_limit}")
    return Page(offset, limit)


def parse_sort(
    query: dict[str, str], columns: dict[str, tuple[str, ...]], default: str
) -> tuple[str, Sort]:
    """`sortBy` (one of `columns`, mapped to SQL) and `sortOrder` (`asc`|`desc`, default desc)."""
    sort_by = query.get("sortBy", default)
    if sort_by not in columns:
        raise field_error("sortBy", f"must be one of {', '.join(columns)}")
    order = query.get("sortOrder", "desc")
    if order not in ("asc", "desc"):
        raise field_error("sortOrder", "must be asc or desc")
    return sort_by, Sort(columns[sort_by], order.upper())


def parse_bool(query: dict[str, str], name: str) -> bool | None:
    """A `true`/`false` parameter, or None when absent."""
    raw = query.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise field_error(name, "must be true or false")
    return raw == "true"


def parse_date_range(query: dict[str, str], field: str) -> tuple[str, str] | None:
    """`{field}From` and `{field}To`, inclusive, both or neither (one alone is a 400).

    A date without a time means the whole day: `...From` from its start, `...To` to its end.
    """
    low_name, high_name = f"{field}From", f"{field}To"
    low_raw, high_raw = query.get(low_name), query.get(high_name)
    if low_raw is None and high_raw is None:
        return None
    if low_raw is None or high_raw is None:
        missing = low_name if low_raw is None else high_name
        raise field_error(missing, f"{low_name} and {high_name} must be sent together")
    low, high = normalize_iso(low_raw), normalize_iso(high_raw)
    if low is None:
        raise field_error(low_name, "must be an ISO-8601 date or date-time")
    if high is None:
        raise field_error(high_name, "must be an ISO-8601 date or date-time")
    if is_date_only(high_raw.strip()):
        high = end_of_day(high_raw.strip())
    if low > high:
        raise field_error(low_name, f"must not be after {high_name}")
    return low, high


def like_pattern(text: str) -> str:
    """A case-insensitive LIKE pattern for a partial match, `%` and `_` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def envelope(page: Page, count: int, data: list[Any]) -> dict[str, Any]:
    """The list answer: `{"query": {"offset", "limit", "count"}, "data": [...]}`."""
    return {"query": {"offset": page.offset, "limit": page.limit, "count": count}, "data": data}
