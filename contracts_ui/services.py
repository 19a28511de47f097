"""Writes to fabric: each re-reads what it changes, refuses to overwrite a concurrent change,
and goes through the audit ledger exactly once. Views call these and nothing lower."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from contracts_ui import audit, fabric
from contracts_ui.audit import Actor
from contracts_ui.fabric.types import Contract, InternalPartyLink
from contracts_ui.fabric.values import format_datetime
from contracts_ui.models import AuditAction, FabricAccount

# Long enough to outlive any open form, short enough not to pile up in the cache.
_SUBMISSION_TTL = 24 * 3600


@dataclass(frozen=True)
class EditSection:
    """A part of a contract edited by one form, and the fabric endpoint that accepts it."""

    name: str
    action: AuditAction
    fields: tuple[str, ...]
    endpoint: str  # "put": the organization's contract; "patch": /v1/contracts/{id}


EDIT_SECTIONS = {
    section.name: section
    for section in (
        EditSection("dates", AuditAction.CHANGE_DATES, ("startDate", "endDate"), "put"),
        EditSection("status", AuditAction.CHANGE_STATUS, ("status",), "put"),
        EditSection("price-list", AuditAction.CHANGE_PRICE_LIST, ("priceListId",), "put"),
        # Only PATCH accepts the flags (REFERENCE.md §2).
        EditSection(
            "flags", AuditAction.CHANGE_FLAGS, ("onContract", "promotionStacking"), "patch"
        ),
        EditSection(
            "details", AuditAction.CHANGE_DETAILS, ("contractType", "additionalAttributes"), "put"
        ),
    )
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    seen: Any  # when the user opened the form
    current: Any  # in fabric now
    yours: Any  # what the user asked for


class EditConflict(Exception):
    """The contract changed in fabric since the user opened the form; nothing was written."""

    def __init__(self, current: Contract, changes: list[FieldChange]) -> None:
        super().__init__("The contract changed since the form was opened.")
        self.current = current
        self.changes = changes


class DuplicateSubmission(Exception):
    """This form was already submitted once; a second write is not sent."""


def claim_submission(token: str) -> bool:
    """True the first time a form's one-off token is presented (atomic in the shared cache)."""
    return bool(token) and cache.add(f"submission:{token}", True, _SUBMISSION_TTL)


def release_submission(token: str) -> None:
    """Let the same form be sent again: fabric refused it, or it never reached fabric."""
    cache.delete(f"submission:{token}")


def _summary(action: AuditAction, contract_id: str, changes: Mapping[str, Any]) -> str:
    fields = ", ".join(sorted(changes)) or "no fields"
    return f"{action.label} of contract {contract_id}: {fields}"


def contract_edit(
    *,
    actor: Actor,
    account: FabricAccount,
    organization_id: str,
    contract_id: str,
    section: EditSection,
    seen: Mapping[str, Any],
    changes: Mapping[str, Any],
) -> Contract:
    """Apply `changes` (fabric field names) unless the contract moved on since `seen`.

    Two fabric calls: the re-read that guards against overwriting someone else's change (and is
    the audit's state before), then the one write.
    """
    tenant = account.tenant()
    current = fabric.get_contract(tenant, organization_id=organization_id, contract_id=contract_id)
    current_state = current.editable_state()
    if format_datetime(current.updated_at) != seen.get("updatedAt"):
        raise EditConflict(
            current,
            [
                FieldChange(field, seen.get(field), current_state.get(field), changes.get(field))
                for field in current_state
                if seen.get(field) != current_state.get(field) or field in changes
            ],
        )
    if not changes:
        return current
    body = dict(changes)
    if section.endpoint == "patch":
        method, operation = "PATCH", "patch_contract"

        def perform(request_id: str) -> Contract:
            return fabric.patch_contract(
                tenant, contract_id=current.id, changes=body, request_id=request_id
            )
    else:
        method, operation = "PUT", "update_contract"

        def perform(request_id: str) -> Contract:
            return fabric.update_contract(
                tenant,
                organization_id=organization_id,
                contract_id=current.id,
                changes=body,
                request_id=request_id,
            )

    return audit.audited_write(
        actor=actor,
        account_id=account.account_id,
        action=section.action,
        summary=_summary(section.action, current.contract_id, body),
        request_sent={"method": method, "operation": operation, "body": body},
        perform=perform,
        state_of=lambda contract: contract.raw,
        organization_id=organization_id,
        contract_ref=current.id,
        contract_id=current.contract_id,
        state_before=current.raw,
        compare_before=current_state,
        compare_after=lambda contract: contract.editable_state(),
    )


