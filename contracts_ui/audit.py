"""The one place that records and verifies the audit ledger of writes to fabric.

Every attempted write is an AuditEvent committed *before* fabric is called, then an
AuditOutcome committed after; both are insert-only and hash-chained (each record's hash covers
its content and the previous record's hash), so an altered or removed record breaks the chain
that `verify_chain` walks.
"""

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from contracts_ui import fabric
from contracts_ui.models import AuditAction, AuditEvent, AuditOutcome, AuditOutcomeKind

GENESIS_HASH = "0" * 64
# Any constant distinct from other advisory locks in the database; PostgreSQL only.
_CHAIN_LOCK_KEY = 727_001


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


# The bulk record whose children are being written in this thread, and the children so far.
_bulk_parent: ContextVar[tuple[AuditEvent, list[AuditEvent]] | None] = ContextVar(
    "audit_bulk_parent", default=None
)


@contextmanager
def part_of(parent: AuditEvent) -> Iterator[list[AuditEvent]]:
    """Every attempt recorded inside names `parent` (request_sent["bulk"] is its request id);
    the list yielded collects those attempts, for the caller to link to."""
    children: list[AuditEvent] = []
    token = _bulk_parent.set((parent, children))
    try:
        yield children
    finally:
        _bulk_parent.reset(token)


