"""Pictures of time for account managers: an organization's contract timeline and status counts,
and the account's expiry radar."""

from datetime import UTC, date

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from contracts_ui import radar, selectors, timeline
from contracts_ui.access import account_access
from contracts_ui.views.rendering import render_page, showing_fabric_errors


def _today() -> date:
    # The radar and the timeline count calendar days in UTC, as fabric stores dates.
    return timezone.now().astimezone(UTC).date()


def contract_timeline(request: HttpRequest, account_id: str, organization_id: str) -> HttpResponse:
    """The organization's contracts as bars on one time axis, with overlaps and gaps listed."""
    access = account_access(request, account_id)
    context = {"access": access, "account": access.account, "organization_id": organization_id}
    with showing_fabric_errors(context):
        context["organization"] = selectors.organization(
            access.tenant, organization_id=organization_id
        )
        context["timeline"] = timeline.organization_timeline(
            access.tenant, organization_id=organization_id, today=_today()
        )
    return render_page(request, "contracts_ui/timeline.html", context, partial="timeline")


def status_counts(request: HttpRequest, account_id: str, organization_id: str) -> HttpResponse:
    """How many contracts the organization has in each status: a panel loaded after its page."""
    access = account_access(request, account_id)
    context = {"access": access, "account": access.account, "organization_id": organization_id}
    with showing_fabric_errors(context):
        context["organization"] = selectors.organization(
            access.tenant, organization_id=organization_id
        )
        counts = selectors.organization_status_counts(
            access.tenant, organization_id=organization_id
        )
        context["status_counts"] = sorted(counts.items())
        context["status_total"] = sum(counts.values())
    return render_page(request, "contracts_ui/status_counts.html", context, partial="status-counts")


def expiry_radar(request: HttpRequest, account_id: str) -> HttpResponse:
    """ACTIVE contracts of the whole account ending within 90 days, and those already past."""
    access = account_access(request, account_id)
    context = {"access": access, "account": access.account}
    with showing_fabric_errors(context):
        context["radar"] = radar.expiry_radar(access.tenant, today=_today())
    return render_page(request, "contracts_ui/expiry_radar.html", context, partial="expiry-radar")
