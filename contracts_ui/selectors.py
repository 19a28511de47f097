"""Reads for the pages: which fabric endpoint answers a view, the look-ups (organizations, price
lists) that name what a row refers to (cached in the shared cache), every contract of a list page
by page, and a contract's history in the ledger. Views read through these and nothing lower; a
FabricError raised here reaches the view's error helper (views/rendering.py)."""

import heapq
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial

from django.conf import settings
from django.core.cache import cache

from contracts_ui import fabric
from contracts_ui.audit import queries as audit_queries
from contracts_ui.cache import near
from contracts_ui.fabric.types import (
    CONTRACT_STATUSES,
    MAX_PAGE_SIZE,
    Contract,
    ContractQuery,
    FabricTenant,
    InternalParty,
    InternalPartyLink,
    Organization,
    Page,
    PriceList,
    PriceListLink,
)
from contracts_ui.models import AuditAction, AuditEvent, AuditOutcomeKind

logger = logging.getLogger(__name__)

STATUS_COUNTS_CACHE_SECONDS = 60
# How long the account's organization ids are reused by reads that go organization by organization.
ORGANIZATION_IDS_CACHE_SECONDS = 60
# How long an account is remembered not to answer GET /v1/contracts after it answered 404.
MISSING_ENDPOINT_SECONDS = 24 * 3600
# Every contracts table reads that mark; another process may learn of it seconds late.
near("fabric:no-account-contracts:", 10)
# Enough for a merchant's own units; fabric pages at 100 at most.
INTERNAL_PARTY_CHOICES = 100

type PageFetch = Callable[[int, int], Page[Contract]]


@dataclass(frozen=True)
class ContractRow:
    contract: Contract
    price_list: PriceList | None
    # Shown where rows of several organizations mix (the lookup); None: the id is shown.
    organization_name: str | None = None


@dataclass(frozen=True)
class LedgerRef:
    """How the ledger names a contract: `contract_ref` is fabric's `_id` (`Contract.id`),
    `contract_id` its contractId (the only name a create event knows)."""

    contract_ref: str
    contract_id: str = ""

    @classmethod
    def of(cls, contract: Contract) -> "LedgerRef":
        return cls(contract_ref=contract.id, contract_id=contract.contract_id)

    @classmethod
    def from_url(cls, contract_id: str) -> "LedgerRef":
        # The URL's contract value is fabric's `_id` or a contractId: the ledger is asked for both.
        return cls(contract_ref=contract_id, contract_id=contract_id)


def organization(tenant: FabricTenant, *, organization_id: str) -> Organization:
    """One organization, through the cached look-up."""
    return fabric.get_organization(tenant, organization_id=organization_id)


def organizations(
    tenant: FabricTenant,
    *,
    name: str | None,
    sort_by: str,
    sort_order: str,
    offset: int,
    limit: int,
) -> Page[Organization]:
    """One page of the account's organizations, optionally those whose name contains `name`."""
    return fabric.list_organizations(
        tenant, name=name, sort_by=sort_by, sort_order=sort_order, offset=offset, limit=limit
    )


def contract(
    tenant: FabricTenant, *, organization_id: str, contract_id: str, include_deleted: bool = False
) -> Contract:
    """One contract, by the URL's value (fabric's `_id` or its contractId)."""
    return fabric.get_contract(
        tenant,
        organization_id=organization_id,
        contract_id=contract_id,
        include_deleted=include_deleted,
    )


# How many soft-deleted contracts "Show deleted" and the lookup read back from fabric at most.
DELETED_SHOWN = 25