def contract_create(
    *, actor: Actor, account: FabricAccount, organization_id: str, body: Mapping[str, Any]
) -> Contract:
    tenant = account.tenant()
    return audit.audited_write(
        actor=actor,
        account_id=account.account_id,
        action=AuditAction.CREATE,
        summary=_summary(AuditAction.CREATE, str(body.get("contractId", "(generated)")), body),
        request_sent={"method": "POST", "operation": "create_contract", "body": dict(body)},
        perform=lambda request_id: fabric.create_contract(
            tenant, organization_id=organization_id, body=body, request_id=request_id
        ),
        state_of=lambda contract: contract.raw,
        organization_id=organization_id,
        contract_id=str(body.get("contractId", "")),
        compare_after=lambda contract: contract.editable_state(),
    )


def _delete_or_restore(
    *, actor: Actor, account: FabricAccount, organization_id: str, contract_id: str, restore: bool
) -> Contract:
    tenant = account.tenant()
    current = fabric.get_contract(
        tenant, organization_id=organization_id, contract_id=contract_id, include_deleted=True
    )
    action = AuditAction.RESTORE if restore else AuditAction.DELETE
    operation = fabric.restore_contract if restore else fabric.delete_contract
    return audit.audited_write(
        actor=actor,
        account_id=account.account_id,
        action=action,
        summary=f"{action.label} {current.contract_id}",
        request_sent={
            "method": "POST" if restore else "DELETE",
            "operation": operation.__name__,
            "body": None,
        },
        perform=lambda request_id: operation(
            tenant, organization_id=organization_id, contract_id=current.id, request_id=request_id
        ),
        state_of=lambda contract: contract.raw,
        organization_id=organization_id,
        contract_ref=current.id,
        contract_id=current.contract_id,
        state_before=current.raw,
        compare_before={"isDeleted": current.is_deleted},
        compare_after=lambda contract: {"isDeleted": contract.is_deleted},
    )


def contract_delete(
    *, actor: Actor, account: FabricAccount, organization_id: str, contract_id: str
) -> Contract:
    """Soft-delete: fabric keeps the record, marked deleted, and it can be restored."""
    return _delete_or_restore(
        actor=actor,
        account=account,
        organization_id=organization_id,
        contract_id=contract_id,
        restore=False,
    )


def contract_restore(
    *, actor: Actor, account: FabricAccount, organization_id: str, contract_id: str
) -> Contract:
    return _delete_or_restore(
        actor=actor,
        account=account,
        organization_id=organization_id,
        contract_id=contract_id,
        restore=True,
    )


def internal_party_link(
    *,
    actor: Actor,
    account: FabricAccount,
    organization_id: str,
    internal_party_id: str,
    unlink: bool = False,
) -> InternalPartyLink:
    """Link (or unlink) one of the merchant's internal parties to an organization."""
    tenant = account.tenant()
    action = AuditAction.UNLINK_INTERNAL_PARTY if unlink else AuditAction.LINK_INTERNAL_PARTY
    operation = fabric.unlink_internal_party if unlink else fabric.link_internal_party
    body = {"partyId": organization_id, "internalPartyId": internal_party_id}
    return audit.audited_write(
        actor=actor,
        account_id=account.account_id,
        action=action,
        summary=f"{action.label} {internal_party_id} and organization {organization_id}",
        request_sent={
            "method": "DELETE" if unlink else "POST",
            "operation": operation.__name__,
            "body": body,
        },
        perform=lambda request_id: operation(
            tenant,
            party_id=organization_id,
            internal_party_id=internal_party_id,
            request_id=request_id,
        ),
        state_of=lambda link: {
            "_id": link.id,
            "partyId": link.party_id,
            "internalPartyId": link.internal_party_id,
            "isDeleted": link.is_deleted,
        },
        organization_id=organization_id,
        compare_before={"linked": unlink},
        compare_after=lambda link: {"linked": not link.is_deleted},
    )
