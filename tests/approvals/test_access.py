"""A user without a grant on the account never learns a proposal exists: 404 on each of its
URLs, as on every page of the account (the access matrix covers the other roles)."""

import pytest

from contracts_ui.models import Proposal
from tests.approvals.conftest import proposal_url, propose_deactivation

URLS = [
    ("get", "proposal-detail"),
    ("post", "proposal-approve"),
    ("post", "proposal-reject"),
    ("post", "proposal-withdraw"),
]


@pytest.mark.parametrize("who", ["stranger", "superuser"])
def test_no_grant_gets_404_on_every_proposal_of_the_account(
    client, approvers, contract, sandbox, who
):
    world = approvers.world
    client.force_login(approvers.alice)
    propose_deactivation(client, world, contract)
    propose_deactivation(client, world, contract, reason="a second one")
    client.force_login(getattr(world, who))
    for proposal in Proposal.objects.all():
        for method, name in URLS:
            url = proposal_url(world, proposal, name)
            response = getattr(client, method)(url, {"comment": "x"})
            assert response.status_code == 404, (proposal.pk, name)
    assert set(Proposal.objects.values_list("state", flat=True)) == {"pending"}


def test_a_proposal_of_another_account_is_404_from_this_one(client, approvers, contract):
    world = approvers.world
    client.force_login(approvers.alice)
    propose_deactivation(client, world, contract)
    proposal = Proposal.objects.get()
    Proposal.objects.filter(pk=proposal.pk).update(account=world.account_b)
    assert client.get(proposal_url(world, proposal)).status_code == 404
