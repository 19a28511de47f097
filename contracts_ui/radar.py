"""The expiry radar: ACTIVE contracts ending within 90 days, in buckets, and those already past
their end date, across the account or for one organization. Reads go through
contracts_ui.selectors."""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from urllib.parse import parse_qsl, urlencode

from contracts_ui import selectors
from contracts_ui.fabric.types import Contract, ContractQuery, FabricTenant

RADAR_MAX_ROWS = 500
# Names of at most this many organizations are looked up for the radar; the rest show their id.
RADAR_MAX_NAME_LOOKUPS = 50
_EARLIEST = date(1, 1, 1)


@dataclass(frozen=True)
class RadarWindow:
    """A stretch of end dates, in calendar days (UTC) from today, both inclusive; no first day
    means "ever since"."""

    slug: str  # in URLs: 0-30, 31-60, 61-90, expired
    label: str
    first_day: int | None
    last_day: int

    def dates(self, today: date) -> tuple[date, date]:
        first = _EARLIEST if self.first_day is None else today + timedelta(days=self.first_day)
        return first, today + timedelta(days=self.last_day)

    def query(self, today: date) -> ContractQuery:
        # fabric's end-date filter is inclusive, and a date alone as `To` includes that whole day.
        first, last = self.dates(today)
        return ContractQuery(
            status="ACTIVE",
            end_date_from=first,
            end_date_to=last,
            sort_by="endDate",
            sort_order="asc",
        )

    def filter_query_string(self, today: date) -> str:
        """The contracts table's filters (contracts_ui.forms.filters) for exactly this window."""
        first, last = self.dates(today)
        query = {"status": "ACTIVE", "end_to": last.isoformat(), "sort": "endDate", "order": "asc"}
        if self.first_day is not None:
            query["end_from"] = first.isoformat()
        return urlencode(query)

    def description(self, today: date) -> str:
        first, last = self.dates(today)
        if self.first_day is None:
            return f"past their end date (ended on or before {last.isoformat()})"
        return f"ending in {self.label} ({first.isoformat()} to {last.isoformat()})"


# Calendar days in UTC from today to the end date, both inclusive.
RADAR_BUCKETS = (
    RadarWindow("0-30", "0–30 days", 0, 30),
    RadarWindow("31-60", "31–60 days", 31, 60),
    RadarWindow("61-90", "61–90 days", 61, 90),
)
EXPIRED = RadarWindow("expired", "past end date", None, -1)
UPCOMING = RadarWindow("0-90", "0–90 days", 0, 90)


_ORGANIZATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def organization_id_from_query(value: str) -> str | None:
    """The `organization` of a radar URL: "" for the whole account, None when it cannot be an id
    (it is then never sent to fabric)."""
    return value if not value or _ORGANIZATION_ID.fullmatch(value) else None


def bucket_by_slug(slug: str) -> RadarWindow | None:
    """The bucket a URL names (a radar bucket or the expired list); None for anything else."""
    return {window.slug: window for window in (*RADAR_BUCKETS, EXPIRED)}.get(slug)


def days_until(moment: datetime, *, today: date) -> int:
    """Calendar days in UTC from today to the moment's day (0 on the day itself)."""
    return (moment.astimezone(UTC).date() - today).days


def radar_bucket(days: int) -> str | None:
    """The bucket label for a number of days left; None when expired or beyond 90 days."""
    for window in RADAR_BUCKETS:
        if window.first_day <= days <= window.last_day:
            return window.label
    return None


@dataclass(frozen=True)
class RadarBucket:
    window: RadarWindow
    count: int
    filter_query: str  # the contracts table's query string for this bucket

    @property
    def slug(self) -> str:
        return self.window.slug

    @property
    def label(self) -> str:
        return self.window.label


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
    organization_id: str  # "" for the whole account
    buckets: tuple[RadarBucket, ...]
    expired_bucket: RadarBucket
    upcoming: tuple[RadarEntry, ...]
    upcoming_total: int
    expired: tuple[RadarEntry, ...]
    expired_total: int
    max_rows: int
    unreadable: int = 0  # rows fabric sent that could not be read, left out
    # Set when fabric has no account-wide contract list: how many organizations' lists were read.
    organizations_read: int | None = None


def bucket_fetch(
    tenant: FabricTenant, window: RadarWindow, *, today: date, organization_id: str = ""
) -> selectors.PageFetch:
    """fetch(offset, limit) for the window's ACTIVE contracts: one organization's or the
    account's, by end date."""
    if organization_id:
        return selectors.organization_page_fetch(
            tenant, organization_id=organization_id, query=window.query(today)
        )
    return selectors.account_page_fetch(tenant, query=window.query(today))


def _entries(
    tenant: FabricTenant, lists: list[list[Contract]], *, today: date
) -> list[tuple[RadarEntry, ...]]:
    """Each list's contracts as radar rows, organizations named through the cached look-up."""
    names = selectors.organization_names(
        tenant,
        organization_ids=(c.party_id for contracts in lists for c in contracts if c.party_id),
        limit=RADAR_MAX_NAME_LOOKUPS,
    )
    return [
        tuple(
            RadarEntry(
                contract=contract,
                days=(days := days_until(contract.end_date, today=today)),
                bucket=radar_bucket(days),
                organization_name=names.get(contract.party_id or "", ""),
            )
            for contract in contracts
            if contract.end_date is not None
        )
        for contracts in lists
    ]


