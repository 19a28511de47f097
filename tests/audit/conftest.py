"""Building audit rows the way the console does: through contracts_ui.audit, never the models."""

import pytest

from contracts_ui import audit
from contracts_ui.models import AuditAction, AuditEvent, AuditOutcomeKind
from tests.conftest import ACCOUNT_A


def actor_for(user, username: str | None = None) -> audit.Actor:
    return audit.Actor(
        user=user,
        username=user.get_username() if username is None else username,
        client_ip="127.0.0.1",
        user_agent="pytest",
    )


def record(
    user,
    *,
    account_id: str = ACCOUNT_A,
    action: AuditAction = AuditAction.CHANGE_STATUS,
    outcome: AuditOutcomeKind | None = AuditOutcomeKind.SUCCEEDED,
    summary: str = "Change status of contract C-1: status",
    username: str | None = None,
    organization_id: str = "org-1",
    contract_ref: str = "ref-1",
    contract_id: str = "C-1",
    diff: dict | None = None,
    message: str = "",
    fabric_status: int | None = 200,
) -> AuditEvent:
    """One attempt, and its outcome unless `outcome` is None (an answer that never arrived)."""
    event = audit.record_attempt(
        actor=actor_for(user, username),
        account_id=account_id,
        action=action,
        summary=summary,
        request_sent={"method": "PUT", "body": {"status": "ACTIVE"}},
        request_id=f"req-{AuditEvent.objects.count() + 1}",
        organization_id=organization_id,
        contract_ref=contract_ref,
        contract_id=contract_id,
        state_before={"status": "DRAFT"},
    )
    if outcome is not None:
        audit.record_outcome(
            event,
            outcome=outcome,
            fabric_status=fabric_status,
            message=message,
            state_after={"status": "ACTIVE"},
            diff={"status": ["DRAFT", "ACTIVE"]} if diff is None else diff,
        )
    return event


@pytest.fixture
def ledger_user(db, django_user_model):
    """A user to act as, for tests that need only the database."""
    return django_user_model.objects.create_user("ledger-writer", password="pw-ledger-1")
