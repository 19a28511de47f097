"""The ledger itself: hash-chained rows, one event per write whatever happens, no changes."""

import pytest
from django.db import IntegrityError, connection, transaction

from contracts_ui import audit, fabric
from contracts_ui.models import (
    AppendOnlyViolation,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    AuditOutcomeKind,
    ledger_flush_allowed,
)
from tests.audit.conftest import actor_for, record
from tests.conftest import ACCOUNT_A


def _write(user, perform):
    return audit.audited_write(
        actor=actor_for(user),
        account_id=ACCOUNT_A,
        action=AuditAction.CHANGE_STATUS,
        summary="Change status of contract C-9: status",
        request_sent={"method": "PUT", "body": {"status": "INACTIVE"}},
        perform=perform,
        state_of=lambda result: result,
        organization_id="org-9",
        contract_ref="ref-9",
        contract_id="C-9",
        state_before={"status": "ACTIVE", "contractType": "A"},
        compare_before={"status": "ACTIVE", "contractType": "A"},
        compare_after=lambda result: result,
    )


def _only_event() -> AuditEvent:
    assert AuditEvent.objects.count() == 1
    return AuditEvent.objects.select_related("outcome").get()


def _fail_with(error: BaseException):
    def perform(request_id: str):
        raise error

    return perform


def test_records_are_chained_from_the_genesis_hash(ledger_user):
    first = record(ledger_user)
    second = record(ledger_user, outcome=None)
    assert first.previous_hash == audit.GENESIS_HASH
    assert second.previous_hash == first.record_hash
    outcome = AuditOutcome.objects.get()
    assert outcome.previous_hash == audit.GENESIS_HASH
    assert outcome.event == first
    assert len({first.record_hash, second.record_hash, outcome.record_hash}) == 3


def test_a_successful_write_records_the_attempt_and_the_diff(ledger_user):
    result = _write(ledger_user, lambda request_id: {"status": "INACTIVE", "contractType": "A"})
    assert result == {"status": "INACTIVE", "contractType": "A"}
    event = _only_event()
    assert event.username == ledger_user.username
    assert event.request_sent == {"method": "PUT", "body": {"status": "INACTIVE"}}
    assert len(event.request_id) == 32
    assert event.outcome.outcome == AuditOutcomeKind.SUCCEEDED
    assert event.outcome.fabric_status == 200
    assert event.outcome.diff == {"status": ["ACTIVE", "INACTIVE"]}


def test_perform_receives_the_request_id_it_is_recorded_under(ledger_user):
    seen = []
    _write(ledger_user, lambda request_id: seen.append(request_id) or {"status": "INACTIVE"})
    assert seen == [_only_event().request_id]


def test_fabric_refusing_the_values_is_recorded_as_rejected(ledger_user):
    error = fabric.FabricValidationError("endDate must be after startDate", status=400)
    with pytest.raises(fabric.FabricValidationError):
        _write(ledger_user, _fail_with(error))
    outcome = _only_event().outcome
    assert outcome.outcome == AuditOutcomeKind.REJECTED
    assert outcome.fabric_status == 400
    assert outcome.message == "endDate must be after startDate"
    assert outcome.diff == {}


def test_fabric_unavailable_is_recorded_as_failed(ledger_user):
    with pytest.raises(fabric.FabricUnavailable):
        _write(ledger_user, _fail_with(fabric.FabricUnavailable("connection refused", status=503)))
    outcome = _only_event().outcome
    assert outcome.outcome == AuditOutcomeKind.FAILED
    assert outcome.fabric_status == 503


def test_a_timeout_after_sending_is_recorded_as_unknown(ledger_user):
    error = fabric.FabricUnavailable("read timed out", outcome_unknown=True)
    with pytest.raises(fabric.FabricUnavailable):
        _write(ledger_user, _fail_with(error))
    assert _only_event().outcome.outcome == AuditOutcomeKind.UNKNOWN


def test_a_crash_of_the_console_during_the_call_is_recorded_as_unknown(ledger_user):
    with pytest.raises(RuntimeError):
        _write(ledger_user, _fail_with(RuntimeError("boom")))
    outcome = _only_event().outcome
    assert outcome.outcome == AuditOutcomeKind.UNKNOWN
    assert "RuntimeError" in outcome.message


def test_saving_an_existing_event_again_is_refused(ledger_user):
    event = record(ledger_user)
    event.summary = "rewritten"
    with pytest.raises(AppendOnlyViolation):
        event.save()
    assert AuditEvent.objects.get().summary != "rewritten"


def test_saving_an_existing_outcome_again_is_refused(ledger_user):
    record(ledger_user)
    outcome = AuditOutcome.objects.get()
    outcome.message = "rewritten"
    with pytest.raises(AppendOnlyViolation):
        outcome.save()


def test_deleting_a_record_is_refused(ledger_user):
    event = record(ledger_user)
    with pytest.raises(AppendOnlyViolation):
        event.outcome.delete()
    with pytest.raises(AppendOnlyViolation):
        event.delete()
    assert AuditEvent.objects.count() == 1
    assert AuditOutcome.objects.count() == 1


@pytest.mark.parametrize("model", [AuditEvent, AuditOutcome])
def test_bulk_update_and_delete_are_refused(ledger_user, model):
    record(ledger_user)
    with pytest.raises(AppendOnlyViolation):
        model.objects.update(record_hash="0" * 64)
    with pytest.raises(AppendOnlyViolation):
        model.objects.all().delete()
    assert model.objects.count() == 1


def test_an_ipv6_address_in_any_spelling_still_verifies(ledger_user):
    actor = audit.Actor(
        user=ledger_user, username="ledger-writer", client_ip="2001:DB8:0:0:0:0:0:1", user_agent=""
    )
    event = audit.record_attempt(
        actor=actor,
        account_id=ACCOUNT_A,
        action=AuditAction.CREATE,
        summary="Create contract C-6",
        request_sent={"method": "POST"},
        request_id="req-ipv6",
    )
    assert AuditEvent.objects.get().client_ip == event.client_ip == "2001:db8::1"
    assert audit.verify_chain().ok


_ON_SQLITE = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's triggers; PostgreSQL's are tested in tests/production",
)


@_ON_SQLITE
@pytest.mark.parametrize("model", [AuditEvent, AuditOutcome])
@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET summary = summary", "DELETE FROM {table}"]
)
def test_sqlite_refuses_update_and_delete_below_the_application(ledger_user, model, statement):
    record(ledger_user)
    table = model._meta.db_table
    column = "message" if model is AuditOutcome else "summary"
    with (
        pytest.raises(IntegrityError, match=f"append-only: .* on {table} refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table).replace("summary", column))
    assert model.objects.count() == 1
    assert audit.verify_chain().ok


@_ON_SQLITE
def test_only_the_harness_flush_may_empty_the_sqlite_ledger(ledger_user):
    record(ledger_user)
    with ledger_flush_allowed():
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET summary = 'x'")  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {AuditOutcome._meta.db_table}")  # noqa: S608
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table}")  # noqa: S608
    assert not AuditEvent.objects.exists()
