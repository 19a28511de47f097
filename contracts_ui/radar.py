"""The account's expiry radar: ACTIVE contracts ending within 90 days, in buckets, and those
already past their end date. Reads go through contracts_ui.selectors."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from contracts_ui import selectors
from contracts_ui.fabric.types import Contract, ContractQuery, FabricTenant

RADAR_MAX_ROWS = 500
# Names of at most this many organizations are looked up for the radar; the rest show their id.
RADAR_MAX_NAME_LOOKUPS = 50
# (label, first day, last day): calendar days in UTC from today to the end date, both inclusive.
RADAR_BUCKETS = (("0–30 days", 0, 30), ("31–60 days", 31, 60), ("61–90 days", 61, 90))
_EARLIEST = date(1, 1, 1)


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
    unreadable: int = 0  # rows fabric sent that could not be read, left out
    # Set when fabric has no account-wide contract list: how many organizations' lists were read.
    organizations_read: int | None = None


def _active_ending(first_day: date, last_day: date) -> ContractQuery:
    # fabric's end-date filter is inclusive, and a date alone as `To` includes that whole day.
    return ContractQuery(
        status="ACTIVE",
        end_date_from=first_day,
        end_date_to=last_day,
        sort_by="endDate",
        sort_order="asc",
    )


def expiry_radar(tenant: FabricTenant, *, today: date) -> ExpiryRadar:
    """ACTIVE contracts ending within 90 days and those past their end date, across the account.

    Bucket counts come from fabric's count for each bucket's date range (one limit=1 call each),
    so they stay exact when the lists are capped at RADAR_MAX_ROWS. Without the account-wide
    list each of those reads goes organization by organization (selectors.account_contracts).
    """
    buckets = tuple(
        RadarBucket(
            label=label,
            first_day=first_day,
            last_day=last_day,
            count=selectors.account_contracts(
                tenant,
                query=_active_ending(
                    today + timedelta(days=first_day), today + timedelta(days=last_day)
                ),
                offset=0,
                limit=1,
            ).count,
        )
        for label, first_day, last_day in RADAR_BUCKETS
    )
    lists = {
        name: selectors.account_contract_list(
            tenant, query=_active_ending(first_day, last_day), max_rows=RADAR_MAX_ROWS
        )
        for name, first_day, last_day in (
            ("upcoming", today, today + timedelta(days=RADAR_BUCKETS[-1][2])),
            ("expired", _EARLIEST, today - timedelta(days=1)),
        )
    }
    names = selectors.organization_names(
        tenant,
        organization_ids=(
            c.party_id for found in lists.values() for c in found.contracts if c.party_id
        ),
        limit=RADAR_MAX_NAME_LOOKUPS,
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
        upcoming=entries(lists["upcoming"].contracts),
        upcoming_total=lists["upcoming"].count,
        expired=entries(lists["expired"].contracts),
        expired_total=lists["expired"].count,
        max_rows=RADAR_MAX_ROWS,
        unreadable=sum(found.unreadable for found in lists.values()),
        organizations_read=lists["upcoming"].organizations_read,
    )
