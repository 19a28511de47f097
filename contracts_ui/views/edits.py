"""Changing contracts: inline edits, create, soft-delete and restore. Editors only.

Each view parses the form, calls one service in contracts_ui.services (which re-reads, checks
for conflicts and records the audit trail) and renders the result: for htmx the edited part of
the page, otherwise a redirect (post/redirect/get) or the whole page with the form in it.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import trigger_client_event

from contracts_ui import approvals, selectors, services
from contracts_ui.access import AccountAccess, editor_access
from contracts_ui.audit import actor_from_request
from contracts_ui.forms.approvals import ReasonField, ReasonForm
from contracts_ui.forms.edits import ContractCreateForm, ContractEditForm
from contracts_ui.models import Proposal
from contracts_ui.views.contracts import contract_page_context
from contracts_ui.views.rendering import answer_status, is_partial_request, showing_fabric_errors

CONTRACT_PAGE = "contracts_ui/contract_detail.html"


def _contract_url(access: AccountAccess, organization_id: str, contract_id: str) -> str:
    return reverse(
        "contracts_ui:contract-detail",
        kwargs={
            "account_id": access.account.account_id,
            "organization_id": organization_id,
            "contract_id": contract_id,
        },
    )


def _show_rejection(form: forms.Form, rejected: services.Rejected) -> None:
    for field, messages_ in rejected.errors.items():
        form.add_error(field, messages_)


def _settle_submission(token: str, context: dict) -> None:
    """Let the form be sent again unless its write may have reached fabric."""
    error = context.get("fabric_error")
    if error is None or not error.outcome_unknown:
        services.release_submission(token)


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
    if "contract_type" in getattr(extra.get("form"), "fields", ()):
        extra["contract_types"] = selectors.contract_types(
            access.tenant, organization_id=organization_id
        )
    if is_partial_request(request):
        context = {
            "access": access,
            "account": access.account,
            "organization_id": organization_id,
            "contract_id": contract_id,
            **extra,
        }
        return render(
            request,
            f"{CONTRACT_PAGE}#row-{section}",
            context,
            status=answer_status(context, status),
        )
    context = contract_page_context(
        access, organization_id=organization_id, contract_id=contract_id
    )
    status = max(answer_status(extra, status), answer_status(context))
    context.update(extra)
    return render(request, CONTRACT_PAGE, context, status=status)


@require_http_methods(["GET", "POST"])
def contract_edit(
    request: HttpRequest, account_id: str, organization_id: str, contract_id: str, section: str
) -> HttpResponse:
    access = editor_access(request, account_id)
    edit = services.EDIT_SECTIONS.get(section)
    if edit is None:
        raise Http404("No such part of a contract.")
    row = {"organization_id": organization_id, "contract_id": contract_id, "section": section}
    if request.method == "POST":
        form = _asking_reason(access, edit, edit.form(request.POST))
        return _save_edit(request, access, edit, form, row=row)
    extra: dict = {}
    with showing_fabric_errors(extra):
        contract = selectors.contract(
            access.tenant, organization_id=organization_id, contract_id=contract_id
        )
        form = _asking_reason(access, edit, edit.form_for(contract))
        extra.update(contract=contract, editing=section, form=form)
    return _render_row(request, access, **row, extra=extra)


def _asking_reason(
    access: AccountAccess, edit: services.EditSection, form: ContractEditForm
) -> ContractEditForm:
    """The form, with a reason field last when the account's policy may hold its change."""
    if approvals.edit_may_need_approval(access, edit.name):
        rules = "; ".join(approvals.Policy.of(access.account).describe())
        form.fields["reason"] = ReasonField(
            help_text=f"A second editor approves {rules} in this account: say why it is needed."
        )
    return form


