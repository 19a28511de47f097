"""Reads that combine fabric calls for a page: which endpoint answers a view, and the look-ups
(price lists, organizations) that name what a row refers to, all through the shared cache."""

import logging
from dataclasses import dataclass

from contracts_ui import fabric
from contracts_ui.fabric.types import (
    Contract,
    ContractQuery,
    FabricTenant,
    Page,
    PriceList,
    PriceListLink,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContractRow:
    contract: Contract
    price_list: PriceList | None


def organization_contracts(
    tenant: FabricTenant, *, organization_id: str, query: ContractQuery, offset: int, limit: int
) -> Page[Contract]:
    """One page of an organization's contracts, in one fabric call.

    fabric's per-organization list searches by party name only, which inside one organization
    matches all or nothing; a search there means a contract id, which the account-wide list
    answers when narrowed to the organization.
    """
    if query.search:
        return fabric.search_contracts(
            tenant,
            query=query,
            filter_field="partyId",
            filter_value=organization_id,
            offset=offset,
            limit=limit,
        )
    return fabric.list_contracts(
        tenant, organization_id=organization_id, query=query, offset=offset, limit=limit
    )


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
