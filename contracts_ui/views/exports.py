"""An organization's contracts view (its filters and sort) as a CSV or Excel file.

Rows come from fabric in pages of 100, each fetched once: the CSV streams as pages arrive; the
Excel workbook is written row by row (openpyxl write-only) to a temporary file, then sent.
The file opens with who/what/when lines, and each export is recorded in the audit ledger.
"""

import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from contracts_ui import audit, fabric, selectors
from contracts_ui.access import account_access
from contracts_ui.fabric.types import Contract
from contracts_ui.fabric.values import format_datetime
from contracts_ui.forms.filters import ContractFilterForm

# The audit export's helpers: one rule for what a spreadsheet must not run, one streaming writer.
from contracts_ui.spreadsheets import spreadsheet_cell, streaming_csv_response
from contracts_ui.views.rendering import answer_status, showing_fabric_errors

COLUMNS = (
    "_id",
    "contractId",
    "organizationId",
    "status",
    "contractType",
    "startDate",
    "endDate",
    "priceListId",
    "onContract",
    "promotionStacking",
    "createdAt",
    "updatedAt",
)
_FILTER_FIELDS = ("q", "status", "start_from", "start_to", "end_from", "end_to")
_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _filters_text(form: ContractFilterForm) -> str:
    parts = [
        f"{form.fields[name].label or name.title()}: {form.cleaned_data[name]}"
        for name in _FILTER_FIELDS
        if form.cleaned_data[name] not in (None, "")
    ]
    return "; ".join(parts) or "none"


def _sort_text(form: ContractFilterForm) -> str:
    sort_labels = dict(ContractFilterForm.SORT_FIELDS)
    order = "ascending" if form.cleaned_data["order"] == "asc" else "descending"
    return f"{sort_labels[form.cleaned_data['sort']]}, {order}"


def _iso(moment: datetime | None) -> str:
    return format_datetime(moment) or ""


def _row(contract: Contract) -> list[Any]:
    return [
        contract.id,
        contract.contract_id,
        contract.party_id or "",
        contract.status,
        contract.contract_type,
        _iso(contract.start_date),
        _iso(contract.end_date),
        contract.price_list_id if contract.price_list_id is not None else "",
        "true" if contract.on_contract else "false",
        "true" if contract.promotion_stacking else "false",
        _iso(contract.created_at),
        _iso(contract.updated_at),
    ]


def _rows(metadata: list[tuple[str, str]], contracts: Iterable[Contract]) -> Iterator[list[Any]]:
    """Metadata lines, a blank line, the header, then one line per contract, all made safe for
    spreadsheets; a fabric failure midway ends the file with a line saying it is incomplete."""
    for label, value in metadata:
        yield [spreadsheet_cell(label), spreadsheet_cell(value)]
    yield []
    yield list(COLUMNS)
    try:
        for contract in contracts:
            # Numbers stay numbers for Excel; text that could run as a formula is defused.
            yield [v if isinstance(v, int) else spreadsheet_cell(v) for v in _row(contract)]
    except fabric.FabricError as error:
        yield ["EXPORT INCOMPLETE", spreadsheet_cell(error.user_message)]


def _xlsx_response(rows: Iterator[list[Any]], filename: str) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contracts")
    for row in rows:
        sheet.append(row)
    # Deleted when the response closes it.
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type=_CONTENT_TYPES["xlsx"]
    )


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
    metadata = [
        ("Contracts export", f"{account.name} · {organization.name}"),
        ("Account", f"{account.name} ({account.account_id})"),
        ("Organization", f"{organization.name} ({organization.id})"),
        ("Filters", filters),
        ("Sort", sort),
        ("Generated at (UTC)", now.strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("Generated by", request.user.get_username()),
        ("Rows", str(first.count)),
    ]
    audit.record_export(
        actor=audit.actor_from_request(request),
        account_id=account.account_id,
        organization_id=organization.id,
        description=f"Export of {first.count} contracts of {organization.name} as {file_format}",
        row_count=first.count,
        details={"format": file_format, "filters": filters, "sort": sort},
    )
    rows = _rows(metadata, selectors.every_contract(fetch, first=first))
    filename = f"contracts-{organization.id}-{now:%Y%m%dT%H%M%SZ}.{file_format}"
    if file_format == "xlsx":
        return _xlsx_response(rows, filename)
    return streaming_csv_response(rows, filename)
