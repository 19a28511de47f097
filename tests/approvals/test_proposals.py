"""A change under the account's approval policy: proposed (no write), then approved by another
editor (one write, linked in the ledger), rejected, withdrawn, overtaken by a change in fabric,
or expired. Checked against the stand-in's request log."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts_ui import bulk, locks
from contracts_ui.models import AuditAction, AuditEvent, BulkJobState, Proposal, ProposalState
from tests.approvals.conftest import proposal_url, propose_deactivation
from tests.conftest import fabric_headers
from tests.views.test_edits import edit_url, open_form, stored, write_count


def _proposal() -> Proposal:
    return Proposal.objects.get()


def _approve(client, world, proposal, comment="Checked with finance"):
    return client.post(proposal_url(world, proposal, "proposal-approve"), {"comment": comment})


def _as(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-post"])
def test_a_change_under_the_policy_is_proposed_and_nothing_is_written(
    client, approvers, contract, sandbox, htmx
):
    world = approvers.world
    _as(client, approvers.alice)
    sandbox.admin.clear_requests()
    response = propose_deactivation(client, world, contract, htmx=htmx)
    proposal = _proposal()
    if htmx:
        assert response.status_code == 200
        body = response.content.decode()
        assert "<html" not in body
        assert f"proposal {proposal.pk}" in body
        assert 'id="open-proposal" hx-swap-oob="true"' in body
    else:
        assert response.status_code == 302
        page = client.get(response.url).content.decode()
        assert f"Proposal {proposal.pk} is waiting for a second editor" in page
        assert "data-open-proposal" in page
    assert write_count(sandbox) == 0
    assert stored(sandbox, contract)["status"] == "ACTIVE"
    assert proposal.state == ProposalState.PENDING
    assert proposal.changes == {"status": ["ACTIVE", "INACTIVE"]}
    assert proposal.reason == "Customer left"
    assert proposal.proposed_by == approvers.alice
    assert proposal.contract_ref == contract["_id"]
    event = AuditEvent.objects.get(action=AuditAction.PROPOSE)
    assert event.username == "alice"
    assert event.request_sent["reason"] == "Customer left"
    assert event.state_before["status"] == "ACTIVE"
    assert event.outcome.diff == {"status": ["ACTIVE", "INACTIVE"]}


def test_a_proposal_needs_a_reason_at_its_field(client, approvers, contract, sandbox):
    _as(client, approvers.alice)
    sandbox.admin.clear_requests()
    response = propose_deactivation(client, approvers.world, contract, reason="  ")
    assert response.status_code == 422
    assert "say why it is needed" in response.content.decode()
    assert not Proposal.objects.exists()
    assert write_count(sandbox) == 0


def test_a_change_the_policy_does_not_name_is_written_at_once(client, approvers, contract, sandbox):
    _as(client, approvers.alice)
    url = edit_url(approvers.world, contract, "status")
    form = open_form(client, url)
    response = client.post(url, form | {"status": "DRAFT"})
    assert response.status_code == 302
    assert stored(sandbox, contract)["status"] == "DRAFT"
    assert not Proposal.objects.exists()


def test_without_a_policy_the_form_asks_no_reason_and_writes(
    editor_client, console_world, contract, sandbox
):
    url = edit_url(console_world, contract, "status")
    form = open_form(editor_client, url)
    assert "reason" not in editor_client.get(url).content.decode().lower()
    editor_client.post(url, form | {"status": "INACTIVE"})
    assert stored(sandbox, contract)["status"] == "INACTIVE"
    assert not Proposal.objects.exists()


def test_the_proposer_cannot_approve_or_reject_their_own(client, approvers, contract, sandbox):
    world = approvers.world
    _as(client, approvers.alice)
    propose_deactivation(client, world, contract)
    proposal = _proposal()
    sandbox.admin.clear_requests()
    assert _approve(client, world, proposal).status_code == 403
    reject = client.post(proposal_url(world, proposal, "proposal-reject"), {"comment": "no"})
    assert reject.status_code == 403
    assert write_count(sandbox) == 0
    assert _proposal().state == ProposalState.PENDING


def test_a_viewer_cannot_approve(client, approvers, contract, sandbox):
    world = approvers.world
    _as(client, approvers.alice)
    propose_deactivation(client, world, contract)
    _as(client, world.viewer_a)
    sandbox.admin.clear_requests()
    assert _approve(client, world, _proposal()).status_code == 403
    assert write_count(sandbox) == 0
    page = client.get(proposal_url(world, _proposal())).content.decode()
    assert "Approve and apply" not in page


def test_an_approval_applies_one_write_and_the_ledger_links_the_three(
    client, approvers, contract, sandbox
):
    world = approvers.world
    _as(client, approvers.alice)
    propose_deactivation(client, world, contract)
    proposal = _proposal()
    _as(client, approvers.carol)
    sandbox.admin.clear_requests()
    response = _approve(client, world, proposal)
    assert response.status_code == 302
    assert write_count(sandbox) == 1
    assert stored(sandbox, contract)["status"] == "INACTIVE"
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.APPROVED
    assert proposal.decided_by == approvers.carol
    assert proposal.comment == "Checked with finance"

    proposed = AuditEvent.objects.get(action=AuditAction.PROPOSE)
    decided = AuditEvent.objects.get(action=AuditAction.APPROVE)
    written = AuditEvent.objects.get(action=AuditAction.CHANGE_STATUS)
    assert (proposed.username, decided.username, written.username) == ("alice", "carol", "carol")
    assert decided.request_sent["proposal_request"] == proposed.request_id
    assert decided.request_sent["proposed_by"] == "alice"
    assert written.request_sent["approval"] == decided.request_id
    assert proposed.id < decided.id < written.id
    assert written.outcome.diff == {"status": ["ACTIVE", "INACTIVE"]}
    assert decided.outcome.message == "approved and applied"
    # The contract's history tells both people and the reason.
    history = client.get(
        reverse(
            "contracts_ui:contract-history",
            args=[world.account_a.account_id, contract["partyId"], contract["_id"]],
        )
    ).content.decode()
    assert "Reason: Customer left" in history
    assert f"Proposal {proposal.pk} by alice." in history
    assert "carol" in history


def test_a_rejection_writes_nothing_and_needs_a_comment(client, approvers, contract, sandbox):
    world = approvers.world
    _as(client, approvers.alice)
    propose_deactivation(client, world, contract)
    proposal = _proposal()
    _as(client, approvers.carol)
    sandbox.admin.clear_requests()
    url = proposal_url(world, proposal, "proposal-reject")
    empty = client.post(url, {"comment": ""})
    assert empty.status_code == 422
    assert "Say why the change is rejected." in empty.content.decode()
    assert _proposal().state == ProposalState.PENDING
    assert client.post(url, {"comment": "Keep it active until March"}).status_code == 302
    assert write_count(sandbox) == 0
    assert stored(sandbox, contract)["status"] == "ACTIVE"
    assert _proposal().state == ProposalState.REJECTED
    rejected = AuditEvent.objects.get(action=AuditAction.REJECT)
    assert rejected.username == "carol"
    assert rejected.request_sent["comment"] == "Keep it active until March"
    # Decided once: a late approval changes nothing.
    assert _approve(client, world, proposal).status_code == 302
    assert write_count(sandbox) == 0


def test_a_contract_changed_since_the_proposal_shows_the_conflict_and_writes_nothing(
    client, approvers, contract, sandbox
):
    world = approvers.world
    _as(client, approvers.alice)
    propose_deactivation(client, world, contract)
    proposal = _proposal()
    # Someone sets the status in fabric after the proposal.
    path = f"/data-customer/v1/organizations/{contract['partyId']}/contracts/{contract['_id']}"
    sandbox.call("PUT", path, headers=fabric_headers(sandbox), json={"status": "DRAFT"})
    _as(client, approvers.carol)
    sandbox.admin.clear_requests()
    response = _approve(client, world, proposal)
    assert response.status_code == 409
    page = response.content.decode()
    assert "The contract changed since this was proposed." in page
    assert "Nothing was written." in page
    assert write_count(sandbox) == 0
    assert stored(sandbox, contract)["status"] == "DRAFT"
    assert _proposal().state == ProposalState.CONFLICT
    decided = AuditEvent.objects.get(action=AuditAction.APPROVE)
    assert "not applied: the contract changed since the proposal (status)" in (
        decided.outcome.message
    )
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE_STATUS).exists()


def test_an_expired_proposal_cannot_be_approved(client, approvers, contract, sandbox):
    world = approvers.world
    _as(client, approvers.alice)
    propose_deactivation(client, world, contract)
    proposal = _proposal()
    Proposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    _as(client, approvers.carol)
    sandbox.admin.clear_requests()
    response = _approve(client, world, proposal)
    assert response.status_code == 302
    assert "This proposal expired on" in client.get(response.url).content.decode()
    assert write_count(sandbox) == 0
    assert _proposal().state == ProposalState.EXPIRED
    assert not AuditEvent.objects.filter(action=AuditAction.APPROVE).exists()


def test_a_proposal_expires_after_the_configured_days(client, approvers, contract, settings):
    settings.APPROVAL_EXPIRY_DAYS = 3
    _as(client, approvers.alice)
    propose_deactivation(client, approvers.world, contract)
    proposal = _proposal()
    assert proposal.expires_at - proposal.proposed_at == timedelta(days=3)


def test_only_the_proposer_withdraws(client, approvers, contract, sandbox):
    world = approvers.world
    _as(client, approvers.alice)
    propose_deactivation(client, world, contract)
    proposal = _proposal()
    url = proposal_url(world, proposal, "proposal-withdraw")
    _as(client, approvers.carol)
    assert client.post(url).status_code == 403
    _as(client, approvers.alice)
    assert client.post(url).status_code == 302
    assert _proposal().state == ProposalState.WITHDRAWN
    assert AuditEvent.objects.get(action=AuditAction.WITHDRAW).username == "alice"
    _as(client, approvers.carol)
    sandbox.admin.clear_requests()
    _approve(client, world, proposal)
    assert write_count(sandbox) == 0


def test_a_soft_delete_is_proposed_then_applied(client, approvers, contract, sandbox):
    world = approvers.world
    kwargs = [world.account_a.account_id, contract["partyId"], contract["_id"]]
    url = reverse("contracts_ui:contract-delete", args=kwargs)
    _as(client, approvers.alice)
    assert "Propose the deletion" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 422
    sandbox.admin.clear_requests()
    assert client.post(url, {"reason": "Duplicate of another contract"}).status_code == 302
    assert write_count(sandbox) == 0
    proposal = _proposal()
    assert proposal.kind == "delete"
    _as(client, approvers.carol)
    assert _approve(client, world, proposal).status_code == 302
    assert write_count(sandbox) == 1
    assert _proposal().state == ProposalState.APPROVED
    written = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert written.request_sent["approval"] == _proposal().decision_event.request_id


def test_a_price_list_change_is_proposed(client, approvers, contract, sandbox):
    _as(client, approvers.alice)
    url = edit_url(approvers.world, contract, "price-list")
    form = open_form(client, url)
    sandbox.admin.clear_requests()
    response = client.post(url, form | {"price_list_id": "100001", "reason": "New currency"})
    assert response.status_code == 302
    assert write_count(sandbox) == 0
    assert _proposal().changes == {"priceListId": [None, 100001]}


def test_a_bulk_job_over_the_threshold_is_approved_as_a_whole_then_runs(
    client, approvers, sandbox, transactional_db
):
    world = approvers.world
    organization = world.fabric.organization_a["_id"]
    from tests.conftest import create_contract

    contracts = [create_contract(sandbox, organization, status="ACTIVE") for _ in range(3)]
    _as(client, approvers.alice)
    preview = client.post(
        reverse("contracts_ui:bulk-preview", args=[world.account_a.account_id, organization]),
        {
            "action": "set-status",
            "new_status": "INACTIVE",
            "contract": [f"{c['_id']}|{c['updatedAt']}" for c in contracts],
        },
    )
    assert preview.status_code == 302
    job_page = client.get(preview.url).content.decode()
    assert "Propose applying to 3 contracts" in job_page
    job_id = int(preview.url.rstrip("/").rsplit("/", 1)[1])
    apply_url = reverse("contracts_ui:bulk-apply", args=[world.account_a.account_id, job_id])
    assert client.post(apply_url, {"reason": ""}).status_code == 422
    assert client.post(apply_url, {"reason": "Closing the northern region"}).status_code == 302
    proposal = _proposal()
    assert proposal.kind == "bulk"
    assert proposal.bulk_job.state == BulkJobState.PREVIEWED
    # While it waits, applying is refused to everyone.
    _as(client, approvers.carol)
    assert client.post(apply_url, {"reason": "again"}).status_code == 422
    assert proposal.bulk_job.state == BulkJobState.PREVIEWED
    sandbox.admin.clear_requests()
    assert _approve(client, world, proposal).status_code == 302
    job = _proposal().bulk_job
    assert job.state == BulkJobState.QUEUED
    bulk.apply_job.call(job_id=job.pk, run=job.run)
    job.refresh_from_db()
    assert job.state == BulkJobState.FINISHED
    assert write_count(sandbox) == 3
    record = AuditEvent.objects.get(action=AuditAction.BULK)
    assert record.request_sent["approval"] == _proposal().decision_event.request_id
    assert record.username == "alice"  # a job runs as its creator


def test_a_small_bulk_job_runs_without_approval(client, approvers, sandbox, transactional_db):
    world = approvers.world
    organization = world.fabric.organization_a["_id"]
    from tests.conftest import create_contract

    contracts = [create_contract(sandbox, organization, status="ACTIVE") for _ in range(2)]
    _as(client, approvers.alice)
    preview = client.post(
        reverse("contracts_ui:bulk-preview", args=[world.account_a.account_id, organization]),
        {
            "action": "set-status",
            "new_status": "DRAFT",
            "contract": [f"{c['_id']}|{c['updatedAt']}" for c in contracts],
        },
    )
    job_id = int(preview.url.rstrip("/").rsplit("/", 1)[1])
    apply_url = reverse("contracts_ui:bulk-apply", args=[world.account_a.account_id, job_id])
    assert client.post(apply_url).status_code == 302
    assert not Proposal.objects.exists()


def test_the_top_bar_counts_open_proposals_for_editors_only(client, approvers, contract):
    world = approvers.world
    _as(client, approvers.alice)
    propose_deactivation(client, world, contract)
    contract_page = reverse(
        "contracts_ui:contract-detail",
        args=[world.account_a.account_id, contract["partyId"], contract["_id"]],
    )
    _as(client, approvers.carol)
    page = client.get(contract_page).content.decode()
    assert 'data-open-approvals>Pending approvals <span class="count-badge">1</span>' in page
    assert "data-open-proposal" in page
    listing = client.get(reverse("contracts_ui:approval-list", args=[world.account_a.account_id]))
    assert "Customer left" in listing.content.decode()
    _as(client, world.viewer_a)
    viewer_page = client.get(contract_page).content.decode()
    assert "data-open-approvals" not in viewer_page
    assert "data-open-proposal" in viewer_page


def test_an_approval_that_meets_another_save_leaves_the_proposal_waiting(
    client, approvers, contract, sandbox, settings
):
    world = approvers.world
    _as(client, approvers.alice)
    propose_deactivation(client, world, contract)
    proposal = _proposal()
    settings.CONTRACT_LOCK_WAIT = 0.2
    _as(client, approvers.carol)
    sandbox.admin.clear_requests()
    # Another save of the contract holds its lock for the whole approval.
    with locks.contract_lock(world.account_a.account_id, contract["_id"]):
        response = _approve(client, world, proposal)
    assert response.status_code == 302
    assert "Another save of this contract is still under way" in (
        client.get(response.url).content.decode()
    )
    assert write_count(sandbox) == 0
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by) == (ProposalState.PENDING, None)
    assert _approve(client, world, proposal).status_code == 302
    assert stored(sandbox, contract)["status"] == "INACTIVE"
    assert _proposal().state == ProposalState.APPROVED
