"""Contracts: reading an organization's or the whole account's, and every write fabric offers.

fabric answers a write with the record; when it answers 200 with an empty body or 204 instead,
the write is confirmed by reading the contract back, so a success is not reported as an
unknown outcome.
"""

from collections.abc import Callable, Mapping
from typing import Any

from contracts_ui.fabric.client import fabric_request, quote_segment
from contracts_ui.fabric.errors import FabricBadResponse, FabricNotFound, FabricNotSupported
from contracts_ui.fabric.paging import fetch_page
from contracts_ui.fabric.types import (
    ENDPOINTS_UNDOCUMENTED,
    Contract,
    ContractQuery,
    FabricTenant,
    Page,
)
from contracts_ui.fabric.values import integer, parse_datetime


def _contract_path(organization_id: str, contract_id: str | None = None) -> str:
    path = f"/v1/organizations/{quote_segment(organization_id)}/contracts"
    return path if contract_id is None else f"{path}/{quote_segment(contract_id)}"


def _contract_or_empty(data: Any) -> Contract | None:
    """The written record, or None when fabric answered without one (empty body, 204)."""
    return None if data is None or data == "" else Contract.from_api(data)


def _comparable(name: str, value: Any) -> Any:
    if name in ("startDate", "endDate"):
        return parse_datetime(value) if isinstance(value, str) else value
    if name == "priceListId" and value is not None:
        return integer(value)
    if name == "additionalAttributes":
        return dict(value or {})
    return value


def _shows(contract: Contract, changes: Mapping) -> bool:
    """True when the re-read contract holds every value a write sent (of those it shows)."""
    state = contract.editable_state() | {
        "startDate": contract.start_date,
        "endDate": contract.end_date,
        "partyId": contract.party_id,
        "contractId": contract.contract_id,
    }
    try:
        return all(
            _comparable(name, state[name]) == _comparable(name, value)
            for name, value in changes.items()
            if name in state
        )
    except (TypeError, ValueError):
        return False


def _confirmed(
    written: Contract | None, reread: Callable[[], Contract], holds: Callable[[Contract], bool]
) -> Contract:
    """The written record, or the re-read one when fabric sent none and it shows the write."""
    if written is not None:
        return written
    try:
        current = reread()
    except FabricNotFound as exc:
        raise FabricBadResponse(
            "fabric answered the write without a record, and the contract cannot be read back",
            outcome_unknown=True,
        ) from exc
    if not holds(current):
        raise FabricBadResponse(
            "fabric answered the write without a record, and the contract read back does not "
            "show the change",
            outcome_unknown=True,
        )
    return current


def list_contracts(
    tenant: FabricTenant,
    *,
    organization_id: str,
    query: ContractQuery | None = None,
    offset: int = 0,
    limit: int = 10,
) -> Page[Contract]:
    """One page of an organization's contracts, filtered and sorted by `query`."""
    return fetch_page(
        tenant,
        _contract_path(organization_id),
        Contract.from_api,
        params=(query or ContractQuery()).to_params(),
        offset=offset,
        limit=limit,
    )


def search_contracts(
    tenant: FabricTenant,
    *,
    query: ContractQuery | None = None,
    filter_field: str | None = None,
    filter_value: str | None = None,
    offset: int = 0,
    limit: int = 10,
) -> Page[Contract]:
    """One page of contracts across the account; `search` there also matches the contract id.

    UNDOCUMENTED endpoint: FabricNotSupported when this account's fabric does not answer it.
    """
    endpoint = ENDPOINTS_UNDOCUMENTED["contracts"]
    if "contracts" in tenant.missing:
        raise FabricNotSupported(f"{endpoint} is not answered here", endpoint=endpoint)
    params = (query or ContractQuery()).to_params()
    if filter_field:
        params["filterField"] = filter_field
        params["filterValue"] = "" if filter_value is None else str(filter_value)
    try:
        return fetch_page(
            tenant, "/v1/contracts", Contract.from_api, params=params, offset=offset, limit=limit
        )
    except FabricNotFound as exc:
        # A list has no record to miss: a 404 means the endpoint itself is not there.
        raise FabricNotSupported(
            exc.message, endpoint=endpoint, status=exc.status, request_id=exc.request_id
        ) from exc