def deleted_contracts(
    tenant: FabricTenant,
    *,
    organization_id: str | None = None,
    contract_id_contains: str = "",
) -> list[Contract]:
    """Contracts soft-deleted through the console and not restored since, newest first.

    fabric's lists leave deleted contracts out and cannot be asked for them, so the ledger
    says which were deleted (a delete outside the console is not known here); each is then
    read from fabric, which has the last word on whether it is still deleted.
    """
    events = AuditEvent.objects.filter(
        account_id=tenant.account_id,
        action__in=(AuditAction.DELETE, AuditAction.RESTORE),
        outcome__outcome=AuditOutcomeKind.SUCCEEDED,
    )
    if organization_id:
        events = events.filter(organization_id=organization_id)
    if contract_id_contains:
        events = events.filter(contract_id__icontains=contract_id_contains)
    latest: dict[str, tuple[str, str]] = {}
    for ref, organization, action in events.order_by("-id").values_list(
        "contract_ref", "organization_id", "action"
    )[: DELETED_SHOWN * 20]:
        latest.setdefault(ref, (organization, action))
    found = []
    for ref, (organization, action) in latest.items():
        if action != AuditAction.DELETE or len(found) >= DELETED_SHOWN:
            continue
        try:
            record = contract(
                tenant, organization_id=organization, contract_id=ref, include_deleted=True
            )
        except fabric.FabricNotFound:
            continue
        if record.is_deleted:
            found.append(record)
    return found


def organization_contracts(
    tenant: FabricTenant, *, organization_id: str, query: ContractQuery, offset: int, limit: int
) -> Page[Contract]:
    """One page of an organization's contracts, in one fabric call.

    fabric's per-organization list searches by party name only, which inside one organization
    matches all or nothing; a search there means a contract id, which the account-wide list
    answers when narrowed to the organization (where that list is missing: the contract whose
    whole id is the search, read directly). Several statuses: one list per status, merged.
    """
    if query.statuses:
        return organization_page_fetch(tenant, organization_id=organization_id, query=query)(
            offset, limit
        )
    if query.search:
        if not account_list_missing(tenant):
            try:
                return fabric.search_contracts(
                    tenant,
                    query=query,
                    filter_field="partyId",
                    filter_value=organization_id,
                    offset=offset,
                    limit=limit,
                )
            except fabric.FabricNotSupported:
                _remember_account_list_missing(tenant)
        # Without the account-wide list: the contract whose id is the search, if any.
        found = _by_contract_id(tenant, [organization_id], query)
        return _page_of(found, query=query, offset=offset, limit=limit, count=len(found))
    return fabric.list_contracts(
        tenant, organization_id=organization_id, query=query, offset=offset, limit=limit
    )


@dataclass(frozen=True)
class ContractTable:
    """What an organization's contracts table shows of one page."""

    page: Page[Contract]
    rows: list[ContractRow]
    # This search finds whole contract ids only (account_list_missing); False without a search.
    whole_ids_only: bool


def contract_table(
    tenant: FabricTenant, *, organization_id: str, query: ContractQuery, offset: int, limit: int
) -> ContractTable:
    """One page of an organization's contracts as its table shows them. Reads fabric and the
    shared cache only, so a view may start it ahead (fabric.Ahead)."""
    page = organization_contracts(
        tenant, organization_id=organization_id, query=query, offset=offset, limit=limit
    )
    # Asked after the list (which may just have learned it), and only where the page can say it.
    whole_ids_only = bool(query.search) and account_list_missing(tenant)
    return ContractTable(page, contract_rows(tenant, page.items), whole_ids_only)


def account_contracts(
    tenant: FabricTenant, *, query: ContractQuery, offset: int, limit: int
) -> Page[Contract]:
    """One page of contracts across the whole account: GET /v1/contracts, or where this
    account's fabric does not answer it (UNDOCUMENTED) each organization's list, merged.

    A search there finds a whole contract id only (`_by_contract_id`)."""
    if not account_list_missing(tenant):
        try:
            return fabric.search_contracts(tenant, query=query, offset=offset, limit=limit)
        except fabric.FabricNotSupported:
            _remember_account_list_missing(tenant)
    if query.search:
        found = _by_contract_id(tenant, organization_ids(tenant), query)
        return _page_of(found, query=query, offset=offset, limit=limit, count=len(found))
    lists = in_parallel(
        lambda organization_id: _organization_rows(
            tenant, organization_id, query, max_rows=offset + limit
        ),
        organization_ids(tenant),
    )
    return _page_of(
        [contract for _, rows, _ in lists for contract in rows],
        query=query,
        offset=offset,
        limit=limit,
        count=sum(count for count, _, _ in lists),
        unreadable=sum(unreadable for _, _, unreadable in lists),
    )


