"""Small presentational filters: status badges and date cues."""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()

_SOON_DAYS = 90


def _days_from_today(moment: datetime) -> int:
    return (timezone.localdate(moment) - timezone.localdate()).days


@register.filter
def status_class(status: str) -> str:
    """The badge modifier for a contract status."""
    return f"badge--{(status or 'unknown').lower()}"


@register.filter
def end_cue(end_date: datetime | None) -> str:
    """'expired', 'ends today' or 'expires in N days' (within 90 days); '' otherwise."""
    if end_date is None:
        return ""
    days = _days_from_today(end_date)
    if days < 0:
        return "expired"
    if days == 0:
        return "ends today"
    if days <= _SOON_DAYS:
        return f"expires in {days} day{'s' if days != 1 else ''}"
    return ""


@register.filter
def start_cue(start_date: datetime | None) -> str:
    """'starts in N days' for a contract that has not started; '' otherwise."""
    if start_date is None:
        return ""
    days = _days_from_today(start_date)
    if days > 0:
        return f"starts in {days} day{'s' if days != 1 else ''}"
    return ""


@register.filter
def next_page_number(page) -> int:
    """The 1-based number of the page after a fabric page (offset/limit)."""
    return page.offset // page.limit + 2


@register.filter
def previous_page_number(page) -> int:
    return max(page.offset // page.limit, 1)


@register.filter
def page_count(page) -> int:
    return max((page.count + page.limit - 1) // page.limit, 1)


@register.filter
def page_number(page) -> int:
    return page.offset // page.limit + 1
