"""Audit records sealed with a key (HMAC under AUDIT_KEY, its id on each record); SQLite
refuses changes to the ledger as PostgreSQL does (migration 0002).

Upgrading a database that already holds records: they were chained with a plain SHA-256, which
anyone can recompute. This migration first verifies that old chain and stops, changing nothing,
if it does not hold (investigate with the previous release's `verify_audit`). Otherwise it
re-seals every record in order under the current key, and logs the old and the new heads of both
chains ("audit ledger re-sealed ..."): a head kept from before now maps to the new one logged.
PostgreSQL's triggers are switched off for the re-sealing only, inside this migration's
transaction, which the tables' owner (who runs migrate) may do.

SQLite's triggers refuse every UPDATE, and every DELETE unless the connection's
`contracts_console_ledger_flush_allowed()` answers 1 (contracts_ui.models: only the test
harness turns it on, to empty tables between tests). SQLite drops a table's triggers when a
migration rebuilds the table: a later migration that alters these tables must install them again.
"""

import hashlib
import json
import logging

from django.conf import settings
from django.db import migrations, models

from contracts_ui.audit.sealing import GENESIS_HASH, event_content, outcome_content, seal

logger = logging.getLogger("contracts_ui.audit")

_TABLES = ("contracts_ui_auditevent", "contracts_ui_auditoutcome")
_BATCH = 2000

_SQLITE_TRIGGERS = """
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN
    SELECT RAISE(ABORT, 'the audit ledger is append-only: UPDATE on {table} refused');
END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
WHEN NOT contracts_console_ledger_flush_allowed()
BEGIN
    SELECT RAISE(ABORT, 'the audit ledger is append-only: DELETE on {table} refused');
END;
"""


def _legacy_digest(content, previous_hash: str) -> str:
    """How records were hashed before this migration (no key)."""
    canonical = json.dumps(
        {"content": content, "previous": previous_hash},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _reseal_chain(records, content_of, label: str) -> tuple[list, str, str]:
    """Each record re-sealed under the current key, after checking it against the old chain;
    (records, old head, new head)."""
    key_id = settings.AUDIT_KEY_ID
    old_previous = new_previous = GENESIS_HASH
    resealed = []
    for record in records:
        old_content, new_content = content_of(record)
        if (
            record.previous_hash != old_previous
            or _legacy_digest(old_content, record.previous_hash) != record.record_hash
        ):
            raise RuntimeError(
                f"Audit {label} #{record.pk} does not verify in the old chain: not re-sealing a "
                "ledger that was already altered. Investigate with verify_audit of the previous "
                "release before migrating."
            )
        old_previous = record.record_hash
        record.previous_hash, record.key_id = new_previous, key_id
        record.record_hash = new_previous = seal(new_content, new_previous, key_id)
        resealed.append(record)
    return resealed, old_previous, new_previous


def reseal_existing_records(apps, schema_editor):
    event_model = apps.get_model("contracts_ui", "AuditEvent")
    outcome_model = apps.get_model("contracts_ui", "AuditOutcome")
    if not event_model.objects.exists() and not outcome_model.objects.exists():
        return
    old_event_hash = dict(event_model.objects.values_list("id", "record_hash"))
    events, old_events_head, new_events_head = _reseal_chain(
        event_model.objects.order_by("id").iterator(chunk_size=_BATCH),
        lambda event: (event_content(event),) * 2,
        "event",
    )
    new_event_hash = {event.pk: event.record_hash for event in events}
    outcomes, old_outcomes_head, new_outcomes_head = _reseal_chain(
        outcome_model.objects.order_by("id").iterator(chunk_size=_BATCH),
        lambda outcome: (
            outcome_content(outcome, old_event_hash.get(outcome.event_id, "")),
            outcome_content(outcome, new_event_hash.get(outcome.event_id, "")),
        ),
        "outcome",
    )
    postgresql = schema_editor.connection.vendor == "postgresql"
    for table in _TABLES if postgresql else ():
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_update_or_delete")
    fields = ["previous_hash", "key_id", "record_hash"]
    event_model.objects.bulk_update(events, fields, batch_size=_BATCH)
    outcome_model.objects.bulk_update(outcomes, fields, batch_size=_BATCH)
    for table in _TABLES if postgresql else ():
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_update_or_delete")
    logger.warning(
        "audit ledger re-sealed under key id %s: %d events (head %s, before %s), "
        "%d outcomes (head %s, before %s)",
        settings.AUDIT_KEY_ID,
        len(events),
        new_events_head,
        old_events_head,
        len(outcomes),
        new_outcomes_head,
        old_outcomes_head,
        extra={"event": "audit.resealed"},
    )


def install_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in _TABLES:
        for statement in _SQLITE_TRIGGERS.format(table=table).split("END;")[:-1]:
            schema_editor.execute(statement + "END;", params=None)


def remove_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in _TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update", params=None)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts_ui", "0004_audit_contract_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", max_length=32, verbose_name="sealing key id"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditoutcome",
            name="key_id",
            field=models.CharField(default="", max_length=32, verbose_name="sealing key id"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("contract.create", "Create contract"),
                    ("contract.dates", "Change dates"),
                    ("contract.status", "Change status"),
                    ("contract.price-list", "Change price-list link"),
                    ("contract.flags", "Change flags"),
                    ("contract.details", "Change type and attributes"),
                    ("contract.delete", "Soft-delete contract"),
                    ("contract.restore", "Restore contract"),
                    ("party.link-internal", "Link internal party"),
                    ("party.unlink-internal", "Unlink internal party"),
                    ("contracts.export", "Export contracts"),
                    ("audit.export", "Export audit log"),
                ],
                max_length=32,
            ),
        ),
        # No way back: the old release cannot verify keyed records.
        migrations.RunPython(reseal_existing_records, elidable=False),
        migrations.RunPython(install_sqlite_triggers, remove_sqlite_triggers, elidable=False),
    ]
