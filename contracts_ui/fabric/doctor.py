"""The connection doctor: what one account's fabric answers, checked call by call.

Each check is read-only (the optional no-op write is supplied by the caller, who records it in
the audit ledger). Every finding says `works`, `missing` (an UNDOCUMENTED endpoint fabric does not
answer), `differs` (it answers, but not as the console expects), `failed` (an error) or
`skipped`, with the evidence. The capabilities found are what the console adapts to: the largest
page size, the UNDOCUMENTED endpoints missing, the date-filter format.
"""

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from contracts_ui.fabric.client import api_base_url, fabric_request, quote_segment
from contracts_ui.fabric.errors import FabricError, FabricNotFound
from contracts_ui.fabric.organizations import list_organizations
from contracts_ui.fabric.paging import forget_page_size
from contracts_ui.fabric.tokens import forget_token, obtain_token, token_url
from contracts_ui.fabric.types import ENDPOINTS_UNDOCUMENTED, Contract, FabricTenant

WORKS, MISSING, DIFFERS, FAILED, SKIPPED = "works", "missing", "differs", "failed", "skipped"
# Page sizes tried, smallest first; the first refusal ends the probe.
PAGE_SIZES = (10, 25, 50, 100, 200, 500, 1000)
_FABRIC_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
# How many organizations are asked for contracts (a first page of the list).
_ORGANIZATIONS_SEARCHED = 10
# How many organizations a --write check searches for its contract, at most.
_WRITE_SEARCH_LIMIT = 2000


@dataclass(frozen=True)
class Finding:
    check: str
    result: str
    evidence: str


@dataclass
class Report:
    """The findings in the order checked, and the capabilities to store on the account."""

    findings: list[Finding] = field(default_factory=list)
    capabilities: dict[str, Any] = field(default_factory=dict)

    def add(self, check: str, result: str, evidence: str) -> None:
        self.findings.append(Finding(check, result, evidence))

    def table(self) -> str:
        """The findings as an aligned text table: check, result, evidence."""
        rows = [("check", "result", "evidence")]
        rows += [(f.check, f.result, f.evidence) for f in self.findings]
        widths = [max(len(row[column]) for row in rows) for column in (0, 1)]
        return "\n".join(
            f"{check:<{widths[0]}}  {result:<{widths[1]}}  {evidence}".rstrip()
            for check, result, evidence in rows
        )


def _failure(error: FabricError) -> str:
    status = f"HTTP {error.status}" if error.status else type(error).__name__
    return f"{status}: {error.message}"[:200]


def _get(tenant: FabricTenant, path: str, service: str = "data-customer", **params: Any) -> Any:
    return fabric_request(tenant, "GET", path, params=params or None, service=service)


def _envelope_problem(body: Any) -> str | None:
    """Why a list answer is not fabric's documented `{query: {offset, limit, count}, data}`."""
    if not isinstance(body, Mapping):
        return f"answer is a {type(body).__name__}, not an object"
    if not isinstance(body.get("data"), list):
        return f"no data list; keys: {', '.join(sorted(body)) or 'none'}"
    query = body.get("query")
    if not isinstance(query, Mapping):
        return "no query object"
    absent = [name for name in ("offset", "limit", "count") if not isinstance(query.get(name), int)]
    return f"query lacks {', '.join(absent)}" if absent else None


