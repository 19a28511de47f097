"""Choosing an account and browsing its organizations."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from contracts_ui import selectors
from contracts_ui.access import account_access, request_reachable_accounts
from contracts_ui.forms.filters import OrganizationFilterForm
from contracts_ui.views.rendering import render_page, showing_fabric_errors


def account_list(request: HttpRequest) -> HttpResponse:
    """The accounts the user may reach; straight into the only one if there is just one."""
    accesses = request_reachable_accounts(request)
    if len(accesses) == 1 and "all" not in request.GET:
        return redirect("contracts_ui:organization-list", account_id=accesses[0].account.account_id)
    return render(request, "contracts_ui/account_list.html", {"accesses": accesses})


def organization_list(request: HttpRequest, account_id: str) -> HttpResponse:
    access = account_access(request, account_id)
    form = OrganizationFilterForm(request.GET)
    context = {"access": access, "account": access.account, "form": form, "page": None}
    if form.is_valid():
        offset, limit = form.paging()
        with showing_fabric_errors(context):
            context["page"] = selectors.organizations(
                access.tenant,
                name=form.cleaned_data["name"].strip() or None,
                sort_by=form.cleaned_data["sort"],
                sort_order=form.cleaned_data["order"],
                offset=offset,
                limit=limit,
            )
    return render_page(
        request, "contracts_ui/organization_list.html", context, partial="organization-browser"
    )
