"""The rules of applying a bulk job, with the task run in this process (`apply_job.call`): what
is skipped, what is never sent, and what cancel and a lost grant do. A real worker process runs
it in test_bulk_jobs.py."""

import re
import threading
import time

import pytest
from django.db import connections
from django.urls import reverse

from contracts_ui import bulk, locks
from contracts_ui.models import AccountGrant, BulkJob, BulkJobState
from tests.conftest import ACCOUNT_A, create_contract, fabric_headers


@pytest.fixture
def organization(sandbox, fabric_world):
    return sandbox.admin.create_organization(ACCOUNT_A, name="Bulk Rules Ltd")["_id"]


def _job(client, organization_id: str, contracts: list[dict], **change) -> BulkJob:
    url = reverse("contracts_ui:bulk-preview", args=[ACCOUNT_A, organization_id])
    ticked = [f"{c['_id']}|{c['updatedAt']}" for c in contracts]
    response = client.post(url, {**change, "contract": ticked})
    assert response.status_code == 302
    return BulkJob.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def _run(job: BulkJob) -> None:
    job.refresh_from_db()
    bulk.apply_job.call(job_id=job.pk, run=job.run)
    job.refresh_from_db()


def _puts(sandbox, organization_id: str) -> list[str]:
    path = re.escape(f"/data-customer/v1/organizations/{organization_id}/contracts/")
    return [entry["path"].rsplit("/", 1)[1] for entry in sandbox.admin.requests("PUT", path)]


def test_a_contract_changed_since_the_preview_is_skipped_with_the_reason(
    editor_client, console_world, sandbox, organization, transactional_db
):
    first = create_contract(sandbox, organization, contractId="RULE-1")
    second = create_contract(sandbox, organization, contractId="RULE-2")
    job = _job(
        editor_client, organization, [first, second], action="set-status", new_status="INACTIVE"
    )
    # Someone changes the second contract in fabric after the preview.
    sandbox.call(
        "PUT",
        f"/data-customer/v1/organizations/{organization}/contracts/{second['_id']}",
        headers=fabric_headers(sandbox),
        json={"contractType": "SPOT"},
    )
    sandbox.admin.clear_requests()
    assert bulk.start(job)
    assert not bulk.start(job)  # the same preview again: not queued twice
    _run(job)
    outcomes = {i.contract_id: (i.outcome, i.message) for i in job.items.all()}
    assert outcomes["RULE-1"] == ("done", "")
    assert outcomes["RULE-2"][0] == "skipped"
    assert outcomes["RULE-2"][1] == (
        "Changed in fabric since the preview (contractType); not overwritten."
    )
    assert _puts(sandbox, organization) == [first["_id"]]
    assert job.state == BulkJobState.FINISHED


def test_contracts_with_a_problem_are_never_sent(
    editor_client, console_world, sandbox, organization, transactional_db
):
    fine = create_contract(sandbox, organization, contractId="RULE-FINE")
    early = create_contract(
        sandbox, organization, contractId="RULE-EARLY", startDate="2026-06-01T00:00:00.000Z"
    )
    job = _job(
        editor_client, organization, [fine, early], action="set-end", new_end_date="2026-03-01"
    )
    sandbox.admin.clear_requests()
    bulk.start(job)
    _run(job)
    assert dict(job.items.values_list("contract_id", "outcome")) == {
        "RULE-FINE": "done",
        "RULE-EARLY": "problem",
    }
    assert _puts(sandbox, organization) == [fine["_id"]]


def test_a_cancelled_job_writes_nothing_more(
    editor_client, console_world, sandbox, organization, transactional_db
):
    contract = create_contract(sandbox, organization, contractId="RULE-CANCEL")
    job = _job(editor_client, organization, [contract], action="extend-end", months="3")
    sandbox.admin.clear_requests()
    editor_client.post(reverse("contracts_ui:bulk-apply", args=[ACCOUNT_A, job.pk]))
    editor_client.post(reverse("contracts_ui:bulk-cancel", args=[ACCOUNT_A, job.pk]))
    _run(job)
    assert job.state == BulkJobState.CANCELLED
    assert list(job.items.values_list("outcome", flat=True)) == ["cancelled"]
    assert _puts(sandbox, organization) == []


