"""An account whose policy holds risky changes for a second editor: alice proposes, carol
(another editor of account A) decides; fiona is a viewer, bob has no grant on A."""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from contracts_ui.models import AccountGrant, AccountRole
from tests.conftest import create_contract
from tests.views.test_edits import edit_url, open_form


@dataclass(frozen=True)
class Approvers:
    world: object
    alice: object  # editor of A: proposes
    carol: object  # editor of A: decides


@pytest.fixture
def approvers(console_world) -> Approvers:
    account = console_world.account_a
    account.approve_deactivation = True
    account.approve_price_list = True
    account.approve_delete = True
    account.approve_bulk_over = 2
    account.save()
    alice = console_world.editor_a
    alice.email = "alice@example.com"
    alice.save()
    carol = get_user_model().objects.create_user(
        "carol", email="carol@example.com", password="pw-carol-1"
    )
    AccountGrant.objects.create(account=account, user=carol, role=AccountRole.EDITOR)
    return Approvers(world=console_world, alice=alice, carol=carol)


@pytest.fixture
def contract(sandbox, console_world) -> dict:
    """A fresh ACTIVE contract per test, so tests never see each other's edits."""
    return create_contract(
        sandbox,
        console_world.fabric.organization_a["_id"],
        contractType="TYPE-A",
        status="ACTIVE",
        startDate="2026-01-01T00:00:00.000Z",
        endDate="2026-12-31T00:00:00.000Z",
    )


def propose_deactivation(client, world, contract, reason="Customer left", htmx=False):
    """alice's status form, INACTIVE chosen, sent with a reason."""
    url = edit_url(world, contract, "status")
    data = open_form(client, url) | {"status": "INACTIVE", "reason": reason}
    return client.post(url, data, headers={"HX-Request": "true"} if htmx else {})


def proposal_url(world, proposal, name: str = "proposal-detail") -> str:
    return reverse(
        f"contracts_ui:{name}",
        kwargs={"account_id": world.account_a.account_id, "proposal_id": proposal.pk},
    )