@dataclass(frozen=True)
class ContractList:
    """The first rows of a contract list, in its sort order, and how many fabric counts."""

    contracts: list[Contract]
    count: int
    unreadable: int = 0  # rows fabric sent that could not be read
    organizations_read: int | None = None  # read organization by organization: how many


def account_contract_list(
    tenant: FabricTenant, *, query: ContractQuery, max_rows: int
) -> ContractList:
    """The first `max_rows` contracts of the account matching `query`, and the total count.

    One call per page of the account-wide list; without it, each organization's list is read
    (side by side within the account's pace, at most `max_rows` rows from each) and the rows
    merged.
    """
    # fabric's own list, not account_contracts: a missing list is met here, at the first page.
    fetch: PageFetch = lambda offset, limit: fabric.search_contracts(  # noqa: E731
        tenant, query=query, offset=offset, limit=limit
    )
    first = None
    if not account_list_missing(tenant):
        try:
            first = first_page(fetch)
        except fabric.FabricNotSupported:
            _remember_account_list_missing(tenant)
    if first is None:
        ids = organization_ids(tenant)
        lists = in_parallel(
            lambda organization_id: _organization_rows(
                tenant, organization_id, query, max_rows=max_rows
            ),
            ids,
        )
        rows = _sorted([contract for _, rows, _ in lists for contract in rows], query)
        return ContractList(
            contracts=rows[:max_rows],
            count=sum(count for count, _, _ in lists),
            unreadable=sum(unreadable for _, _, unreadable in lists),
            organizations_read=len(ids),
        )
    contracts = list(every_contract(fetch, tenant=tenant, first=first, max_rows=max_rows))
    return ContractList(contracts=contracts, count=first.count, unreadable=first.unreadable)


def account_list_missing(tenant: FabricTenant) -> bool:
    """True when this account's fabric is known not to answer GET /v1/contracts: from the
    capabilities fabric_doctor stored, or from a 404 met in the last day."""
    missing_key = fabric.lookup_cache_key("no-account-contracts", tenant, "")
    return "contracts" in tenant.missing or bool(cache.get(missing_key))


def _remember_account_list_missing(tenant: FabricTenant) -> None:
    missing_key = fabric.lookup_cache_key("no-account-contracts", tenant, "")
    cache.set(missing_key, True, MISSING_ENDPOINT_SECONDS)


def organization_ids(tenant: FabricTenant) -> list[str]:
    """Every organization id of the account, through the documented list (pages of 100),
    kept briefly so a page's several reads walk the organizations once."""
    key = fabric.lookup_cache_key("organization-ids", tenant, "")
    ids = cache.get(key)
    if ids is None:
        ids, offset = [], 0
        while True:
            page = fabric.list_organizations(
                tenant, sort_by="name", sort_order="asc", offset=offset, limit=MAX_PAGE_SIZE
            )
            ids.extend(organization.id for organization in page.items)
            if page.end_offset == offset or page.end_offset >= page.count:
                break
            offset = page.end_offset
        ids = list(dict.fromkeys(ids))
        cache.set(key, ids, ORGANIZATION_IDS_CACHE_SECONDS)
    return ids


def in_parallel[T, R](function: Callable[[T], R], items: list[T]) -> list[R]:
    """function(item) for each item, FABRIC_PAGE_CONCURRENCY at a time, results in the items'
    order (fabric.in_parallel: the process's pool, the request's id, the first failure raised).
    The fabric calls they make are held to the account's pace (fabric.paced, fabric.walk)."""
    return fabric.in_parallel(function, items, at_once=settings.FABRIC_PAGE_CONCURRENCY)


