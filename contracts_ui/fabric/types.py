"""fabric's records as frozen dataclasses, each parsed from fabric's JSON by `from_api`.

A contract and the records inside it have slots: a 50-row page builds 100 of them, and a frozen
dataclass without slots took half as long again to make. The others keep their __dict__: an
Organization or a PriceList is pickled into the shared cache, and a layout changed between two
releases would read the older one's entries back wrong (tests/fabric/test_types.py).

Parsing is tolerant of absent optional fields; a missing `_id` or a value of the wrong kind
raises (KeyError, TypeError, ValueError), which the client reports as FabricBadResponse.
"""

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Self

from contracts_ui.fabric.values import (
    flag,
    format_datetime,
    integer,
    mapping,
    optional_text,
    parse_datetime,
    text,
)

logger = logging.getLogger("contracts_ui.fabric")

CONTRACT_STATUSES = ("ACTIVE", "DRAFT", "INACTIVE")
MAX_PAGE_SIZE = 100
# The endpoints the console uses that no public fabric page describes (REFERENCE.md §7), by the
# names FabricTenant.missing and the stored capabilities use.
ENDPOINTS_UNDOCUMENTED = {
    "organization": "GET /v1/organizations/{organizationId}",
    "contracts": "GET /v1/contracts",
    "internal_party_links": "GET /v1/internalParties-party",
}


@dataclass(frozen=True)
class FabricTenant:
    """One fabric account, the API client the console uses for it, and where it is reached.

    An empty `base_url` or `token_url` means the environment's FABRIC_BASE_URL, or
    FABRIC_AUTH_URL plus /v1/token. `max_page_size` is the largest list `limit` this account's
    fabric accepts, when known; `missing` names the UNDOCUMENTED endpoints (ENDPOINTS_UNDOCUMENTED)
    it does not answer. fabric_doctor finds both.
    """

    account_id: str
    client_id: str
    client_secret: str = field(repr=False)
    stage: str = ""
    channel: int | None = None
    base_url: str = ""
    token_url: str = ""
    max_page_size: int | None = None
    missing: frozenset[str] = frozenset()

    def site_context(self) -> str:
        """The x-site-context header: compact JSON naming the account (and stage/channel)."""
        context: dict[str, Any] = {"account": self.account_id}
        if self.stage:
            context["stage"] = self.stage
        if self.channel is not None:
            context["channel"] = self.channel
        return json.dumps(context, separators=(",", ":"))


