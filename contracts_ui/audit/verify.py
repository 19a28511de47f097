"""Verifying the audit ledger: both chains from their first record, against witnesses kept outside.

A chain can show that a record was altered, removed from the middle or re-sealed without the key;
only a witness kept elsewhere (a checkpoint, a head hash an operator copied) shows that records
were cut from its end. Outcomes whose event is gone are reported, and so are events still without
an outcome long after fabric's deadline (a crash, or a removed outcome).
"""

import hmac
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import batched
from typing import Any

from django.utils import timezone

from contracts_ui.audit.sealing import (
    GENESIS_HASH,
    UnknownKey,
    event_content,
    outcome_content,
    seal,
)
from contracts_ui.models import AuditEvent, AuditOutcome

# Well past FABRIC_DEADLINE: an outcome is recorded as soon as fabric answers or the deadline ends.
UNANSWERED_AFTER = timedelta(minutes=10)
_CHUNK = 2000


@dataclass(frozen=True)
class ChainHead:
    """Where a chain ends: how many records verified, the last one's hash and id."""

    count: int = 0
    head: str = GENESIS_HASH
    last_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "head": self.head, "last_id": self.last_id}


@dataclass(frozen=True)
class ChainVerification:
    """What verify_chain found: `problems` fail the ledger, `warnings` ask for a look."""

    events: ChainHead
    outcomes: ChainHead
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_broken(self) -> str:
        return self.problems[0] if self.problems else ""


@dataclass
class _Walk:
    """One chain walked: where it verified to, the records at watched positions, hashes seen."""

    head: ChainHead = field(default_factory=ChainHead)
    problems: list[str] = field(default_factory=list)
    at_position: dict[int, tuple[str, int]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)


def _misfit(label: str, record, content: Mapping[str, Any] | None, previous: str) -> str:
    """Why `record` does not fit after `previous`, or "" when it does."""
    name = f"{label} #{record.pk}"
    if record.previous_hash != previous:
        return f"{name}: the record before it is missing or altered"
    if content is None:
        return f"{name}: its event #{record.event_id} is missing (an orphaned outcome)"
    if not record.key_id:
        return f"{name}: it is not sealed with a key"
    try:
        expected = seal(content, record.previous_hash, record.key_id)
    except UnknownKey:
        return f"{name}: sealed with key id {record.key_id!r}, which AUDIT_KEYS does not hold"
    if not hmac.compare_digest(expected, record.record_hash):
        return f"{name}: its content was altered, or it was re-sealed without the key"
    return ""


def _walk(
    records: Iterable[tuple[Any, Mapping[str, Any] | None]],
    label: str,
    positions: Collection[int],
    hashes: Collection[str],
) -> _Walk:
    walk = _Walk()
    previous, count, last_id = GENESIS_HASH, 0, None
    for record, content in records:
        problem = _misfit(label, record, content, previous)
        if problem:
            walk.problems.append(problem)
            # An orphan still links the chain; anything else leaves nothing to trust after it.
            if content is not None or record.previous_hash != previous:
                break
        previous, count, last_id = record.record_hash, count + 1, record.pk
        if count in positions:
            walk.at_position[count] = (record.record_hash, record.pk)
        if record.record_hash in hashes:
            walk.seen.add(record.record_hash)
    walk.head = ChainHead(count, previous, last_id)
    return walk


def _events() -> Iterator[tuple[AuditEvent, dict[str, Any]]]:
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=_CHUNK):
        yield event, event_content(event)


def _outcomes() -> Iterator[tuple[AuditOutcome, dict[str, Any] | None]]:
    """Each outcome with its content, or None where its event is gone. Read without a join to
    the events, which would drop an orphaned outcome from the walk unseen."""
    for chunk in batched(AuditOutcome.objects.order_by("id").iterator(chunk_size=_CHUNK), _CHUNK):
        event_hashes = dict(
            AuditEvent.objects.filter(id__in={outcome.event_id for outcome in chunk}).values_list(
                "id", "record_hash"
            )
        )
        for outcome in chunk:
            event_hash = event_hashes.get(outcome.event_id)
            yield outcome, None if event_hash is None else outcome_content(outcome, event_hash)


def _against_checkpoint(label: str, walk: _Walk, taken_at: str, witnessed: Mapping) -> str:
    count, head = int(witnessed["count"]), str(witnessed["head"])
    if count == 0:
        return ""
    witnessed_record = f"{label} #{witnessed.get('last_id')} (record {count}, hash {head})"
    if count > walk.head.count:
        if walk.problems:
            return ""  # the break already reported explains it
        return (
            f"{witnessed_record}, witnessed by the checkpoint of {taken_at}, is missing: "
            f"the {label} chain ends after {walk.head.count} records; its tail was cut off"
        )
    found_hash, found_id = walk.at_position[count]
    if found_hash != head:
        return (
            f"{label} #{found_id} does not match the checkpoint of {taken_at}, which witnessed "
            f"{witnessed_record}: the chain was rewritten"
        )
    return ""


def verify_chain(
    *,
    checkpoints: Iterable[Mapping[str, Any]] = (),
    expect_heads: Iterable[str] = (),
    unanswered_after: timedelta = UNANSWERED_AFTER,
) -> ChainVerification:
    """Walk both chains from the start and check them against the witnesses given.

    `checkpoints` are what audit_checkpoint wrote (see checkpoints.read_checkpoints);
    `expect_heads` are head hashes kept elsewhere, each of which must still be in the ledger.
    """
    checkpoints, expect_heads = list(checkpoints), set(expect_heads)
    walks: dict[str, _Walk] = {}
    chains: dict[str, Callable[[], Iterable]] = {"event": _events, "outcome": _outcomes}
    for label, records in chains.items():
        positions = {int(point[f"{label}s"]["count"]) for point in checkpoints}
        walks[label] = _walk(records(), label, positions, expect_heads)
    problems = [problem for walk in walks.values() for problem in walk.problems]
    for point in checkpoints:
        for label, walk in walks.items():
            problem = _against_checkpoint(label, walk, point["taken_at"], point[f"{label}s"])
            if problem:
                problems.append(problem)
    seen = walks["event"].seen | walks["outcome"].seen | {GENESIS_HASH}
    problems += [
        f"expected head {head} is not in the ledger: records were removed or rewritten"
        for head in sorted(expect_heads - seen)
    ]
    return ChainVerification(
        events=walks["event"].head,
        outcomes=walks["outcome"].head,
        problems=problems,
        warnings=_unanswered(unanswered_after),
    )


def _unanswered(after: timedelta) -> list[str]:
    events = AuditEvent.objects.filter(
        outcome__isnull=True, occurred_at__lt=timezone.now() - after
    ).order_by("id")
    return [
        f"event #{event.pk} ({event.action}, {event.occurred_at:%Y-%m-%d %H:%M:%S} UTC) has no "
        f"outcome {round(after.total_seconds() / 60)}+ minutes later: the console stopped "
        "during the call, or its outcome was removed"
        for event in events.only("id", "action", "occurred_at")
    ]