def _organization_rows(
    tenant: FabricTenant, organization_id: str, query: ContractQuery, *, max_rows: int
) -> tuple[int, list[Contract], int]:
    """(count, first `max_rows` rows, unreadable rows) of one organization's list."""
    fetch = lambda offset, limit: fabric.list_contracts(  # noqa: E731
        tenant, organization_id=organization_id, query=query, offset=offset, limit=limit
    )
    first = fabric.paced(tenant, lambda: fetch(0, max(1, min(max_rows, MAX_PAGE_SIZE))))
    rows = list(every_contract(fetch, tenant=tenant, first=first, max_rows=max_rows))
    return first.count, rows, first.unreadable


def _by_contract_id(
    tenant: FabricTenant, organization_ids: list[str], query: ContractQuery
) -> list[Contract]:
    """The contracts whose contract id (or `_id`) is exactly the query's search, in each of the
    organizations, that also pass its other filters: one call per organization, since fabric
    documents no search by contract id. A partial id finds nothing this way."""
    search = (query.search or "").strip()

    def read(organization_id: str) -> Contract | None:
        try:
            found = fabric.paced(
                tenant,
                lambda: fabric.get_contract(
                    tenant, organization_id=organization_id, contract_id=search
                ),
            )
        except fabric.FabricNotFound:
            return None
        # fabric reads the path's value as `_id` or contractId; a record of another
        # organization would be fabric's error, not a match.
        return found if found.party_id in (None, organization_id) else None

    found = [contract for contract in in_parallel(read, organization_ids) if contract]
    return [contract for contract in found if _passes(contract, query)]


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(UTC).date() if moment else None


def _passes(contract: Contract, query: ContractQuery) -> bool:
    """The query's status and date filters applied here, as fabric applies them to a list."""
    if query.status and contract.status != query.status:
        return False
    if query.statuses and contract.status not in query.statuses:
        return False
    for moment, first, last in (
        (contract.start_date, query.start_date_from, query.start_date_to),
        (contract.end_date, query.end_date_from, query.end_date_to),
    ):
        day = _day(moment)
        if (first or last) and day is None:
            return False
        if (first and day < first) or (last and day > last):
            return False
    return True


_SORT_VALUES: dict[str, Callable[[Contract], object]] = {
    "contractId": lambda contract: contract.contract_id,
    "organizationName": lambda contract: contract.party_id,
    "startDate": lambda contract: contract.start_date,
    "endDate": lambda contract: contract.end_date,
    "status": lambda contract: contract.status,
    "priceListId": lambda contract: contract.price_list_id,
    "updatedAt": lambda contract: contract.updated_at,
}


def _sorted(contracts: list[Contract], query: ContractQuery) -> list[Contract]:
    """Rows of several lists in the query's order, ties broken by `_id` as fabric breaks them;
    a row without the value sorts after those with it, either way."""
    value = _SORT_VALUES.get(query.sort_by, _SORT_VALUES["updatedAt"])
    rows = sorted(contracts, key=lambda contract: contract.id)
    present = [row for row in rows if value(row) is not None]
    absent = [row for row in rows if value(row) is None]
    present.sort(key=value, reverse=query.sort_order == "desc")
    return present + absent


def _page_of(
    contracts: list[Contract],
    *,
    query: ContractQuery,
    offset: int,
    limit: int,
    count: int,
    unreadable: int = 0,
) -> Page[Contract]:
    """One page cut from rows gathered here, as if fabric had sent it."""
    rows = _sorted(contracts, query)[offset : offset + limit]
    return Page(items=tuple(rows), offset=offset, limit=limit, count=count, unreadable=unreadable)


def organization_page_fetch(
    tenant: FabricTenant, *, organization_id: str, query: ContractQuery
) -> PageFetch:
    """fetch(offset, limit) for an organization's contracts, as the contracts table reads them."""
    fetch = lambda one, offset, limit: organization_contracts(  # noqa: E731
        tenant, organization_id=organization_id, query=one, offset=offset, limit=limit
    )
    if query.statuses:
        return StatusMerge(tenant, fetch, query)
    return lambda offset, limit: fetch(query, offset, limit)


