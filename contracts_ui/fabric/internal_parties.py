"""Internal parties (the merchant's own staff or units) and their links to organizations."""

from typing import Any

from contracts_ui.fabric.client import fabric_request
from contracts_ui.fabric.types import FabricTenant, InternalParty, InternalPartyLink, Page

_LINKS_PATH = "/v1/internalParties-party"


def list_internal_parties(
    tenant: FabricTenant,
    *,
    name: str | None = None,
    sort_by: str = "name",
    sort_order: str = "asc",
    offset: int = 0,
    limit: int = 10,
) -> Page[InternalParty]:
    """One page of the account's internal parties, optionally filtered by name."""
    params = {"offset": offset, "limit": limit, "sortBy": sort_by, "sortOrder": sort_order}
    if name:
        params["name"] = name
    return fabric_request(
        tenant,
        "GET",
        "/v1/internal-parties",
        params=params,
        parse=lambda data: Page.from_api(data, InternalParty.from_api, offset=offset, limit=limit),
    )


def _links(data: Any) -> tuple[InternalPartyLink, ...]:
    # The list endpoint is the stand-in's choice; accept a bare list as well as the envelope.
    rows = data if isinstance(data, list) else data["data"]
    return tuple(InternalPartyLink.from_api(row) for row in rows)


def list_internal_party_links(
    tenant: FabricTenant, *, party_id: str
) -> tuple[InternalPartyLink, ...]:
    """The internal parties linked to one organization."""
    return fabric_request(tenant, "GET", _LINKS_PATH, params={"partyId": party_id}, parse=_links)


def link_internal_party(
    tenant: FabricTenant, *, party_id: str, internal_party_id: str, request_id: str | None = None
) -> InternalPartyLink:
    """Link an internal party to an organization (409 if already linked)."""
    return fabric_request(
        tenant,
        "POST",
        f"{_LINKS_PATH}/create",
        json={"partyId": party_id, "internalPartyId": internal_party_id},
        request_id=request_id,
        parse=InternalPartyLink.from_api,
    )


def unlink_internal_party(
    tenant: FabricTenant, *, party_id: str, internal_party_id: str, request_id: str | None = None
) -> InternalPartyLink:
    """Remove the link between an internal party and an organization."""
    return fabric_request(
        tenant,
        "DELETE",
        f"{_LINKS_PATH}/create",
        json={"partyId": party_id, "internalPartyId": internal_party_id},
        request_id=request_id,
        parse=InternalPartyLink.from_api,
    )