def _digest(content: Mapping[str, Any], previous_hash: str) -> str:
    canonical = json.dumps(
        {"content": content, "previous": previous_hash},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _event_content(event: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": event.occurred_at.isoformat(),
        "user_id": event.user_id,
        "username": event.username,
        "account_id": event.account_id,
        "organization_id": event.organization_id,
        "contract_ref": event.contract_ref,
        "contract_id": event.contract_id,
        "action": event.action,
        "summary": event.summary,
        "state_before": event.state_before,
        "request_sent": event.request_sent,
        "request_id": event.request_id,
        "client_ip": event.client_ip,
        "user_agent": event.user_agent,
    }


def _outcome_content(outcome: AuditOutcome) -> dict[str, Any]:
    return {
        "event_hash": outcome.event.record_hash,
        "completed_at": outcome.completed_at.isoformat(),
        "outcome": outcome.outcome,
        "fabric_status": outcome.fabric_status,
        "message": outcome.message,
        "state_after": outcome.state_after,
        "diff": outcome.diff,
    }


def _lock_chain() -> None:
    """Serialize appends so two writers never link to the same previous record.

    SQLite transactions already take the write lock as they begin (transaction_mode IMMEDIATE).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str)) if value is not None else None


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
        request_sent = {**request_sent, "bulk": bulk[0].request_id}
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values_list("record_hash", flat=True).first()
        event = AuditEvent(
            occurred_at=timezone.now(),
            user=actor.user,
            username=actor.username,
            account_id=account_id,
            organization_id=organization_id,
            contract_ref=contract_ref,
            contract_id=contract_id,
            action=action,
            summary=summary[:300],
            state_before=_json_safe(state_before),
            request_sent=_json_safe(request_sent),
            request_id=request_id,
            client_ip=_stored_ip(actor.client_ip),
            user_agent=actor.user_agent,
            previous_hash=last or GENESIS_HASH,
        )
        event.record_hash = _digest(_event_content(event), event.previous_hash)
        event.save()
    if bulk is not None:
        bulk[1].append(event)
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
    with transaction.atomic():
        _lock_chain()
        last = AuditOutcome.objects.order_by("-id").values_list("record_hash", flat=True).first()
        record = AuditOutcome(
            event=event,
            completed_at=timezone.now(),
            outcome=outcome,
            fabric_status=fabric_status,
            message=message,
            state_after=_json_safe(state_after),
            diff=_json_safe(dict(diff or {})),
            previous_hash=last or GENESIS_HASH,
        )
        record.record_hash = _digest(_outcome_content(record), record.previous_hash)
        record.save()
    return record


def record_export(
    *,
    actor: Actor,
    account_id: str,
    organization_id: str,
    description: str,
    row_count: int,
    details: Mapping[str, Any],
) -> AuditEvent:
    """Record an export of contracts, a read: who exported what (filters, format), when, and how
    many rows fabric counted as it began. Nothing is sent to fabric, so it succeeds at once."""
    event = record_attempt(
        actor=actor,
        account_id=account_id,
        action=AuditAction.EXPORT,
        summary=description,
        request_sent=details,
        request_id=uuid.uuid4().hex,
        organization_id=organization_id,
    )
    record_outcome(event, outcome=AuditOutcomeKind.SUCCEEDED, message=f"{row_count} rows")
    return event


def record_bulk(
    *, actor: Actor, account_id: str, organization_id: str, summary: str, details: Mapping
) -> AuditEvent:
    """The ledger's record of a bulk change, which its contracts' own records name (part_of).
    It sends nothing to fabric itself: each contract's write is its own audited attempt."""
    event = record_attempt(
        actor=actor,
        account_id=account_id,
        action=AuditAction.BULK,
        summary=summary,
        request_sent=details,
        request_id=uuid.uuid4().hex,
        organization_id=organization_id,
    )
    record_outcome(
        event, outcome=AuditOutcomeKind.SUCCEEDED, message="applied contract by contract"
    )
    return event


def outcome_of_error(error: fabric.FabricError) -> AuditOutcomeKind:
    """fabric said no (4xx): rejected. No usable answer: failed, or unknown if it may have acted."""
    if error.outcome_unknown:
        return AuditOutcomeKind.UNKNOWN
    if isinstance(error, fabric.FabricUnavailable | fabric.FabricBadResponse):
        return AuditOutcomeKind.FAILED
    return AuditOutcomeKind.REJECTED


def field_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value differs."""
    fields = sorted(set(before) | set(after))
    return {f: [before.get(f), after.get(f)] for f in fields if before.get(f) != after.get(f)}


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
) -> T:
    """Record the attempt, call `perform(request_id)` once, record what came of it.

    Whatever happens in between — fabric's refusal, a timeout, a crash of this process — the
    attempt is already in the ledger, and an outcome is recorded for every exception we see.
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
        diff = field_diff(compare_before or {}, compare_after(result) if compare_after else {})
        message = ""
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


@dataclass(frozen=True)
class ChainVerification:
    """What verify_chain found; each head is the hash of the last record that verified."""

    ok: bool
    events_checked: int
    outcomes_checked: int
    first_broken: str = ""
    events_head: str = GENESIS_HASH
    outcomes_head: str = GENESIS_HASH


def _walk(records: Iterator, content_of: Callable, label: str) -> tuple[int, str, str]:
    previous = GENESIS_HASH
    checked = 0
    for record in records:
        if record.previous_hash != previous:
            broken = f"{label} #{record.pk}: the record before it is missing or altered"
            return checked, previous, broken
        if _digest(content_of(record), record.previous_hash) != record.record_hash:
            return checked, previous, f"{label} #{record.pk}: its content was altered"
        previous = record.record_hash
        checked += 1
    return checked, previous, ""


def verify_chain() -> ChainVerification:
    """Walk both chains from the start; report the first record that does not fit."""
    events, events_head, broken = _walk(
        AuditEvent.objects.order_by("id").iterator(chunk_size=2000), _event_content, "event"
    )
    if broken:
        return ChainVerification(False, events, 0, broken, events_head=events_head)
    outcomes, outcomes_head, broken = _walk(
        AuditOutcome.objects.select_related("event").order_by("id").iterator(chunk_size=2000),
        _outcome_content,
        "outcome",
    )
    return ChainVerification(
        not broken,
        events,
        outcomes,
        broken,
        events_head=events_head,
        outcomes_head=outcomes_head,
    )
