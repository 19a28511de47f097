"""A large, valid audit ledger for the export benchmark, written in bulk.

Recording 100,000 edits one by one would take minutes; this seals records with the same keyed
hash record_attempt and record_outcome use, so verify_audit still passes afterwards.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contracts_ui import audit
from contracts_ui.audit.sealing import event_content, outcome_content, seal
from contracts_ui.models import AuditAction, AuditEvent, AuditOutcome, AuditOutcomeKind

_BATCH = 2_000


def _head(model) -> str:
    return model.objects.order_by("-id").values_list("record_hash", flat=True).first() or (
        audit.GENESIS_HASH
    )


def fill(*, account_id: str, total: int) -> None:
    """Add edit records until the ledger holds `total` events."""
    missing = total - AuditEvent.objects.count()
    moment = timezone.now() - timedelta(days=30)
    while missing > 0:
        batch = min(_BATCH, missing)
        with transaction.atomic():
            previous_event, previous_outcome = _head(AuditEvent), _head(AuditOutcome)
            events = []
            for number in range(batch):
                moment += timedelta(seconds=1)
                event = AuditEvent(
                    occurred_at=moment,
                    username="bench-editor",
                    account_id=account_id,
                    organization_id="bench-org",
                    contract_ref=f"{number:024x}",
                    contract_id=f"C-BENCH-{number:06d}",
                    action=AuditAction.CHANGE_STATUS,
                    summary="Change status of a benchmark contract: status",
                    state_before={"status": "DRAFT"},
                    request_sent={"method": "PUT", "body": {"status": "ACTIVE"}},
                    request_id=f"bench-{moment.timestamp():.0f}-{number}",
                    client_ip="127.0.0.1",
                    user_agent="bench",
                    previous_hash=previous_event,
                    key_id=settings.AUDIT_KEY_ID,
                )
                event.record_hash = seal(event_content(event), previous_event, event.key_id)
                previous_event = event.record_hash
                events.append(event)
            AuditEvent.objects.bulk_create(events)
            outcomes = []
            for event in AuditEvent.objects.order_by("-id")[:batch][::-1]:
                outcome = AuditOutcome(
                    event=event,
                    completed_at=event.occurred_at,
                    outcome=AuditOutcomeKind.SUCCEEDED,
                    fabric_status=200,
                    state_after={"status": "ACTIVE"},
                    diff={"status": ["DRAFT", "ACTIVE"]},
                    previous_hash=previous_outcome,
                    key_id=settings.AUDIT_KEY_ID,
                )
                outcome.record_hash = seal(
                    outcome_content(outcome, event.record_hash), previous_outcome, outcome.key_id
                )
                previous_outcome = outcome.record_hash
                outcomes.append(outcome)
            AuditOutcome.objects.bulk_create(outcomes)
        missing -= batch
