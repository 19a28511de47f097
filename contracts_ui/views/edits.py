"""Changing contracts: inline edits, create, soft-delete and restore. Editors only.

Each view parses the form, calls one service in contracts_ui.services (which re-reads, checks
for conflicts and records the audit trail) and renders the result: for htmx the edited part of
the page, otherwise a redirect (post/redirect/get) or the whole page with the form in it.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import trigger_client_event

from contracts_ui import fabric, selectors, services
from contracts_ui.access import AccountAccess, editor_access
from contracts_ui.audit import actor_from_request
from contracts_ui.edit_forms import EDIT_FORMS, ContractCreateForm, ContractEditForm
from contracts_ui.views.contracts import contract_page_context
from contracts_ui.views.rendering import fabric_error_status, is_partial_request

CONTRACT_PAGE = "contracts_ui/contract_detail.html"
# fabric did not answer a write: tell the user plainly that it may have happened.
_OUTCOME_UNKNOWN = (
    "fabric did not confirm this change; it may or may not have been applied. "
    "Reload the contract to see its current state before trying again."
)


def _contract_url(access: AccountAccess, organization_id: str, contract_id: str) -> str:
    return reverse(
        "contracts_ui:contract-detail",
        kwargs={
            "account_id": access.account.account_id,
            "organization_id": organization_id,
            "contract_id": contract_id,
        },
    )


def _render_row(
    request: HttpRequest,
    access: AccountAccess,
    *,
    organization_id: str,
    contract_id: str,
    section: str,
    extra: dict,
    status: int = 200,
) -> HttpResponse:
    """The edited row alone for htmx; otherwise the whole contract page around it."""
    if is_partial_request(request):
        context = {
            "access": access,
            "account": access.account,
            "organization_id": organization_id,
            "contract_key": contract_id,
            **extra,
        }
        return render(request, f"{CONTRACT_PAGE}#row-{section}", context, status=status)
    context, page_status = contract_page_context(
        access, organization_id=organization_id, contract_id=contract_id
    )
    context.update(extra)
    return render(request, CONTRACT_PAGE, context, status=max(status, page_status))


@require_http_methods(["GET", "POST"])
def contract_edit(
    request: HttpRequest, account_id: str, organization_id: str, contract_id: str, section: str
) -> HttpResponse:
    access = editor_access(request, account_id)
    if section not in services.EDIT_SECTIONS:
        raise Http404("No such part of a contract.")
    form_class = EDIT_FORMS[section]
    row = {
        "organization_id": organization_id,
        "contract_id": contract_id,
        "section": section,
    }
    try:
        tenant = access.account.tenant()
        if request.method != "POST":
            contract = fabric.get_contract(
                tenant, organization_id=organization_id, contract_id=contract_id
            )
            form = form_class(contract=contract, tenant=tenant)
            return _render_row(
                request,
                access,
                **row,
                extra={"contract": contract, "editing": section, "form": form},
            )
    except fabric.FabricError as error:
        return _render_row(
            request,
            access,
            **row,
            extra={"fabric_error": error},
            status=fabric_error_status(error),
        )
    form = form_class(request.POST, tenant=tenant)
    return _save_edit(request, access, form, row=row)


def _save_edit(
    request: HttpRequest, access: AccountAccess, form: ContractEditForm, *, row: dict
) -> HttpResponse:
    section = row["section"]
    editing = {"editing": section, "form": form}
    if not form.is_valid():
        return _render_row(request, access, **row, extra=editing, status=422)
    token = form.cleaned_data["submission"]
    if not services.claim_submission(token):
        form.add_error(None, "This change was already sent. Reload the contract to see it.")
        return _render_row(request, access, **row, extra=editing, status=409)
    try:
        contract = services.contract_edit(
            actor=actor_from_request(request),
            account=access.account,
            organization_id=row["organization_id"],
            contract_id=row["contract_id"],
            section=services.EDIT_SECTIONS[section],
            seen=form.cleaned_data["seen"],
            changes=form.changes(),
        )
    except services.EditConflict as conflict:
        services.release_submission(token)
        user_values = {name: form.cleaned_data[name] for name in form.fabric_fields}
        fresh = type(form)(contract=conflict.current, tenant=form.tenant, initial=user_values)
        extra = {"editing": section, "form": fresh, "conflict": conflict}
        return _render_row(request, access, **row, extra=extra, status=409)
    except fabric.FabricValidationError as error:
        services.release_submission(token)
        form.add_fabric_errors(error)
        return _render_row(request, access, **row, extra=editing, status=422)
    except fabric.FabricError as error:
        if not error.outcome_unknown:
            services.release_submission(token)
        extra = {**editing, "fabric_error": error}
        if error.outcome_unknown:
            extra["outcome_unknown_message"] = _OUTCOME_UNKNOWN
        return _render_row(request, access, **row, extra=extra, status=fabric_error_status(error))
    if is_partial_request(request):
        extra = {
            "contract": contract,
            "saved": section,
            "price_list_links": (
                selectors.price_list_links(form.tenant, contract) if section == "price-list" else ()
            ),
        }
        response = _render_row(request, access, **row, extra=extra)
        return trigger_client_event(response, "contract-changed")
    messages.success(request, f"Saved: {services.EDIT_SECTIONS[section].action.label.lower()}.")
    return redirect(_contract_url(access, row["organization_id"], row["contract_id"]))


@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest, account_id: str, organization_id: str) -> HttpResponse:
    access = editor_access(request, account_id)
    context = {"access": access, "account": access.account, "organization_id": organization_id}
    status = 200
    try:
        tenant = access.account.tenant()
        context["organization"] = fabric.get_organization(tenant, organization_id=organization_id)
    except fabric.FabricError as error:
        context["fabric_error"] = error
        return render(
            request, "contracts_ui/contract_create.html", context, status=fabric_error_status(error)
        )
    if request.method != "POST":
        context["form"] = ContractCreateForm(tenant=tenant)
        return render(request, "contracts_ui/contract_create.html", context)
    form = ContractCreateForm(request.POST, tenant=tenant)
    context["form"] = form
    if not form.is_valid():
        return render(request, "contracts_ui/contract_create.html", context, status=422)
    token = form.cleaned_data["submission"]
    if not services.claim_submission(token):
        form.add_error(
            None, "This contract was already sent. Look for it in the organization's list."
        )
        return render(request, "contracts_ui/contract_create.html", context, status=409)
    try:
        contract = services.contract_create(
            actor=actor_from_request(request),
            account=access.account,
            organization_id=organization_id,
            body=form.body(),
        )
    except fabric.FabricValidationError as error:
        services.release_submission(token)
        form.add_fabric_errors(error)
        status = 422
    except fabric.FabricConflict:
        services.release_submission(token)
        form.add_error("contract_id", "A contract with this id already exists in this account.")
        status = 409
    except fabric.FabricError as error:
        if not error.outcome_unknown:
            services.release_submission(token)
        context["fabric_error"] = error
        context["outcome_unknown_message"] = _OUTCOME_UNKNOWN if error.outcome_unknown else ""
        status = fabric_error_status(error)
    else:
        messages.success(request, f"Contract {contract.contract_id} created.")
        return redirect(_contract_url(access, organization_id, contract.id))
    return render(request, "contracts_ui/contract_create.html", context, status=status)


def _delete_or_restore(
    request: HttpRequest, account_id: str, organization_id: str, contract_id: str, *, restore: bool
) -> HttpResponse:
    access = editor_access(request, account_id)
    context, status = contract_page_context(
        access, organization_id=organization_id, contract_id=contract_id, include_deleted=True
    )
    context["restore"] = restore
    if request.method != "POST" or status != 200:
        return render(request, "contracts_ui/contract_confirm.html", context, status=status)
    service = services.contract_restore if restore else services.contract_delete
    try:
        contract = service(
            actor=actor_from_request(request),
            account=access.account,
            organization_id=organization_id,
            contract_id=contract_id,
        )
    except fabric.FabricError as error:
        context["fabric_error"] = error
        context["outcome_unknown_message"] = _OUTCOME_UNKNOWN if error.outcome_unknown else ""
        return render(
            request,
            "contracts_ui/contract_confirm.html",
            context,
            status=fabric_error_status(error),
        )
    if restore:
        messages.success(request, f"Contract {contract.contract_id} restored.")
        return redirect(_contract_url(access, organization_id, contract.id))
    messages.success(request, f"Contract {contract.contract_id} deleted. It can be restored.")
    return redirect(_contract_url(access, organization_id, contract.id) + "?deleted=1")


@require_http_methods(["GET", "POST"])
def contract_delete(
    request: HttpRequest, account_id: str, organization_id: str, contract_id: str
) -> HttpResponse:
    """GET asks for confirmation; POST soft-deletes."""
    return _delete_or_restore(request, account_id, organization_id, contract_id, restore=False)


@require_http_methods(["GET", "POST"])
def contract_restore(
    request: HttpRequest, account_id: str, organization_id: str, contract_id: str
) -> HttpResponse:
    return _delete_or_restore(request, account_id, organization_id, contract_id, restore=True)
