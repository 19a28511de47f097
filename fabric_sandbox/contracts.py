"""Single-contract endpoints: create (seed 001), PATCH (seed 002), GET (seed 003), PUT (seed 004),
DELETE and resurrect. Every write runs in one transaction: checks, then the change."""

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from . import records
from .contract_rules import (
    CREATE_FIELDS,
    PATCH_FIELDS,
    PUT_FIELDS,
    check_date_order,
    clean_contract_body,
)
from .errors import ApiError, not_found
from .listing import parse_bool
from .store import next_contract_numbers
from .values import iso_from_ms, new_object_id, now_ms, timestamp_after
from .web import Request, Response, Route, ok

if TYPE_CHECKING:
    from .app import Sandbox

_COLUMNS = {
    "startDate": "start_date",
    "endDate": "end_date",
    "contractType": "contract_type",
    "status": "status",
    "partyId": "party_id",
    "addressId": "address_id",
    "accountId": "account_id",
    "onContract": "on_contract",
    "promotionStacking": "promotion_stacking",
}


def find_organization(conn: sqlite3.Connection, account: str, organization_id: str) -> sqlite3.Row:
    """The account's organization, or 404 (another account's organization does not exist here)."""
    row = conn.execute(
        "SELECT * FROM organizations WHERE id = ? AND account = ? AND is_deleted = 0",
        (organization_id, account),
    ).fetchone()
    if row is None:
        raise not_found(f"Organization {organization_id}")
    return row


def find_contract(
    conn: sqlite3.Connection,
    account: str,
    reference: str,
    *,
    party_id: str | None = None,
    include_deleted: bool = False,
    business_id_only: bool = False,
) -> sqlite3.Row:
    """A contract by `_id` or `contractId` (the `_id` wins), optionally within one organization;
    by `contractId` alone when `business_id_only`."""
    if business_id_only:
        sql = "SELECT * FROM contracts WHERE account = ? AND contract_id = ?"
        params: list[Any] = [account, reference]
    else:
        sql = "SELECT * FROM contracts WHERE account = ? AND (id = ? OR contract_id = ?)"
        params = [account, reference, reference]
    if party_id is not None:
        sql += " AND party_id = ?"
        params.append(party_id)
    row = conn.execute(sql + " ORDER BY id = ? DESC LIMIT 1", [*params, reference]).fetchone()
    if row is None or (row["is_deleted"] and not include_deleted):
        raise not_found(f"Contract {reference}")
    return row


def _check_price_list(conn: sqlite3.Connection, account: str, price_list_id: int | None) -> None:
    if price_list_id is None:
        return
    row = conn.execute(
        "SELECT 1 FROM price_lists WHERE account = ? AND price_list_id = ? AND deleted = 0",
        (account, price_list_id),
    ).fetchone()
    if row is None:
        raise not_found(f"Price list {price_list_id}", "PRICE_LIST_NOT_FOUND")


def _check_contract_id_free(
    conn: sqlite3.Connection, account: str, contract_id: str, own_id: str | None = None
) -> None:
    row = conn.execute(
        "SELECT id FROM contracts WHERE account = ? AND contract_id = ?", (account, contract_id)
    ).fetchone()
    if row is not None and row["id"] != own_id:
        raise ApiError(409, "DUPLICATE_CONTRACT_ID", f"contractId {contract_id} is already used.")


def set_price_list(
    conn: sqlite3.Connection, account: str, contract_id: str, price_list_id: int | None, at: str
) -> None:
    """Link a price list to a contract, keeping one live link per contract: None unlinks, a
    different price list replaces the link, the same one keeps it (inside a write transaction)."""
    current = records.active_links(conn, [contract_id])[contract_id]
    if current and price_list_id is not None and current[-1]["price_list_id"] == price_list_id:
        return
    conn.execute(
        "UPDATE contract_price_lists SET is_deleted = 1, updated_at = ? "
        "WHERE contract_id = ? AND is_deleted = 0",
        (at, contract_id),
    )
    if price_list_id is not None:
        records.insert_price_list_link(
            conn, account=account, contract_id=contract_id, price_list_id=price_list_id, at=at
        )
    conn.execute(
        "UPDATE contracts SET price_list_id = ? WHERE id = ?", (price_list_id, contract_id)
    )


