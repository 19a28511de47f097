"""How a contract's dates read next to them: the one rule behind the template filters and the
contracts table's Python row renderer (contracts_ui/templatetags/contracts_ui.py)."""

from datetime import date, datetime
from typing import Literal, NamedTuple

from django.utils import timezone

# An end date this many days away or closer is flagged as "expires in N days".
SOON_DAYS = 90

Edge = Literal["start", "end"]


class Cue(NamedTuple):
    modifier: str  # the CSS modifier: cue--expired, cue--soon or cue--future
    text: str


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def local_day(moment: object) -> date | None:
    """The calendar day of a moment in the current time zone; None for what is not a moment.

    Templates can hand a filter anything (a missing variable is "", a form's raw value a
    string), and a cue is decoration: what is not a date gets no cue rather than an error.
    """
    if isinstance(moment, datetime):
        return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    if isinstance(moment, date):
        return moment
    return None


def cue(moment: object, today: date, *, edge: Edge) -> Cue | None:
    """The cue beside a contract's start or end date, seen from `today`; None when none applies.

    An end date: "expired", "ends today" or "expires in N days" within SOON_DAYS.
    A start date: "starts in N days" while the contract has not started.
    """
    day = local_day(moment)
    if day is None:
        return None
    days = (day - today).days
    if edge == "start":
        return Cue("future", f"starts in {_days(days)}") if days > 0 else None
    if days < 0:
        return Cue("expired", "expired")
    if days == 0:
        return Cue("soon", "ends today")
    if days <= SOON_DAYS:
        return Cue("soon", f"expires in {_days(days)}")
    return None