def _merge_key(query: ContractQuery) -> Callable[[Contract], tuple]:
    """The order fabric gives a list in: the sort value, a missing one lowest, ties by `_id`
    in the same direction (as the stand-in and MongoDB sort)."""
    value = _SORT_VALUES.get(query.sort_by, _SORT_VALUES["updatedAt"])

    def key(contract: Contract) -> tuple:
        found = value(contract)
        return (found is not None, found, contract.id)

    return key


class StatusMerge:
    """fetch(offset, limit) over several statuses of one list.

    fabric documents one `status` per list call, so each status is its own list, read from its
    start and merged in the query's order: a page at `offset` reads `offset + limit` rows of
    each (pages of 100 after the first). Pages asked in turn (an export, a bulk selection)
    continue the same walk, so each row is read once.
    """

    def __init__(
        self,
        tenant: FabricTenant,
        fetch: Callable[[ContractQuery, int, int], Page[Contract]],
        query: ContractQuery,
    ) -> None:
        self._tenant, self._fetch, self._query = tenant, fetch, query
        self._merged: Iterator[Contract] | None = None
        self._position = 0
        self._count = 0

    def _start(self, first_size: int) -> None:
        fetches = [
            partial(self._fetch, replace(self._query, status=status, statuses=()))
            for status in self._query.statuses
        ]
        # The statuses' first pages side by side: a table page waits for one round trip.
        firsts = in_parallel(lambda fetch: fetch(0, first_size), fetches)
        # Rows fabric sent that could not be read are not in the merge, nor in its count.
        self._count = sum(first.count - first.unreadable for first in firsts)
        streams = [
            every_contract(fetch, tenant=self._tenant, first=first)
            for fetch, first in zip(fetches, firsts, strict=True)
        ]
        self._merged = heapq.merge(
            *streams, key=_merge_key(self._query), reverse=self._query.sort_order == "desc"
        )
        self._position = 0

    def rows(self, first: Page[Contract], max_rows: int | None) -> Iterator[Contract]:
        """Every row from `first` on, up to the count (or `max_rows`), its pages asked in turn."""
        total = first.count if max_rows is None else min(first.count, max_rows)
        page, read = first, 0
        while True:
            items = page.items[: total - read]
            yield from items
            read += len(items)
            if read >= total or not page.items:
                return
            page = self(page.offset + len(page.items), MAX_PAGE_SIZE)

    def __call__(self, offset: int, limit: int) -> Page[Contract]:
        if self._merged is None or offset < self._position:
            self._start(max(1, min(offset + limit, MAX_PAGE_SIZE)))
        for _ in zip(range(offset - self._position), self._merged, strict=False):
            pass
        items = tuple(contract for _, contract in zip(range(limit), self._merged, strict=False))
        self._position = offset + len(items)
        return Page(items=items, offset=offset, limit=limit, count=self._count)


def account_page_fetch(tenant: FabricTenant, *, query: ContractQuery) -> PageFetch:
    """fetch(offset, limit) for contracts across the whole account (account_contracts: fabric's
    account-wide list, or each organization's where that list is missing)."""
    return lambda offset, limit: account_contracts(tenant, query=query, offset=offset, limit=limit)


def first_page(fetch: PageFetch) -> Page[Contract]:
    """The first full-size page: it says how many rows follow, and fails before any is sent."""
    return fetch(0, MAX_PAGE_SIZE)


def every_contract(
    fetch: PageFetch,
    *,
    tenant: FabricTenant,
    first: Page[Contract],
    max_rows: int | None = None,
) -> Iterator[Contract]:
    """Every contract of a list, starting with the page already fetched, in fabric's order: one
    call per further page of 100, each row fetched once, FABRIC_PAGE_CONCURRENCY pages at a time
    within the account's pace (fabric.walk). Stops at the count fabric first gave."""
    if isinstance(fetch, StatusMerge):
        # Its pages continue one merge of the statuses' walks (each several pages at a time):
        # they are asked in turn, never side by side.
        return fetch.rows(first, max_rows)
    return fabric.walk(tenant, fetch, first=first, max_rows=max_rows)


