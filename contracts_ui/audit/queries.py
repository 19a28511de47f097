"""Reading the audit ledger: the account's audit page, its CSV export and one contract's history.

Recording and verifying are elsewhere in this package; this module only reads.
"""

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from contracts_ui.audit.recording import storable
from contracts_ui.models import AuditAction, AuditEvent

PENDING = AuditEvent.PENDING
PENDING_LABEL = "Outcome unknown (no answer recorded)"


# fabric's field names as the contract page words them; others are split at their capitals.
FIELD_LABELS = {
    "status": "Status",
    "startDate": "Start date",
    "endDate": "End date",
    "priceListId": "Price list",
    "priceLists": "Price lists",
    "onContract": "On contract",
    "promotionStacking": "Promotion stacking",
    "contractType": "Contract type",
    "additionalAttributes": "Additional attributes",
    "isDeleted": "Deleted",
    "contractId": "Contract id",
    "partyId": "Organization",
    "internalPartyId": "Internal party",
}
_CAPITAL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True)
class FieldChange:
    """One field of an outcome's diff, its label and old and new values as text to show."""

    field: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return field_label(self.field)


def field_label(field: str) -> str:
    """A fabric field name in words: "endDate" is "End date"."""
    return FIELD_LABELS.get(field) or _CAPITAL.sub(" ", field).capitalize()


def _readable_moment(text: str) -> str | None:
    """An ISO timestamp as a person reads it (a UTC midnight as its day); None if it is not one."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(text) < 11 or moment.tzinfo is None:
        return None
    moment = moment.astimezone(UTC)
    if moment.time() == time.min:
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def display_value(value: Any) -> str:
    """A diff value as a person reads it: dates readable, flags Yes/No, strings as they are,
    anything else as JSON."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return _readable_moment(value) or value or '""'
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def field_changes(diff: Mapping[str, Any] | None) -> list[FieldChange]:
    """The {field: [old, new]} diff of an outcome as a list, fields in name order."""
    changes = []
    for field, pair in sorted((diff or {}).items()):
        old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        changes.append(FieldChange(str(field), display_value(old), display_value(new)))
    return changes


# What an outcome means, in words; fabric's or the console's own message is the technical detail.
_OUTCOME_WORDS = {
    "rejected": "fabric refused the change; nothing was changed.",
    "failed": "fabric was unavailable or did not answer; nothing was changed.",
    "unknown": "fabric did not answer in time: the change may have been made. "
    "Open the contract to check before trying again.",
    "succeeded": "fabric made the change, but its answer could not be read.",
}
_EXPORT_FAILED = "The file was not completed."


_APPROVAL_STEPS = (
    AuditAction.PROPOSE,
    AuditAction.APPROVE,
    AuditAction.REJECT,
    AuditAction.WITHDRAW,
)


def outcome_words(event: AuditEvent) -> str:
    """The outcome of an event in words, for the page ("" when there is nothing to say)."""
    outcome = getattr(event, "outcome", None)
    if outcome is None or not outcome.message:
        return ""
    if event.action in (AuditAction.EXPORT, AuditAction.EXPORT_AUDIT):
        return _EXPORT_FAILED if outcome.outcome != "succeeded" else ""
    if event.action in _APPROVAL_STEPS:
        # The console's own step, told by approval_note.
        return ""
    if (
        outcome.outcome == "rejected"
        and len(outcome.message) <= 200
        and "\n" not in outcome.message
    ):
        # fabric's own reason for a refusal is already meant for people.
        return f"fabric refused the change: {outcome.message}"
    return _OUTCOME_WORDS.get(outcome.outcome, "")


