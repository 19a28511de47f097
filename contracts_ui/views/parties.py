"""The merchant's internal parties (staff, units) linked to an organization."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from contracts_ui import fabric, services
from contracts_ui.access import AccountAccess, account_access, editor_access
from contracts_ui.audit import actor_from_request
from contracts_ui.edit_forms import InternalPartyLinkForm
from contracts_ui.views.rendering import fabric_error_status, render_page

# Enough for a merchant's own units; fabric pages at 100 at most.
_INTERNAL_PARTY_CHOICES = 100


def _parties_page(
    request: HttpRequest,
    access: AccountAccess,
    organization_id: str,
    *,
    form: InternalPartyLinkForm | None = None,
    error: fabric.FabricError | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "access": access,
        "account": access.account,
        "organization_id": organization_id,
        "fabric_error": error,
    }
    try:
        tenant = access.account.tenant()
        context["organization"] = fabric.get_organization(tenant, organization_id=organization_id)
        links = fabric.list_internal_party_links(tenant, party_id=organization_id)
        parties = fabric.list_internal_parties(tenant, limit=_INTERNAL_PARTY_CHOICES).items
    except fabric.FabricError as fetch_error:
        context["fabric_error"] = error or fetch_error
        return render_page(
            request,
            "contracts_ui/internal_parties.html",
            context,
            partial="internal-parties",
            status=max(status, fabric_error_status(fetch_error)),
        )
    by_id = {party.id: party for party in parties}
    linked_ids = {link.internal_party_id for link in links if not link.is_deleted}
    context["linked"] = [(link, by_id.get(link.internal_party_id)) for link in links]
    context["form"] = form or InternalPartyLinkForm(
        internal_parties=[party for party in parties if party.id not in linked_ids]
    )
    return render_page(
        request,
        "contracts_ui/internal_parties.html",
        context,
        partial="internal-parties",
        status=status,
    )


def internal_party_list(request: HttpRequest, account_id: str, organization_id: str):
    access = account_access(request, account_id)
    return _parties_page(request, access, organization_id)


def _done(request: HttpRequest, access: AccountAccess, organization_id: str, message: str):
    messages.success(request, message)
    return redirect(
        reverse(
            "contracts_ui:internal-parties",
            kwargs={"account_id": access.account.account_id, "organization_id": organization_id},
        )
    )


@require_POST
def internal_party_link(request: HttpRequest, account_id: str, organization_id: str):
    access = editor_access(request, account_id)
    try:
        tenant = access.account.tenant()
        parties = fabric.list_internal_parties(tenant, limit=_INTERNAL_PARTY_CHOICES).items
    except fabric.FabricError as error:
        return _parties_page(
            request, access, organization_id, error=error, status=fabric_error_status(error)
        )
    form = InternalPartyLinkForm(request.POST, internal_parties=parties)
    if not form.is_valid():
        return _parties_page(request, access, organization_id, form=form, status=422)
    try:
        services.internal_party_link(
            actor=actor_from_request(request),
            account=access.account,
            organization_id=organization_id,
            internal_party_id=form.cleaned_data["internal_party_id"],
        )
    except fabric.FabricError as error:
        return _parties_page(
            request, access, organization_id, error=error, status=fabric_error_status(error)
        )
    return _done(request, access, organization_id, "Internal party linked.")


@require_POST
def internal_party_unlink(
    request: HttpRequest, account_id: str, organization_id: str, internal_party_id: str
):
    access = editor_access(request, account_id)
    try:
        services.internal_party_link(
            actor=actor_from_request(request),
            account=access.account,
            organization_id=organization_id,
            internal_party_id=internal_party_id,
            unlink=True,
        )
    except fabric.FabricError as error:
        return _parties_page(
            request, access, organization_id, error=error, status=fabric_error_status(error)
        )
    return _done(request, access, organization_id, "Internal party unlinked.")