def test_a_job_whose_creator_lost_the_editor_grant_writes_nothing(
    editor_client, console_world, sandbox, organization, transactional_db
):
    contract = create_contract(sandbox, organization, contractId="RULE-GRANT")
    job = _job(editor_client, organization, [contract], action="extend-end", months="3")
    bulk.start(job)
    AccountGrant.objects.filter(user=console_world.editor_a).delete()
    sandbox.admin.clear_requests()
    _run(job)
    item = job.items.get()
    assert (item.outcome, item.message) == ("failed", "Its creator is no longer an editor here.")
    assert _puts(sandbox, organization) == []


def test_a_ticked_contract_fabric_no_longer_has_is_one_problem_row(
    editor_client, console_world, sandbox, organization, transactional_db
):
    kept = create_contract(sandbox, organization, contractId="RULE-KEPT")
    moved = create_contract(sandbox, organization, contractId="RULE-MOVED")
    elsewhere = sandbox.admin.create_organization(ACCOUNT_A, name="Bulk Elsewhere Ltd")["_id"]
    # Gone from this organization between the tick and the preview: fabric answers 404.
    answer = sandbox.call(
        "PATCH",
        "/data-customer/v1/contracts/RULE-MOVED",
        headers=fabric_headers(sandbox),
        json={"partyId": elsewhere},
    )
    assert answer.status == 200, answer.text
    gone = {"_id": "f" * 24, "updatedAt": "2026-01-01T00:00:00.000Z"}
    job = _job(editor_client, organization, [kept, moved, gone], action="extend-end", months="1")
    problems = dict(job.items.values_list("contract_ref", "problem"))
    assert problems == {
        kept["_id"]: "",
        moved["_id"]: bulk.NOT_FOUND,
        gone["_id"]: bulk.NOT_FOUND,
    }
    page = editor_client.get(reverse("contracts_ui:bulk-job", args=[ACCOUNT_A, job.pk]))
    assert bulk.NOT_FOUND in page.content.decode()
    sandbox.admin.clear_requests()
    bulk.start(job)
    _run(job)
    assert _puts(sandbox, organization) == [kept["_id"]]


def test_a_nul_in_fabric_data_is_stored_as_the_ledger_stores_it(
    editor_client, console_world, sandbox, organization, transactional_db
):
    """On PostgreSQL (make test-services) text and jsonb hold no NUL: the preview must still be
    stored, and a contract whose snapshot would not be kept exactly is never sent."""
    named = create_contract(sandbox, organization, contractId="RULE-\x00-NAMED")
    typed = create_contract(sandbox, organization, contractId="RULE-TYPED", contractType="T\x00")
    job = _job(editor_client, organization, [named, typed], action="extend-end", months="2")
    rows = {
        ref: (cid, problem)
        for ref, cid, problem in job.items.values_list("contract_ref", "contract_id", "problem")
    }
    assert rows == {
        named["_id"]: ("RULE-\ufffd-NAMED", ""),
        typed["_id"]: ("RULE-TYPED", bulk.HOLDS_NUL),
    }
    csv = editor_client.get(reverse("contracts_ui:bulk-preview-csv", args=[ACCOUNT_A, job.pk]))
    assert "RULE-\ufffd-NAMED" in b"".join(csv.streaming_content).decode()
    sandbox.admin.clear_requests()
    bulk.start(job)
    _run(job)
    assert dict(job.items.values_list("contract_ref", "outcome")) == {
        named["_id"]: "done",
        typed["_id"]: "problem",
    }
    assert _puts(sandbox, organization) == [named["_id"]]


def test_a_ticked_value_with_a_nul_is_refused_at_the_form(
    editor_client, console_world, sandbox, organization
):
    url = reverse("contracts_ui:bulk-preview", args=[ACCOUNT_A, organization])
    sandbox.admin.clear_requests()
    response = editor_client.post(
        url, {"action": "extend-end", "months": "1", "contract": ["abc\x00def|2026-01-01"]}
    )
    assert response.status_code == 422
    assert "1 of the ticked values are not contract ids" in response.content.decode()
    assert BulkJob.objects.count() == 0
    assert sandbox.admin.request_count("GET", r"/contracts/") == 0