def _ledger(account_id: str) -> QuerySet[AuditEvent]:
    # LEFT JOIN on the outcome for the rows (`event.outcome_kind` reads it). Not an annotation:
    # a count would keep its join, five times the cost at 100,000 records.
    return (
        AuditEvent.objects.filter(account_id=account_id).select_related("outcome").order_by("-id")
    )


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_events(
    *,
    account_id: str,
    username: str = "",
    organization_ids: Sequence[str] = (),
    contract: str = "",
    action: str = "",
    outcome: str = "",
    occurred_from: date | None = None,
    occurred_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """One account's events, newest first, narrowed by the given filters (dates inclusive, UTC).

    Each event has its outcome joined (`event.outcome` only where `outcome_kind` != "pending").
    """
    events = _ledger(account_id)
    if username:
        events = events.filter(username__icontains=username)
    if organization_ids:
        events = events.filter(organization_id__in=list(organization_ids))
    if contract:
        events = events.filter(Q(contract_ref=contract) | Q(contract_id=contract))
    if action:
        events = events.filter(action=action)
    if outcome == PENDING:
        events = events.filter(outcome__isnull=True)
    elif outcome:
        events = events.filter(outcome__outcome=outcome)
    if occurred_from:
        events = events.filter(occurred_at__gte=_midnight_utc(occurred_from))
    # The last day has no next midnight to stop before.
    if occurred_to and occurred_to < date.max:
        events = events.filter(occurred_at__lt=_midnight_utc(occurred_to + timedelta(days=1)))
    return events


def approval_note(event: AuditEvent) -> str:
    """A step of the approval workflow in words: the proposal's reason, the decision's
    comment and what came of it ("" for any other event)."""
    if event.action not in _APPROVAL_STEPS:
        return ""
    sent = event.request_sent if isinstance(event.request_sent, dict) else {}
    if event.action == AuditAction.PROPOSE:
        return f"Proposal {sent.get('proposal')}. Reason: {sent.get('reason', '')}"
    words = [f"Proposal {sent.get('proposal')} by {sent.get('proposed_by', '')}."]
    if sent.get("comment"):
        words.append(f"Comment: {sent['comment']}.")
    outcome = getattr(event, "outcome", None)
    if outcome is not None and outcome.message:
        words.append(outcome.message[:1].upper() + outcome.message[1:] + ".")
    return " ".join(words)


def with_changes(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The events as a list, each given `changes` (its outcome's diff as FieldChange rows) and
    `note` (an approval step in words)."""
    listed = list(events)
    for event in listed:
        outcome = getattr(event, "outcome", None)
        event.changes = field_changes(outcome.diff if outcome else None)
        event.outcome_words = outcome_words(event)
        event.note = approval_note(event)
    return listed


def contract_history_events(
    *, account_id: str, contract_ref: str, contract_id: str = "", limit: int = 25
) -> list[AuditEvent]:
    """The last `limit` events of one contract, newest first, outcome and `changes` preloaded.

    A contract is matched by fabric's `_id` (contract_ref) or by its contractId: the one given,
    or any the ledger's own events of that `_id` carry. A create event knows only the contractId.

    One query per id rather than one with OR: each walks an (account_id, contract_ref or
    contract_id, -id) index, whereas SQLite without statistics answers the OR by scanning the
    account's whole ledger (30-50 ms at 100,000 records, against 2-4 ms this way).
    """
    # As the ledger stores them: a NUL in fabric's id is kept as U+FFFD (recording.storable).
    contract_ref, contract_id = storable(contract_ref), storable(contract_id)
    contract_ids = set(
        AuditEvent.objects.filter(account_id=account_id, contract_ref=contract_ref)
        .exclude(contract_id="")
        .order_by()
        .values_list("contract_id", flat=True)
    )
    events = _ledger(account_id)
    if contract_id:
        contract_ids.add(contract_id)
    newest = {event.id: event for event in events.filter(contract_ref=contract_ref)[:limit]}
    for known in sorted(contract_ids):
        newest.update((event.id, event) for event in events.filter(contract_id=known)[:limit])
    return with_changes(sorted(newest.values(), key=lambda event: event.id, reverse=True)[:limit])
