"""Approval mail through Django's email framework (locmem in tests): the account's other editors
hear of a new proposal, the proposer of the decision; each mail's link opens the proposal."""

import re

from django.core import mail

from contracts_ui.models import Proposal
from tests.approvals.conftest import proposal_url, propose_deactivation

LINK = re.compile(r"https?://\S+")


def _link(message) -> str:
    (link,) = LINK.findall(message.body)
    return link


def test_other_editors_are_mailed_a_working_link_to_a_new_proposal(client, approvers, contract):
    client.force_login(approvers.alice)
    propose_deactivation(client, approvers.world, contract, reason="Customer left in May")
    proposal = Proposal.objects.get()
    (message,) = mail.outbox  # carol only: not the proposer, not the viewer
    assert message.to == ["carol@example.com"]
    assert message.subject.startswith("Approval needed: Change status of contract")
    assert "alice proposes a change in Acme Industrial" in message.body
    assert "Reason: Customer left in May" in message.body
    assert "status: ACTIVE → INACTIVE" in message.body
    link = _link(message)
    assert link == "http://testserver" + proposal_url(approvers.world, proposal)
    client.force_login(approvers.carol)
    page = client.get(link)
    assert page.status_code == 200
    assert "Approve and apply" in page.content.decode()


def test_the_proposer_is_mailed_the_decision(client, approvers, contract):
    client.force_login(approvers.alice)
    propose_deactivation(client, approvers.world, contract)
    proposal = Proposal.objects.get()
    mail.outbox.clear()
    client.force_login(approvers.carol)
    client.post(proposal_url(approvers.world, proposal, "proposal-reject"), {"comment": "Not yet"})
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == f"Your proposal {proposal.pk}: Rejected"
    assert "Comment: Not yet" in message.body
    assert "by carol" in message.body
    client.force_login(approvers.alice)
    page = client.get(_link(message))
    assert page.status_code == 200
    assert "Not yet" in page.content.decode()


def test_links_use_the_configured_base_url(client, approvers, contract, settings):
    settings.CONSOLE_BASE_URL = "https://console.example.com"
    client.force_login(approvers.alice)
    propose_deactivation(client, approvers.world, contract)
    proposal = Proposal.objects.get()
    (message,) = mail.outbox
    assert _link(message) == "https://console.example.com" + proposal_url(approvers.world, proposal)


def test_a_mail_server_down_keeps_the_proposal(client, approvers, contract, settings, caplog):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    client.force_login(approvers.alice)
    response = propose_deactivation(client, approvers.world, contract)
    assert response.status_code == 302
    assert Proposal.objects.get().state == "pending"
    assert "approval mail not sent" in caplog.text
