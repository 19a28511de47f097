"""Reads for the insight pages: every contract of a view page by page (exports, timeline), an
organization's status counts, and the account's expiry radar. Timeline geometry is in
contracts_ui/timeline.py."""

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.cache import cache

from contracts_ui import fabric, selectors
from contracts_ui.fabric.client import lookup_cache_key
from contracts_ui.fabric.types import (
    CONTRACT_STATUSES,
    MAX_PAGE_SIZE,
    Contract,
    ContractQuery,
    FabricTenant,
    Page,
)

logger = logging.getLogger(__name__)

STATUS_COUNTS_CACHE_SECONDS = 60
RADAR_MAX_ROWS = 500
# Names of at most this many organizations are looked up for the radar; the rest show their id.
RADAR_MAX_NAME_LOOKUPS = 50
# (label, first day, last day): calendar days in UTC from today to the end date, both inclusive.
RADAR_BUCKETS = (("0–30 days", 0, 30), ("31–60 days", 31, 60), ("61–90 days", 61, 90))
_EARLIEST = date(1, 1, 1)

type PageFetch = Callable[[int, int], Page[Contract]]


def organization_page_fetch(
    tenant: FabricTenant, *, organization_id: str, query: ContractQuery
) -> PageFetch:
    """fetch(offset, limit) for an organization's contracts, as the contracts table reads them."""
    return lambda offset, limit: selectors.organization_contracts(
        tenant, organization_id=organization_id, query=query, offset=offset, limit=limit
    )


def account_page_fetch(tenant: FabricTenant, *, query: ContractQuery) -> PageFetch:
    """fetch(offset, limit) for contracts across the whole account (GET /v1/contracts)."""
    return lambda offset, limit: fabric.search_contracts(
        tenant, query=query, offset=offset, limit=limit
    )


def first_page(fetch: PageFetch) -> Page[Contract]:
    """The first full-size page: it says how many rows follow, and fails before any is sent."""
    return fetch(0, MAX_PAGE_SIZE)


def every_contract(
    fetch: PageFetch, *, first: Page[Contract], max_rows: int | None = None
) -> Iterator[Contract]:
    """Every contract of a list, starting with the page already fetched; one call per further
    page of 100, so each row is fetched exactly once. Stops at the count fabric first gave."""
    total = first.count if max_rows is None else min(first.count, max_rows)
    page, delivered = first, 0
    while True:
        for contract in page.items[: total - delivered]:
            yield contract
            delivered += 1
        if not page.items or delivered >= total:
            return
        page = fetch(page.offset + len(page.items), MAX_PAGE_SIZE)


def organization_status_counts(tenant: FabricTenant, *, organization_id: str) -> dict[str, int]:
    """{status: number of live contracts} for one organization: one limit=1 call per status,
    cached briefly since the counts are an overview, not a ledger."""
    key = lookup_cache_key("status-counts", tenant, organization_id)
    counts = cache.get(key)
    if counts is None:
        counts = {
            status: fabric.list_contracts(
                tenant,
                organization_id=organization_id,
                query=ContractQuery(status=status),
                limit=1,
            ).count
            for status in CONTRACT_STATUSES
        }
        cache.set(key, counts, STATUS_COUNTS_CACHE_SECONDS)
    return counts


def days_until(moment: datetime, *, today: date) -> int:
    """Calendar days in UTC from today to the moment's day (0 on the day itself)."""
    return (moment.astimezone(UTC).date() - today).days


def radar_bucket(days: int) -> str | None:
    """The bucket label for a number of days left; None when expired or beyond 90 days."""
    for label, first_day, last_day in RADAR_BUCKETS:
        if first_day <= days <= last_day:
            return label
    return None


@dataclass(frozen=True)
class RadarBucket:
    label: str
    first_day: int
    last_day: int
    count: int


@dataclass(frozen=True)
class RadarEntry:
    contract: Contract
    days: int  # until the end date; negative once past it
    bucket: str | None
    organization_name: str

    @property
    def days_ago(self) -> int:
        return -self.days


@dataclass(frozen=True)
class ExpiryRadar:
    today: date
    buckets: tuple[RadarBucket, ...]
    upcoming: tuple[RadarEntry, ...]
    upcoming_total: int
    expired: tuple[RadarEntry, ...]
    expired_total: int
    max_rows: int


def _active_ending(first_day: date, last_day: date) -> ContractQuery:
    # fabric's end-date filter is inclusive, and a date alone as `To` includes that whole day.
    return ContractQuery(
        status="ACTIVE",
        end_date_from=first_day,
        end_date_to=last_day,
        sort_by="endDate",
        sort_order="asc",
    )


def organization_names(tenant: FabricTenant, *, organization_ids: Iterable[str]) -> dict[str, str]:
    """{id: name} through the cached look-up; an organization fabric cannot name is left out."""
    names = {}
    for organization_id in list(dict.fromkeys(organization_ids))[:RADAR_MAX_NAME_LOOKUPS]:
        try:
            names[organization_id] = fabric.get_organization(
                tenant, organization_id=organization_id
            ).name
        except fabric.FabricError:
            logger.warning("organization name unavailable for %s", organization_id)
    return names


def expiry_radar(tenant: FabricTenant, *, today: date) -> ExpiryRadar:
    """ACTIVE contracts ending within 90 days and those past their end date, across the account.

    Bucket counts come from fabric's count for each bucket's date range (one limit=1 call each),
    so they stay exact when the lists are capped at RADAR_MAX_ROWS.
    """
    buckets = tuple(
        RadarBucket(
            label=label,
            first_day=first_day,
            last_day=last_day,
            count=fabric.search_contracts(
                tenant,
                query=_active_ending(
                    today + timedelta(days=first_day), today + timedelta(days=last_day)
                ),
                limit=1,
            ).count,
        )
        for label, first_day, last_day in RADAR_BUCKETS
    )
    lists = {}
    for name, first_day, last_day in (
        ("upcoming", today, today + timedelta(days=RADAR_BUCKETS[-1][2])),
        ("expired", _EARLIEST, today - timedelta(days=1)),
    ):
        fetch = account_page_fetch(tenant, query=_active_ending(first_day, last_day))
        first = first_page(fetch)
        contracts = list(every_contract(fetch, first=first, max_rows=RADAR_MAX_ROWS))
        lists[name] = (first.count, contracts)
    names = organization_names(
        tenant,
        organization_ids=(
            c.party_id for _, contracts in lists.values() for c in contracts if c.party_id
        ),
    )

    def entries(contracts: list[Contract]) -> tuple[RadarEntry, ...]:
        rows = []
        for contract in contracts:
            if contract.end_date is None:
                continue
            days = days_until(contract.end_date, today=today)
            rows.append(
                RadarEntry(
                    contract=contract,
                    days=days,
                    bucket=radar_bucket(days),
                    organization_name=names.get(contract.party_id or "", ""),
                )
            )
        return tuple(rows)

    return ExpiryRadar(
        today=today,
        buckets=buckets,
        upcoming=entries(lists["upcoming"][1]),
        upcoming_total=lists["upcoming"][0],
        expired=entries(lists["expired"][1]),
        expired_total=lists["expired"][0],
        max_rows=RADAR_MAX_ROWS,
    )