def _save_edit(
    request: HttpRequest,
    access: AccountAccess,
    edit: services.EditSection,
    form: ContractEditForm,
    *,
    row: dict,
) -> HttpResponse:
    extra = {"editing": edit.name, "form": form}
    if not form.is_valid():
        return _render_row(request, access, **row, extra=extra, status=422)
    token = form.cleaned_data["submission"]
    if not services.claim_submission(token):
        form.add_error(None, "This change was already sent. Reload the contract to see it.")
        return _render_row(request, access, **row, extra=extra, status=409)
    with showing_fabric_errors(extra):
        try:
            saved = approvals.edit_or_propose(
                actor=actor_from_request(request),
                access=access,
                organization_id=row["organization_id"],
                contract_id=row["contract_id"],
                section=edit,
                seen=form.cleaned_data["seen"],
                values=form.values(),
                reason=form.cleaned_data.get("reason", ""),
                base=approvals.base_url(request),
            )
        except services.EditConflict as conflict:
            services.release_submission(token)
            fresh = edit.form_for(conflict.current, yours=form.values())
            shown = {"editing": edit.name, "form": fresh, "conflict": conflict}
            return _render_row(request, access, **row, extra=shown, status=409)
        except services.Rejected as rejected:
            services.release_submission(token)
            _show_rejection(form, rejected)
            return _render_row(request, access, **row, extra=extra, status=rejected.status)
    if "fabric_error" in extra:
        _settle_submission(token, extra)
        return _render_row(request, access, **row, extra=extra)
    if isinstance(saved, Proposal):
        return _proposed(request, access, edit, saved, row=row)
    contract = saved.contract
    outside = saved.outside_change_message
    if is_partial_request(request):
        # What moved at fabric, in fabric's names: the section's own fields, and any that someone
        # else changed while the save was under way.
        changed = {*edit.fields, *saved.outside_changes}
        # The price-list row and card list the contract's links with their names, read again.
        price_list_moved = "priceListId" in changed
        extra = {
            "contract": contract,
            "saved": edit.name,
            "outside_changes": outside,
            "price_list_links": (
                selectors.price_list_links(access.tenant, contract) if price_list_moved else ()
            ),
        }
        response = _render_row(request, access, **row, extra=extra)
        places = ["head-badges"] if "status" in changed else []
        places.append("record-updated")  # fabric moves updatedAt with every write
        if price_list_moved:
            places.append("price-lists-card")
        response.content += _other_places(request, access, extra, row=row, places=places)
        return trigger_client_event(response, "contract-changed")
    messages.success(request, f"Saved: {edit.action.label.lower()}.")
    if outside:
        messages.warning(request, f"Note: {outside}.")
    return redirect(_contract_url(access, row["organization_id"], row["contract_id"]))


def _proposed(
    request: HttpRequest,
    access: AccountAccess,
    edit: services.EditSection,
    proposal: Proposal,
    *,
    row: dict,
) -> HttpResponse:
    """The change waits for approval: the row as it is (nothing was written) saying so, and
    the contract page's pending-approval notice."""
    if is_partial_request(request):
        extra: dict = {"proposed": edit.name, "proposal": proposal}
        with showing_fabric_errors(extra):
            extra["contract"] = selectors.contract(
                access.tenant,
                organization_id=row["organization_id"],
                contract_id=row["contract_id"],
            )
        response = _render_row(request, access, **row, extra=extra)
        context = {"access": access, "account": access.account, **row, **extra, "oob": True}
        context["open_proposal"] = proposal
        response.content += render_to_string(
            f"{CONTRACT_PAGE}#open-proposal", context, request=request
        ).encode()
        return response
    messages.info(request, _proposed_message(proposal))
    return redirect(_contract_url(access, row["organization_id"], row["contract_id"]))


def _proposed_message(proposal: Proposal) -> str:
    return (
        f"Proposal {proposal.pk} is waiting for a second editor's approval. "
        "Nothing is changed in fabric until it is approved."
    )