def _type_name(value: Any) -> str:
    return {str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def diagnose(
    tenant: FabricTenant,
    *,
    write_contract: str | None = None,
    write: Callable[[Contract], Contract] | None = None,
) -> Report:
    """Check every endpoint the console uses for this tenant; `write` (given `write_contract`,
    a business contractId) performs the no-op PATCH and returns what fabric answered."""
    # Probe fabric as it is, not as an earlier check left the client to see it.
    tenant = dataclasses.replace(tenant, max_page_size=None, missing=frozenset())
    forget_page_size(tenant)
    report = Report()
    caps = report.capabilities
    caps |= {
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "api_base_url": api_base_url(tenant),
        "token_url": token_url(tenant),
        "endpoints": {},
        "missing": [],
    }

    forget_token(tenant)
    try:
        obtain_token(tenant)
    except FabricError as error:
        report.add("token", FAILED, f"{token_url(tenant)}: {_failure(error)}")
        return report
    report.add("token", WORKS, f"client credentials accepted at {token_url(tenant)}")

    organizations = _check_organizations(tenant, report)
    organization_ids = [row.get("_id") for row in organizations if isinstance(row, Mapping)]
    organization_ids = [str(oid) for oid in organization_ids if oid]
    _check_page_sizes(tenant, report)
    if not organization_ids:
        for check in ("GET /v1/organizations?id=", ENDPOINTS_UNDOCUMENTED["organization"]):
            report.add(check, SKIPPED, "the account has no organization to check with")
    else:
        _check_organization_by_id(tenant, report, organization_ids[0])
    contract = _check_contracts(tenant, report, organization_ids)
    _check_account_wide(tenant, report)
    _check_internal_parties(tenant, report, organization_ids[:1])
    _check_price_list(tenant, report, contract)
    if write_contract and write is not None:
        _check_write(tenant, report, write_contract, write)
    caps["missing"] = sorted(
        name for name in ENDPOINTS_UNDOCUMENTED if caps["endpoints"].get(name) == MISSING
    )
    caps["findings"] = [dataclasses.astuple(finding) for finding in report.findings]
    return report


def _check_organizations(tenant: FabricTenant, report: Report) -> list:
    check = "GET /v1/organizations"
    try:
        body = _get(tenant, "/v1/organizations", offset=0, limit=_ORGANIZATIONS_SEARCHED)
    except FabricError as error:
        report.add(check, FAILED, _failure(error))
        return []
    problem = _envelope_problem(body)
    if problem:
        report.add(check, DIFFERS, f"list envelope: {problem}")
        rows = body.get("data") if isinstance(body, Mapping) else body
        return rows if isinstance(rows, list) else []
    report.add(
        check,
        WORKS,
        f"envelope {{query: offset, limit, count}}, data; organizations: {body['query']['count']}",
    )
    return body["data"]


def _check_page_sizes(tenant: FabricTenant, report: Report) -> None:
    check = "largest page size"
    accepted, refusal = None, ""
    for size in PAGE_SIZES:
        try:
            _get(tenant, "/v1/organizations", offset=0, limit=size)
        except FabricError as error:
            if error.status != 400:
                report.add(check, FAILED, f"limit={size}: {_failure(error)}")
                return
            refusal = f"; {size} refused ({_failure(error)})"
            break
        accepted = size
    if accepted is None:
        report.add(check, DIFFERS, f"even limit={PAGE_SIZES[0]} is refused{refusal}")
        return
    report.capabilities["max_page_size"] = accepted
    tried_all = "" if refusal else " (the largest tried)"
    report.add(check, WORKS, f"{accepted} accepted{tried_all}{refusal}")


def _check_organization_by_id(tenant: FabricTenant, report: Report, organization_id: str) -> None:
    endpoints = report.capabilities["endpoints"]
    check = "GET /v1/organizations?id="
    try:
        body = _get(tenant, "/v1/organizations", id=organization_id, offset=0, limit=10)
        ids = [row.get("_id") for row in body["data"]]
    except FabricError as error:
        report.add(check, FAILED, _failure(error))
    except (KeyError, TypeError, AttributeError) as exc:
        report.add(check, DIFFERS, f"unreadable list: {type(exc).__name__}")
    else:
        if ids == [organization_id]:
            endpoints["organizations_id_filter"] = WORKS
            report.add(check, WORKS, "answers the one organization asked for")
        else:
            endpoints["organizations_id_filter"] = DIFFERS
            report.add(check, DIFFERS, f"the id filter answered {len(ids)} organizations")
    check = ENDPOINTS_UNDOCUMENTED["organization"]
    try:
        body = _get(tenant, f"/v1/organizations/{quote_segment(organization_id)}")
    except FabricNotFound as error:
        endpoints["organization"] = MISSING
        report.add(check, MISSING, f"for an organization the list shows: {_failure(error)}")
        return
    except FabricError as error:
        report.add(check, FAILED, _failure(error))
        return
    if isinstance(body, Mapping) and body.get("_id") == organization_id:
        endpoints["organization"] = WORKS
        report.add(check, WORKS, "answers the organization")
    else:
        endpoints["organization"] = DIFFERS
        report.add(check, DIFFERS, "answers something other than the organization")


def _contract_shapes(rows: list) -> tuple[str, str]:
    """(result, evidence) for the fields of listed contracts as the console reads them."""
    notes, unreadable = [], 0
    for row in rows:
        try:
            Contract.from_api(row)
        except (KeyError, TypeError, ValueError, AttributeError):
            unreadable += 1
    first = rows[0] if rows and isinstance(rows[0], Mapping) else {}
    notes.append(f"contractId a {_type_name(first.get('contractId'))}")
    dates = [first.get(name) for name in ("startDate", "endDate", "updatedAt")]
    fabric_dates = all(isinstance(value, str) and _FABRIC_DATE.match(value) for value in dates)
    notes.append(
        "dates ISO-8601 UTC with milliseconds" if fabric_dates else f"dates like {dates[0]!r}"
    )
    notes.append(f"priceLists on list rows: {'yes' if 'priceLists' in first else 'no'}")
    if unreadable:
        notes.append(f"{unreadable} of {len(rows)} rows unreadable")
    return (WORKS if fabric_dates and not unreadable else DIFFERS), "; ".join(notes)


def _check_contracts(
    tenant: FabricTenant, report: Report, organization_ids: list[str]
) -> Mapping | None:
    """The organization contract list, field shapes, one contract, and the date filter."""
    check = "GET /v1/organizations/{organizationId}/contracts"
    found: tuple[str, list] | None = None
    for organization_id in organization_ids:
        path = f"/v1/organizations/{quote_segment(organization_id)}/contracts"
        try:
            body = _get(tenant, path, offset=0, limit=10)
        except FabricError as error:
            report.add(check, FAILED, _failure(error))
            return None
        problem = _envelope_problem(body)
        if problem:
            report.add(check, DIFFERS, f"list envelope: {problem}")
            return None
        if body["data"]:
            found = (organization_id, body["data"])
            break
    dependent = (
        "contract fields",
        "GET /v1/organizations/{organizationId}/contracts/{contractId}",
        "date filter",
    )
    if found is None:
        report.add(check, WORKS if organization_ids else SKIPPED, "no organization has contracts")
        for name in dependent:
            report.add(name, SKIPPED, "no contract to check with")
        return None
    organization_id, rows = found
    report.add(check, WORKS, f"contracts read from organization {organization_id}: {len(rows)}")
    report.add(dependent[0], *_contract_shapes(rows))
    contract = rows[0] if isinstance(rows[0], Mapping) else {}
    business_id = str(contract.get("contractId") or "")
    path = f"/v1/organizations/{quote_segment(organization_id)}/contracts"
    try:
        one = _get(tenant, f"{path}/{quote_segment(business_id)}")
        same = isinstance(one, Mapping) and one.get("_id") == contract.get("_id")
        report.add(
            dependent[1],
            WORKS if same else DIFFERS,
            f"by contractId {business_id}" if same else "answered another record",
        )
    except FabricError as error:
        report.add(dependent[1], FAILED, f"by contractId {business_id}: {_failure(error)}")
    _check_date_filter(tenant, report, path)
    return contract


def _check_date_filter(tenant: FabricTenant, report: Report, path: str) -> None:
    check = "date filter"
    forms = (
        ("date", "YYYY-MM-DD", ("1900-01-01", "2999-12-31")),
        ("datetime", "ISO date-time", ("1900-01-01T00:00:00.000Z", "2999-12-31T23:59:59.999Z")),
    )
    refused = []
    for name, label, (low, high) in forms:
        try:
            _get(tenant, path, startDateFrom=low, startDateTo=high, offset=0, limit=1)
        except FabricError as error:
            refused.append(f"{label} refused ({_failure(error)})")
            continue
        report.capabilities["date_filter_format"] = name
        evidence = "; ".join([*refused, f"startDateFrom/To as {label} accepted"])
        report.add(check, WORKS if name == "date" else DIFFERS, evidence)
        return
    report.add(check, FAILED, "; ".join(refused))


def _check_undocumented_list(
    tenant: FabricTenant, report: Report, name: str, path: str, **params: Any
) -> None:
    check = ENDPOINTS_UNDOCUMENTED[name]
    endpoints = report.capabilities["endpoints"]
    try:
        body = _get(tenant, path, **params)
    except FabricNotFound as error:
        endpoints[name] = MISSING
        report.add(check, MISSING, _failure(error))
        return
    except FabricError as error:
        report.add(check, FAILED, _failure(error))
        return
    problem = _envelope_problem(body)
    endpoints[name] = DIFFERS if problem else WORKS
    report.add(check, endpoints[name], f"list envelope: {problem}" if problem else "answers")


def _check_account_wide(tenant: FabricTenant, report: Report) -> None:
    _check_undocumented_list(tenant, report, "contracts", "/v1/contracts", offset=0, limit=1)


def _check_internal_parties(
    tenant: FabricTenant, report: Report, organization_ids: list[str]
) -> None:
    check = "GET /v1/internal-parties"
    try:
        body = _get(tenant, "/v1/internal-parties", offset=0, limit=10)
    except FabricError as error:
        report.add(check, FAILED, _failure(error))
    else:
        problem = _envelope_problem(body)
        evidence = (
            f"list envelope: {problem}" if problem else f"internal parties: {len(body['data'])}"
        )
        report.add(check, DIFFERS if problem else WORKS, evidence)
    if not organization_ids:
        check = ENDPOINTS_UNDOCUMENTED["internal_party_links"]
        report.add(check, SKIPPED, "the account has no organization to check with")
        return
    _check_undocumented_list(
        tenant,
        report,
        "internal_party_links",
        "/v1/internalParties-party",
        partyId=organization_ids[0],
    )


def _check_price_list(tenant: FabricTenant, report: Report, contract: Mapping | None) -> None:
    check = "GET /api-offers/price-list/{priceListId}"
    links = (contract or {}).get("priceLists") or []
    price_list_id = next(
        (link.get("priceListId") for link in links if isinstance(link, Mapping)), None
    )
    if price_list_id is None:
        report.add(check, SKIPPED, "no price list linked to the contract checked")
        return
    try:
        body = _get(tenant, f"/price-list/{quote_segment(price_list_id)}", service="api-offers")
    except FabricError as error:
        report.add(check, FAILED, f"price list {price_list_id}: {_failure(error)}")
        return
    same = isinstance(body, Mapping) and str(body.get("priceListId")) == str(price_list_id)
    report.add(check, WORKS if same else DIFFERS, f"price list {price_list_id}")


def _every_organization_id(tenant: FabricTenant) -> Iterator[str]:
    """The account's organization ids, page by page (at most _WRITE_SEARCH_LIMIT of them)."""
    offset = 0
    while offset < _WRITE_SEARCH_LIMIT:
        page = list_organizations(tenant, offset=offset, limit=100)
        yield from (organization.id for organization in page.items)
        if not page.has_next:
            return
        offset = page.end_offset


def _check_write(
    tenant: FabricTenant,
    report: Report,
    business_id: str,
    write: Callable[[Contract], Contract],
) -> None:
    check = "PATCH /v1/contracts/{contractId} (no-op)"
    contract = None
    try:
        # The contract is found the documented way: one GET by contractId per organization.
        for organization_id in _every_organization_id(tenant):
            path = f"/v1/organizations/{quote_segment(organization_id)}/contracts"
            try:
                contract = fabric_request(
                    tenant,
                    "GET",
                    f"{path}/{quote_segment(business_id)}",
                    parse=Contract.from_api,
                )
                break
            except FabricNotFound:
                continue
    except FabricError as error:
        report.add(check, FAILED, f"looking for contract {business_id}: {_failure(error)}")
        return
    if contract is None:
        report.add(check, SKIPPED, f"no contract {business_id} in the account's organizations")
        return
    try:
        written = write(contract)
    except FabricError as error:
        report.add(check, FAILED, f"contract {business_id}: {_failure(error)}")
        return
    report.capabilities["endpoints"]["patch_by_contract_id"] = WORKS
    report.add(check, WORKS, f"contract {business_id}, status {written.status} sent back as read")
