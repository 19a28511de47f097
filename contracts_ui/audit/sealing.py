"""How a ledger record is sealed, and the one function that appends a record to its chain.

Each record's hash is an HMAC-SHA256, under the key its `key_id` names in settings.AUDIT_KEYS, of
its content, the previous record's hash and the key id. Without the key nobody can compute a
record that verifies, so a rewritten record cannot be re-sealed to fit the chain.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from contracts_ui.models import AuditEvent, AuditOutcome

GENESIS_HASH = "0" * 64
# Any constant distinct from other advisory locks in the database; PostgreSQL only.
_CHAIN_LOCK_KEY = 727_001


class UnknownKey(LookupError):
    """A record names a key id that settings.AUDIT_KEYS does not hold."""


def seal(content: Mapping[str, Any], previous_hash: str, key_id: str) -> str:
    """The record hash of `content` following `previous_hash`, under key `key_id`."""
    key = settings.AUDIT_KEYS.get(key_id)
    if key is None:
        raise UnknownKey(key_id)
    message = json.dumps(
        {"content": content, "previous": previous_hash, "key_id": key_id},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def event_content(event: AuditEvent) -> dict[str, Any]:
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


def outcome_content(outcome: AuditOutcome, event_hash: str) -> dict[str, Any]:
    """An outcome's content; it covers its event's hash, so it cannot be moved to another."""
    return {
        "event_hash": event_hash,
        "completed_at": outcome.completed_at.isoformat(),
        "outcome": outcome.outcome,
        "fabric_status": outcome.fabric_status,
        "message": outcome.message,
        "state_after": outcome.state_after,
        "diff": outcome.diff,
    }


def content_of(record: AuditEvent | AuditOutcome) -> dict[str, Any]:
    if isinstance(record, AuditOutcome):
        return outcome_content(record, record.event.record_hash)
    return event_content(record)


def _lock_chain() -> None:
    """Serialize appends so two writers never link to the same previous record.

    SQLite transactions already take the write lock as they begin (transaction_mode IMMEDIATE).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def append[R: (AuditEvent, AuditOutcome)](record: R) -> R:
    """Link `record` after the last one of its chain, seal it with the current key, store it."""
    with transaction.atomic():
        _lock_chain()
        chain = type(record).objects.order_by("-id").values_list("record_hash", flat=True)
        record.previous_hash = chain.first() or GENESIS_HASH
        record.key_id = settings.AUDIT_KEY_ID
        record.record_hash = seal(content_of(record), record.previous_hash, record.key_id)
        record.save()
    return record
