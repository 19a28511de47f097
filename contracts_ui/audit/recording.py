"""Recording the audit ledger of writes to fabric, and of exports.

Every attempted write is an AuditEvent committed *before* fabric is called, then an
AuditOutcome committed after; both are insert-only and chained with keyed hashes (sealing.py),
so an altered or removed record breaks the chain that `verify.verify_chain` walks.
"""

import json
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from contracts_ui import fabric
from contracts_ui.audit.sealing import append
from contracts_ui.models import AuditAction, AuditEvent, AuditOutcome, AuditOutcomeKind


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where, as the ledger keeps it."""

    user: AbstractBaseUser | AnonymousUser | None
    username: str
    client_ip: str | None
    user_agent: str


def actor_from_request(request: HttpRequest) -> Actor:
    # REMOTE_ADDR is what the WSGI server saw; behind a proxy it must be set from a trusted header.
    return Actor(
        user=request.user if request.user.is_authenticated else None,
        username=request.user.get_username() if request.user.is_authenticated else "",
        client_ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.headers.get("User-Agent", "")[:300],
    )


# The record whose children are being written in this thread (a bulk change, an approval), the
# key under which they name it, and the children so far.
_bulk_parent: ContextVar[tuple[AuditEvent, str, list[AuditEvent]] | None] = ContextVar(
    "audit_bulk_parent", default=None
)


@contextmanager
def part_of(parent: AuditEvent, *, as_key: str = "bulk") -> Iterator[list[AuditEvent]]:
    """Every attempt recorded inside names `parent` (request_sent[as_key] is its request id:
    "bulk" for a bulk change, "approval" for an approved proposal); the list yielded collects
    those attempts, for the caller to link to."""
    children: list[AuditEvent] = []
    token = _bulk_parent.set((parent, as_key, children))
    try:
        yield children
    finally:
        _bulk_parent.reset(token)


def storable(value: Any) -> Any:
    """`value` with U+FFFD for each NUL: PostgreSQL's text and jsonb hold none, and fabric's data
    may (a hostile contract id). Done on every database, so the seal covers the same content."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def _json_safe(value: Any) -> Any:
    return storable(json.loads(json.dumps(value, default=str))) if value is not None else None


def _stored_ip(address: str | None) -> str | None:
    """The address as the database will keep it (IPv6 compressed, lower case; "" as NULL), so
    the hash taken before saving matches the record read back."""
    if not address:
        return None
    return AuditEvent._meta.get_field("client_ip").get_prep_value(address)


