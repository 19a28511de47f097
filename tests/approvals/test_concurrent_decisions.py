"""Two editors deciding one proposal at the same moment, in two threads: one decision stands,
fabric gets at most one write, and the ledger one decision."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client

from contracts_ui.models import AccountGrant, AccountRole, AuditAction, AuditEvent, Proposal
from tests.approvals.conftest import proposal_url, propose_deactivation
from tests.views.test_edits import stored, write_count


@pytest.fixture
def dave(approvers):
    dave = get_user_model().objects.create_user("dave", password="pw-dave-1")
    AccountGrant.objects.create(
        account=approvers.world.account_a, user=dave, role=AccountRole.EDITOR
    )
    return dave


def test_approve_and_reject_at_once_leave_one_decision(
    approvers, dave, contract, sandbox, transactional_db
):
    world = approvers.world
    proposer = Client()
    proposer.force_login(approvers.alice)
    propose_deactivation(proposer, world, contract)
    proposal = Proposal.objects.get()
    sandbox.admin.clear_requests()
    decisions = [
        (approvers.carol, "proposal-approve", {"comment": "fine"}),
        (dave, "proposal-reject", {"comment": "not yet"}),
    ]
    clients = []
    for user, _, _ in decisions:
        client = Client()
        client.force_login(user)
        clients.append(client)
    start = threading.Barrier(len(decisions), timeout=30)
    answers: list[int] = []

    def decide(client, name, data):
        try:
            start.wait()
            answers.append(client.post(proposal_url(world, proposal, name), data).status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(client, name, data))
        for client, (_, name, data) in zip(clients, decisions, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [302, 302]
    proposal.refresh_from_db()
    decided = AuditEvent.objects.filter(action__in=[AuditAction.APPROVE, AuditAction.REJECT])
    assert decided.count() == 1
    if proposal.state == "approved":
        assert (proposal.decided_by, write_count(sandbox)) == (approvers.carol, 1)
        assert stored(sandbox, contract)["status"] == "INACTIVE"
    else:
        assert (proposal.state, proposal.decided_by) == ("rejected", dave)
        assert write_count(sandbox) == 0
        assert stored(sandbox, contract)["status"] == "ACTIVE"
