"""Organizations, internal parties and their links (seed 000)."""

import sqlite3
from typing import TYPE_CHECKING, Any

from . import records
from .contracts import find_organization
from .errors import ApiError, FieldErrors, field_error, not_found
from .listing import Page, envelope, like_pattern, parse_bool, parse_page, parse_sort
from .values import iso_from_ms, new_object_id, now_ms, timestamp_after
from .web import Request, Response, Route, ok

if TYPE_CHECKING:
    from .app import Sandbox

_ORGANIZATION_SORTS = {
    "updatedAt": ("updated_at",),
    "name": ("name COLLATE NOCASE",),
    "email": ("email COLLATE NOCASE",),
    "isActive": ("is_active",),
    "partyType": ("party_type",),
}
_INTERNAL_PARTY_SORTS = {
    "name": ("name COLLATE NOCASE",),
    "updatedAt": ("updated_at",),
    "email": ("email COLLATE NOCASE",),
}


def _page_of(
    app: "Sandbox",
    table: str,
    where: list[str],
    params: list[Any],
    request: Request,
    sorts: dict[str, tuple[str, ...]],
) -> tuple[Page, int, list[sqlite3.Row]]:
    page = parse_page(request.query, app.config.max_limit)
    _, sort = parse_sort(request.query, sorts, "updatedAt")
    condition = " AND ".join(where)
    with app.store.snapshot() as conn:
        count_sql = f"SELECT COUNT(*) FROM {table} WHERE {condition}"  # noqa: S608 (our SQL)
        total = conn.execute(count_sql, params).fetchone()[0]
        rows = conn.execute(
            f"SELECT * FROM {table} WHERE {condition} ORDER BY {sort.clause('id')} "  # noqa: S608 (whitelisted SQL)
            "LIMIT ? OFFSET ?",
            [*params, page.limit, page.offset],
        ).fetchall()
    return page, total, rows


def list_organizations(app: "Sandbox", request: Request) -> Response:
    """GET /v1/organizations: `id` exact, `name` partial and case-insensitive, `isActive`,
    `partyType`."""
    where, params = ["account = ?", "is_deleted = 0"], [request.account]
    if request.query.get("id"):
        # Documented (REFERENCE.md §7): the way to read one organization through the list.
        where.append("id = ?")
        params.append(request.query["id"])
    if request.query.get("name"):
        where.append("name LIKE ? ESCAPE '\\'")
        params.append(like_pattern(request.query["name"]))
    is_active = parse_bool(request.query, "isActive")
    if is_active is not None:
        where.append("is_active = ?")
        params.append(int(is_active))
    party_type = request.query.get("partyType")
    if party_type is not None:
        if party_type not in ("O", "H"):
            raise field_error("partyType", "must be O or H")
        where.append("party_type = ?")
        params.append(party_type)
    page, total, rows = _page_of(app, "organizations", where, params, request, _ORGANIZATION_SORTS)
    return ok(envelope(page, total, [records.organization_record(row) for row in rows]))


def get_organization(app: "Sandbox", request: Request, organization_id: str) -> Response:
    """GET /v1/organizations/{organizationId}: one organization, shaped as in the list."""
    row = find_organization(app.store.read(), request.account or "", organization_id)
    return ok(records.organization_record(row))


def list_internal_parties(app: "Sandbox", request: Request) -> Response:
    """GET /v1/internal-parties: `name` partial and case-insensitive."""
    where, params = ["account = ?"], [request.account]
    if request.query.get("name"):
        where.append("name LIKE ? ESCAPE '\\'")
        params.append(like_pattern(request.query["name"]))
    page, total, rows = _page_of(
        app, "internal_parties", where, params, request, _INTERNAL_PARTY_SORTS
    )
    return ok(envelope(page, total, [records.internal_party_record(row) for row in rows]))