def record_attempt(
    *,
    actor: Actor,
    account_id: str,
    action: AuditAction,
    summary: str,
    request_sent: Mapping[str, Any],
    request_id: str,
    organization_id: str = "",
    contract_ref: str = "",
    contract_id: str = "",
    state_before: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Store an attempt, committed before the caller contacts fabric."""
    bulk = _bulk_parent.get()
    if bulk is not None:
        request_sent = {**request_sent, bulk[1]: bulk[0].request_id}
    event = append(
        AuditEvent(
            occurred_at=timezone.now(),
            user=actor.user,
            username=actor.username,
            account_id=account_id,
            organization_id=storable(organization_id),
            contract_ref=storable(contract_ref),
            contract_id=storable(contract_id),
            action=action,
            summary=storable(summary[:300]),
            state_before=_json_safe(state_before),
            request_sent=_json_safe(request_sent),
            request_id=request_id,
            client_ip=_stored_ip(actor.client_ip),
            user_agent=actor.user_agent,
        )
    )
    if bulk is not None:
        bulk[2].append(event)
    return event


def record_outcome(
    event: AuditEvent,
    *,
    outcome: AuditOutcomeKind,
    fabric_status: int | None = None,
    message: str = "",
    state_after: Mapping[str, Any] | None = None,
    diff: Mapping[str, Any] | None = None,
) -> AuditOutcome:
    """Store what became of an attempt, linked into the outcome chain."""
    return append(
        AuditOutcome(
            event=event,
            completed_at=timezone.now(),
            outcome=outcome,
            fabric_status=fabric_status,
            message=storable(message),
            state_after=_json_safe(state_after),
            diff=_json_safe(dict(diff or {})),
        )
    )


class ExportRecord:
    """An export under way: its event is in the ledger; its outcome is recorded once, when the
    file is complete (with the rows written) or has failed."""

    def __init__(self, event: AuditEvent) -> None:
        self.event = event
        self.rows = 0
        self._finished = False

    def counted[T](self, rows: Iterable[T]) -> Iterator[T]:
        """`rows` as they come, counting each as a row of the file."""
        for row in rows:
            self.rows += 1
            yield row

    def succeeded(self) -> None:
        self._finish(AuditOutcomeKind.SUCCEEDED, f"{self.rows} rows written")

    def failed(self, reason: str) -> None:
        self._finish(AuditOutcomeKind.FAILED, f"{reason} after {self.rows} rows")

    def _finish(self, outcome: AuditOutcomeKind, message: str) -> None:
        # The first word stands: a failure midway is not undone by the file's end.
        if not self._finished:
            self._finished = True
            record_outcome(self.event, outcome=outcome, message=message)


def start_export(
    request: HttpRequest,
    *,
    account_id: str,
    action: AuditAction,
    description: str,
    details: Mapping[str, Any],
    organization_id: str = "",
) -> ExportRecord:
    """Record that the request's user begins an export (a read: who, what, when), or refuse it.

    A request the browser marks as cross-site is refused before anything is written: a link on
    another site must not make a user's browser download their data and sign the ledger for it.
    """
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise PermissionDenied("Exports are not served to requests from another site.")
    event = record_step(
        actor=actor_from_request(request),
        account_id=account_id,
        action=action,
        summary=description,
        details=details,
        organization_id=organization_id,
    )
    return ExportRecord(event)


def record_bulk(
    *, actor: Actor, account_id: str, organization_id: str, summary: str, details: Mapping
) -> AuditEvent:
    """The ledger's record of a bulk change, which its contracts' own records name (part_of).
    It sends nothing to fabric itself: each contract's write is its own audited attempt."""
    event = record_step(
        actor=actor,
        account_id=account_id,
        action=AuditAction.BULK,
        summary=summary,
        details=details,
        organization_id=organization_id,
    )
    finish_step(event, "applied contract by contract")
    return event


def record_step(
    *,
    actor: Actor,
    account_id: str,
    action: AuditAction,
    summary: str,
    details: Mapping[str, Any],
    organization_id: str = "",
    contract_ref: str = "",
    contract_id: str = "",
    state_before: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """The ledger's record of something the console does itself and sends nothing to fabric for
    (an export, a bulk change, a proposal, a decision, a withdrawal); its outcome follows, for
    most with `finish_step`."""
    return record_attempt(
        actor=actor,
        account_id=account_id,
        action=action,
        summary=summary,
        request_sent=details,
        request_id=uuid.uuid4().hex,
        organization_id=organization_id,
        contract_ref=contract_ref,
        contract_id=contract_id,
        state_before=state_before,
    )


def finish_step(
    event: AuditEvent, message: str, *, diff: Mapping[str, Any] | None = None
) -> AuditOutcome:
    """A workflow step done: the console's own outcome, in words (and the proposed diff)."""
    return record_outcome(event, outcome=AuditOutcomeKind.SUCCEEDED, message=message, diff=diff)


def outcome_of_error(error: fabric.FabricError) -> AuditOutcomeKind:
    """fabric said no (4xx): rejected. No usable answer: failed, or unknown if it may have acted."""
    if error.outcome_unknown:
        return AuditOutcomeKind.UNKNOWN
    if isinstance(error, fabric.FabricUnavailable | fabric.FabricBadResponse):
        return AuditOutcomeKind.FAILED
    return AuditOutcomeKind.REJECTED


def field_diff(
    before: Mapping[str, Any], after: Mapping[str, Any], only: Collection[str] | None = None
) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value differs (among `only`, when given)."""
    fields = {*before, *after} if only is None else {*before, *after} & set(only)
    return {
        f: [before.get(f), after.get(f)] for f in sorted(fields) if before.get(f) != after.get(f)
    }


def outside_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], sent_fields: Collection[str]
) -> list[str]:
    """The fields a write did not send that still differ between the re-read before it and
    fabric's answer: someone changed them outside the console while the write was under way."""
    return sorted(
        field
        for field in {*before, *after} - set(sent_fields)
        if before.get(field) != after.get(field)
    )


def outside_change_message(fields: Iterable[str]) -> str:
    """How the ledger, and the user, are told about outside changes (empty when there are none)."""
    fields = list(fields)
    if not fields:
        return ""
    return f"changed outside the console during this save: fields {', '.join(fields)}"


def audited_write[T](
    *,
    actor: Actor,
    account_id: str,
    action: AuditAction,
    summary: str,
    request_sent: Mapping[str, Any],
    perform: Callable[[str], T],
    state_of: Callable[[T], Mapping[str, Any]],
    organization_id: str = "",
    contract_ref: str = "",
    contract_id: str = "",
    state_before: Mapping[str, Any] | None = None,
    compare_before: Mapping[str, Any] | None = None,
    compare_after: Callable[[T], Mapping[str, Any]] | None = None,
    sent_fields: Collection[str] | None = None,
) -> T:
    """Record the attempt, call `perform(request_id)` once, record what came of it.

    Whatever happens in between — fabric's refusal, a timeout, a crash of this process — the
    attempt is already in the ledger, and an outcome is recorded for every exception we see.
    With `sent_fields`, the diff credits the user with those fields only (before from the
    re-read, after from fabric's answer); any other compared field that moved is named in the
    outcome's message as changed outside the console during this save.
    """
    request_id = uuid.uuid4().hex
    event = record_attempt(
        actor=actor,
        account_id=account_id,
        action=action,
        summary=summary,
        request_sent=request_sent,
        request_id=request_id,
        organization_id=organization_id,
        contract_ref=contract_ref,
        contract_id=contract_id,
        state_before=state_before,
    )
    try:
        result = perform(request_id)
    except fabric.FabricError as error:
        record_outcome(
            event,
            outcome=outcome_of_error(error),
            fabric_status=error.status,
            message=error.message,
        )
        raise
    except BaseException as error:
        record_outcome(
            event,
            outcome=AuditOutcomeKind.UNKNOWN,
            message=f"The console failed during the call: {type(error).__name__}",
        )
        raise
    try:
        state_after = state_of(result)
        before, after = compare_before or {}, compare_after(result) if compare_after else {}
        diff = field_diff(before, after, only=sent_fields)
        outside = outside_changes(before, after, sent_fields) if sent_fields is not None else []
        message = outside_change_message(outside)
    except Exception as error:  # a fault in describing the answer must not hide a done write
        state_after, diff = None, {}
        message = f"fabric accepted the change; its answer was unreadable ({type(error).__name__})"
    record_outcome(
        event,
        outcome=AuditOutcomeKind.SUCCEEDED,
        fabric_status=200,
        message=message,
        state_after=state_after,
        diff=diff,
    )
    return result
