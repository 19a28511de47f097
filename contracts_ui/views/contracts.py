"""Reading contracts: an organization's table, the account-wide lookup, one contract's page."""

from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from contracts_ui import approvals, fabric, selectors
from contracts_ui.access import AccountAccess, account_access
from contracts_ui.fabric.types import ContractQuery
from contracts_ui.forms.filters import ContractFilterForm, ContractLookupForm
from contracts_ui.views.rendering import render_page, showing_fabric_errors


def contract_list(request: HttpRequest, account_id: str, organization_id: str) -> HttpResponse:
    access = account_access(request, account_id)
    form = ContractFilterForm(request.GET)
    awaited = None
    if form.is_valid():
        offset, limit = form.paging()
        # Asked for before anything else and awaited where the page first shows a row: the
        # organization, the layout and the filters are worked out while fabric answers.
        awaited = fabric.Ahead(
            selectors.contract_table,
            access.tenant,
            organization_id=organization_id,
            query=form.contract_query(),
            offset=offset,
            limit=limit,
        ).lazy("page", "rows", "whole_ids_only")
    context = {
        "access": access,
        "account": access.account,
        "form": form,
        "rows": None,
        "presets": form.presets(datetime.now(UTC).date()),
        "bulk_max": settings.BULK_MAX_CONTRACTS,
    }
    with showing_fabric_errors(context):
        context["organization"] = selectors.organization(
            access.tenant, organization_id=organization_id
        )
        if form.is_valid() and form.cleaned_data["deleted"]:
            context["deleted_contracts"] = selectors.deleted_contracts(
                access.tenant, organization_id=organization_id
            )
    return render_page(
        request,
        "contracts_ui/contract_list.html",
        context,
        partial="contract-browser",
        awaited=awaited,
    )


def contract_lookup(request: HttpRequest, account_id: str) -> HttpResponse:
    """Find contracts by contract id across every organization of the account."""
    access = account_access(request, account_id)
    form = ContractLookupForm(request.GET)
    context = {"access": access, "account": access.account, "form": form, "rows": None}
    if form.is_valid() and form.cleaned_data["q"]:
        offset, limit = form.paging()
        with showing_fabric_errors(context):
            page = selectors.account_contracts(
                access.tenant,
                query=ContractQuery(search=form.cleaned_data["q"].strip()),
                offset=offset,
                limit=limit,
            )
            context["page"] = page
            context["rows"] = selectors.named_contract_rows(access.tenant, page.items)
            context["whole_ids_only"] = selectors.account_list_missing(access.tenant)
            # fabric's list leaves deleted contracts out; the ledger knows the console's deletes.
            context["deleted_contracts"] = selectors.deleted_contracts(
                access.tenant, contract_id_contains=form.cleaned_data["q"].strip()
            )
    return render_page(
        request, "contracts_ui/contract_lookup.html", context, partial="lookup-results"
    )


def contract_page_context(
    access: AccountAccess,
    *,
    organization_id: str,
    contract_id: str,
    include_deleted: bool = False,
) -> dict:
    """Everything a contract's page shows: the URL's `contract_id` resolved once to `contract`,
    or `fabric_error` when fabric could not.

    Shared with the edit views, which show the same page with one part in edit mode.
    """
    context = {
        "access": access,
        "account": access.account,
        "organization_id": organization_id,
        "contract_id": contract_id,
        "include_deleted": include_deleted,
    }
    with showing_fabric_errors(context):
        contract = selectors.contract(
            access.tenant,
            organization_id=organization_id,
            contract_id=contract_id,
            include_deleted=include_deleted,
        )
        context["contract"] = contract
        context["price_list_links"] = selectors.price_list_links(access.tenant, contract)
        context["history_events"] = selectors.contract_history(
            access.account.account_id, selectors.LedgerRef.of(contract)
        )
        context["open_proposal"] = approvals.open_for_contract(access, contract)
    return context


def contract_detail(
    request: HttpRequest, account_id: str, organization_id: str, contract_id: str
) -> HttpResponse:
    access = account_access(request, account_id)
    context = contract_page_context(
        access,
        organization_id=organization_id,
        contract_id=contract_id,
        include_deleted=request.GET.get("deleted") == "1",
    )
    return render_page(request, "contracts_ui/contract_detail.html", context, partial="contract")


def price_list_options(request: HttpRequest, account_id: str) -> HttpResponse:
    """The price-list picker's suggestions for what was typed (part of a name, or an id)."""
    access = account_access(request, account_id)
    context: dict = {"access": access, "account": access.account, "choices": None}
    with showing_fabric_errors(context):
        context["choices"] = selectors.price_list_choices(
            access.tenant, request.GET.get("q", "")[:100]
        )
    return render(request, "contracts_ui/includes/price_list_options.html", context)