def organization_status_counts(tenant: FabricTenant, *, organization_id: str) -> dict[str, int]:
    """{status: number of live contracts} for one organization: one limit=1 call per status,
    cached briefly since the counts are an overview, not a ledger."""
    key = fabric.lookup_cache_key("status-counts", tenant, organization_id)
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


def organization_names(
    tenant: FabricTenant, *, organization_ids: Iterable[str], limit: int
) -> dict[str, str]:
    """{id: name} of the first `limit` distinct ids, through the cached look-up; an organization
    fabric cannot name is left out (the page shows its id)."""
    names = {}
    for organization_id in list(dict.fromkeys(organization_ids))[:limit]:
        try:
            names[organization_id] = organization(tenant, organization_id=organization_id).name
        except fabric.FabricError:
            logger.warning("organization name unavailable for %s", organization_id)
    return names


# How many organizations a page's names are read from at most (the list, 100 a call).
ORGANIZATION_NAMES_MAX = 1000


def organization_names_of(
    tenant: FabricTenant, *, organization_ids: Iterable[str]
) -> dict[str, str]:
    """{id: name} for rows of many organizations (the audit log), in one batched read.

    Names the cached one-organization look-ups already hold are used as they are; for the rest
    the account's organization list is read once (pages of 100, at most ORGANIZATION_NAMES_MAX
    organizations) and kept for FABRIC_LOOKUP_CACHE_SECONDS, never one call per row. An id
    fabric cannot name is left out (the page shows the id); a failing fabric leaves them all.
    """
    wanted = [
        organization_id for organization_id in dict.fromkeys(organization_ids) if organization_id
    ]
    keys = {fabric.lookup_cache_key("organization", tenant, id_): id_ for id_ in wanted}
    names = {keys[key]: found.name for key, found in cache.get_many(list(keys)).items()}
    if all(id_ in names for id_ in wanted):
        return names
    key = fabric.lookup_cache_key("organization-names", tenant, "")
    every = cache.get(key)
    if every is None:
        every, offset = {}, 0
        try:
            while offset < ORGANIZATION_NAMES_MAX:
                page = fabric.list_organizations(
                    tenant, sort_by="name", sort_order="asc", offset=offset, limit=MAX_PAGE_SIZE
                )
                every.update((found.id, found.name) for found in page.items)
                if page.end_offset == offset or page.end_offset >= page.count:
                    break
                offset = page.end_offset
        except fabric.FabricError:
            logger.warning("organization names unavailable for account %s", tenant.account_id)
            return names
        cache.set(key, every, settings.FABRIC_LOOKUP_CACHE_SECONDS)
    return names | {id_: every[id_] for id_ in wanted if id_ not in names and id_ in every}


def organizations_named(tenant: FabricTenant, *, name: str) -> dict[str, str]:
    """{id: name} of the organizations whose name contains `name` (fabric's partial match on
    its documented list), the first 100 by name."""
    page = fabric.list_organizations(
        tenant, name=name, sort_by="name", sort_order="asc", limit=MAX_PAGE_SIZE
    )
    return {found.id: found.name for found in page.items}


def price_list_links(
    tenant: FabricTenant, contract: Contract
) -> list[tuple[PriceListLink, PriceList | None]]:
    """A contract's price-list links, each with its price list when fabric knows it."""
    try:
        price_lists = fabric.get_price_lists(
            tenant, price_list_ids=[link.price_list_id for link in contract.price_lists]
        )
    except fabric.FabricError:
        logger.warning("price list names unavailable for contract %s", contract.id)
        price_lists = {}
    return [(link, price_lists.get(link.price_list_id)) for link in contract.price_lists]


# The picker offers at most this many price lists (fabric's list, walked 100 at a time).
PICKER_MAX_PRICE_LISTS = 500
PICKER_MAX_CHOICES = 20