@dataclass(frozen=True)
class Page[T]:
    """One page of a fabric list: the items and where they sit in the whole result.

    `unreadable` counts the rows fabric sent that could not be read and are left out, so one
    malformed record never hides the others (the page can say how many are missing).
    """

    items: tuple[T, ...]
    offset: int
    limit: int
    count: int
    unreadable: int = 0

    @classmethod
    def from_api(
        cls, data: Mapping, item: Callable[[Mapping], T], *, offset: int = 0, limit: int = 10
    ) -> "Page[T]":
        """Parse fabric's `{"query": {offset, limit, count}, "data": [...]}` envelope."""
        rows = data.get("data")
        if not isinstance(rows, list):
            raise TypeError("a list response has no `data` list")
        query = data.get("query") or {}
        offset = integer(query.get("offset", offset))
        items = []
        for position, row in enumerate(rows):
            try:
                items.append(item(row))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                logger.warning(
                    "fabric list row %d skipped: %s: %s",
                    offset + position,
                    type(exc).__name__,
                    str(exc)[:200],
                )
        return cls(
            items=tuple(items),
            offset=offset,
            limit=integer(query.get("limit", limit)),
            count=integer(query.get("count", offset + len(rows))),
            unreadable=len(rows) - len(items),
        )

    @property
    def has_next(self) -> bool:
        return self.offset + max(self.limit, 1) < self.count

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def next_offset(self) -> int | None:
        return self.offset + max(self.limit, 1) if self.has_next else None

    @property
    def previous_offset(self) -> int | None:
        return max(self.offset - max(self.limit, 1), 0) if self.has_previous else None

    @property
    def end_offset(self) -> int:
        """The offset of the row after this page's rows, unreadable ones included: where the
        next page of a walk through the whole list starts."""
        return self.offset + len(self.items) + self.unreadable

    @property
    def first_number(self) -> int:
        """1-based position of the first item; 0 for an empty page."""
        return self.offset + 1 if self.items else 0

    @property
    def last_number(self) -> int:
        return self.offset + len(self.items)

    # The 1-based page numbers below bear the names of Django's Page, so one pager template
    # (includes/pager_nav.html) serves both.
    @property
    def number(self) -> int:
        return self.offset // max(self.limit, 1) + 1

    @property
    def num_pages(self) -> int:
        return max(-(-self.count // max(self.limit, 1)), 1)

    @property
    def previous_page_number(self) -> int:
        return max(self.number - 1, 1)

    @property
    def next_page_number(self) -> int:
        return self.number + 1


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    email: str
    party_type: str
    is_active: bool
    parent_party_id: str | None
    additional_attributes: Mapping = field(hash=False)
    is_deleted: bool
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_api(cls, data: Mapping) -> Self:
        return cls(
            id=str(data["_id"]),
            name=text(data.get("name")),
            email=text(data.get("email")),
            party_type=text(data.get("partyType")),
            is_active=flag(data.get("isActive"), default=True),
            parent_party_id=optional_text(data.get("parentPartyId")),
            additional_attributes=mapping(data.get("additionalAttributes")),
            is_deleted=flag(data.get("isDeleted")),
            created_at=parse_datetime(data.get("createdAt")),
            updated_at=parse_datetime(data.get("updatedAt")),
        )


@dataclass(frozen=True, slots=True)
class Party:
    """The organization as a contract embeds it (`party` on GET)."""

    parent_party_id: str | None
    name: str
    party_type: str
    is_active: str  # fabric's own example sends a string here ("O"), so it is kept as sent
    email: str
    additional_attributes: Mapping = field(hash=False)

    @classmethod
    def from_api(cls, data: Mapping) -> Self:
        is_active = data.get("isActive")
        return cls(
            parent_party_id=optional_text(data.get("parentPartyId")),
            name=text(data.get("name")),
            party_type=text(data.get("partyType")),
            is_active=str(is_active).lower() if isinstance(is_active, bool) else text(is_active),
            email=text(data.get("email")),
            additional_attributes=mapping(data.get("additionalAttributes")),
        )


@dataclass(frozen=True, slots=True)
class PriceListLink:
    """A contract's link to a price list; `contract_ref` is the contract's `_id`."""

    id: str
    contract_ref: str
    price_list_id: int
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_api(cls, data: Mapping) -> Self:
        return cls(
            id=text(data.get("_id")),
            contract_ref=text(data.get("contractId")),
            price_list_id=integer(data["priceListId"]),
            created_at=parse_datetime(data.get("createdAt")),
            updated_at=parse_datetime(data.get("updatedAt")),
        )


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    contract_id: str
    party_id: str | None
    address_id: str | None
    account_id: str | None
    contract_type: str
    status: str
    start_date: datetime | None
    end_date: datetime | None
    on_contract: bool
    promotion_stacking: bool
    additional_attributes: Mapping = field(hash=False)
    is_deleted: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    price_lists: tuple[PriceListLink, ...] = ()
    party: Party | None = None
    raw: Mapping = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Mapping) -> Self:
        links = data.get("priceLists")
        if links is None:
            single = data.get("contractPriceList")
            links = [single] if single else []
        if not isinstance(links, list):
            raise TypeError("priceLists is not a list")
        party = data.get("party")
        return cls(
            id=str(data["_id"]),
            contract_id=text(data.get("contractId")),
            party_id=optional_text(data.get("partyId")),
            address_id=optional_text(data.get("addressId")),
            account_id=optional_text(data.get("accountId")),
            contract_type=text(data.get("contractType")),
            status=text(data.get("status")),
            start_date=parse_datetime(data.get("startDate")),
            end_date=parse_datetime(data.get("endDate")),
            on_contract=flag(data.get("onContract")),
            promotion_stacking=flag(data.get("promotionStacking")),
            additional_attributes=mapping(data.get("additionalAttributes")),
            is_deleted=flag(data.get("isDeleted")),
            created_at=parse_datetime(data.get("createdAt")),
            updated_at=parse_datetime(data.get("updatedAt")),
            price_lists=tuple(PriceListLink.from_api(link) for link in links),
            party=Party.from_api(party) if isinstance(party, Mapping) else None,
            raw=dict(data),
        )

    @property
    def price_list_id(self) -> int | None:
        """The currently linked price list: the most recently updated link, if any."""
        if not self.price_lists:
            return None
        oldest = datetime.min.replace(tzinfo=UTC)
        latest = max(
            enumerate(self.price_lists),
            key=lambda pair: (pair[1].updated_at or pair[1].created_at or oldest, pair[0]),
        )
        return latest[1].price_list_id

    def editable_state(self) -> dict:
        """The fields a form edits, under fabric's names and in fabric's formats."""
        return {
            "startDate": format_datetime(self.start_date),
            "endDate": format_datetime(self.end_date),
            "status": self.status,
            "contractType": self.contract_type,
            "priceListId": self.price_list_id,
            "onContract": self.on_contract,
            "promotionStacking": self.promotion_stacking,
            "additionalAttributes": dict(self.additional_attributes),
        }


@dataclass(frozen=True)
class PriceList:
    id: str
    price_list_id: int
    name: str
    is_default: bool
    currency: str
    start_date: datetime | None
    end_date: datetime | None
    deleted: bool
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_api(cls, data: Mapping) -> Self:
        return cls(
            id=text(data.get("_id")),
            price_list_id=integer(data["priceListId"]),
            name=text(data.get("name")),
            is_default=flag(data.get("isDefault")),
            currency=text(data.get("currency")),
            start_date=parse_datetime(data.get("startDate")),
            end_date=parse_datetime(data.get("endDate")),
            deleted=flag(data.get("deleted")),
            created_at=parse_datetime(data.get("createdAt")),
            updated_at=parse_datetime(data.get("updatedAt")),
        )


@dataclass(frozen=True)
class InternalParty:
    """One of the merchant's own staff or units."""

    id: str
    name: str
    email: str
    is_active: bool
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_api(cls, data: Mapping) -> Self:
        return cls(
            id=str(data["_id"]),
            name=text(data.get("name")),
            email=text(data.get("email")),
            is_active=flag(data.get("isActive"), default=True),
            created_at=parse_datetime(data.get("createdAt")),
            updated_at=parse_datetime(data.get("updatedAt")),
        )


@dataclass(frozen=True)
class InternalPartyLink:
    """An association between an organization (party) and an internal party."""

    id: str
    party_id: str
    internal_party_id: str
    is_deleted: bool
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_api(cls, data: Mapping) -> Self:
        return cls(
            id=str(data["_id"]),
            party_id=text(data.get("partyId")),
            internal_party_id=text(data.get("internalPartyId")),
            is_deleted=flag(data.get("isDeleted")),
            created_at=parse_datetime(data.get("createdAt")),
            updated_at=parse_datetime(data.get("updatedAt")),
        )


@dataclass(frozen=True)
class ContractQuery:
    """Filters and sort order for a contract list, in the console's terms."""

    status: str | None = None
    # Several statuses at once: fabric's list takes one `status`, so the console reads one list
    # per status and merges them (selectors.py); `to_params` never sends these.
    statuses: tuple[str, ...] = ()
    search: str | None = None
    start_date_from: date | None = None
    start_date_to: date | None = None
    end_date_from: date | None = None
    end_date_to: date | None = None
    sort_by: str = "updatedAt"
    sort_order: str = "desc"

    def to_params(self) -> dict[str, str]:
        """fabric's query parameters for the values that are set."""
        values = {
            "status": self.status,
            "search": self.search,
            "startDateFrom": self.start_date_from,
            "startDateTo": self.start_date_to,
            "endDateFrom": self.end_date_from,
            "endDateTo": self.end_date_to,
            "sortBy": self.sort_by,
            "sortOrder": self.sort_order,
        }
        return {
            name: value.isoformat() if isinstance(value, date) else str(value)
            for name, value in values.items()
            if value is not None and value != ""
        }
