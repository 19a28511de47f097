"""Rows in, fabric-shaped records out: the one place that knows both the tables and the JSON.

Field order and JSON types follow the seed examples exactly (`contractId` a number when
generated, `party.isActive` a string, and so on).
"""

import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from .values import new_object_id

Row = Mapping[str, Any]

CONTRACT_COLUMNS = (
    "id",
    "account",
    "party_id",
    "contract_id",
    "contract_id_is_number",
    "address_id",
    "account_id",
    "contract_type",
    "status",
    "start_date",
    "end_date",
    "on_contract",
    "promotion_stacking",
    "additional_attributes",
    "is_deleted",
    "created_at",
    "updated_at",
    "price_list_id",
)
_INSERT_CONTRACT = (
    f"INSERT INTO contracts ({', '.join(CONTRACT_COLUMNS)}) "  # noqa: S608 (our columns)
    f"VALUES ({', '.join(':' + name for name in CONTRACT_COLUMNS)})"
)


def contract_record(row: Row) -> dict[str, Any]:
    """The contract fields every contract answer carries."""
    contract_id: str | int = row["contract_id"]
    if row["contract_id_is_number"]:
        contract_id = int(contract_id)
    return {
        "_id": row["id"],
        "contractId": contract_id,
        "partyId": row["party_id"],
        "addressId": row["address_id"],
        "accountId": row["account_id"],
        "contractType": row["contract_type"],
        "status": row["status"],
        "startDate": row["start_date"],
        "endDate": row["end_date"],
        "onContract": bool(row["on_contract"]),
        "promotionStacking": bool(row["promotion_stacking"]),
        "additionalAttributes": json.loads(row["additional_attributes"]),
        "isDeleted": bool(row["is_deleted"]),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def price_list_link_record(row: Row) -> dict[str, Any]:
    """A contract/price-list link; its `contractId` is the contract's `_id` (seed 002, 003)."""
    return {
        "_id": row["id"],
        "contractId": row["contract_id"],
        "priceListId": row["price_list_id"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def active_links(conn: sqlite3.Connection, contract_ids: list[str]) -> dict[str, list[Row]]:
    """The live price-list links of some contracts, by contract `_id`."""
    links: dict[str, list[Row]] = {contract_id: [] for contract_id in contract_ids}
    if not contract_ids:
        return links
    marks = ", ".join("?" * len(contract_ids))
    rows = conn.execute(
        f"SELECT * FROM contract_price_lists WHERE contract_id IN ({marks}) AND is_deleted = 0 "  # noqa: S608 (only placeholders)
        "ORDER BY created_at, id",
        contract_ids,
    )
    for row in rows:
        links[row["contract_id"]].append(row)
    return links


def contract_for_write(conn: sqlite3.Connection, row: Row) -> dict[str, Any]:
    """The answer to create, update, delete and resurrect: `contractPriceList` when linked."""
    record = contract_record(row)
    links = active_links(conn, [row["id"]])[row["id"]]
    if links:
        record["contractPriceList"] = price_list_link_record(links[-1])
    return record


def contracts_for_list(conn: sqlite3.Connection, rows: list[Row]) -> list[dict[str, Any]]:
    """List items: the record with its `priceLists`, without the embedded party."""
    links = active_links(conn, [row["id"] for row in rows])
    items = []
    for row in rows:
        record = contract_record(row)
        record["priceLists"] = [price_list_link_record(link) for link in links[row["id"]]]
        items.append(record)
    return items


def contract_for_read(conn: sqlite3.Connection, row: Row, party: Row) -> dict[str, Any]:
    """The single-contract GET answer: `priceLists` plus the embedded `party` (seed 003)."""
    record = contracts_for_list(conn, [row])[0]
    record["party"] = party_embed(party)
    return record


def party_embed(row: Row) -> dict[str, Any]:
    """The organization as GET contract embeds it; `isActive` is a string there (seed 003)."""
    return {
        "parentPartyId": row["parent_party_id"],
        "name": row["name"],
        "partyType": row["party_type"],
        "isActive": "true" if row["is_active"] else "false",
        "email": row["email"],
        "additionalAttributes": json.loads(row["additional_attributes"]),
    }


def organization_record(row: Row) -> dict[str, Any]:
    """An organization as the organization endpoints answer it."""
    return {
        "_id": row["id"],
        "name": row["name"],
        "email": row["email"],
        "partyType": row["party_type"],
        "isActive": bool(row["is_active"]),
        "parentPartyId": row["parent_party_id"],
        "additionalAttributes": json.loads(row["additional_attributes"]),
        "isDeleted": bool(row["is_deleted"]),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def internal_party_record(row: Row) -> dict[str, Any]:
    """An internal party (the merchant's own unit or team)."""
    return {
        "_id": row["id"],
        "name": row["name"],
        "email": row["email"],
        "isActive": bool(row["is_active"]),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def internal_party_link_record(row: Row) -> dict[str, Any]:
    """An internal party/party link as seed 000 shows it."""
    return {
        "_id": row["id"],
        "partyId": row["party_id"],
        "internalPartyId": row["internal_party_id"],
        "isDeleted": bool(row["is_deleted"]),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def price_list_record(row: Row) -> dict[str, Any]:
    """A price list as `/api-offers/price-list/{priceListId}` answers it."""
    return {
        "_id": row["id"],
        "priceListId": row["price_list_id"],
        "name": row["name"],
        "isDefault": bool(row["is_default"]),
        "currency": row["currency"],
        "startDate": row["start_date"],
        "endDate": row["end_date"],
        "deleted": bool(row["deleted"]),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def insert_contracts(conn: sqlite3.Connection, rows: Iterable[Row]) -> None:
    """Insert contract rows (dicts keyed by `CONTRACT_COLUMNS`) in one statement."""
    conn.executemany(_INSERT_CONTRACT, rows)


def insert_price_list_link(
    conn: sqlite3.Connection,
    *,
    account: str,
    contract_id: str,
    price_list_id: int,
    at: str,
    link_id: str | None = None,
) -> None:
    """Link a price list to a contract (the caller has removed any previous link)."""
    conn.execute(
        "INSERT INTO contract_price_lists (id, account, contract_id, price_list_id, is_deleted, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
        (link_id or new_object_id(), account, contract_id, price_list_id, at, at),
    )


def insert_row(conn: sqlite3.Connection, table: str, values: Mapping[str, Any]) -> None:
    """Insert one row given as a column/value mapping (tables and columns are ours, not input)."""
    columns = ", ".join(values)
    marks = ", ".join(":" + name for name in values)
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", dict(values))  # noqa: S608


def fetch_one(conn: sqlite3.Connection, table: str, row_id: str) -> sqlite3.Row:
    """A row by primary key that is known to exist."""
    return conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()  # noqa: S608