def offered_price_lists(tenant: FabricTenant) -> list[PriceList]:
    """The price lists a contract may be linked to: not expired, not deleted; cached for
    FABRIC_LOOKUP_CACHE_SECONDS, so typing in the picker asks fabric once."""
    key = fabric.lookup_cache_key("price-lists-offered", tenant, "all")
    offered = cache.get(key)
    if offered is None:
        found: list[PriceList] = []
        offset = 0
        while offset < PICKER_MAX_PRICE_LISTS:
            page = fabric.list_price_lists(tenant, not_expired=True, offset=offset, limit=100)
            found.extend(page.items)
            offset = page.offset + page.limit
            if not page.items or offset >= page.count:
                break
        offered = [price_list for price_list in found if not price_list.deleted]
        cache.set(key, offered, settings.FABRIC_LOOKUP_CACHE_SECONDS)
    return offered


def price_list_choices(tenant: FabricTenant, text: str) -> list[PriceList]:
    """The offered price lists whose name or id contains `text` (any case), by name."""
    wanted = text.strip().casefold()
    return [
        price_list
        for price_list in offered_price_lists(tenant)
        if wanted in price_list.name.casefold() or wanted in str(price_list.price_list_id)
    ][:PICKER_MAX_CHOICES]


# The contract-type suggestions come from this many of the most recently changed contracts.
CONTRACT_TYPE_SAMPLE = 500
CONTRACT_TYPE_CHOICES = 100


def contract_types(tenant: FabricTenant, *, organization_id: str) -> list[str]:
    """The contract types already in use, for the forms' suggestions, by name.

    fabric has no list of types: they are gathered from the CONTRACT_TYPE_SAMPLE most recently
    changed contracts of the account (GET /v1/contracts), or of the organization where this
    fabric lacks the account-wide list; cached for FABRIC_LOOKUP_CACHE_SECONDS. A failure
    leaves the suggestions empty: the field still takes any text.
    """
    query = ContractQuery(sort_by="updatedAt", sort_order="desc")
    account_wide = not account_list_missing(tenant)
    key = fabric.lookup_cache_key(
        "contract-types", tenant, "" if account_wide else f"organization:{organization_id}"
    )
    found = cache.get(key)
    if found is not None:
        return found
    fetch: PageFetch = organization_page_fetch(tenant, organization_id=organization_id, query=query)
    if account_wide:
        fetch = lambda offset, limit: fabric.search_contracts(  # noqa: E731
            tenant, query=query, offset=offset, limit=limit
        )
    try:
        try:
            first = first_page(fetch)
        except fabric.FabricNotSupported:
            _remember_account_list_missing(tenant)
            return contract_types(tenant, organization_id=organization_id)
        types = {
            contract.contract_type.strip()
            for contract in every_contract(
                fetch, tenant=tenant, first=first, max_rows=CONTRACT_TYPE_SAMPLE
            )
            if contract.contract_type and contract.contract_type.strip()
        }
    except fabric.FabricError:
        logger.warning("contract types unavailable for account %s", tenant.account_id)
        return []
    found = sorted(types, key=str.casefold)[:CONTRACT_TYPE_CHOICES]
    cache.set(key, found, settings.FABRIC_LOOKUP_CACHE_SECONDS)
    return found


def contract_rows(tenant: FabricTenant, contracts: tuple[Contract, ...]) -> list[ContractRow]:
    """Each contract with its linked price list, looked up once per page through the cache."""
    price_list_ids = {c.price_list_id for c in contracts if c.price_list_id is not None}
    try:
        price_lists = fabric.get_price_lists(tenant, price_list_ids=price_list_ids)
    except fabric.FabricError:
        # Names are a nicety: the table still shows the price-list ids without them.
        logger.warning("price list names unavailable for %d ids", len(price_list_ids))
        price_lists = {}
    return [ContractRow(contract=c, price_list=price_lists.get(c.price_list_id)) for c in contracts]


# Names looked up for one page of lookup results at most (each is one cached fabric read).
LOOKUP_MAX_NAME_LOOKUPS = 50


