"""Price lists (Offers v2, REFERENCE.md §7): the list with its documented parameters, one price
list by id, and one by name (`filterBy=name`)."""

from typing import TYPE_CHECKING

from . import records
from .errors import field_error, not_found
from .listing import envelope, parse_bool, parse_page, parse_sort
from .values import iso_from_ms, now_ms
from .web import Request, Response, Route, ok

if TYPE_CHECKING:
    from .app import Sandbox

_PRICE_LIST_SORTS = {
    "updatedAt": ("updated_at",),
    "name": ("name COLLATE NOCASE",),
    "priceListId": ("price_list_id",),
}
_FILTERS = ("not_expired",)


def list_price_lists(app: "Sandbox", request: Request) -> Response:
    """GET /api-offers/price-list: `limit` (10), `offset`, `sortBy` updatedAt|name|priceListId
    (updatedAt), `sortOrder` (desc), `filter=not_expired` (no end date, or one not yet past),
    `isDefault`; envelope `{query, data}`. Soft-deleted lists are listed with `deleted: true`:
    fabric's docs do not say it hides them, so the console must not rely on it."""
    query = request.query
    page = parse_page(query, app.config.max_limit)
    _, sort = parse_sort(query, _PRICE_LIST_SORTS, "updatedAt")
    where, params = ["account = ?"], [request.account]
    wanted = query.get("filter")
    if wanted is not None:
        if wanted not in _FILTERS:
            raise field_error("filter", f"must be one of {', '.join(_FILTERS)}")
        where.append("(end_date IS NULL OR end_date = '' OR end_date >= ?)")
        params.append(iso_from_ms(now_ms()))
    is_default = parse_bool(query, "isDefault")
    if is_default is not None:
        where.append("is_default = ?")
        params.append(int(is_default))
    condition = " AND ".join(where)
    with app.store.snapshot() as conn:
        count_sql = f"SELECT COUNT(*) FROM price_lists WHERE {condition}"  # noqa: S608 (our SQL)
        total = conn.execute(count_sql, params).fetchone()[0]
        rows = conn.execute(
            f"SELECT * FROM price_lists WHERE {condition} ORDER BY {sort.clause('id')} "  # noqa: S608 (whitelisted SQL)
            "LIMIT ? OFFSET ?",
            [*params, page.limit, page.offset],
        ).fetchall()
    return ok(envelope(page, total, [records.price_list_record(row) for row in rows]))


def get_price_list(app: "Sandbox", request: Request, price_list_id: str) -> Response:
    """GET /api-offers/price-list/{priceListId}: one price list of the account; with
    `filterBy=name` the path holds its exact name instead."""
    filter_by = request.query.get("filterBy")
    if filter_by not in (None, "name"):
        raise field_error("filterBy", "must be name")
    conn = app.store.read()
    row = None
    if filter_by == "name":
        row = conn.execute(
            "SELECT * FROM price_lists WHERE account = ? AND name = ? ORDER BY price_list_id",
            (request.account, price_list_id),
        ).fetchone()
    elif price_list_id.isascii() and price_list_id.lstrip("-").isdigit():
        row = conn.execute(
            "SELECT * FROM price_lists WHERE account = ? AND price_list_id = ?",
            (request.account, int(price_list_id)),
        ).fetchone()
    if row is None:
        raise not_found(f"Price list {price_list_id}", "PRICE_LIST_NOT_FOUND")
    return ok(records.price_list_record(row))


ROUTES = [
    Route("GET", "/api-offers/price-list", list_price_lists),
    Route("GET", "/api-offers/price-list/{price_list_id}", get_price_list),
]