def _link_body(request: Request) -> tuple[str, str]:
    body = request.json_object()
    errors = FieldErrors()
    for name in body:
        if name not in ("partyId", "internalPartyId"):
            errors.add(name, "is not a field of this request")
    for name in ("partyId", "internalPartyId"):
        if not isinstance(body.get(name), str) or not body[name]:
            errors.add(name, "is required and must be a string")
    errors.raise_if_any()
    return body["partyId"], body["internalPartyId"]


def create_link(app: "Sandbox", request: Request) -> Response:
    """POST /v1/internalParties-party/create (seed 000): link an internal party to a party."""
    party_id, internal_party_id = _link_body(request)
    account = request.account
    with app.store.write() as conn:
        party = conn.execute(
            "SELECT 1 FROM organizations WHERE id = ? AND account = ? AND is_deleted = 0",
            (party_id, account),
        ).fetchone()
        if party is None:
            raise not_found(f"Party {party_id}", "PARTY_NOT_FOUND")
        internal = conn.execute(
            "SELECT 1 FROM internal_parties WHERE id = ? AND account = ?",
            (internal_party_id, account),
        ).fetchone()
        if internal is None:
            raise not_found(f"Internal party {internal_party_id}", "INTERNAL_PARTY_NOT_FOUND")
        if _active_link(conn, account, party_id, internal_party_id) is not None:
            raise ApiError(409, "DUPLICATE_LINK", "This internal party is already linked.")
        at = iso_from_ms(now_ms())
        link = {
            "id": new_object_id(),
            "account": account,
            "party_id": party_id,
            "internal_party_id": internal_party_id,
            "is_deleted": 0,
            "created_at": at,
            "updated_at": at,
        }
        records.insert_row(conn, "internal_party_links", link)
        return ok(records.internal_party_link_record(link))


def _active_link(
    conn: sqlite3.Connection, account: str | None, party_id: str, internal_party_id: str
) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM internal_party_links WHERE account = ? AND party_id = ? "
        "AND internal_party_id = ? AND is_deleted = 0",
        (account, party_id, internal_party_id),
    ).fetchone()


def delete_link(app: "Sandbox", request: Request) -> Response:
    """DELETE /v1/internalParties-party/create: remove a link; answers it with isDeleted true."""
    party_id, internal_party_id = _link_body(request)
    with app.store.write() as conn:
        link = _active_link(conn, request.account, party_id, internal_party_id)
        if link is None:
            raise not_found("Link")
        at = timestamp_after(link["updated_at"])
        conn.execute(
            "UPDATE internal_party_links SET is_deleted = 1, updated_at = ? WHERE id = ?",
            (at, link["id"]),
        )
        return ok(
            records.internal_party_link_record(
                records.fetch_one(conn, "internal_party_links", link["id"])
            )
        )


def list_links(app: "Sandbox", request: Request) -> Response:
    """GET /v1/internalParties-party (DECIDED): live links, by `partyId` or `internalPartyId`."""
    where, params = ["account = ?", "is_deleted = 0"], [request.account]
    for name, column in (("partyId", "party_id"), ("internalPartyId", "internal_party_id")):
        if request.query.get(name):
            where.append(f"{column} = ?")
            params.append(request.query[name])
    page, total, rows = _page_of(
        app, "internal_party_links", where, params, request, {"updatedAt": ("updated_at",)}
    )
    return ok(envelope(page, total, [records.internal_party_link_record(row) for row in rows]))


ROUTES = [
    Route("GET", "/data-customer/v1/organizations", list_organizations),
    Route(
        "GET",
        "/data-customer/v1/organizations/{organization_id}",
        get_organization,
        documented=False,
    ),
    Route("GET", "/data-customer/v1/internal-parties", list_internal_parties),
    Route("POST", "/data-customer/v1/internalParties-party/create", create_link),
    Route("DELETE", "/data-customer/v1/internalParties-party/create", delete_link),
    Route("GET", "/data-customer/v1/internalParties-party", list_links, documented=False),
]
