"""Writes to fabric. Each takes a form's Python values, turns them into fabric's wire format,
re-reads what it changes, refuses to overwrite a concurrent change, and goes through the audit
ledger exactly once. A write of a contract holds that contract's lock (locks.py) from the
re-read to the check of fabric's answer, so saves in any console process never interleave.
Views call these and nothing lower."""

import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.cache import cache

from contracts_ui import audit, fabric, locks
from contracts_ui.access import AccountAccess
from contracts_ui.audit import Actor
from contracts_ui.fabric.types import Contract, FabricTenant, InternalPartyLink
from contracts_ui.fabric.values import format_datetime
from contracts_ui.forms import edits as edit_forms
from contracts_ui.models import AuditAction
from contracts_ui.selectors import LedgerRef
from contracts_ui.snapshot import FieldChange, Snapshot

# Long enough to outlive any open form, short enough not to pile up in the cache.
_SUBMISSION_TTL = 24 * 3600


def fabric_name(form_field: str) -> str:
    """A form field's name in fabric, in camelCase: `price_list_id` → `priceListId`."""
    first, *rest = form_field.split("_")
    return first + "".join(word.title() for word in rest)


def form_field_name(fabric_field: str) -> str:
    """fabric's camelCase field name as a form field's (`priceListId` → `price_list_id`)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", fabric_field).lower()


def wire_value(value: Any, replacing: Any = None) -> Any:
    """A form's Python value as fabric takes it. A date becomes that day at the time of day of
    the moment it replaces (fabric's text, `replacing`), else at midnight UTC: a contract that
    ended at 23:59:59.999 and is moved to another day still ends at the end of that day, where
    midnight would have ended it almost a day early."""
    if isinstance(value, date) and not isinstance(value, datetime):
        replaced = _in_utc(replacing)
        if replaced is None:
            return f"{value.isoformat()}T00:00:00.000Z"
        return format_datetime(datetime.combine(value, replaced.timetz()))
    return value


def _in_utc(text: Any) -> datetime | None:
    """fabric's text of a moment when it is in UTC, as fabric writes it. A form shows the day
    of the text as written (values_of), so a time of day in another offset could move the day
    once converted: such a moment, or no moment, gives None."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.utcoffset() == timedelta(0) else None


@dataclass(frozen=True)
class EditSection:
    """A part of a contract edited by one form: the form, the ledger's action, and whether only
    fabric's PATCH accepts its fields (the flags, REFERENCE.md §2); the rest go through PUT."""

    name: str
    form: type[edit_forms.ContractEditForm]
    action: AuditAction
    needs_patch: bool = False

    @property
    def fields(self) -> list[str]:
        """The fields the section's form shows and edits, in fabric's names."""
        return [
            fabric_name(name)
            for name in self.form.base_fields
            if name not in edit_forms.CONTROL_FIELDS
        ]

    def values_of(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """The form's Python values for a state in fabric's names and formats."""
        values = {}
        for name, field in self.form.base_fields.items():
            if name in edit_forms.CONTROL_FIELDS:
                continue
            value = state.get(fabric_name(name))
            if isinstance(field, forms.DateField):
                value = date.fromisoformat(value[:10]) if value else None
            values[name] = value
        return values

    def changes(self, values: Mapping[str, Any], seen: Snapshot) -> dict[str, Any]:
        """What the user changed from what they saw, in fabric's names and wire format.

        Compared as Python values, so a date the user left alone keeps fabric's time of day,
        and a date moved to another day keeps it too (wire_value).
        """
        before = self.values_of(seen.state)
        return {
            fabric_name(name): wire_value(value, seen.state.get(fabric_name(name)))
            for name, value in values.items()
            if value != before.get(name)
        }

    def form_for(
        self, contract: Contract, *, yours: Mapping[str, Any] | None = None
    ) -> edit_forms.ContractEditForm:
        """An unbound form showing the contract (or `yours` over it), signed with what it shows."""
        snapshot = Snapshot.of(contract)
        initial = {
            **self.values_of(snapshot.state),
            **(yours or {}),
            "seen": snapshot.sign(),
            "submission": edit_forms.new_submission_token(),
        }
        return self.form(initial=initial)


# The one registry of the contract page's edit sections, keyed by the URL's section name.
EDIT_SECTIONS: dict[str, EditSection] = {
    section.name: section
    for section in (
        EditSection("dates", edit_forms.ContractDatesForm, AuditAction.CHANGE_DATES),
        EditSection("status", edit_forms.ContractStatusForm, AuditAction.CHANGE_STATUS),
        EditSection("price-list", edit_forms.ContractPriceListForm, AuditAction.CHANGE_PRICE_LIST),
        EditSection(
            "flags", edit_forms.ContractFlagsForm, AuditAction.CHANGE_FLAGS, needs_patch=True
        ),
        EditSection("details", edit_forms.ContractDetailsForm, AuditAction.CHANGE_DETAILS),
    )
}


@dataclass(frozen=True)
class Saved:
    """What a save left in fabric: the contract as fabric answered, and the fields (fabric's
    names) that someone changed outside the console while the save was under way."""

    contract: Contract
    outside_changes: tuple[str, ...] = ()

    @property
    def outside_change_message(self) -> str:
        """The words the ledger records for the outside changes ("" when there are none)."""
        return audit.outside_change_message(self.outside_changes)


class EditConflict(Exception):
    """The form's fields changed in fabric since the user opened it; nothing was written."""

    def __init__(self, current: Contract, changes: list[FieldChange]) -> None:
        super().__init__("The contract changed since the form was opened.")
        self.current = current
        self.changes = changes


class Rejected(Exception):
    """The input was refused (by fabric, or by a check against it); nothing was written.

    `errors` maps form field names (None: the form as a whole) to messages for the user.
    """

    def __init__(self, errors: Mapping[str | None, list[str]], *, status: int = 422) -> None:
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = dict(errors)
        self.status = status

    @classmethod
    def from_fabric(
        cls, error: fabric.FabricValidationError, form_fields: Mapping[str, Any]
    ) -> "Rejected":
        """fabric's own validation messages at the fields they name, the rest above the form."""
        errors: dict[str | None, list[str]] = {}
        for field, messages in error.field_errors.items():
            name = form_field_name(field)
            errors.setdefault(name if name in form_fields else None, []).extend(
                f"fabric: {message}" for message in messages
            )
        for message in error.non_field_errors or ([] if error.field_errors else [error.message]):
            errors.setdefault(None, []).append(f"fabric: {message}")
        return cls(errors)


class ContractBusy(Rejected):
    """Another save of the contract held it for longer than this one may wait; nothing was
    written, and the same form can be sent again."""

    MESSAGE = (
        "Another save of this contract is still under way, so nothing was saved. "
        "Try again in a moment."
    )

    def __init__(self) -> None:
        super().__init__({None: [self.MESSAGE]}, status=409)


def claim_submission(token: str) -> bool:
    """True the first time a form's one-off token is presented (atomic in the shared cache)."""
    return bool(token) and cache.add(f"submission:{token}", True, _SUBMISSION_TTL)


def release_submission(token: str) -> None:
    """Let the same form be sent again: fabric refused it, or it never reached fabric."""
    cache.delete(f"submission:{token}")


@contextmanager
def _contract_locked(
    access: AccountAccess,
    organization_id: str,
    contract_id: str,
    *,
    include_deleted: bool = False,
    lock_wait: float | None = None,
) -> Iterator[Contract]:
    """The contract re-read under its lock, held until the block ends; ContractBusy when another
    save keeps it past the wait.

    Every save takes the lock of fabric's `_id`. A contract asked for by its business
    contractId is locked by that first (the `_id` is not known before the read), then by its
    `_id` and read again under both: the `_id` lock is always taken last, so none wait in a circle.
    """
    until = locks.wait_deadline() if lock_wait is None else time.monotonic() + lock_wait

    def read(contract_key: str) -> Contract:
        return fabric.get_contract(
            access.tenant,
            organization_id=organization_id,
            contract_id=contract_key,
            include_deleted=include_deleted,
        )

    with _contract_lock(access, contract_id, until=until):
        current = read(contract_id)
        if current.id == contract_id:
            yield current
            return
        with _contract_lock(access, current.id, until=until):
            yield read(current.id)


@contextmanager
def _contract_lock(
    access: AccountAccess, contract_key: str, *, until: float | None = None
) -> Iterator[None]:
    try:
        with locks.contract_lock(access.account.account_id, contract_key, until=until):
            yield
    except locks.LockTimeout as busy:
        raise ContractBusy() from busy


def check_price_list(tenant: FabricTenant, price_list_id: int | None) -> None:
    """Look a price list up before linking it, so an unknown id is a field error, not a write."""
    if price_list_id is None:
        return
    try:
        fabric.get_price_list(tenant, price_list_id=price_list_id)
    except fabric.FabricNotFound as error:
        message = f"There is no price list #{price_list_id} in this account."
        raise Rejected({"price_list_id": [message]}) from error
    except fabric.FabricError as error:
        message = f"Could not check price list #{price_list_id}: {error.user_message}"
        raise Rejected({"price_list_id": [message]}) from error


def _summary(action: AuditAction, contract_id: str, changes: Mapping[str, Any]) -> str:
    fields = ", ".join(sorted(changes)) or "no fields"
    return f"{action.label} of contract {contract_id}: {fields}"


@dataclass(frozen=True)
class _Call[T]:
    """One fabric write: the HTTP method and body the ledger records, and the operation with its
    arguments (besides the tenant and the request id) that makes it."""

    method: str
    operation: Callable[..., T]
    body: Mapping[str, Any] | None
    arguments: Mapping[str, Any]


def _audited[T](
    *,
    actor: Actor,
    access: AccountAccess,
    organization_id: str,
    action: AuditAction,
    summary: str,
    call: _Call[T],
    **recorded: Any,
) -> T:
    """audited_write with what every write shares: the account, the organization, and the request
    as sent (the HTTP method, the fabric operation's name and the body)."""
    tenant = access.tenant
    return audit.audited_write(
        actor=actor,
        account_id=access.account.account_id,
        organization_id=organization_id,
        action=action,
        summary=summary,
        request_sent={
            "method": call.method,
            "operation": call.operation.__name__,
            "body": call.body,
        },
        perform=lambda request_id: call.operation(tenant, request_id=request_id, **call.arguments),
        **recorded,
    )


def _contract_record(
    before: Contract | None, compare: Callable[[Contract], Mapping[str, Any]]
) -> dict[str, Any]:
    """The ledger's arguments for a write of a contract: its names, and its state before."""
    recorded: dict[str, Any] = {"state_of": lambda contract: contract.raw, "compare_after": compare}
    if before is not None:
        recorded |= asdict(LedgerRef.of(before))
        recorded |= {"state_before": before.raw, "compare_before": compare(before)}
    return recorded


def contract_edit(
    *,
    actor: Actor,
    access: AccountAccess,
    organization_id: str,
    contract_id: str,
    section: EditSection,
    seen: Snapshot,
    values: Mapping[str, Any],
    whole_contract: bool = False,
    lock_wait: float | None = None,
) -> Saved:
    """Apply the section's `values` unless one of its fields moved on since `seen` (with
    `whole_contract`, unless any editable field did: a bulk preview showed the whole contract).
    `lock_wait` (seconds) replaces CONTRACT_LOCK_WAIT for a caller that knows a dead holder's
    lock may stand until it expires.

    Two fabric calls (three when a price list is linked: it is looked up first), both under the
    contract's lock: the re-read that guards against overwriting someone else's change to the
    form's fields (and is the audit's state before), then the one write. A change to another
    part of the contract is kept: only the fields the user changed are sent. Raises
    EditConflict, Rejected (ContractBusy when the lock stays taken), or the write's FabricError.
    """
    tenant = access.tenant
    if "price_list_id" in values:
        check_price_list(tenant, values["price_list_id"])
    changes = section.changes(values, seen)
    with _contract_locked(access, organization_id, contract_id, lock_wait=lock_wait) as current:
        guarded = seen.state if whole_contract else section.fields
        if seen.moved(current, guarded):
            raise EditConflict(current, seen.differences(current, changes))
        if not changes:
            return Saved(current)
        # Seed 002 addresses PATCH by the business contractId; PUT takes fabric's _id.
        if section.needs_patch:
            method, operation = "PATCH", fabric.patch_contract
            target = {"business_contract_id": current.contract_id}
        else:
            method, operation = "PUT", fabric.update_contract
            target = {"contract_id": current.id}

        try:
            written = _audited(
                actor=actor,
                access=access,
                organization_id=organization_id,
                action=section.action,
                summary=_summary(section.action, current.contract_id, changes),
                call=_Call(
                    method,
                    operation,
                    changes,
                    {"organization_id": organization_id, "changes": changes, **target},
                ),
                sent_fields=list(changes),
                **_contract_record(current, Contract.editable_state),
            )
        except fabric.FabricValidationError as error:
            raise Rejected.from_fabric(error, section.form.base_fields) from error
    outside = audit.outside_changes(current.editable_state(), written.editable_state(), changes)
    return Saved(written, tuple(outside))


def contract_create(
    *, actor: Actor, access: AccountAccess, organization_id: str, values: Mapping[str, Any]
) -> Contract:
    """Create a contract from ContractCreateForm's values; fields left empty are not sent, so
    fabric generates the id. Raises Rejected (at the fields) or the write's FabricError."""
    tenant = access.tenant
    check_price_list(tenant, values.get("price_list_id"))
    body = {
        fabric_name(name): wire_value(value)
        for name, value in values.items()
        if value not in ("", None, {})
    }
    business_id = str(body.get("contractId", ""))
    # Two creates of one contractId take turns, so fabric's duplicate check sees the first.
    taking_turns = _contract_lock(access, business_id) if business_id else nullcontext()
    try:
        with taking_turns:
            return _audited(
                actor=actor,
                access=access,
                organization_id=organization_id,
                action=AuditAction.CREATE,
                summary=_summary(AuditAction.CREATE, business_id or "(generated)", body),
                call=_Call(
                    "POST",
                    fabric.create_contract,
                    body,
                    {"organization_id": organization_id, "body": body},
                ),
                contract_id=business_id,
                **_contract_record(None, Contract.editable_state),
            )
    except fabric.FabricValidationError as error:
        raise Rejected.from_fabric(error, values) from error
    except fabric.FabricConflict as error:
        message = "A contract with this id already exists in this account."
        raise Rejected({"contract_id": [message]}, status=409) from error


def _deleted_state(contract: Contract) -> dict[str, Any]:
    return {"isDeleted": contract.is_deleted}


def _delete_or_restore(
    *,
    actor: Actor,
    access: AccountAccess,
    organization_id: str,
    contract_id: str,
    restore: bool,
    seen: Snapshot | None = None,
) -> Contract:
    action = AuditAction.RESTORE if restore else AuditAction.DELETE
    operation = fabric.restore_contract if restore else fabric.delete_contract
    with _contract_locked(access, organization_id, contract_id, include_deleted=True) as current:
        if seen is not None and (seen.moved(current, seen.state) or current.is_deleted):
            raise EditConflict(current, seen.differences(current, {}))
        return _audited(
            actor=actor,
            access=access,
            organization_id=organization_id,
            action=action,
            summary=f"{action.label} {current.contract_id}",
            call=_Call(
                "POST" if restore else "DELETE",
                operation,
                None,
                {"organization_id": organization_id, "contract_id": current.id},
            ),
            **_contract_record(current, _deleted_state),
        )


def contract_delete(
    *,
    actor: Actor,
    access: AccountAccess,
    organization_id: str,
    contract_id: str,
    seen: Snapshot | None = None,
) -> Contract:
    """Soft-delete: fabric keeps the record, marked deleted, and it can be restored. With
    `seen` (an approved proposal's snapshot), EditConflict unless the contract is as seen."""
    return _delete_or_restore(
        actor=actor,
        access=access,
        organization_id=organization_id,
        contract_id=contract_id,
        restore=False,
        seen=seen,
    )


def contract_restore(
    *, actor: Actor, access: AccountAccess, organization_id: str, contract_id: str
) -> Contract:
    return _delete_or_restore(
        actor=actor,
        access=access,
        organization_id=organization_id,
        contract_id=contract_id,
        restore=True,
    )


def internal_party_link(
    *,
    actor: Actor,
    access: AccountAccess,
    organization_id: str,
    internal_party_id: str,
    unlink: bool = False,
) -> InternalPartyLink:
    """Link (or unlink) one of the merchant's internal parties to an organization."""
    action = AuditAction.UNLINK_INTERNAL_PARTY if unlink else AuditAction.LINK_INTERNAL_PARTY
    operation = fabric.unlink_internal_party if unlink else fabric.link_internal_party
    return _audited(
        actor=actor,
        access=access,
        organization_id=organization_id,
        action=action,
        summary=f"{action.label} {internal_party_id} and organization {organization_id}",
        call=_Call(
            "DELETE" if unlink else "POST",
            operation,
            {"partyId": organization_id, "internalPartyId": internal_party_id},
            {"party_id": organization_id, "internal_party_id": internal_party_id},
        ),
        state_of=lambda link: {
            "_id": link.id,
            "partyId": link.party_id,
            "internalPartyId": link.internal_party_id,
            "isDeleted": link.is_deleted,
        },
        compare_before={"linked": unlink},
        compare_after=lambda link: {"linked": not link.is_deleted},
    )
