"""`manage.py verify_audit`: passes on an intact ledger, names the first broken link otherwise."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from contracts_ui import audit
from contracts_ui.models import AuditEvent, AuditOutcome
from tests.audit.conftest import record

EVENTS = AuditEvent._meta.db_table
OUTCOMES = AuditOutcome._meta.db_table


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def _past_the_triggers(cursor) -> None:
    """On PostgreSQL the database refuses changes to the ledger; a superuser can switch its
    triggers off for one transaction, which is the tampering verify_audit must still catch."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL session_replication_role = replica")


def _broken() -> CommandError:
    with pytest.raises(CommandError) as caught:
        _verify()
    assert caught.value.returncode != 0
    return caught.value


@pytest.fixture
def ledger(ledger_user) -> list[AuditEvent]:
    """Four events; the last one never got its answer."""
    events = [record(ledger_user, contract_id=f"C-{n}") for n in range(3)]
    return [*events, record(ledger_user, outcome=None)]


def test_it_passes_on_an_empty_ledger(db):
    output = _verify()
    assert "Checked 0 events and 0 outcomes." in output
    assert output.count(audit.GENESIS_HASH) == 2


def test_it_passes_on_an_intact_ledger_and_prints_both_heads(ledger):
    output = _verify()
    assert "Checked 4 events and 3 outcomes." in output
    assert ledger[-1].record_hash in output
    assert AuditOutcome.objects.order_by("-id").first().record_hash in output


def test_it_detects_an_event_altered_in_the_database(ledger):
    altered = ledger[1]
    with connection.cursor() as cursor:
        _past_the_triggers(cursor)
        cursor.execute(
            f"UPDATE {EVENTS} SET summary = %s WHERE id = %s",  # noqa: S608 - table name is ours
            ["nothing to see here", altered.pk],
        )
    assert f"event #{altered.pk}: its content was altered" in str(_broken())


def test_it_detects_an_outcome_altered_in_the_database(ledger):
    altered = AuditOutcome.objects.get(event=ledger[2])
    with connection.cursor() as cursor:
        _past_the_triggers(cursor)
        cursor.execute(
            f"UPDATE {OUTCOMES} SET outcome = %s WHERE id = %s",  # noqa: S608 - table name is ours
            ["failed", altered.pk],
        )
    assert f"outcome #{altered.pk}: its content was altered" in str(_broken())


def test_it_detects_an_event_removed_from_the_middle(ledger):
    removed, following = ledger[1], ledger[2]
    with connection.cursor() as cursor:
        _past_the_triggers(cursor)
        # The outcome first: it refers to the event.
        cursor.execute(f"DELETE FROM {OUTCOMES} WHERE event_id = %s", [removed.pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {EVENTS} WHERE id = %s", [removed.pk])  # noqa: S608
    message = str(_broken())
    assert f"event #{following.pk}: the record before it is missing or altered" in message
