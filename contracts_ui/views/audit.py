"""Reading the audit ledger: the account's audit page, its CSV export, one contract's history."""

import json
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from contracts_ui import audit, selectors
from contracts_ui.access import AccountAccess, account_access
from contracts_ui.audit import queries as audit_queries
from contracts_ui.fabric.errors import FabricValidationError
from contracts_ui.forms.audit import AuditFilterForm
from contracts_ui.models import AuditAction, AuditEvent
from contracts_ui.spreadsheets import Table, export_filename, streaming_csv_response
from contracts_ui.views.rendering import (
    answer_status,
    is_partial_request,
    render_page,
    showing_fabric_errors,
)

EVENTS_PER_PAGE = 50
# The exported columns, in order. Stable names: people build sheets on them (README).
EXPORT_COLUMNS = (
    "Time (UTC)",
    "User",
    "Account id",
    "Organization id",
    "Contract fabric id",
    "Contract id",
    "Action",
    "Summary",
    "Outcome",
    "fabric status",
    "Message",
    "Request id",
    "Client IP",
    "User agent",
    "Changes",
    "State before",
    "Request sent",
    "State after",
    "Completed (UTC)",
    "Record hash",
)


def _organization_ids(access: AccountAccess, form: AuditFilterForm, context: dict) -> list | None:
    """The organization ids a valid form's organization filter stands for (none: no filter),
    or None when it cannot be used: a name no organization has (an error at the field) or
    fabric unable to say (`fabric_error` in `context`)."""
    text = form.cleaned_data["organization"]
    if not text:
        return []
    if form.organization_id():
        return [text]
    named: dict[str, str] = {}
    with showing_fabric_errors(context):
        try:
            named = selectors.organizations_named(access.tenant, name=text)
        except FabricValidationError:
            form.add_error("organization", "fabric cannot search organization names for this.")
            return None
    if "fabric_error" in context:
        return None
    if not named:
        form.add_error("organization", f"No organization of this account has “{text}” in its name.")
        return None
    return list(named)


def audit_list(request: HttpRequest, account_id: str) -> HttpResponse:
    """The account's audit log, filtered and paged, newest first."""
    access = account_access(request, account_id)
    form = AuditFilterForm(request.GET)
    context: dict[str, Any] = {"access": access, "account": access.account, "form": form}
    organization_ids = _organization_ids(access, form, context) if form.is_valid() else None
    if organization_ids is not None:
        events = audit_queries.audit_events(
            account_id=access.account.account_id, **form.filters(organization_ids=organization_ids)
        )
        page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
        context["page"] = page
        context["events"] = audit_queries.with_changes(page.object_list)
        # One batched, cached read names every organization of the page.
        names = selectors.organization_names_of(
            access.tenant, organization_ids=[event.organization_id for event in context["events"]]
        )
        for event in context["events"]:
            event.organization_name = names.get(event.organization_id)
    return render_page(request, "contracts_ui/audit_list.html", context, partial="audit-log")


def audit_export(request: HttpRequest, account_id: str) -> HttpResponse:
    """The filtered events of the account as CSV, streamed row by row."""
    access = account_access(request, account_id)
    form = AuditFilterForm(request.GET)
    failure: dict = {}
    organization_ids = _organization_ids(access, form, failure) if form.is_valid() else None
    if "fabric_error" in failure:
        return HttpResponse(
            f"fabric: {failure['fabric_error'].user_message}",
            status=answer_status(failure),
            content_type="text/plain; charset=utf-8",
        )
    if organization_ids is None:
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in form.errors.items()
        )
        return HttpResponse(
            f"Invalid filters: {problems}", status=400, content_type="text/plain; charset=utf-8"
        )
    filters = form.filters(organization_ids=organization_ids)
    events = audit_queries.audit_events(account_id=access.account.account_id, **filters)
    filename = export_filename(
        "audit",
        access.account.account_id,
        *_filter_words(form),
        moment=timezone.now(),
        extension="csv",
    )
    export = audit.start_export(
        request,
        account_id=access.account.account_id,
        action=AuditAction.EXPORT_AUDIT,
        description="Export of the audit log as csv",
        details={"format": "csv", "filters": filters},
    )
    # The ledger as it stood when the export began, without the export's own record.
    events = export.counted(events.filter(pk__lt=export.event.pk).iterator(chunk_size=2000))
    table = Table(columns=EXPORT_COLUMNS, rows=(_export_row(event) for event in events), about=())
    return streaming_csv_response(table, filename, export=export)


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
    if not is_partial_request(request):
        # The page's breadcrumb names the organization; the panel alone does not show it.
        context["organization_name"] = selectors.organization_names_of(
            access.tenant, organization_ids=[organization_id]
        ).get(organization_id)
    return render_page(
        request, "contracts_ui/contract_history.html", context, partial="contract-history"
    )


def _filter_words(form: AuditFilterForm) -> list[str]:
    """The filters in use, as words for the file name: "outcome rejected", "from 2026-01-01"."""
    return [
        f"{name} {value}"
        for name, value in form.cleaned_data.items()
        if value not in (None, "") and name != "page"
    ]


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _export_row(event: AuditEvent) -> list[Any]:
    outcome = getattr(event, "outcome", None)
    return [
        event.occurred_at,
        event.username,
        event.account_id,
        event.organization_id,
        event.contract_ref,
        event.contract_id,
        event.get_action_display(),
        event.summary,
        outcome.get_outcome_display() if outcome else audit_queries.PENDING_LABEL,
        outcome.fabric_status if outcome else None,
        outcome.message if outcome else "",
        event.request_id,
        event.client_ip,
        event.user_agent,
        _json_cell(outcome.diff) if outcome else "",
        _json_cell(event.state_before),
        _json_cell(event.request_sent),
        _json_cell(outcome.state_after) if outcome else "",
        outcome.completed_at if outcome else None,
        event.record_hash,
    ]