def test_a_contract_deleted_after_the_preview_is_skipped_not_failed(
    editor_client, console_world, sandbox, organization, transactional_db
):
    live = create_contract(sandbox, organization, contractId="RULE-LIVE")
    doomed = create_contract(sandbox, organization, contractId="RULE-DOOMED")
    job = _job(editor_client, organization, [live, doomed], action="extend-end", months="6")
    sandbox.call(
        "DELETE",
        f"/data-customer/v1/organizations/{organization}/contracts/{doomed['_id']}",
        headers=fabric_headers(sandbox),
    )
    sandbox.admin.clear_requests()
    bulk.start(job)
    _run(job)
    outcomes = {i.contract_id: (i.outcome, i.message) for i in job.items.all()}
    assert outcomes == {
        "RULE-LIVE": ("done", ""),
        "RULE-DOOMED": ("skipped", "Deleted at fabric since the preview; not written."),
    }
    assert _puts(sandbox, organization) == [live["_id"]]


def test_a_run_waiting_out_a_dead_workers_lock_keeps_reporting_and_is_not_handed_on(
    editor_client, console_world, sandbox, organization, transactional_db, settings
):
    """The contract its killed worker was writing waits for that worker's lock (up to lock_ttl,
    longer than BULK_STALE_SECONDS) with no item started meanwhile: the run still reports, so
    the job is not queued again while it writes."""
    settings.BULK_STALE_SECONDS = 1
    contract = create_contract(sandbox, organization, contractId="RULE-LOCKED")
    job = _job(editor_client, organization, [contract], action="set-status", new_status="INACTIVE")
    assert bulk.start(job)
    job.items.update(outcome="started")  # in flight when its worker died
    sandbox.admin.clear_requests()
    dead_workers_lock = locks.contract_lock(ACCOUNT_A, contract["_id"])
    dead_workers_lock.__enter__()

    def worker() -> None:
        try:
            _run(job)
        finally:
            connections.close_all()  # a thread's own; the test database is dropped at the end

    running = threading.Thread(target=worker)
    running.start()
    try:
        time.sleep(2.5)  # the item waits for the lock, past BULK_STALE_SECONDS
        job.refresh_from_db()
        assert job.state == BulkJobState.RUNNING
        assert not bulk.resume_stale(job)
    finally:
        dead_workers_lock.__exit__(None, None, None)
        running.join(30)
    job.refresh_from_db()
    assert (job.state, job.run) == (BulkJobState.FINISHED, 1)
    assert job.items.get().outcome == "done"
    assert _puts(sandbox, organization) == [contract["_id"]]


def test_a_new_end_date_is_planned_as_it_is_written_and_a_restart_sees_it_done(
    editor_client, console_world, sandbox, organization, transactional_db
):
    """A new end date goes to fabric at the old one's time of day (services.wire_value): the
    preview plans exactly that, so the plan is what the ledger says was sent, and a worker
    restarted after the write finds the contract as planned, not changed."""
    contract = create_contract(
        sandbox, organization, contractId="RULE-EOD", endDate="2026-12-31T23:59:59.999Z"
    )
    job = _job(editor_client, organization, [contract], action="extend-end", months="1")
    item = job.items.get()
    assert item.planned == {"endDate": ["2026-12-31T23:59:59.999Z", "2027-01-31T23:59:59.999Z"]}
    assert bulk.start(job)
    _run(job)
    item.refresh_from_db()
    assert item.outcome == "done"
    assert item.audit_event.request_sent["body"] == {"endDate": "2027-01-31T23:59:59.999Z"}

    # Run 2 finds the item started, as after a worker died between the write and its record.
    item.outcome = "started"
    item.save(update_fields=["outcome"])
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJobState.QUEUED, run=job.run + 1)
    sandbox.admin.clear_requests()
    _run(job)
    item.refresh_from_db()
    assert (item.outcome, item.message) == (
        "done",
        "Written before the worker restarted; not sent again.",
    )
    assert _puts(sandbox, organization) == []