def _listed(
    tenant: FabricTenant, window: RadarWindow, *, today: date, organization_id: str
) -> selectors.ContractList:
    """The window's first RADAR_MAX_ROWS contracts by end date and their count. Account-wide,
    selectors.account_contract_list reads organization by organization where fabric has no
    account-wide list."""
    if not organization_id:
        return selectors.account_contract_list(
            tenant, query=window.query(today), max_rows=RADAR_MAX_ROWS
        )
    fetch = bucket_fetch(tenant, window, today=today, organization_id=organization_id)
    first = selectors.first_page(fetch)
    contracts = list(
        selectors.every_contract(fetch, tenant=tenant, first=first, max_rows=RADAR_MAX_ROWS)
    )
    return selectors.ContractList(
        contracts=contracts, count=first.count, unreadable=first.unreadable
    )


@dataclass(frozen=True)
class BucketList:
    """The contracts of one bucket, as its own page shows them."""

    window: RadarWindow
    today: date
    organization_id: str
    entries: tuple[RadarEntry, ...]
    total: int

    @property
    def description(self) -> str:
        return self.window.description(self.today)


def bucket_list(
    tenant: FabricTenant, window: RadarWindow, *, today: date, organization_id: str = ""
) -> BucketList:
    """The window's ACTIVE contracts (the first RADAR_MAX_ROWS by end date) and their count."""
    found = _listed(tenant, window, today=today, organization_id=organization_id)
    [entries] = _entries(tenant, [found.contracts], today=today)
    return BucketList(window, today, organization_id, entries, found.count)


def expiry_radar(tenant: FabricTenant, *, today: date, organization_id: str = "") -> ExpiryRadar:
    """ACTIVE contracts ending within 90 days and those past their end date, across the account
    or for one organization.

    Bucket counts come from fabric's count for each bucket's date range (one limit=1 call each),
    so they stay exact when the lists are capped at RADAR_MAX_ROWS. Without the account-wide
    list each of those reads goes organization by organization (selectors.account_contracts).
    """

    def bucket(window: RadarWindow) -> RadarBucket:
        count = bucket_fetch(tenant, window, today=today, organization_id=organization_id)(0, 1)
        return RadarBucket(window, count.count, window.filter_query_string(today))

    def listed(window: RadarWindow) -> selectors.ContractList:
        return _listed(tenant, window, today=today, organization_id=organization_id)

    # The three counts and the two lists are independent reads: at fabric's latency they are
    # read side by side, not one after the other.
    *buckets, upcoming, expired = selectors.in_parallel(
        lambda read: read(),
        [
            *(partial(bucket, window) for window in RADAR_BUCKETS),
            partial(listed, UPCOMING),
            partial(listed, EXPIRED),
        ],
    )
    upcoming_entries, expired_entries = _entries(
        tenant, [upcoming.contracts, expired.contracts], today=today
    )
    return ExpiryRadar(
        today=today,
        organization_id=organization_id,
        buckets=tuple(buckets),
        expired_bucket=RadarBucket(EXPIRED, expired.count, EXPIRED.filter_query_string(today)),
        upcoming=upcoming_entries,
        upcoming_total=upcoming.count,
        expired=expired_entries,
        expired_total=expired.count,
        max_rows=RADAR_MAX_ROWS,
        unreadable=upcoming.unreadable + expired.unreadable,
        organizations_read=upcoming.organizations_read,
    )


@dataclass(frozen=True)
class BucketSelection:
    """One organization's contracts in a bucket, as a bulk change selects them: the contracts
    table's filter for the window (end date first, so a cap keeps the soonest) and its count."""

    window: RadarWindow
    today: date
    organization_id: str
    count: int

    @property
    def description(self) -> str:
        return self.window.description(self.today)

    @property
    def query_string(self) -> str:
        return self.window.filter_query_string(self.today)

    def filters(self) -> list[tuple[str, str]]:
        """The table filter's fields, posted beside the bulk form's "all matching"."""
        return parse_qsl(self.query_string)


def bucket_selection(
    tenant: FabricTenant, window: RadarWindow, *, today: date, organization_id: str
) -> BucketSelection:
    """How many of the organization's ACTIVE contracts are in the window (fabric's count)."""
    count = bucket_fetch(tenant, window, today=today, organization_id=organization_id)(0, 1).count
    return BucketSelection(window, today, organization_id, count)


@dataclass(frozen=True)
class BucketOrganization:
    organization_id: str
    name: str
    listed: int  # of the bucket's listed contracts; all of them when the list is complete


@dataclass(frozen=True)
class BucketOrganizations:
    """An account-wide bucket's organizations: a bulk change writes one organization's
    contracts, so an account-wide bucket is selected organization by organization."""

    bucket: BucketList
    organizations: tuple[BucketOrganization, ...]

    @property
    def complete(self) -> bool:
        """Whether every contract of the bucket was listed (the counts are then exact)."""
        return self.bucket.total <= len(self.bucket.entries)


def bucket_organizations(
    tenant: FabricTenant, window: RadarWindow, *, today: date
) -> BucketOrganizations:
    """The organizations of the bucket's listed contracts (the first RADAR_MAX_ROWS by end
    date), most contracts first."""
    found = bucket_list(tenant, window, today=today)
    listed = Counter(entry.contract.party_id for entry in found.entries if entry.contract.party_id)
    names = {entry.contract.party_id: entry.organization_name for entry in found.entries}
    organizations = tuple(
        BucketOrganization(organization_id, names.get(organization_id) or organization_id, count)
        for organization_id, count in sorted(
            listed.items(), key=lambda pair: (-pair[1], (names.get(pair[0]) or pair[0]).lower())
        )
    )
    return BucketOrganizations(found, organizations)
