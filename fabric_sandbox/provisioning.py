"""Creating what fabric's Customer API cannot create itself: organizations, price lists and
internal parties. Used by the control API (fields as JSON, camelCase) and by the demo data."""

import json
import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import records
from .errors import ApiError, FieldErrors, not_found
from .values import iso_from_ms, new_object_id, normalize_iso, now_ms

_OBJECT_ID = re.compile(r"[0-9a-f]{24}")
Check = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _name(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _object_id(value: Any) -> bool:
    return isinstance(value, str) and _OBJECT_ID.fullmatch(value) is not None


def _date(value: Any) -> bool:
    return normalize_iso(value) is not None


_ORGANIZATION: dict[str, tuple[Check, str]] = {
    "_id": (_object_id, "must be 24 lowercase hex characters"),
    "name": (_name, "is required and must be a non-empty string"),
    "email": (_text, "must be a string"),
    "partyType": (lambda v: v in ("O", "H"), "must be O or H"),
    "isActive": (_flag, "must be true or false"),
    "parentPartyId": (_text, "must be a string"),
    "additionalAttributes": (lambda v: isinstance(v, dict), "must be an object"),
}
_PRICE_LIST: dict[str, tuple[Check, str]] = {
    "_id": (_object_id, "must be 24 lowercase hex characters"),
    "priceListId": (lambda v: type(v) is int, "must be an integer"),
    "name": (_name, "is required and must be a non-empty string"),
    "currency": (lambda v: isinstance(v, str) and len(v) == 3, "must be a 3-letter code"),
    "isDefault": (_flag, "must be true or false"),
    "startDate": (_date, "must be an ISO-8601 date or date-time"),
    "endDate": (_date, "must be an ISO-8601 date or date-time"),
    "deleted": (_flag, "must be true or false"),
}
_INTERNAL_PARTY: dict[str, tuple[Check, str]] = {
    "_id": (_object_id, "must be 24 lowercase hex characters"),
    "name": (_name, "is required and must be a non-empty string"),
    "email": (_text, "must be a string"),
    "isActive": (_flag, "must be true or false"),
}


def _check(fields: dict[str, Any], rules: dict[str, tuple[Check, str]]) -> None:
    errors = FieldErrors()
    if "name" not in fields:
        errors.add("name", "is required")
    for name, value in fields.items():
        if name not in rules:
            errors.add(name, "is not a field of this record")
        elif not rules[name][0](value):
            errors.add(name, rules[name][1])
    errors.raise_if_any()


def _account_root(conn: sqlite3.Connection, account: str) -> str:
    row = conn.execute(
        "SELECT root_party_id FROM accounts WHERE account = ?", (account,)
    ).fetchone()
    if row is None:
        raise not_found(f"Account {account}")
    return row["root_party_id"]


def _free_id(conn: sqlite3.Connection, table: str, fields: dict[str, Any]) -> str:
    row_id = fields.get("_id") or new_object_id()
    if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone():  # noqa: S608
        raise ApiError(409, "DUPLICATE_ID", f"_id {row_id} is already used.")
    return row_id


def create_organization(
    conn: sqlite3.Connection, account: str, fields: dict[str, Any], *, at: str | None = None
) -> dict[str, Any]:
    """Add an organization; without `parentPartyId` it hangs from the account's root party
    (so `party.parentPartyId` is always a string, as seed 003 shows)."""
    _check(fields, _ORGANIZATION)
    root = _account_root(conn, account)
    at = at or iso_from_ms(now_ms())
    row = {
        "id": _free_id(conn, "organizations", fields),
        "account": account,
        "name": fields["name"],
        "email": fields.get("email", ""),
        "party_type": fields.get("partyType", "O"),
        "is_active": int(fields.get("isActive", True)),
        "parent_party_id": fields.get("parentPartyId", root),
        "additional_attributes": json.dumps(fields.get("additionalAttributes", {})),
        "is_deleted": 0,
        "created_at": at,
        "updated_at": at,
    }
    records.insert_row(conn, "organizations", row)
    return records.organization_record(row)


def create_price_list(
    conn: sqlite3.Connection, account: str, fields: dict[str, Any], *, at: str | None = None
) -> dict[str, Any]:
    """Add a price list; `priceListId` defaults to the account's highest plus one (or 100000),
    dates to the current calendar year."""
    _check(fields, _PRICE_LIST)
    _account_root(conn, account)
    price_list_id = fields.get("priceListId")
    if price_list_id is None:
        top = conn.execute(
            "SELECT MAX(price_list_id) FROM price_lists WHERE account = ?", (account,)
        ).fetchone()[0]
        price_list_id = 100000 if top is None else top + 1
    taken = conn.execute(
        "SELECT 1 FROM price_lists WHERE account = ? AND price_list_id = ?",
        (account, price_list_id),
    ).fetchone()
    if taken:
        raise ApiError(409, "DUPLICATE_PRICE_LIST_ID", f"priceListId {price_list_id} exists.")
    year = datetime.now(UTC).year
    at = at or iso_from_ms(now_ms())
    row = {
        "id": _free_id(conn, "price_lists", fields),
        "account": account,
        "price_list_id": price_list_id,
        "name": fields["name"],
        "is_default": int(fields.get("isDefault", False)),
        "currency": fields.get("currency", "USD"),
        "start_date": normalize_iso(fields.get("startDate", f"{year}-01-01")),
        "end_date": normalize_iso(fields.get("endDate", f"{year}-12-31T23:59:59.999Z")),
        "deleted": int(fields.get("deleted", False)),
        "created_at": at,
        "updated_at": at,
    }
    records.insert_row(conn, "price_lists", row)
    return records.price_list_record(row)


def create_internal_party(
    conn: sqlite3.Connection, account: str, fields: dict[str, Any], *, at: str | None = None
) -> dict[str, Any]:
    """Add an internal party (a unit or team of the merchant itself)."""
    _check(fields, _INTERNAL_PARTY)
    _account_root(conn, account)
    at = at or iso_from_ms(now_ms())
    row = {
        "id": _free_id(conn, "internal_parties", fields),
        "account": account,
        "name": fields["name"],
        "email": fields.get("email", ""),
        "is_active": int(fields.get("isActive", True)),
        "created_at": at,
        "updated_at": at,
    }
    records.insert_row(conn, "internal_parties", row)
    return records.internal_party_record(row)
