"""`manage.py verify_audit` and `audit_checkpoint`: a clean ledger passes; each way of tampering
with it fails, naming the record; a cut tail is found against a checkpoint or a kept head."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from contracts_ui import audit
from contracts_ui.audit.sealing import event_content, outcome_content, seal
from contracts_ui.models import AuditEvent, AuditOutcome
from tests.audit.conftest import record

EVENTS = AuditEvent._meta.db_table
OUTCOMES = AuditOutcome._meta.db_table


def _verify(*options: str) -> str:
    out = StringIO()
    call_command("verify_audit", *options, stdout=out, stderr=StringIO())
    return out.getvalue()


def _broken(*options: str) -> str:
    with pytest.raises(CommandError) as caught:
        _verify(*options)
    assert caught.value.returncode != 0
    return str(caught.value)


def _sql(statement: str, params: list) -> None:
    """Run `statement` past the database's refusals, as someone with a SQL prompt would: on
    PostgreSQL a superuser switches the triggers off for the transaction; on SQLite the file's
    owner drops them (inside the test's transaction, so they come back after it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for table in (EVENTS, OUTCOMES):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        cursor.execute(statement, params)


def _delete(model, pk: int) -> None:
    _sql(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608 - our table


@pytest.fixture
def ledger(ledger_user) -> list[AuditEvent]:
    """Four events; the last one never got its answer."""
    events = [record(ledger_user, contract_id=f"C-{n}") for n in range(3)]
    return [*events, record(ledger_user, outcome=None)]


@pytest.fixture
def checkpoint_file(tmp_path):
    path = tmp_path / "witness" / "audit-checkpoints.jsonl"
    return path


def _checkpoint(path) -> dict:
    out = StringIO()
    call_command("audit_checkpoint", path=str(path), stdout=out)
    return json.loads(out.getvalue())


def test_it_passes_on_an_empty_ledger(db):
    output = _verify()
    assert "Checked 0 events and 0 outcomes." in output
    assert output.count(audit.GENESIS_HASH) == 2


def test_it_passes_on_a_clean_ledger_and_prints_both_heads(ledger, checkpoint_file):
    _checkpoint(checkpoint_file)
    output = _verify("--checkpoints", str(checkpoint_file), "--expect-head", ledger[1].record_hash)
    assert "Checked 4 events and 3 outcomes against 1 checkpoints." in output
    assert ledger[-1].record_hash in output
    assert AuditOutcome.objects.order_by("-id").first().record_hash in output
    assert "The audit ledger verifies." in output


def test_it_fails_on_a_field_altered(ledger):
    altered = ledger[1]
    _sql(f"UPDATE {EVENTS} SET summary = %s WHERE id = %s", ["nothing to see", altered.pk])  # noqa: S608
    assert f"event #{altered.pk}: its content was altered" in _broken()


def test_it_fails_on_an_outcome_altered(ledger):
    altered = AuditOutcome.objects.get(event=ledger[2])
    _sql(f"UPDATE {OUTCOMES} SET outcome = %s WHERE id = %s", ["failed", altered.pk])  # noqa: S608
    assert f"outcome #{altered.pk}: its content was altered" in _broken()


def test_it_fails_on_a_middle_record_deleted(ledger):
    removed, following = ledger[1], ledger[2]
    _delete(AuditOutcome, removed.outcome.pk)
    _delete(AuditEvent, removed.pk)
    message = _broken()
    assert f"event #{following.pk}: the record before it is missing or altered" in message
    following_outcome = following.outcome.pk
    assert f"outcome #{following_outcome}: the record before it is missing or altered" in message


def test_it_fails_on_the_last_record_deleted_after_a_checkpoint(ledger, checkpoint_file):
    witnessed = _checkpoint(checkpoint_file)
    assert witnessed["events"] == {
        "count": 4,
        "head": ledger[-1].record_hash,
        "last_id": ledger[-1].pk,
    }
    _delete(AuditEvent, ledger[-1].pk)
    assert "The audit ledger verifies." in _verify()  # alone, the shorter chain still holds
    message = _broken("--checkpoints", str(checkpoint_file))
    assert f"event #{ledger[-1].pk} (record 4, hash {ledger[-1].record_hash})" in message
    assert "its tail was cut off" in message


def test_it_fails_when_a_kept_head_is_gone(ledger):
    _delete(AuditEvent, ledger[-1].pk)
    message = _broken("--expect-head", ledger[-1].record_hash)
    assert f"expected head {ledger[-1].record_hash} is not in the ledger" in message


def test_it_fails_on_an_orphaned_outcome(ledger_user):
    record(ledger_user)
    last = record(ledger_user)
    orphan = last.outcome.pk
    # The last event goes, its outcome stays: the event chain alone still holds.
    _delete(AuditEvent, last.pk)
    message = _broken()
    assert f"outcome #{orphan}: its event #{last.pk} is missing (an orphaned outcome)" in message
    _delete(AuditOutcome, orphan)  # the test database checks its foreign keys as the test ends


def test_it_fails_on_a_rewrite_re_sealed_without_the_key(ledger, settings):
    """Someone with the database but not AUDIT_KEY rewrites a record and re-seals the chains
    from there on, with the best key they have."""
    rewritten = ledger[1]
    _sql(f"UPDATE {EVENTS} SET summary = %s WHERE id = %s", ["rewritten", rewritten.pk])  # noqa: S608
    console_keys = settings.AUDIT_KEYS
    settings.AUDIT_KEYS = {settings.AUDIT_KEY_ID: "a-guess-at-the-key"}
    previous = ledger[0].record_hash
    event_hashes = {ledger[0].pk: ledger[0].record_hash}
    for event in AuditEvent.objects.filter(id__gte=rewritten.pk).order_by("id"):
        forged = seal(event_content(event), previous, event.key_id)
        _sql(
            f"UPDATE {EVENTS} SET previous_hash = %s, record_hash = %s WHERE id = %s",  # noqa: S608
            [previous, forged, event.pk],
        )
        previous = event_hashes[event.pk] = forged
    previous = audit.GENESIS_HASH
    for outcome in AuditOutcome.objects.order_by("id"):
        forged = seal(outcome_content(outcome, event_hashes[outcome.event_id]), previous, "1")
        _sql(
            f"UPDATE {OUTCOMES} SET previous_hash = %s, record_hash = %s WHERE id = %s",  # noqa: S608
            [previous, forged, outcome.pk],
        )
        previous = forged
    settings.AUDIT_KEYS = console_keys
    message = _broken()
    assert f"event #{rewritten.pk}: its content was altered, or it was re-sealed without" in message


def test_events_without_an_outcome_past_the_deadline_are_reported(ledger):
    assert "Warning" not in _verify()
    output = _verify("--unanswered-after", "0")
    assert f"Warning: event #{ledger[-1].pk} (contract.status, " in output
    assert "has no outcome" in output
    assert "The audit ledger verifies." in output


def test_records_sealed_with_an_old_key_verify_after_a_rotation(ledger_user, settings):
    old = record(ledger_user)
    settings.AUDIT_KEYS = {"1": settings.AUDIT_KEYS["1"], "2": "the-next-audit-key-" + "x" * 20}
    settings.AUDIT_KEY_ID = "2"
    new = record(ledger_user)
    assert (old.key_id, new.key_id) == ("1", "2")
    assert "The audit ledger verifies." in _verify()
    settings.AUDIT_KEYS = {"2": settings.AUDIT_KEYS["2"]}
    assert f"event #{old.pk}: sealed with key id '1', which AUDIT_KEYS does not hold" in _broken()


def test_a_checkpoint_is_appended_to_the_file_and_logged(ledger, checkpoint_file, caplog):
    caplog.set_level("INFO", logger="contracts_ui.audit")
    first = _checkpoint(checkpoint_file)
    second = _checkpoint(checkpoint_file)
    lines = checkpoint_file.read_text().splitlines()
    assert [json.loads(line) for line in lines] == [first, second]
    assert first["outcomes"]["count"] == 3
    assert [r.getMessage() for r in caplog.records] == [
        f"audit checkpoint {line}" for line in lines
    ]


def test_no_checkpoint_of_a_ledger_that_fails(ledger, checkpoint_file):
    _delete(AuditOutcome, ledger[1].outcome.pk)
    with pytest.raises(CommandError, match="No checkpoint"):
        _checkpoint(checkpoint_file)
    assert not checkpoint_file.exists()


def test_a_checkpoint_file_that_is_not_one_is_an_error(ledger, checkpoint_file):
    _checkpoint(checkpoint_file)
    with checkpoint_file.open("a") as file:
        file.write('{"taken_at": "now"}\n')
    assert "line 2: not an audit checkpoint" in _broken("--checkpoints", str(checkpoint_file))
