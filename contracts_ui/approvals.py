"""Approvals ("four eyes"): a change that its account's policy names waits for a second editor.

An editor's change under the policy is stored as a Proposal (the diff, a required reason, the
signed snapshot of the contract as they saw it) and nothing reaches fabric. Another editor of
the account approves it, and only then is it written, through the same services as any edit
(the contract's lock, the conflict check against the proposal's snapshot, one audited write);
or rejects it. The proposer may withdraw it, never approve it; it expires after
APPROVAL_EXPIRY_DAYS. The ledger records the proposal, the decision and the write, each naming
the one before it: the decision's request_sent["proposal_request"], the write's
request_sent["approval"] (a bulk job's record: details["approval"]).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, mailers
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from contracts_ui import audit, bulk, fabric, services
from contracts_ui.access import AccountAccess
from contracts_ui.audit import Actor
from contracts_ui.fabric.types import Contract
from contracts_ui.models import (
    AccountRole,
    AuditAction,
    AuditEvent,
    BulkJob,
    BulkOutcome,
    FabricAccount,
    Proposal,
    ProposalKind,
    ProposalState,
)
from contracts_ui.snapshot import Snapshot

logger = logging.getLogger(__name__)

REASON_NEEDED = "This change needs a second editor's approval: say why it is needed."
COMMENT_NEEDED = "Say why the change is rejected."


@dataclass(frozen=True)
class Policy:
    """Which changes of one account wait for approval (FabricAccount's approve_* fields)."""

    deactivation: bool = False
    price_list: bool = False
    delete: bool = False
    bulk_over: int | None = None
    every_change: bool = False

    @classmethod
    def of(cls, account: FabricAccount) -> "Policy":
        return cls(
            deactivation=account.approve_deactivation,
            price_list=account.approve_price_list,
            delete=account.approve_delete,
            bulk_over=account.approve_bulk_over,
            every_change=account.approve_every_change,
        )

    @property
    def active(self) -> bool:
        """Whether anything waits for approval in this account."""
        return any((self.deactivation, self.price_list, self.delete, self.every_change)) or (
            self.bulk_over is not None
        )

    def covers_edit(self, changes: Mapping[str, Any]) -> bool:
        """`changes` (fabric's names, wire values) would wait for approval."""
        if not changes:
            return False
        return (
            self.every_change
            or (self.deactivation and changes.get("status") == "INACTIVE")
            or (self.price_list and "priceListId" in changes)
        )

    def may_cover_section(self, section: str) -> bool:
        """Some change made with this edit section's form may wait for approval: its form
        asks for a reason."""
        return (
            self.every_change
            or (self.deactivation and section == "status")
            or (self.price_list and section == "price-list")
        )

    def covers_delete(self) -> bool:
        return self.every_change or self.delete

    def covers_bulk(self, contracts: int) -> bool:
        return self.every_change or (self.bulk_over is not None and contracts > self.bulk_over)

    def describe(self) -> list[str]:
        """The policy in words, one line per rule."""
        if self.every_change:
            return ["every edit, soft delete and bulk job"]
        rules = []
        if self.deactivation:
            rules.append("setting a contract's status to INACTIVE")
        if self.price_list:
            rules.append("linking, replacing or removing a contract's price list")
        if self.delete:
            rules.append("soft-deleting a contract")
        if self.bulk_over is not None:
            rules.append(f"bulk jobs over {self.bulk_over} contracts")
        return rules


class ProposalClosed(Exception):
    """The proposal is no longer open to this step (decided, withdrawn or expired)."""


@dataclass(frozen=True)
class Decision:
    """What an approval came to: the proposal as it stands now, and the conflict that stopped
    its write (None when there was none)."""

    proposal: Proposal
    conflict: services.EditConflict | None = None


def base_url(request: HttpRequest) -> str:
    """Where the console is, for links in mails: CONSOLE_BASE_URL, or the request's own host."""
    return settings.CONSOLE_BASE_URL or request.build_absolute_uri("/").rstrip("/")


def proposal_link(proposal: Proposal, base: str) -> str:
    path = reverse(
        "contracts_ui:proposal-detail",
        kwargs={"account_id": proposal.account.account_id, "proposal_id": proposal.pk},
    )
    return base.rstrip("/") + path


def describe(proposal: Proposal) -> str:
    """What the proposal would do, in words: "Change status of contract C-1"."""
    if proposal.kind == ProposalKind.BULK:
        job = proposal.bulk_job
        change = bulk.BulkChange.from_job(job).describe()
        return f"Bulk job {job.pk}: {change}, {job.total} contracts"
    if proposal.kind == ProposalKind.DELETE:
        return f"Soft-delete contract {proposal.contract_id}"
    section = services.EDIT_SECTIONS[proposal.section]
    return f"{section.action.label} of contract {proposal.contract_id}"


# Reads.


def open_proposals(account: FabricAccount) -> QuerySet[Proposal]:
    """The account's proposals waiting for a decision, oldest first."""
    return (
        Proposal.objects.filter(
            account=account, state=ProposalState.PENDING, expires_at__gt=timezone.now()
        )
        .select_related("proposed_by", "account", "bulk_job")
        .order_by("id")
    )


def decided_proposals(account: FabricAccount, limit: int = 50) -> list[Proposal]:
    """The account's latest proposals no longer waiting (expired ones included)."""
    return list(
        Proposal.objects.filter(account=account)
        .exclude(state=ProposalState.PENDING, expires_at__gt=timezone.now())
        .select_related("proposed_by", "decided_by", "account", "bulk_job")
        .order_by("-id")[:limit]
    )


def open_count(request: HttpRequest, access: AccountAccess) -> int | None:
    """How many proposals wait in the account, for an editor's top bar: one COUNT per request.
    None (no query, no link) for an account without a policy or a user who cannot decide."""
    if not access.can_edit or not Policy.of(access.account).active:
        return None
    counted = getattr(request, "_contracts_ui_open_proposals", None)
    if counted is None:
        counted = request._contracts_ui_open_proposals = {}
    if access.account.pk not in counted:
        counted[access.account.pk] = open_proposals(access.account).count()
    return counted[access.account.pk]


def open_for_contract(access: AccountAccess, contract: Contract) -> Proposal | None:
    """The contract's oldest proposal still waiting (no query when the account has no policy)."""
    if not Policy.of(access.account).active:
        return None
    return open_proposals(access.account).filter(contract_ref=contract.id).first()


def open_for_job(job: BulkJob) -> Proposal | None:
    return open_proposals(job.account).filter(bulk_job=job).first()


# Proposing.


def _ledger_names(proposal: Proposal) -> dict[str, Any]:
    """Where the ledger files each step of a proposal: its organization and contract."""
    return {
        "organization_id": proposal.organization_id,
        "contract_ref": proposal.contract_ref,
        "contract_id": proposal.contract_id,
    }


def _propose(
    *,
    actor: Actor,
    access: AccountAccess,
    kind: ProposalKind,
    summary: str,
    reason: str,
    base: str,
    seen: Snapshot | None = None,
    **fields: Any,
) -> Proposal:
    reason = reason.strip()
    if not reason:
        raise services.Rejected({"reason": [REASON_NEEDED]})
    now = timezone.now()
    proposal = Proposal.objects.create(
        account=access.account,
        kind=kind,
        reason=reason,
        proposed_by=actor.user,
        proposed_at=now,
        expires_at=now + timedelta(days=settings.APPROVAL_EXPIRY_DAYS),
        seen=seen.sign() if seen else "",
        **fields,
    )
    event = audit.record_step(
        actor=actor,
        account_id=access.account.account_id,
        action=AuditAction.PROPOSE,
        summary=f"Proposed for approval: {summary}",
        details={
            "proposal": proposal.pk,
            "kind": kind.value,
            "section": proposal.section,
            "bulk_job": proposal.bulk_job_id,
            "changes": {field: pair[1] for field, pair in proposal.changes.items()},
            "reason": reason,
        },
        state_before=seen.state if seen else None,
        **_ledger_names(proposal),
    )
    audit.finish_step(event, "waiting for approval", diff=proposal.changes)
    proposal.audit_event = event
    proposal.save(update_fields=["audit_event"])
    _mail_editors(proposal, summary=summary, base=base)
    return proposal


def _read(access: AccountAccess, organization_id: str, contract_id: str) -> Contract:
    return fabric.get_contract(
        access.tenant, organization_id=organization_id, contract_id=contract_id
    )


def edit_or_propose(
    *,
    actor: Actor,
    access: AccountAccess,
    organization_id: str,
    contract_id: str,
    section: services.EditSection,
    seen: Snapshot,
    values: Mapping[str, Any],
    reason: str,
    base: str,
) -> services.Saved | Proposal:
    """services.contract_edit, unless the account's policy holds this change for approval:
    then a Proposal, after the same checks as a save (the price list exists, the form's fields
    are as the editor saw them), and no write. Rejected at `reason` when it is empty."""
    changes = section.changes(values, seen)
    if not Policy.of(access.account).covers_edit(changes):
        return services.contract_edit(
            actor=actor,
            access=access,
            organization_id=organization_id,
            contract_id=contract_id,
            section=section,
            seen=seen,
            values=values,
        )
    if not reason.strip():
        raise services.Rejected({"reason": [REASON_NEEDED]})
    if "price_list_id" in values:
        services.check_price_list(access.tenant, values["price_list_id"])
    current = _read(access, organization_id, contract_id)
    if seen.moved(current, section.fields):
        raise services.EditConflict(current, seen.differences(current, changes))
    return _propose(
        actor=actor,
        access=access,
        kind=ProposalKind.EDIT,
        summary=f"{section.action.label} of contract {current.contract_id}",
        reason=reason,
        base=base,
        seen=seen,
        organization_id=organization_id,
        contract_ref=current.id,
        contract_id=current.contract_id,
        section=section.name,
        changes={field: [seen.state.get(field), value] for field, value in changes.items()},
    )


def edit_may_need_approval(access: AccountAccess, section: str) -> bool:
    return Policy.of(access.account).may_cover_section(section)


def delete_needs_approval(access: AccountAccess) -> bool:
    return Policy.of(access.account).covers_delete()


def delete_or_propose(
    *,
    actor: Actor,
    access: AccountAccess,
    organization_id: str,
    contract_id: str,
    reason: str,
    base: str,
) -> Contract | Proposal:
    """services.contract_delete, or under the policy a Proposal of the deletion of the
    contract as it is now (the editor has just seen it on the confirmation page)."""
    if not delete_needs_approval(access):
        return services.contract_delete(
            actor=actor, access=access, organization_id=organization_id, contract_id=contract_id
        )
    if not reason.strip():
        raise services.Rejected({"reason": [REASON_NEEDED]})
    current = _read(access, organization_id, contract_id)
    return _propose(
        actor=actor,
        access=access,
        kind=ProposalKind.DELETE,
        summary=f"{AuditAction.DELETE.label} {current.contract_id}",
        reason=reason,
        base=base,
        seen=Snapshot.of(current),
        organization_id=organization_id,
        contract_ref=current.id,
        contract_id=current.contract_id,
        changes={"isDeleted": [False, True]},
    )


def bulk_needs_approval(access: AccountAccess, job: BulkJob) -> bool:
    policy = Policy.of(access.account)
    if not policy.active:
        return False
    return policy.covers_bulk(job.items.filter(outcome=BulkOutcome.PLANNED).count())


def bulk_start_or_propose(
    *, actor: Actor, access: AccountAccess, job: BulkJob, reason: str, base: str
) -> bool | Proposal:
    """bulk.start, or under the policy a Proposal of the whole job (which stays previewed).
    A job already waiting for approval is not applied, nor proposed again."""
    if open_for_job(job) is not None:
        raise services.Rejected({None: ["This bulk job is waiting for approval."]}, status=409)
    if not bulk_needs_approval(access, job):
        return bulk.start(job)
    change = bulk.BulkChange.from_job(job)
    planned = job.items.filter(outcome=BulkOutcome.PLANNED).count()
    return _propose(
        actor=actor,
        access=access,
        kind=ProposalKind.BULK,
        summary=f"Bulk job {job.pk}: {change.describe()}, {planned} contracts",
        reason=reason,
        base=base,
        organization_id=job.organization_id,
        bulk_job=job,
    )


# Deciding.


def _close(proposal: Proposal, state: ProposalState, actor: Actor, comment: str) -> None:
    """Move an open proposal to `state`, once: a second decision at the same moment, or one
    after the expiry, raises ProposalClosed and changes nothing."""
    now = timezone.now()
    taken = Proposal.objects.filter(
        pk=proposal.pk, state=ProposalState.PENDING, expires_at__gt=now
    ).update(state=state, decided_by=actor.user, decided_at=now, comment=comment)
    proposal.refresh_from_db()
    if taken:
        return
    if proposal.state == ProposalState.PENDING:
        Proposal.objects.filter(pk=proposal.pk, state=ProposalState.PENDING).update(
            state=ProposalState.EXPIRED
        )
        proposal.refresh_from_db()
        raise ProposalClosed(f"This proposal expired on {proposal.expires_at:%Y-%m-%d %H:%M} UTC.")
    raise ProposalClosed(f"This proposal is already closed: {proposal.get_state_display()}.")


def _not_the_proposer(proposal: Proposal, actor: Actor) -> None:
    if actor.user is not None and proposal.proposed_by_id == actor.user.pk:
        raise PermissionDenied("A change cannot be decided by the editor who proposed it.")


def _record_decision(
    proposal: Proposal, actor: Actor, action: AuditAction, comment: str
) -> AuditEvent:
    event = audit.record_step(
        actor=actor,
        account_id=proposal.account.account_id,
        action=action,
        summary=f"{action.label}: proposal {proposal.pk} by {_name(proposal.proposed_by)}",
        details={
            "proposal": proposal.pk,
            "proposal_request": proposal.audit_event.request_id if proposal.audit_event else "",
            "proposed_by": _name(proposal.proposed_by),
            "reason": proposal.reason,
            "comment": comment,
        },
        **_ledger_names(proposal),
    )
    Proposal.objects.filter(pk=proposal.pk).update(decision_event=event)
    proposal.decision_event = event
    return event


def _name(user) -> str:
    return user.get_username() if user is not None else "a removed user"


def _apply(proposal: Proposal, access: AccountAccess, actor: Actor) -> str:
    """Write the approved change through the usual service; what was done, in words. Raises
    EditConflict, Rejected or FabricError as the service does."""
    if proposal.kind == ProposalKind.BULK:
        if not bulk.start(proposal.bulk_job):
            return "approved; the bulk job had been applied already"
        return "approved; the bulk job is queued"
    seen = Snapshot.verify(proposal.seen, max_age=None)
    if proposal.kind == ProposalKind.DELETE:
        services.contract_delete(
            actor=actor,
            access=access,
            organization_id=proposal.organization_id,
            contract_id=proposal.contract_ref,
            seen=seen,
        )
        return "approved and applied"
    section = services.EDIT_SECTIONS[proposal.section]
    after = {**seen.state, **{field: pair[1] for field, pair in proposal.changes.items()}}
    saved = services.contract_edit(
        actor=actor,
        access=access,
        organization_id=proposal.organization_id,
        contract_id=proposal.contract_ref,
        section=section,
        seen=seen,
        values=section.values_of(after),
    )
    outside = saved.outside_change_message
    return f"approved and applied; {outside}" if outside else "approved and applied"


def approve(
    *, actor: Actor, access: AccountAccess, proposal: Proposal, comment: str, base: str
) -> Decision:
    """Approve and apply another editor's proposal. The write holds the contract's lock and
    checks the contract against the proposal's snapshot: a change made since then is a
    conflict (state CONFLICT, nothing written). PermissionDenied for the proposer,
    ProposalClosed when it is no longer open (decided, withdrawn, expired)."""
    _not_the_proposer(proposal, actor)
    comment = comment.strip()
    _close(proposal, ProposalState.APPROVED, actor, comment)
    decision = _record_decision(proposal, actor, AuditAction.APPROVE, comment)
    conflict, state = None, ProposalState.APPROVED
    try:
        with audit.part_of(decision, as_key="approval"):
            result = _apply(proposal, access, actor)
    except services.EditConflict as error:
        conflict, state = error, ProposalState.CONFLICT
        moved = [change.field for change in error.changes if change.seen != change.current]
        result = (
            "approved; not applied: the contract changed since the proposal "
            f"({', '.join(moved) or 'updatedAt'}); nothing was written"
        )
    except services.ContractBusy as error:
        # Another save held the contract: nothing was sent, and the proposal waits again.
        state, result = ProposalState.PENDING, f"approved; not applied: {error}"
    except services.Rejected as error:
        state, result = ProposalState.FAILED, f"approved; not applied: {error}"
    except fabric.FabricError as error:
        state, result = ProposalState.FAILED, f"approved; not applied: {error.user_message}"
    audit.finish_step(decision, result)
    reopened = {"decided_by": None, "decided_at": None} if state == ProposalState.PENDING else {}
    Proposal.objects.filter(pk=proposal.pk).update(state=state, result=result[:500], **reopened)
    proposal.refresh_from_db()
    if state != ProposalState.PENDING:
        _mail_proposer(proposal, base=base)
    return Decision(proposal, conflict)


def reject(
    *, actor: Actor, access: AccountAccess, proposal: Proposal, comment: str, base: str
) -> Proposal:
    """Reject another editor's proposal with a comment (required); nothing is written."""
    _not_the_proposer(proposal, actor)
    comment = comment.strip()
    if not comment:
        raise services.Rejected({"comment": [COMMENT_NEEDED]})
    _close(proposal, ProposalState.REJECTED, actor, comment)
    decision = _record_decision(proposal, actor, AuditAction.REJECT, comment)
    audit.finish_step(decision, "rejected; nothing was written")
    _mail_proposer(proposal, base=base)
    return proposal


def withdraw(*, actor: Actor, access: AccountAccess, proposal: Proposal) -> Proposal:
    """The proposer takes their proposal back; only they may."""
    if actor.user is None or proposal.proposed_by_id != actor.user.pk:
        raise PermissionDenied("Only the editor who proposed a change may withdraw it.")
    _close(proposal, ProposalState.WITHDRAWN, actor, "")
    event = _record_decision(proposal, actor, AuditAction.WITHDRAW, "")
    audit.finish_step(event, "withdrawn; nothing was written")
    return proposal


# Mail.


def _editors(account: FabricAccount) -> QuerySet:
    """The active users who are editors of the account, directly or through a group."""
    editor = Q(account_grants__account=account, account_grants__role=AccountRole.EDITOR)
    through_group = Q(
        groups__account_grants__account=account,
        groups__account_grants__role=AccountRole.EDITOR,
    )
    return get_user_model().objects.filter(editor | through_group, is_active=True).distinct()


def _send(messages: list[EmailMessage]) -> None:
    """Send, and log a failure rather than lose the proposal or decision already recorded."""
    if not messages:
        return
    try:
        mailers.default.send_messages(messages)
    except Exception:  # a mail server down must not undo a recorded step
        logger.exception("approval mail not sent (%s messages)", len(messages))


def _mail_editors(proposal: Proposal, *, summary: str, base: str) -> None:
    recipients = [
        user.email
        for user in _editors(proposal.account).exclude(pk=proposal.proposed_by_id)
        if user.email
    ]
    context = {
        "proposal": proposal,
        "summary": summary,
        "link": proposal_link(proposal, base),
        "proposer": _name(proposal.proposed_by),
    }
    body = render_to_string("contracts_ui/email/proposal_new.txt", context)
    subject = f"Approval needed: {summary}"[:150]
    _send([EmailMessage(subject, body, to=[address]) for address in recipients])


def _mail_proposer(proposal: Proposal, *, base: str) -> None:
    user = proposal.proposed_by
    if user is None or not user.email:
        return
    context = {
        "proposal": proposal,
        "link": proposal_link(proposal, base),
        "decider": _name(proposal.decided_by),
    }
    body = render_to_string("contracts_ui/email/proposal_decided.txt", context)
    subject = f"Your proposal {proposal.pk}: {proposal.get_state_display()}"[:150]
    _send([EmailMessage(subject, body, to=[user.email])])
