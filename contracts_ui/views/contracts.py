"""Reading contracts: an organization's table, the account-wide lookup, one contract's page."""

from django.http import HttpRequest, HttpResponse

from contracts_ui import fabric, selectors
from contracts_ui.access import AccountAccess, account_access
from contracts_ui.audit import queries as audit_queries
from contracts_ui.forms import ContractFilterForm, ContractLookupForm
from contracts_ui.views.rendering import fabric_error_status, render_page


def contract_list(request: HttpRequest, account_id: str, organization_id: str) -> HttpResponse:
    access = account_access(request, account_id)
    form = ContractFilterForm(request.GET)
    context = {"access": access, "account": access.account, "form": form, "rows": None}
    status = 200
    try:
        tenant = access.account.tenant()
        context["organization"] = fabric.get_organization(tenant, organization_id=organization_id)
        if form.is_valid():
            offset, limit = form.paging()
            page = selectors.organization_contracts(
                tenant,
                organization_id=organization_id,
                query=form.contract_query(),
                offset=offset,
                limit=limit,
            )
            context["page"] = page
            context["rows"] = selectors.contract_rows(tenant, page.items)
    except fabric.FabricError as error:
        context["fabric_error"] = error
        status = fabric_error_status(error)
    return render_page(
        request,
        "contracts_ui/contract_list.html",
        context,
        partial="contract-browser",
        status=status,
    )


def contract_lookup(request: HttpRequest, account_id: str) -> HttpResponse:
    """Find contracts by contract id across every organization of the account."""
    access = account_access(request, account_id)
    form = ContractLookupForm(request.GET)
    context = {"access": access, "account": access.account, "form": form, "rows": None}
    status = 200
    if form.is_valid() and form.cleaned_data["q"]:
        offset, limit = form.paging()
        try:
            tenant = access.account.tenant()
            page = fabric.search_contracts(
                tenant,
                query=fabric.ContractQuery(search=form.cleaned_data["q"].strip()),
                offset=offset,
                limit=limit,
            )
            context["page"] = page
            context["rows"] = selectors.contract_rows(tenant, page.items)
        except fabric.FabricError as error:
            context["fabric_error"] = error
            status = fabric_error_status(error)
    return render_page(
        request,
        "contracts_ui/contract_lookup.html",
        context,
        partial="lookup-results",
        status=status,
    )


def contract_page_context(
    access: AccountAccess,
    *,
    organization_id: str,
    contract_id: str,
    include_deleted: bool = False,
) -> tuple[dict, int]:
    """Everything a contract's page shows, and the status to answer with.

    Shared with the edit views, which show the same page with one part in edit mode.
    """
    context = {
        "access": access,
        "account": access.account,
        "organization_id": organization_id,
        "contract_key": contract_id,
        "include_deleted": include_deleted,
    }
    try:
        tenant = access.account.tenant()
        contract = fabric.get_contract(
            tenant,
            organization_id=organization_id,
            contract_id=contract_id,
            include_deleted=include_deleted,
        )
    except fabric.FabricError as error:
        context["fabric_error"] = error
        return context, fabric_error_status(error)
    context["contract"] = contract
    context["price_list_links"] = selectors.price_list_links(tenant, contract)
    context["history_events"] = audit_queries.contract_history_events(
        account_id=access.account.account_id,
        contract_ref=contract.id,
        contract_id=contract.contract_id,
    )
    return context, 200


def contract_detail(
    request: HttpRequest, account_id: str, organization_id: str, contract_id: str
) -> HttpResponse:
    access = account_access(request, account_id)
    context, status = contract_page_context(
        access,
        organization_id=organization_id,
        contract_id=contract_id,
        include_deleted=request.GET.get("deleted") == "1",
    )
    return render_page(
        request, "contracts_ui/contract_detail.html", context, partial="contract", status=status
    )