def named_contract_rows(tenant: FabricTenant, contracts: tuple[Contract, ...]) -> list[ContractRow]:
    """contract_rows, each with its organization's name (rows of several organizations)."""
    names = organization_names(
        tenant,
        organization_ids=[c.party_id for c in contracts if c.party_id],
        limit=LOOKUP_MAX_NAME_LOOKUPS,
    )
    return [
        ContractRow(row.contract, row.price_list, names.get(row.contract.party_id or ""))
        for row in contract_rows(tenant, contracts)
    ]


def contract_history(account_id: str, ref: LedgerRef) -> list[AuditEvent]:
    """The last changes the ledger holds for one contract, newest first."""
    return audit_queries.contract_history_events(
        account_id=account_id, contract_ref=ref.contract_ref, contract_id=ref.contract_id
    )


def internal_parties(tenant: FabricTenant) -> tuple[InternalParty, ...]:
    """The merchant's internal parties that may be linked (the first INTERNAL_PARTY_CHOICES)."""
    return fabric.list_internal_parties(tenant, limit=INTERNAL_PARTY_CHOICES).items


@dataclass(frozen=True)
class OrganizationParties:
    """What the internal-parties page shows. Its two lists are read apart, so one fabric cannot
    answer (listing links is UNDOCUMENTED) leaves the other and the forms in place."""

    organization: Organization
    # None when the links could not be listed (`links_error` says why).
    linked: list[tuple[InternalPartyLink, InternalParty | None]] | None
    unlinked: list[InternalParty]  # the choices of the link form
    parties: tuple[InternalParty, ...]  # every internal party read
    links_error: fabric.FabricError | None = None
    parties_error: fabric.FabricError | None = None


def organization_parties(tenant: FabricTenant, *, organization_id: str) -> OrganizationParties:
    """An organization's internal-party links, each with its party, and the parties not linked.

    Without the list of links every internal party is a choice, to link or to unlink."""
    found = organization(tenant, organization_id=organization_id)
    links, links_error = None, None
    try:
        links = fabric.list_internal_party_links(tenant, party_id=organization_id)
    except fabric.FabricError as error:
        links_error = error
    parties, parties_error = (), None
    try:
        parties = internal_parties(tenant)
    except fabric.FabricError as error:
        parties_error = error
    by_id = {party.id: party for party in parties}
    linked_ids = {link.internal_party_id for link in links or () if not link.is_deleted}
    return OrganizationParties(
        organization=found,
        linked=None
        if links is None
        else [(link, by_id.get(link.internal_party_id)) for link in links],
        unlinked=[party for party in parties if party.id not in linked_ids],
        parties=parties,
        links_error=links_error,
        parties_error=parties_error,
    )


@dataclass(frozen=True)
class Selected:
    """A contract chosen for a bulk change: the value it was ticked by (its `_id`), fabric's
    record now (None when fabric no longer has it in the organization) and the updatedAt the
    user saw when ticking it (None for "all matching", read now)."""

    ref: str
    contract: Contract | None
    updated_at: str | None


def bulk_selection(
    tenant: FabricTenant,
    *,
    organization_id: str,
    ticked: list[tuple[str, str | None]] | None = None,
    query: ContractQuery | None = None,
    max_rows: int,
) -> Iterator[Selected]:
    """The contracts a bulk change is planned for: one GET per ticked contract (soft-deleted
    ones too, so the preview can say so; one fabric answers 404 for comes without its record),
    or the filter's list 100 at a time."""
    if ticked is not None:
        for contract_id, updated_at in ticked[:max_rows]:
            try:
                found = contract(
                    tenant,
                    organization_id=organization_id,
                    contract_id=contract_id,
                    include_deleted=True,
                )
            except fabric.FabricNotFound:
                found = None
            yield Selected(contract_id, found, updated_at)
        return
    fetch = organization_page_fetch(tenant, organization_id=organization_id, query=query)
    for item in every_contract(fetch, tenant=tenant, first=first_page(fetch), max_rows=max_rows):
        yield Selected(item.id, item, None)