def _other_places(
    request: HttpRequest, access: AccountAccess, saved: dict, *, row: dict, places: list[str]
) -> bytes:
    """The rest of the contract page that shows what a save changed, as htmx out-of-band swaps,
    so the page never contradicts the row just saved: the Record card's updated time after any
    save, the header's status badge and the Price lists card when the save or someone else
    meanwhile changed what they show. Only those: a save's answer stays small."""
    context = {"access": access, "account": access.account, **row, **saved, "oob": True}
    return b"".join(
        render_to_string(f"{CONTRACT_PAGE}#{place}", context, request=request).encode()
        for place in places
    )


@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest, account_id: str, organization_id: str) -> HttpResponse:
    access = editor_access(request, account_id)
    template = "contracts_ui/contract_create.html"
    context = {"access": access, "account": access.account, "organization_id": organization_id}
    with showing_fabric_errors(context):
        context["organization"] = selectors.organization(
            access.tenant, organization_id=organization_id
        )
    if "fabric_error" in context:
        return render(request, template, context, status=answer_status(context))
    context["contract_types"] = selectors.contract_types(
        access.tenant, organization_id=organization_id
    )
    if request.method != "POST":
        context["form"] = ContractCreateForm()
        return render(request, template, context)
    form = context["form"] = ContractCreateForm(request.POST)
    if not form.is_valid():
        return render(request, template, context, status=422)
    token = form.cleaned_data["submission"]
    if not services.claim_submission(token):
        form.add_error(
            None, "This contract was already sent. Look for it in the organization's list."
        )
        return render(request, template, context, status=409)
    with showing_fabric_errors(context):
        try:
            contract = services.contract_create(
                actor=actor_from_request(request),
                access=access,
                organization_id=organization_id,
                values=form.values(),
            )
        except services.Rejected as rejected:
            services.release_submission(token)
            _show_rejection(form, rejected)
            return render(request, template, context, status=rejected.status)
    if "fabric_error" in context:
        _settle_submission(token, context)
        return render(request, template, context, status=answer_status(context))
    messages.success(request, f"Contract {contract.contract_id} created.")
    return redirect(_contract_url(access, organization_id, contract.id))


def _delete_or_restore(
    request: HttpRequest, account_id: str, organization_id: str, contract_id: str, *, restore: bool
) -> HttpResponse:
    access = editor_access(request, account_id)
    template = "contracts_ui/contract_confirm.html"
    context = contract_page_context(
        access, organization_id=organization_id, contract_id=contract_id, include_deleted=True
    )
    context["restore"] = restore
    needs_approval = not restore and approvals.delete_needs_approval(access)
    form = context["reason_form"] = ReasonForm(request.POST or None) if needs_approval else None
    if request.method != "POST" or "fabric_error" in context:
        return render(request, template, context, status=answer_status(context))
    if form is not None and not form.is_valid():
        return render(request, template, context, status=422)
    with showing_fabric_errors(context):
        try:
            if restore:
                contract = services.contract_restore(
                    actor=actor_from_request(request),
                    access=access,
                    organization_id=organization_id,
                    contract_id=contract_id,
                )
            else:
                contract = approvals.delete_or_propose(
                    actor=actor_from_request(request),
                    access=access,
                    organization_id=organization_id,
                    contract_id=contract_id,
                    reason=form.cleaned_data["reason"] if form is not None else "",
                    base=approvals.base_url(request),
                )
        except services.ContractBusy as busy:
            messages.error(request, str(busy))
            return render(request, template, context, status=busy.status)
        except services.Rejected as rejected:
            if form is None:
                messages.error(request, str(rejected))
            else:
                _show_rejection(form, rejected)
            return render(request, template, context, status=rejected.status)
    if "fabric_error" in context:
        return render(request, template, context, status=answer_status(context))
    if isinstance(contract, Proposal):
        messages.info(request, _proposed_message(contract))
        return redirect(_contract_url(access, organization_id, contract_id))
    if restore:
        messages.success(request, f"Contract {contract.contract_id} restored.")
        return redirect(_contract_url(access, organization_id, contract.id))
    messages.success(request, f"Contract {contract.contract_id} deleted. It can be restored.")
    return redirect(_contract_url(access, organization_id, contract.id) + "?deleted=1&undo=1")


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
