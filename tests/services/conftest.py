"""What a service is called with, built without a request: the editor's access and the actor."""

import pytest

from contracts_ui.access import AccountAccess
from contracts_ui.audit import Actor
from contracts_ui.models import AccountRole
from tests.conftest import create_contract


@pytest.fixture
def access(console_world) -> AccountAccess:
    return AccountAccess(account=console_world.account_a, role=AccountRole.EDITOR)


@pytest.fixture
def actor(console_world) -> Actor:
    return Actor(
        user=console_world.editor_a, username="alice", client_ip="127.0.0.1", user_agent="pytest"
    )


@pytest.fixture
def contract(sandbox, console_world) -> dict:
    """A fresh DRAFT contract per test, so tests never see each other's edits."""
    return create_contract(
        sandbox,
        console_world.fabric.organization_a["_id"],
        contractType="TYPE-A",
        status="DRAFT",
        startDate="2026-01-01T08:30:00.000Z",
        endDate="2026-12-31T00:00:00.000Z",
    )
