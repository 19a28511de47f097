"""Approvals: the account's pending proposals, one proposal, and the decisions on it.

Everyone with a grant reads them; editors other than the proposer approve or reject (403 for
the proposer and for viewers), the proposer withdraws. The decisions are made in
contracts_ui.approvals; these views parse the form and show the result.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from contracts_ui import approvals, services
from contracts_ui.access import AccountAccess, account_access, editor_access
from contracts_ui.audit import actor_from_request
from contracts_ui.audit.queries import field_changes
from contracts_ui.forms.approvals import DecisionForm
from contracts_ui.models import Proposal
from contracts_ui.views.rendering import render_page

PROPOSAL_PAGE = "contracts_ui/proposal_detail.html"


def _proposal(access: AccountAccess, proposal_id: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related(
            "account", "proposed_by", "decided_by", "bulk_job", "audit_event", "decision_event"
        ),
        pk=proposal_id,
        account=access.account,
    )


def approval_list(request: HttpRequest, account_id: str) -> HttpResponse:
    """The proposals waiting for a decision, and the latest decided ones."""
    access = account_access(request, account_id)
    context = {
        "access": access,
        "account": access.account,
        "policy": approvals.Policy.of(access.account).describe(),
        "open": list(approvals.open_proposals(access.account)),
        "decided": approvals.decided_proposals(access.account),
    }
    return render_page(request, "contracts_ui/approval_list.html", context, partial="approvals")


def _proposal_context(
    request: HttpRequest, access: AccountAccess, proposal: Proposal, **extra
) -> dict:
    user_id = request.user.pk
    return {
        "access": access,
        "account": access.account,
        "proposal": proposal,
        "title": approvals.describe(proposal),
        "changes": field_changes(proposal.changes),
        "can_decide": access.can_edit and proposal.is_open and proposal.proposed_by_id != user_id,
        "can_withdraw": proposal.is_open and proposal.proposed_by_id == user_id,
        "form": extra.pop("form", None) or DecisionForm(),
        **extra,
    }


def proposal_detail(request: HttpRequest, account_id: str, proposal_id: int) -> HttpResponse:
    access = account_access(request, account_id)
    proposal = _proposal(access, proposal_id)
    context = _proposal_context(request, access, proposal)
    return render_page(request, PROPOSAL_PAGE, context, partial="proposal")


def _back(account_id: str, proposal: Proposal) -> HttpResponse:
    return redirect("contracts_ui:proposal-detail", account_id=account_id, proposal_id=proposal.pk)


@require_POST
def proposal_approve(request: HttpRequest, account_id: str, proposal_id: int) -> HttpResponse:
    """Approve and apply; a contract changed since the proposal shows the conflict instead."""
    access = editor_access(request, account_id)
    proposal = _proposal(access, proposal_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        context = _proposal_context(request, access, proposal, form=form)
        return render_page(request, PROPOSAL_PAGE, context, partial="proposal", status=422)
    try:
        decision = approvals.approve(
            actor=actor_from_request(request),
            access=access,
            proposal=proposal,
            comment=form.cleaned_data["comment"],
            base=approvals.base_url(request),
        )
    except approvals.ProposalClosed as closed:
        messages.error(request, str(closed))
        return _back(account_id, proposal)
    if decision.conflict is not None:
        context = _proposal_context(request, access, decision.proposal, conflict=decision.conflict)
        return render_page(request, PROPOSAL_PAGE, context, partial="proposal", status=409)
    proposal = decision.proposal
    report = messages.success if proposal.state == "approved" else messages.error
    report(request, f"Proposal {proposal.pk}: {proposal.result}.")
    return _back(account_id, proposal)


@require_POST
def proposal_reject(request: HttpRequest, account_id: str, proposal_id: int) -> HttpResponse:
    access = editor_access(request, account_id)
    proposal = _proposal(access, proposal_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            approvals.reject(
                actor=actor_from_request(request),
                access=access,
                proposal=proposal,
                comment=form.cleaned_data["comment"],
                base=approvals.base_url(request),
            )
        except approvals.ProposalClosed as closed:
            messages.error(request, str(closed))
            return _back(account_id, proposal)
        except services.Rejected as rejected:
            for field, errors in rejected.errors.items():
                form.add_error(field, errors)
        else:
            messages.success(request, f"Proposal {proposal.pk} rejected; nothing was written.")
            return _back(account_id, proposal)
    context = _proposal_context(request, access, proposal, form=form)
    return render_page(request, PROPOSAL_PAGE, context, partial="proposal", status=422)


@require_POST
def proposal_withdraw(request: HttpRequest, account_id: str, proposal_id: int) -> HttpResponse:
    access = editor_access(request, account_id)
    proposal = _proposal(access, proposal_id)
    try:
        approvals.withdraw(actor=actor_from_request(request), access=access, proposal=proposal)
    except approvals.ProposalClosed as closed:
        messages.error(request, str(closed))
    else:
        messages.success(request, f"Proposal {proposal.pk} withdrawn.")
    return _back(account_id, proposal)