def _new_contract_number(conn: sqlite3.Connection, account: str) -> str:
    while True:
        candidate = str(next_contract_numbers(conn, 1)[0])
        taken = conn.execute(
            "SELECT 1 FROM contracts WHERE account = ? AND contract_id = ?", (account, candidate)
        ).fetchone()
        if taken is None:
            return candidate


def create_contract(app: "Sandbox", request: Request, organization_id: str) -> Response:
    """POST /v1/organizations/{organizationId}/contracts (seed 001)."""
    account = request.account or ""
    cleaned = clean_contract_body(
        request.json_object(), CREATE_FIELDS, required=("startDate", "endDate")
    )
    check_date_order(cleaned["startDate"], cleaned["endDate"], {"startDate", "endDate"})
    with app.store.write() as conn:
        find_organization(conn, account, organization_id)
        _check_price_list(conn, account, cleaned.get("priceListId"))
        if "contractId" in cleaned:
            contract_id, is_number = cleaned["contractId"]
            _check_contract_id_free(conn, account, contract_id)
        else:
            contract_id, is_number = _new_contract_number(conn, account), True
        at = iso_from_ms(now_ms())
        row = {
            "id": new_object_id(),
            "account": account,
            "party_id": organization_id,
            "contract_id": contract_id,
            "contract_id_is_number": int(is_number),
            # Not sent on create: accountId is the contract's account, addressId is unset ("").
            "address_id": "",
            "account_id": account,
            "contract_type": cleaned.get("contractType", ""),
            "status": cleaned.get("status", "DRAFT"),
            "start_date": cleaned["startDate"],
            "end_date": cleaned["endDate"],
            "on_contract": 0,
            "promotion_stacking": 0,
            "additional_attributes": json.dumps(cleaned.get("additionalAttributes", {})),
            "is_deleted": 0,
            "created_at": at,
            "updated_at": at,
            "price_list_id": None,
        }
        records.insert_contracts(conn, [row])
        if cleaned.get("priceListId") is not None:
            set_price_list(conn, account, row["id"], cleaned["priceListId"], at)
        return ok(records.contract_for_write(conn, records.fetch_one(conn, "contracts", row["id"])))


def get_contract(
    app: "Sandbox", request: Request, organization_id: str, contract_id: str
) -> Response:
    """GET /v1/organizations/{organizationId}/contracts/{contractId} (seed 003)."""
    account = request.account or ""
    include_deleted = parse_bool(request.query, "includeDeleted") or False
    with app.store.snapshot() as conn:
        organization = find_organization(conn, account, organization_id)
        row = find_contract(
            conn, account, contract_id, party_id=organization_id, include_deleted=include_deleted
        )
        return ok(records.contract_for_read(conn, row, organization))


