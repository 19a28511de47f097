"""Internal parties (the merchant's own staff or units) and their links to organizations."""

from typing import Any

from contracts_ui.fabric.client import fabric_request
from contracts_ui.fabric.errors import FabricBadResponse, FabricNotFound, FabricNotSupported
from contracts_ui.fabric.paging import fetch_page
from contracts_ui.fabric.types import (
    ENDPOINTS_UNDOCUMENTED,
    FabricTenant,
    InternalParty,
    InternalPartyLink,
    Page,
)

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
    params = {"sortBy": sort_by, "sortOrder": sort_order}
    if name:
        params["name"] = name
    return fetch_page(
        tenant,
        "/v1/internal-parties",
        InternalParty.from_api,
        params=params,
        offset=offset,
        limit=limit,
    )


def _links(data: Any) -> tuple[InternalPartyLink, ...]:
    # The list endpoint is the stand-in's choice; accept a bare list as well as the envelope.
    rows = data if isinstance(data, list) else data["data"]
    return tuple(InternalPartyLink.from_api(row) for row in rows)


def list_internal_party_links(
    tenant: FabricTenant, *, party_id: str
) -> tuple[InternalPartyLink, ...]:
    """The internal parties linked to one organization.

    UNDOCUMENTED endpoint: FabricNotSupported when this account's fabric does not answer it.
    """
    endpoint = ENDPOINTS_UNDOCUMENTED["internal_party_links"]
    if "internal_party_links" in tenant.missing:
        raise FabricNotSupported(f"{endpoint} is not answered here", endpoint=endpoint)
    try:
        return fabric_request(
            tenant, "GET", _LINKS_PATH, params={"partyId": party_id}, parse=_links
        )
    except FabricNotFound as exc:
        # A list has no record to miss: a 404 means the endpoint itself is not there.
        raise FabricNotSupported(
            exc.message, endpoint=endpoint, status=exc.status, request_id=exc.request_id
        ) from exc


def _link_or_empty(data: Any) -> InternalPartyLink | None:
    """The link fabric answered, or None when it answered without one (empty body, 204)."""
    return None if data is None or data == "" else InternalPartyLink.from_api(data)


def _confirmed_link(
    tenant: FabricTenant,
    written: InternalPartyLink | None,
    *,
    party_id: str,
    internal_party_id: str,
    linked: bool,
) -> InternalPartyLink:
    """The answered link, or one confirmed by listing the organization's links."""
    if written is not None:
        return written
    try:
        links = list_internal_party_links(tenant, party_id=party_id)
    except FabricNotFound as exc:
        raise FabricBadResponse(
            "fabric answered without the link, and links cannot be listed to confirm it",
            outcome_unknown=True,
        ) from exc
    found = next((link for link in links if link.internal_party_id == internal_party_id), None)
    if linked and found is not None:
        return found
    if not linked and found is None:
        return InternalPartyLink(
            id="",
            party_id=party_id,
            internal_party_id=internal_party_id,
            is_deleted=True,
            created_at=None,
            updated_at=None,
        )
    raise FabricBadResponse(
        "fabric answered without the link, and the links listed do not show the change",
        outcome_unknown=True,
    )


def link_internal_party(
    tenant: FabricTenant, *, party_id: str, internal_party_id: str, request_id: str | None = None
) -> InternalPartyLink:
    """Link an internal party to an organization (409 if already linked)."""
    written = fabric_request(
        tenant,
        "POST",
        f"{_LINKS_PATH}/create",
        json={"partyId": party_id, "internalPartyId": internal_party_id},
        request_id=request_id,
        parse=_link_or_empty,
    )
    return _confirmed_link(
        tenant, written, party_id=party_id, internal_party_id=internal_party_id, linked=True
    )


def unlink_internal_party(
    tenant: FabricTenant, *, party_id: str, internal_party_id: str, request_id: str | None = None
) -> InternalPartyLink:
    """Remove the link between an internal party and an organization."""
    written = fabric_request(
        tenant,
        "DELETE",
        f"{_LINKS_PATH}/create",
        json={"partyId": party_id, "internalPartyId": internal_party_id},
        request_id=request_id,
        parse=_link_or_empty,
    )
    return _confirmed_link(
        tenant, written, party_id=party_id, internal_party_id=internal_party_id, linked=False
    )
