"""Price lists: looked up (through the cache) to name and check a contract's linked list, and
listed (REFERENCE.md §7) for the price-list picker."""

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache

from contracts_ui.cache import near
from contracts_ui.fabric.client import fabric_request, lookup_cache_key, quote_segment
from contracts_ui.fabric.errors import FabricNotFound
from contracts_ui.fabric.paging import fetch_page
from contracts_ui.fabric.types import FabricTenant, Page, PriceList

# A contract page names its price list: names, cached for minutes anyway, may be read from a
# process's memory for a few seconds.
near("fabric:price-list:", 10)


def _fetch_price_list(tenant: FabricTenant, price_list_id: int) -> PriceList:
    return fabric_request(
        tenant,
        "GET",
        f"/price-list/{quote_segment(price_list_id)}",
        service="api-offers",
        parse=PriceList.from_api,
    )


def get_price_list(tenant: FabricTenant, *, price_list_id: int) -> PriceList:
    """One price list, cached for FABRIC_LOOKUP_CACHE_SECONDS."""
    key = lookup_cache_key("price-list", tenant, price_list_id)
    price_list = cache.get(key)
    if price_list is None:
        price_list = _fetch_price_list(tenant, price_list_id)
        cache.set(key, price_list, settings.FABRIC_LOOKUP_CACHE_SECONDS)
    return price_list


def get_price_lists(tenant: FabricTenant, *, price_list_ids: Iterable[int]) -> dict[int, PriceList]:
    """The price lists found among `price_list_ids`, by id; unknown ids are left out."""
    keys = {
        lookup_cache_key("price-list", tenant, price_list_id): price_list_id
        for price_list_id in dict.fromkeys(int(i) for i in price_list_ids)
    }
    cached = cache.get_many(list(keys)) if keys else {}
    found = {keys[key]: price_list for key, price_list in cached.items()}
    fetched = {}
    for key, price_list_id in keys.items():
        if price_list_id in found:
            continue
        try:
            fetched[key] = found[price_list_id] = _fetch_price_list(tenant, price_list_id)
        except FabricNotFound:
            continue
    if fetched:
        cache.set_many(fetched, settings.FABRIC_LOOKUP_CACHE_SECONDS)
    return found


def list_price_lists(
    tenant: FabricTenant,
    *,
    not_expired: bool = False,
    is_default: bool | None = None,
    sort_by: str = "name",
    sort_order: str = "asc",
    offset: int = 0,
    limit: int = 10,
) -> Page[PriceList]:
    """One page of the account's price lists (GET /api-offers/price-list)."""
    params = {"sortBy": sort_by, "sortOrder": sort_order}
    if not_expired:
        params["filter"] = "not_expired"
    if is_default is not None:
        params["isDefault"] = "true" if is_default else "false"
    return fetch_page(
        tenant,
        "/price-list",
        PriceList.from_api,
        params=params,
        offset=offset,
        limit=limit,
        service="api-offers",
    )