def get_contract(
    tenant: FabricTenant, *, organization_id: str, contract_id: str, include_deleted: bool = False
) -> Contract:
    """One contract by `_id` or contractId, with its price-list links and its party."""
    return fabric_request(
        tenant,
        "GET",
        _contract_path(organization_id, contract_id),
        params={"includeDeleted": "true"} if include_deleted else None,
        parse=Contract.from_api,
    )


def create_contract(
    tenant: FabricTenant, *, organization_id: str, body: Mapping, request_id: str | None = None
) -> Contract:
    """Create a contract for the organization (startDate and endDate are required)."""
    written = fabric_request(
        tenant,
        "POST",
        _contract_path(organization_id),
        json=dict(body),
        request_id=request_id,
        parse=_contract_or_empty,
    )
    if written is None and not body.get("contractId"):
        # Without a record or a contractId sent there is nothing to read the new contract by.
        raise FabricBadResponse("fabric answered the create without a record", outcome_unknown=True)
    return _confirmed(
        written,
        lambda: get_contract(
            tenant, organization_id=organization_id, contract_id=str(body["contractId"])
        ),
        lambda current: _shows(current, body),
    )


def update_contract(
    tenant: FabricTenant,
    *,
    organization_id: str,
    contract_id: str,
    changes: Mapping,
    request_id: str | None = None,
) -> Contract:
    """Change dates, status, type, price list or attributes through the organization (PUT)."""
    written = fabric_request(
        tenant,
        "PUT",
        _contract_path(organization_id, contract_id),
        json=dict(changes),
        request_id=request_id,
        parse=_contract_or_empty,
    )
    reread_id = str(changes.get("contractId") or contract_id)
    return _confirmed(
        written,
        lambda: get_contract(tenant, organization_id=organization_id, contract_id=reread_id),
        lambda current: _shows(current, changes),
    )


def patch_contract(
    tenant: FabricTenant,
    *,
    organization_id: str,
    business_contract_id: str,
    changes: Mapping,
    request_id: str | None = None,
) -> Contract:
    """Change any contract field, including onContract and promotionStacking (PATCH).

    The path takes the business contractId (seed 002 names no other); `organization_id` is where
    the contract is read back when fabric answers without the record.
    """
    written = fabric_request(
        tenant,
        "PATCH",
        f"/v1/contracts/{quote_segment(business_contract_id)}",
        json=dict(changes),
        request_id=request_id,
        parse=_contract_or_empty,
    )
    reread_id = str(changes.get("contractId") or business_contract_id)
    reread_organization = str(changes.get("partyId") or organization_id)
    return _confirmed(
        written,
        lambda: get_contract(tenant, organization_id=reread_organization, contract_id=reread_id),
        lambda current: _shows(current, changes),
    )


def _set_deleted(
    tenant: FabricTenant,
    method: str,
    suffix: str,
    *,
    organization_id: str,
    contract_id: str,
    request_id: str | None,
    deleted: bool,
) -> Contract:
    written = fabric_request(
        tenant,
        method,
        _contract_path(organization_id, contract_id) + suffix,
        request_id=request_id,
        parse=_contract_or_empty,
    )
    return _confirmed(
        written,
        lambda: get_contract(
            tenant, organization_id=organization_id, contract_id=contract_id, include_deleted=True
        ),
        lambda current: current.is_deleted == deleted,
    )


def delete_contract(
    tenant: FabricTenant, *, organization_id: str, contract_id: str, request_id: str | None = None
) -> Contract:
    """Soft-delete a contract; fabric returns it with isDeleted true."""
    return _set_deleted(
        tenant,
        "DELETE",
        "",
        organization_id=organization_id,
        contract_id=contract_id,
        request_id=request_id,
        deleted=True,
    )


def restore_contract(
    tenant: FabricTenant, *, organization_id: str, contract_id: str, request_id: str | None = None
) -> Contract:
    """Undo a soft delete."""
    return _set_deleted(
        tenant,
        "POST",
        "/resurrect",
        organization_id=organization_id,
        contract_id=contract_id,
        request_id=request_id,
        deleted=False,
    )
