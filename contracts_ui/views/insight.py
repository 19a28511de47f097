"""Pictures of time for account managers: an organization's contract timeline and status counts,
and the account's expiry radar."""

from contextlib import suppress
from datetime import UTC, date

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from contracts_ui import radar, selectors, timeline
from contracts_ui.access import account_access, editor_access
from contracts_ui.fabric import FabricNotFound
from contracts_ui.fabric.types import Organization
from contracts_ui.forms.radar import RadarFilterForm
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


# The radar's organization choices: the account's first organizations by name.
RADAR_ORGANIZATION_CHOICES = 100


def _radar_organizations(access, chosen: str) -> tuple[Organization, ...]:
    """The organizations to choose from, the chosen one included even past the first page."""
    listed = selectors.organizations(
        access.tenant,
        name=None,
        sort_by="name",
        sort_order="asc",
        offset=0,
        limit=RADAR_ORGANIZATION_CHOICES,
    ).items
    if radar.organization_id_from_query(chosen) and chosen not in {o.id for o in listed}:
        # One the account does not have stays out: the form then says the choice is not valid.
        with suppress(FabricNotFound):
            listed = (*listed, selectors.organization(access.tenant, organization_id=chosen))
    return tuple(listed)


def expiry_radar(request: HttpRequest, account_id: str) -> HttpResponse:
    """ACTIVE contracts ending within 90 days, and those already past: the account's, or one
    organization's."""
    access = account_access(request, account_id)
    context = {"access": access, "account": access.account}
    with showing_fabric_errors(context):
        chosen = request.GET.get("organization", "")
        form = RadarFilterForm(request.GET, organizations=_radar_organizations(access, chosen))
        context["form"] = form
        if form.is_valid():
            organization_id = form.organization_id()
            context["organization_id"] = organization_id
            context["organization_name"] = dict(form.fields["organization"].choices).get(
                organization_id, ""
            )
            context["radar"] = radar.expiry_radar(
                access.tenant, today=_today(), organization_id=organization_id
            )
    return render_page(request, "contracts_ui/expiry_radar.html", context, partial="expiry-radar")


def _bucket_in_url(request: HttpRequest, bucket: str) -> tuple[radar.RadarWindow, str]:
    """The bucket the URL names and its `organization` ("" for the whole account), or 404."""
    window = radar.bucket_by_slug(bucket)
    organization_id = radar.organization_id_from_query(request.GET.get("organization", ""))
    if window is None or organization_id is None:
        raise Http404("No such bucket or organization")
    return window, organization_id


def radar_bucket(request: HttpRequest, account_id: str, bucket: str) -> HttpResponse:
    """Every ACTIVE contract of one radar bucket across the account (or one organization)."""
    access = account_access(request, account_id)
    window, organization_id = _bucket_in_url(request, bucket)
    context = {"access": access, "account": access.account, "window": window}
    with showing_fabric_errors(context):
        if organization_id:
            context["organization"] = selectors.organization(
                access.tenant, organization_id=organization_id
            )
        context["bucket"] = radar.bucket_list(
            access.tenant, window, today=_today(), organization_id=organization_id
        )
    return render_page(request, "contracts_ui/radar_bucket.html", context, partial="radar-bucket")


def radar_bucket_bulk(request: HttpRequest, account_id: str, bucket: str) -> HttpResponse:
    """Select a bucket's contracts for a bulk change (editors): one organization's, with the bulk
    form; across the account, the bucket's organizations, each selected on its own, as a bulk
    job changes one organization's contracts."""
    access = editor_access(request, account_id)
    window, organization_id = _bucket_in_url(request, bucket)
    context = {
        "access": access,
        "account": access.account,
        "window": window,
        "bulk_max": settings.BULK_MAX_CONTRACTS,
    }
    with showing_fabric_errors(context):
        if organization_id:
            context["organization"] = selectors.organization(
                access.tenant, organization_id=organization_id
            )
            context["selection"] = radar.bucket_selection(
                access.tenant, window, today=_today(), organization_id=organization_id
            )
        else:
            context["by_organization"] = radar.bucket_organizations(
                access.tenant, window, today=_today()
            )
    return render_page(request, "contracts_ui/radar_bulk.html", context, partial="radar-bulk")
