"""Organizations (fabric's B2B parties) of one account."""

from django.conf import settings
from django.core.cache import cache

from contracts_ui.fabric.client import fabric_request, lookup_cache_key, quote_segment
from contracts_ui.fabric.types import FabricTenant, Organization, Page


def list_organizations(
    tenant: FabricTenant,
    *,
    name: str | None = None,
    is_active: bool | None = None,
    party_type: str | None = None,
    sort_by: str = "updatedAt",
    sort_order: str = "desc",
    offset: int = 0,
    limit: int = 10,
) -> Page[Organization]:
    """One page of the account's organizations, optionally filtered by name, state and type."""
    params = {"offset": offset, "limit": limit, "sortBy": sort_by, "sortOrder": sort_order}
    if name:
        params["name"] = name
    if is_active is not None:
        params["isActive"] = "true" if is_active else "false"
    if party_type:
        params["partyType"] = party_type
    return fabric_request(
        tenant,
        "GET",
        "/v1/organizations",
        params=params,
        parse=lambda data: Page.from_api(data, Organization.from_api, offset=offset, limit=limit),
    )


def get_organization(tenant: FabricTenant, *, organization_id: str) -> Organization:
    """One organization, cached for FABRIC_LOOKUP_CACHE_SECONDS since pages name it on each load."""
    key = lookup_cache_key("organization", tenant, organization_id)
    organization = cache.get(key)
    if organization is None:
        organization = fabric_request(
            tenant,
            "GET",
            f"/v1/organizations/{quote_segment(organization_id)}",
            parse=Organization.from_api,
        )
        cache.set(key, organization, settings.FABRIC_LOOKUP_CACHE_SECONDS)
    return organization