def _update(
    conn: sqlite3.Connection, account: str, row: sqlite3.Row, cleaned: dict[str, Any]
) -> sqlite3.Row:
    """Apply checked changes to a live contract; answers the updated row."""
    check_date_order(
        cleaned.get("startDate", row["start_date"]),
        cleaned.get("endDate", row["end_date"]),
        set(cleaned),
    )
    if "partyId" in cleaned:
        try:
            find_organization(conn, account, cleaned["partyId"])
        except ApiError:
            raise not_found(f"Organization {cleaned['partyId']}", "PARTY_NOT_FOUND") from None
    if "priceListId" in cleaned:
        _check_price_list(conn, account, cleaned["priceListId"])
    changes: dict[str, Any] = {
        column: cleaned[name] for name, column in _COLUMNS.items() if name in cleaned
    }
    if "contractId" in cleaned:
        contract_id, is_number = cleaned["contractId"]
        _check_contract_id_free(conn, account, contract_id, own_id=row["id"])
        changes |= {"contract_id": contract_id, "contract_id_is_number": int(is_number)}
    if "additionalAttributes" in cleaned:
        changes["additional_attributes"] = json.dumps(cleaned["additionalAttributes"])
    at = timestamp_after(row["updated_at"])
    changes["updated_at"] = at
    assignments = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(f"UPDATE contracts SET {assignments} WHERE id = :id", changes | {"id": row["id"]})  # noqa: S608 (columns are ours)
    if "priceListId" in cleaned:
        set_price_list(conn, account, row["id"], cleaned["priceListId"], at)
    return records.fetch_one(conn, "contracts", row["id"])


def put_contract(
    app: "Sandbox", request: Request, organization_id: str, contract_id: str
) -> Response:
    """PUT /v1/organizations/{organizationId}/contracts/{contractId} (seed 004): partial update;
    onContract and promotionStacking are refused here (PATCH only)."""
    account = request.account or ""
    cleaned = clean_contract_body(request.json_object(), PUT_FIELDS)
    with app.store.write() as conn:
        find_organization(conn, account, organization_id)
        row = find_contract(conn, account, contract_id, party_id=organization_id)
        return ok(records.contract_for_write(conn, _update(conn, account, row, cleaned)))


def patch_contract(app: "Sandbox", request: Request, contract_id: str) -> Response:
    """PATCH /v1/contracts/{contractId} (seed 002): partial update, any organization. Seed 002
    names the business contractId only, so documented-only mode does not accept the `_id`."""
    account = request.account or ""
    cleaned = clean_contract_body(request.json_object(), PATCH_FIELDS)
    with app.store.write() as conn:
        row = find_contract(conn, account, contract_id, business_id_only=app.config.documented_only)
        return ok(records.contract_for_write(conn, _update(conn, account, row, cleaned)))


def _set_deleted(
    app: "Sandbox", request: Request, organization_id: str, reference: str, deleted: bool
) -> Response:
    account = request.account or ""
    with app.store.write() as conn:
        find_organization(conn, account, organization_id)
        row = find_contract(
            conn, account, reference, party_id=organization_id, include_deleted=not deleted
        )
        if bool(row["is_deleted"]) != deleted:
            conn.execute(
                "UPDATE contracts SET is_deleted = ?, updated_at = ? WHERE id = ?",
                (int(deleted), timestamp_after(row["updated_at"]), row["id"]),
            )
            row = records.fetch_one(conn, "contracts", row["id"])
        return ok(records.contract_for_write(conn, row))


def delete_contract(
    app: "Sandbox",
    request: Request,
    organization_id: str,
    contract_id: str,
) -> Response:
    """DELETE .../contracts/{contractId}: soft delete; answers the record with isDeleted true."""
    return _set_deleted(app, request, organization_id, contract_id, True)


def resurrect_contract(
    app: "Sandbox",
    request: Request,
    organization_id: str,
    contract_id: str,
) -> Response:
    """POST .../contracts/{contractId}/resurrect: undo a soft delete (a live one is left as is)."""
    return _set_deleted(app, request, organization_id, contract_id, False)


_ONE = "/data-customer/v1/organizations/{organization_id}/contracts/{contract_id}"
ROUTES = [
    Route("POST", "/data-customer/v1/organizations/{organization_id}/contracts", create_contract),
    Route("GET", _ONE, get_contract),
    Route("PUT", _ONE, put_contract),
    Route("DELETE", _ONE, delete_contract),
    Route("POST", _ONE + "/resurrect", resurrect_contract),
    Route("PATCH", "/data-customer/v1/contracts/{contract_id}", patch_contract),
]
