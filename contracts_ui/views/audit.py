"""Reading the audit ledger: the account's audit page, its CSV export, one contract's history."""

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from contracts_ui import audit, selectors
from contracts_ui.access import account_access
from contracts_ui.audit import queries as audit_queries
from contracts_ui.forms.audit import AuditFilterForm
from contracts_ui.models import AuditAction, AuditEvent
from contracts_ui.spreadsheets import spreadsheet_cell, streaming_csv_response
from contracts_ui.views.rendering import render_page

EVENTS_PER_PAGE = 50
EXPORT_COLUMNS = (
    "occurred_at",
    "username",
    "account_id",
    "organization_id",
    "contract_ref",
    "contract_id",
    "action",
    "summary",
    "outcome",
    "fabric_status",
    "message",
    "request_id",
    "client_ip",
    "user_agent",
    "diff",
    "state_before",
    "request_sent",
    "state_after",
    "completed_at",
    "record_hash",
)
# A spreadsheet runs a cell starting with one of these as a formula.


def audit_list(request: HttpRequest, account_id: str) -> HttpResponse:
    """The account's audit log, filtered and paged, newest first."""
    access = account_access(request, account_id)
    form = AuditFilterForm(request.GET)
    context: dict[str, Any] = {"access": access, "account": access.account, "form": form}
    if form.is_valid():
        events = audit_queries.audit_events(account_id=access.account.account_id, **form.filters())
        page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
        context["page"] = page
        context["events"] = audit_queries.with_changes(page.object_list)
    return render_page(request, "contracts_ui/audit_list.html", context, partial="audit-log")


def audit_export(request: HttpRequest, account_id: str) -> HttpResponse:
    """The filtered events of the account as CSV, streamed row by row."""
    access = account_access(request, account_id)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in form.errors.items()
        )
        return HttpResponse(
            f"Invalid filters: {problems}", status=400, content_type="text/plain; charset=utf-8"
        )
    events = audit_queries.audit_events(account_id=access.account.account_id, **form.filters())
    stamp = timezone.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    filename = f"audit-{access.account.account_id}-{stamp}.csv"
    export = audit.start_export(
        request,
        account_id=access.account.account_id,
        action=AuditAction.EXPORT_AUDIT,
        description="Export of the audit log as csv",
        details={"format": "csv", "filters": form.filters()},
    )
    # The ledger as it stood when the export began, without the export's own record.
    events = export.counted(events.filter(pk__lt=export.event.pk).iterator(chunk_size=2000))
    return streaming_csv_response(_csv_rows(events), filename, export=export)


def contract_history(
    request: HttpRequest, account_id: str, organization_id: str, contract_id: str
) -> HttpResponse:
    """The last changes of one contract, as the panel of its page (or a small page of its own)."""
    access = account_access(request, account_id)
    context = {
        "access": access,
        "account": access.account,
        "organization_id": organization_id,
        "contract_id": contract_id,
        "history_events": selectors.contract_history(
            access.account.account_id, selectors.LedgerRef.from_url(contract_id)
        ),
    }
    return render_page(
        request, "contracts_ui/contract_history.html", context, partial="contract-history"
    )


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _iso_utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat() if moment else ""


def _export_row(event: AuditEvent) -> list[str]:
    outcome = getattr(event, "outcome", None)
    values = [
        _iso_utc(event.occurred_at),
        event.username,
        event.account_id,
        event.organization_id,
        event.contract_ref,
        event.contract_id,
        event.action,
        event.summary,
        event.outcome_kind,
        outcome.fabric_status if outcome else None,
        outcome.message if outcome else "",
        event.request_id,
        event.client_ip,
        event.user_agent,
        _json_cell(outcome.diff) if outcome else "",
        _json_cell(event.state_before),
        _json_cell(event.request_sent),
        _json_cell(outcome.state_after) if outcome else "",
        _iso_utc(outcome.completed_at) if outcome else "",
        event.record_hash,
    ]
    return [spreadsheet_cell(value) for value in values]


def _csv_rows(events: Iterable[AuditEvent]) -> Iterator[list[str]]:
    yield list(EXPORT_COLUMNS)
    for event in events:
        yield _export_row(event)
