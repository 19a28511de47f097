"""Contracts as CSV or Excel files: an organization's contracts view (its filters and sort), and
a bucket of the expiry radar.

Rows come from fabric in pages of 100, each fetched once, and are named page by page through the
cached look-ups (organization and price-list names): the CSV streams as pages arrive; the Excel
workbook is written row by row (openpyxl write-only) to a temporary file, then sent. The header
row comes first (COLUMNS, documented in the README); what the file is goes in the Excel file's
"About" sheet and the CSV's file name. Each export is recorded in the audit ledger, its outcome
once the file is complete or has failed (contracts_ui.spreadsheets).
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC
from itertools import batched
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from contracts_ui import audit, radar, selectors
from contracts_ui.access import account_access
from contracts_ui.fabric.types import MAX_PAGE_SIZE, Contract, FabricTenant
from contracts_ui.forms.filters import ContractFilterForm
from contracts_ui.models import AuditAction
from contracts_ui.spreadsheets import Table, export_filename, streaming_csv_response, xlsx_response
from contracts_ui.views.rendering import answer_status, showing_fabric_errors

# The exported columns, in order. Stable names: people build sheets and macros on them.
COLUMNS = (
    "Contract id",
    "Organization",
    "Organization id",
    "Status",
    "Contract type",
    "Start date",
    "End date",
    "Price list",
    "Price list id",
    "On contract",
    "Promotion stacking",
    "Created (UTC)",
    "Updated (UTC)",
    "fabric id",
)
_FILTER_FIELDS = ("q", "status", "start_from", "start_to", "end_from", "end_to")
type OrganizationNames = Callable[[list[Contract]], dict[str, str]]


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _filters_text(form: ContractFilterForm) -> str:
    parts = [
        f"{form.fields[name].label or name.title()}: "
        + (", ".join(value) if isinstance(value, list) else str(value))
        for name in _FILTER_FIELDS
        if (value := form.cleaned_data[name]) not in (None, "", [])
    ]
    return "; ".join(parts) or "none"


def _sort_text(form: ContractFilterForm) -> str:
    sort_labels = dict(ContractFilterForm.SORT_FIELDS)
    order = "ascending" if form.cleaned_data["order"] == "asc" else "descending"
    return f"{sort_labels[form.cleaned_data['sort']]}, {order}"


def contract_rows(
    tenant: FabricTenant, contracts: Iterable[Contract], organization_names: OrganizationNames
) -> Iterator[list[Any]]:
    """One row of COLUMNS per contract, named a page at a time through the cached look-ups."""
    for page in batched(contracts, MAX_PAGE_SIZE):
        names = organization_names(list(page))
        for row in selectors.contract_rows(tenant, page):
            contract, price_list = row.contract, row.price_list
            yield [
                contract.contract_id,
                names.get(contract.party_id or "", ""),
                contract.party_id,
                contract.status,
                contract.contract_type,
                contract.start_date,
                contract.end_date,
                price_list.name if price_list else None,
                contract.price_list_id,
                contract.on_contract,
                contract.promotion_stacking,
                contract.created_at,
                contract.updated_at,
                contract.id,
            ]


def contract_export(
    request: HttpRequest, account_id: str, organization_id: str, file_format: str
) -> HttpResponse:
    """The organization's contracts with the filters and sort of the query string, every page."""
    access = account_access(request, account_id)
    form = ContractFilterForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(f"{field}: {' '.join(errs)}" for field, errs in form.errors.items())
        return _plain(f"Invalid filters: {problems}", 400)
    failure: dict = {}
    with showing_fabric_errors(failure):
        organization = selectors.organization(access.tenant, organization_id=organization_id)
        fetch = selectors.organization_page_fetch(
            access.tenant, organization_id=organization_id, query=form.contract_query()
        )
        first = selectors.first_page(fetch)
    if failure:
        return _plain(f"fabric: {failure['fabric_error'].user_message}", answer_status(failure))
    now = timezone.now().astimezone(UTC)
    account = access.account
    filters, sort = _filters_text(form), _sort_text(form)
    export = audit.start_export(
        request,
        account_id=account.account_id,
        action=AuditAction.EXPORT,
        organization_id=organization.id,
        description=f"Export of {first.count} contracts of {organization.name} as {file_format}",
        details={"format": file_format, "filters": filters, "sort": sort},
    )
    table = Table(
        columns=COLUMNS,
        rows=contract_rows(
            access.tenant,
            export.counted(selectors.every_contract(fetch, tenant=access.tenant, first=first)),
            lambda page: {organization.id: organization.name},
        ),
        about=(
            ("What", f"Contracts of {organization.name}"),
            ("Account", f"{account.name} ({account.account_id})"),
            ("Organization", f"{organization.name} ({organization.id})"),
            ("Filters", filters),
            ("Sort", sort),
            ("Generated at (UTC)", now.strftime("%Y-%m-%d %H:%M:%S")),
            ("Generated by", request.user.get_username()),
            ("Rows", str(first.count)),
        ),
    )
    filter_words = [filters] if filters != "none" else []
    filename = export_filename(
        "contracts",
        organization.name,
        *filter_words,
        f"sort {form.cleaned_data['sort']} {form.cleaned_data['order']}",
        moment=now,
        extension=file_format,
    )
    if file_format == "xlsx":
        return xlsx_response(table, filename, sheet="Contracts", export=export)
    return streaming_csv_response(table, filename, export=export)


def radar_bucket_export(request: HttpRequest, account_id: str, bucket: str) -> HttpResponse:
    """One bucket of the expiry radar (the organization's, or the account's) as CSV."""
    access = account_access(request, account_id)
    window = radar.bucket_by_slug(bucket)
    organization_id = radar.organization_id_from_query(request.GET.get("organization", ""))
    if window is None or organization_id is None:
        raise Http404("No such bucket or organization")
    today = timezone.now().astimezone(UTC).date()
    failure: dict = {}
    with showing_fabric_errors(failure):
        organization = (
            selectors.organization(access.tenant, organization_id=organization_id)
            if organization_id
            else None
        )
        fetch = radar.bucket_fetch(
            access.tenant, window, today=today, organization_id=organization_id
        )
        first = selectors.first_page(fetch)
    if failure:
        return _plain(f"fabric: {failure['fabric_error'].user_message}", answer_status(failure))
    now = timezone.now().astimezone(UTC)
    account = access.account
    scope = organization.name if organization else f"every organization of {account.name}"
    what = f"active contracts {window.description(today)}"
    export = audit.start_export(
        request,
        account_id=account.account_id,
        action=AuditAction.EXPORT,
        organization_id=organization.id if organization else "",
        description=f"Export of {first.count} {what}, {scope}, as csv",
        details={"format": "csv", "bucket": window.slug, "organization": organization_id},
    )

    def names(page: list[Contract]) -> dict[str, str]:
        if organization:
            return {organization.id: organization.name}
        ids = (contract.party_id for contract in page if contract.party_id)
        return selectors.organization_names(access.tenant, organization_ids=ids, limit=len(page))

    table = Table(
        columns=COLUMNS,
        rows=contract_rows(
            access.tenant,
            export.counted(selectors.every_contract(fetch, tenant=access.tenant, first=first)),
            names,
        ),
        about=(),
    )
    filename = export_filename(
        "expiry-radar",
        window.slug if window.slug == "expired" else f"{window.slug} days",
        organization.name if organization else account.name,
        today.isoformat(),
        moment=now,
        extension="csv",
    )
    return streaming_csv_response(table, filename, export=export)
