"""Organizations (fabric's B2B parties) of one account."""

from django.conf import settings
from django.core.cache import cache

from contracts_ui.cache import near
from contracts_ui.fabric.client import fabric_request, lookup_cache_key, quote_segment
from contracts_ui.fabric.errors import FabricNotFound
from contracts_ui.fabric.paging import fetch_page
from contracts_ui.fabric.types import FabricTenant, Organization, Page

# How long an account is remembered not to answer GET /v1/organizations/{id}.
_MISSING_ENDPOINT_SECONDS = 24 * 3600
# Every page of an organization names it: names (cached for minutes anyway) and the missing-
# endpoint mark may be read from a process's memory for a few seconds.
near("fabric:organization:", 10)
near("fabric:no-organization-endpoint:", 10)


def list_organizations(
    tenant: FabricTenant,
    *,
    name: str | None = None,
    is_active: bool | None = None,
    party_type: str | None = None,
    organization_id: str | None = None,
    sort_by: str = "updatedAt",
    sort_order: str = "desc",
    offset: int = 0,
    limit: int = 10,
) -> Page[Organization]:
    """One page of the account's organizations, optionally filtered by name, state, type or id."""
    params = {"sortBy": sort_by, "sortOrder": sort_order}
    if organization_id:
        params["id"] = organization_id
    if name:
        params["name"] = name
    if is_active is not None:
        params["isActive"] = "true" if is_active else "false"
    if party_type:
        params["partyType"] = party_type
    return fetch_page(
        tenant,
        "/v1/organizations",
        Organization.from_api,
        params=params,
        offset=offset,
        limit=limit,
    )


def _from_documented_list(tenant: FabricTenant, organization_id: str) -> Organization | None:
    """The organization through GET /v1/organizations?id= (documented); None when absent. The
    row's own id is checked, so a fabric that ignored the filter cannot answer another one."""
    page = list_organizations(tenant, organization_id=organization_id, limit=10)
    return next((row for row in page.items if row.id == organization_id), None)


def get_organization(tenant: FabricTenant, *, organization_id: str) -> Organization:
    """One organization, cached for FABRIC_LOOKUP_CACHE_SECONDS since pages name it on each load.

    GET /v1/organizations/{id} is UNDOCUMENTED: where it answers 404 (or is known missing) the
    organization is read through the documented list instead; that 404 is then remembered, so
    the endpoint is not asked again.
    """
    key = lookup_cache_key("organization", tenant, organization_id)
    organization = cache.get(key)
    if organization is not None:
        return organization
    missing_key = lookup_cache_key("no-organization-endpoint", tenant, "")
    if "organization" in tenant.missing or cache.get(missing_key):
        organization = _from_documented_list(tenant, organization_id)
        if organization is None:
            raise FabricNotFound(f"no organization {organization_id} in the list")
    else:
        try:
            organization = fabric_request(
                tenant,
                "GET",
                f"/v1/organizations/{quote_segment(organization_id)}",
                parse=Organization.from_api,
            )
        except FabricNotFound:
            organization = _from_documented_list(tenant, organization_id)
            if organization is None:
                raise
            cache.set(missing_key, True, _MISSING_ENDPOINT_SECONDS)
    cache.set(key, organization, settings.FABRIC_LOOKUP_CACHE_SECONDS)
    return organization
