"""The merchant's internal parties (staff, units) linked to an organization."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from contracts_ui import fabric, selectors, services
from contracts_ui.access import AccountAccess, account_access, editor_access
from contracts_ui.audit import actor_from_request
from contracts_ui.forms.edits import InternalPartyLinkForm
from contracts_ui.views.rendering import answer_status, render_page, showing_fabric_errors


def _parties_page(
    request: HttpRequest,
    access: AccountAccess,
    organization_id: str,
    *,
    form: InternalPartyLinkForm | None = None,
    error: fabric.FabricError | None = None,
    status: int = 200,
) -> HttpResponse:
    """The organization's links and the link form; `error` is a failed write's, shown first."""
    context = {"access": access, "account": access.account, "organization_id": organization_id}
    with showing_fabric_errors(context):
        parties = selectors.organization_parties(access.tenant, organization_id=organization_id)
        context["organization"] = parties.organization
        context["linked"] = parties.linked
        context["links_error"] = parties.links_error
        context["parties_error"] = parties.parties_error
        context["all_parties"] = parties.parties
        context["form"] = form or InternalPartyLinkForm(internal_parties=parties.unlinked)
    status = answer_status(context, status)
    if error is not None:
        context["fabric_error"] = error
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


def _write(request: HttpRequest, access: AccountAccess, organization_id: str, **link) -> dict:
    """Link or unlink through the service; {} when done, else the failure's page context."""
    failure: dict = {}
    with showing_fabric_errors(failure):
        services.internal_party_link(
            actor=actor_from_request(request),
            access=access,
            organization_id=organization_id,
            **link,
        )
    return failure


@require_POST
def internal_party_link(request: HttpRequest, account_id: str, organization_id: str):
    access = editor_access(request, account_id)
    failure: dict = {}
    with showing_fabric_errors(failure):
        form = InternalPartyLinkForm(
            request.POST, internal_parties=selectors.internal_parties(access.tenant)
        )
    if failure:
        return _parties_page(request, access, organization_id, error=failure["fabric_error"])
    if not form.is_valid():
        return _parties_page(request, access, organization_id, form=form, status=422)
    failure = _write(
        request, access, organization_id, internal_party_id=form.cleaned_data["internal_party_id"]
    )
    if failure:
        return _parties_page(request, access, organization_id, error=failure["fabric_error"])
    return _done(request, access, organization_id, "Internal party linked.")


@require_POST
def internal_party_unlink(
    request: HttpRequest, account_id: str, organization_id: str, internal_party_id: str
):
    access = editor_access(request, account_id)
    failure = _write(
        request, access, organization_id, internal_party_id=internal_party_id, unlink=True
    )
    if failure:
        return _parties_page(request, access, organization_id, error=failure["fabric_error"])
    return _done(request, access, organization_id, "Internal party unlinked.")
