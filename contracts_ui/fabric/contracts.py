"""Contracts: reading an organization's or the whole account's, and every write fabric offers."""

from collections.abc import Mapping

from contracts_ui.fabric.client import fabric_request, quote_segment
from contracts_ui.fabric.types import Contract, ContractQuery, FabricTenant, Page


def _contract_path(organization_id: str, contract_id: str | None = None) -> str:
    path = f"/v1/organizations/{quote_segment(organization_id)}/contracts"
    return path if contract_id is None else f"{path}/{quote_segment(contract_id)}"


def _page_of_contracts(offset: int, limit: int):
    return lambda data: Page.from_api(data, Contract.from_api, offset=offset, limit=limit)


def list_contracts(
    tenant: FabricTenant,
    *,
    organization_id: str,
    query: ContractQuery | None = None,
    offset: int = 0,
    limit: int = 10,
) -> Page[Contract]:
    """One page of an organization's contracts, filtered and sorted by `query`."""
    params = {**(query or ContractQuery()).to_params(), "offset": offset, "limit": limit}
    return fabric_request(
        tenant,
        "GET",
        _contract_path(organization_id),
        params=params,
        parse=_page_of_contracts(offset, limit),
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
    """One page of contracts across the account; `search` there also matches the contract id."""
    params = {**(query or ContractQuery()).to_params(), "offset": offset, "limit": limit}
    if filter_field:
        params["filterField"] = filter_field
        params["filterValue"] = "" if filter_value is None else str(filter_value)
    return fabric_request(
        tenant, "GET", "/v1/contracts", params=params, parse=_page_of_contracts(offset, limit)
    )


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
    return fabric_request(
        tenant,
        "POST",
        _contract_path(organization_id),
        json=dict(body),
        request_id=request_id,
        parse=Contract.from_api,
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
    return fabric_request(
        tenant,
        "PUT",
        _contract_path(organization_id, contract_id),
        json=dict(changes),
        request_id=request_id,
        parse=Contract.from_api,
    )


def patch_contract(
    tenant: FabricTenant, *, contract_id: str, changes: Mapping, request_id: str | None = None
) -> Contract:
    """Change any contract field, including onContract and promotionStacking (PATCH)."""
    return fabric_request(
        tenant,
        "PATCH",
        f"/v1/contracts/{quote_segment(contract_id)}",
        json=dict(changes),
        request_id=request_id,
        parse=Contract.from_api,
    )


def delete_contract(
    tenant: FabricTenant, *, organization_id: str, contract_id: str, request_id: str | None = None
) -> Contract:
    """Soft-delete a contract; fabric returns it with isDeleted true."""
    return fabric_request(
        tenant,
        "DELETE",
        _contract_path(organization_id, contract_id),
        request_id=request_id,
        parse=Contract.from_api,
    )


def restore_contract(
    tenant: FabricTenant, *, organization_id: str, contract_id: str, request_id: str | None = None
) -> Contract:
    """Undo a soft delete."""
    return fabric_request(
        tenant,
        "POST",
        f"{_contract_path(organization_id, contract_id)}/resurrect",
        request_id=request_id,
        parse=Contract.from_api,
    )
