"""Contract lists: one organization's (`/v1/organizations/{id}/contracts`) and the whole
account's (`/v1/contracts`), with the paging, sorting and filters of REFERENCE.md §3."""

from typing import TYPE_CHECKING, Any

from . import records
from .contract_rules import STATUSES
from .contracts import find_organization
from .errors import field_error
from .listing import envelope, like_pattern, parse_date_range, parse_page, parse_sort
from .web import Request, Response, Route, ok

if TYPE_CHECKING:
    from .app import Sandbox

# Each sort walks an index that ends in the `_id` tie-break. Two add a column before it:
# status sorts by updatedAt within a status, organization name keeps an organization together.
_SORTS = {
    "contractId": ("c.contract_id",),
    "organizationName": ("o.name COLLATE NOCASE", "c.party_id"),
    "startDate": ("c.start_date",),
    "endDate": ("c.end_date",),
    "status": ("c.status", "c.updated_at"),
    "priceListId": ("c.price_list_id",),
    "updatedAt": ("c.updated_at",),
}
# Within one organization every row has the same organization name: only the tie-break remains.
_ORGANIZATION_SORTS = _SORTS | {"organizationName": ()}
# filterField/filterValue on /v1/contracts (DECIDED): exact match on one of these.
_FILTER_FIELDS = {
    "contractId": "c.contract_id",
    "contractType": "c.contract_type",
    "status": "c.status",
    "partyId": "c.party_id",
    "priceListId": "c.price_list_id",
    "accountId": "c.account_id",
    "addressId": "c.address_id",
}


def _filter_field(query: dict[str, str]) -> tuple[str, Any] | None:
    name, value = query.get("filterField"), query.get("filterValue")
    if name is None and value is None:
        return None
    if name is None or value is None:
        missing = "filterField" if name is None else "filterValue"
        raise field_error(missing, "filterField and filterValue must be sent together")
    if name not in _FILTER_FIELDS:
        raise field_error("filterField", f"must be one of {', '.join(_FILTER_FIELDS)}")
    if name == "priceListId":
        try:
            return _FILTER_FIELDS[name], int(value)
        except ValueError:
            raise field_error("filterValue", "must be an integer for priceListId") from None
    return _FILTER_FIELDS[name], value


def _list(
    app: "Sandbox", request: Request, organization_id: str | None, *, account_wide: bool
) -> Response:
    account = request.account or ""
    query = request.query
    page = parse_page(query, app.config.max_limit)
    sort_by, sort = parse_sort(query, _SORTS if account_wide else _ORGANIZATION_SORTS, "updatedAt")
    # Within one organization, party_id alone scopes the query (and picks its indexes).
    where = ["c.account = ?" if organization_id is None else "c.party_id = ?", "c.is_deleted = 0"]
    params: list[Any] = [account if organization_id is None else organization_id]
    status = query.get("status")
    if status is not None:
        if status not in STATUSES:
            raise field_error("status", f"must be one of {', '.join(STATUSES)}")
        where.append("c.status = ?")
        params.append(status)
    for field, column in (("startDate", "c.start_date"), ("endDate", "c.end_date")):
        bounds = parse_date_range(query, field)
        if bounds is not None:
            where.append(f"{column} BETWEEN ? AND ?")
            params.extend(bounds)
    if account_wide:
        exact = _filter_field(query)
        if exact is not None:
            where.append(f"{exact[0]} = ?")
            params.append(exact[1])
    with app.store.snapshot() as conn:
        if organization_id is not None:
            organization = find_organization(conn, account, organization_id)
        search = query.get("search")
        if search:
            pattern = like_pattern(search)
            party_match = (
                "c.party_id IN (SELECT id FROM organizations "
                "WHERE account = ? AND name LIKE ? ESCAPE '\\')"
            )
            if account_wide:
                # Across organizations, search matches the organization name or the contractId.
                where.append(f"(c.contract_id LIKE ? ESCAPE '\\' OR {party_match})")
                params.extend([pattern, account, pattern])
            elif search.casefold() not in organization["name"].casefold():
                where.append("0")
        condition = " AND ".join(where)
        count = conn.execute(f"SELECT COUNT(*) FROM contracts c WHERE {condition}", params)  # noqa: S608 (whitelisted SQL)
        total = count.fetchone()[0]
        join = ""
        if account_wide and sort_by == "organizationName":
            # The one sort no index serves (the name lives on the organization): ~0.1 s per
            # 100,000 contracts.
            join = " JOIN organizations o ON o.id = c.party_id"
        rows = conn.execute(
            f"SELECT c.* FROM contracts c{join} WHERE {condition} "  # noqa: S608 (whitelisted SQL)
            f"ORDER BY {sort.clause('c.id')} LIMIT ? OFFSET ?",
            [*params, page.limit, page.offset],
        ).fetchall()
        return ok(envelope(page, total, records.contracts_for_list(conn, rows)))


def list_organization_contracts(app: "Sandbox", request: Request, organization_id: str) -> Response:
    """GET /v1/organizations/{organizationId}/contracts; `search` matches the organization name."""
    return _list(app, request, organization_id, account_wide=False)


def list_contracts(app: "Sandbox", request: Request) -> Response:
    """GET /v1/contracts: every organization's contracts, plus `filterField`/`filterValue`."""
    return _list(app, request, None, account_wide=True)


ROUTES = [
    Route(
        "GET",
        "/data-customer/v1/organizations/{organization_id}/contracts",
        list_organization_contracts,
    ),
    Route("GET", "/data-customer/v1/contracts", list_contracts, documented=False),
]
