"""Bulk changes end to end: the dry run writes nothing; real workers apply each contract once."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from contracts_ui.models import AuditAction, AuditEvent, BulkItem, BulkJob, BulkJobState
from tests.bulk.conftest import wait_for, worker_count
from tests.conftest import ACCOUNT_A, create_contract

pytestmark = pytest.mark.slow


def _organization(sandbox, name: str, count: int = 0) -> str:
    organization = sandbox.admin.create_organization(ACCOUNT_A, name=name)
    if count:
        sandbox.admin.bulk_contracts(ACCOUNT_A, organization["_id"], count)
    return organization["_id"]


def _preview(client, organization_id: str, **fields) -> BulkJob:
    url = reverse("contracts_ui:bulk-preview", args=[ACCOUNT_A, organization_id])
    response = client.post(url, fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    return BulkJob.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def _follow_to_end(client, job: BulkJob, timeout: float = 180) -> None:
    """Follow the job page, as its user would, until the job finished."""
    url = reverse("contracts_ui:bulk-job", args=[ACCOUNT_A, job.pk])

    def finished() -> bool:
        assert client.get(url).status_code == 200
        job.refresh_from_db()
        return job.state == BulkJobState.FINISHED

    wait_for(finished, timeout=timeout, what=f"bulk job {job.pk} to finish")


def _applied_puts(sandbox, organization_id: str) -> list[tuple[str, dict]]:
    """(contract _id, request log entry) of each PUT the stand-in applied, oldest first."""
    path = f"/data-customer/v1/organizations/{organization_id}/contracts/"
    return [
        (entry["path"].rsplit("/", 1)[1], entry)
        for entry in sandbox.admin.requests("PUT", re.escape(path))
        if entry["status"] == 200
    ]


def _puts(sandbox, organization_id: str) -> Counter:
    """How many PUTs of each contract the stand-in applied."""
    return Counter(ref for ref, _ in _applied_puts(sandbox, organization_id))


def _written_twice(sandbox, organization_id: str, job: BulkJob, written: Counter, workers) -> str:
    """What each contract written more than once went through, for the failure message: its
    PUTs at fabric (when, under which request id), its item, and the workers' log lines that
    name it (at INFO, each fabric call with its request id) or warn."""
    twice = {ref for ref, count in written.items() if count > 1}
    lines = [f"written more than once: {sorted(twice)}"]
    lines += [
        f"  PUT {ref} at {entry['at']} ({entry['request_id']})"
        for ref, entry in _applied_puts(sandbox, organization_id)
        if ref in twice
    ]
    lines += [
        f"  item {item.pk}: {item.outcome}, attempts {item.attempts}, {item.message!r}"
        for item in job.items.filter(contract_ref__in=twice)
    ]
    lines += [
        line
        for line in workers.log_lines()
        if line.startswith("---") or " INFO " not in line or any(ref in line for ref in twice)
    ]
    return "\n".join(lines)


def test_extend_250_applies_each_once_and_retry_applies_exactly_the_failed(
    editor_client, console_world, sandbox, workers
):
    organization_id = _organization(sandbox, "Bulk Extend Ltd", 250)
    job = _preview(
        editor_client, organization_id, action="extend-end", months="12", all_matching="on"
    )
    assert job.total == 250
    assert not job.items.exclude(problem="").exists()
    refs = list(job.items.order_by("position").values_list("contract_ref", flat=True))
    failing = refs[::25]  # 10 contracts, spread through the job
    for ref in failing:
        sandbox.admin.add_fault(method="PUT", path=f"/contracts/{ref}$", status=503, times=1)
    sandbox.admin.clear_requests()

    apply_url = reverse("contracts_ui:bulk-apply", args=[ACCOUNT_A, job.pk])
    assert editor_client.post(apply_url).status_code == 302
    # The same preview sent again is not queued again.
    assert editor_client.post(apply_url).status_code == 302
    workers.start(worker_count())
    _follow_to_end(editor_client, job)

    failed = set(job.items.filter(outcome="failed").values_list("contract_ref", flat=True))
    assert failed == set(failing)
    assert job.items.filter(outcome="done").count() == 240
    assert sum(_puts(sandbox, organization_id).values()) == 240

    sandbox.admin.clear_requests()
    retry_url = reverse("contracts_ui:bulk-retry", args=[ACCOUNT_A, job.pk])
    assert editor_client.post(retry_url).status_code == 302
    _follow_to_end(editor_client, job)
    assert _puts(sandbox, organization_id) == Counter({ref: 1 for ref in failing})
    assert job.items.filter(outcome="done").count() == 250

    bulk_records = AuditEvent.objects.filter(action=AuditAction.BULK)
    assert bulk_records.count() == 1
    children = AuditEvent.objects.filter(
        action=AuditAction.CHANGE_DATES, request_sent__bulk=bulk_records.get().request_id
    )
    # 250 written, and the 10 first attempts that fabric answered with a 503.
    assert children.filter(outcome__outcome="succeeded").count() == 250
    assert children.filter(outcome__outcome="failed").count() == 10
    linked = BulkItem.objects.filter(job=job, audit_event__outcome__outcome="succeeded")
    assert linked.count() == 250
    done = job.items.get(position=1)
    assert done.planned["endDate"][1][:4] == str(int(done.planned["endDate"][0][:4]) + 1)


def test_a_worker_killed_mid_job_is_replaced_and_no_contract_is_written_twice(
    editor_client, console_world, sandbox, workers, settings
):
    # A run is handed on at least two thirds of BULK_STALE_SECONDS after its worker died (the
    # heartbeat is renewed every third of it): 2.7 s, well past the 0.8 s the write in flight at
    # the kill takes. (At 2 s, 1.3 s, that write once landed after the new run had read the
    # contract, on a machine busy with the rest of the suite, and was sent twice.)
    settings.BULK_STALE_SECONDS = 4
    workers.env["BULK_STALE_SECONDS"] = "4"
    # A short deadline, so the killed worker's contract locks (on Redis, shared by the workers)
    # expire within the test: lock_ttl() = 4 x FABRIC_DEADLINE + 30 s.
    workers.env["FABRIC_DEADLINE"] = "3"
    workers.env["LOG_LEVEL"] = "INFO"  # each fabric call logged, for _written_twice
    organization_id = _organization(sandbox, "Bulk Restart Ltd", 120)
    # Every write slowed, so the kill lands mid-job; the 21st slowed the most, so the kill lands
    # while it is in flight, yet it is in fabric before the next worker finds the job stale.
    for latency_ms, times in ((60, 20), (800, 1), (60, None)):
        sandbox.admin.add_fault(
            method="PUT", path="/contracts/", latency_ms=latency_ms, times=times
        )
    job = _preview(
        editor_client, organization_id, action="extend-end", months="1", all_matching="on"
    )
    sandbox.admin.clear_requests()
    editor_client.post(reverse("contracts_ui:bulk-apply", args=[ACCOUNT_A, job.pk]))
    workers.start(1)
    wait_for(
        lambda: (
            job.items.filter(outcome="done").count() >= 20
            and job.items.filter(outcome="started").exists()
        ),
        timeout=60,
        what="the first contracts to be written and the next one taken",
    )
    workers.kill()
    partial = job.items.filter(outcome="done").count()
    assert partial < job.total
    # Taken, their write possibly sent, when the worker died.
    in_flight = set(job.items.filter(outcome="started").values_list("pk", flat=True))
    assert in_flight

    workers.start(1)
    _follow_to_end(editor_client, job)
    written = _puts(sandbox, organization_id)
    assert job.items.filter(outcome="done").count() == job.total
    # Every contract written, none twice: the one in flight at the kill was checked in fabric
    # by the new worker, not sent again.
    assert set(written) == set(job.items.values_list("contract_ref", flat=True))
    assert set(written.values()) == {1}, _written_twice(
        sandbox, organization_id, job, written, workers
    )
    assert set(job.items.filter(attempts=2).values_list("pk", flat=True)) == in_flight


def test_a_running_worker_finishes_a_dead_workers_job_with_nobody_on_its_page(
    editor_client, console_world, sandbox, workers
):
    """The job's watchdog (a deferred task) is taken by the worker still running: nobody needs
    to open the job's page for a killed worker's job to be handed on."""
    workers.env["BULK_STALE_SECONDS"] = "2"
    workers.env["FABRIC_DEADLINE"] = "3"  # the killed worker's contract locks expire soon
    workers.env["LOG_LEVEL"] = "INFO"  # each fabric call logged, for _written_twice
    organization_id = _organization(sandbox, "Bulk Watchdog Ltd", 60)
    sandbox.admin.add_fault(method="PUT", path="/contracts/", latency_ms=60)
    job = _preview(
        editor_client, organization_id, action="extend-end", months="1", all_matching="on"
    )
    sandbox.admin.clear_requests()
    editor_client.post(reverse("contracts_ui:bulk-apply", args=[ACCOUNT_A, job.pk]))
    workers.start(1)
    wait_for(
        lambda: job.items.filter(outcome="done").count() >= 10,
        timeout=60,
        what="the first contracts to be written",
    )
    workers.kill()
    assert job.items.filter(outcome="done").count() < job.total
    workers.start(1)

    def finished() -> bool:  # read from the database only: the job's page is never opened
        job.refresh_from_db()
        return job.state == BulkJobState.FINISHED

    wait_for(finished, timeout=120, what=f"bulk job {job.pk} to be handed on and finished")
    assert job.run == 2
    assert job.items.filter(outcome="done").count() == job.total
    written = _puts(sandbox, organization_id)
    assert set(written) == set(job.items.values_list("contract_ref", flat=True))
    assert set(written.values()) == {1}, _written_twice(
        sandbox, organization_id, job, written, workers
    )


def test_the_dry_run_writes_nothing_and_names_each_problem(
    editor_client, console_world, sandbox, fabric_world
):
    organization_id = _organization(sandbox, "Bulk Problems Ltd")
    good = create_contract(sandbox, organization_id, contractId="BULK-GOOD")
    deleted = create_contract(sandbox, organization_id, contractId="BULK-DELETED")
    early = create_contract(
        sandbox,
        organization_id,
        contractId="BULK-EARLY",
        startDate="2026-06-01T00:00:00.000Z",
        endDate="2026-12-01T00:00:00.000Z",
    )
    changed = create_contract(sandbox, organization_id, contractId="BULK-CHANGED")
    from tests.conftest import fabric_headers

    path = f"/data-customer/v1/organizations/{organization_id}/contracts/"
    sandbox.call("DELETE", path + deleted["_id"], headers=fabric_headers(sandbox))
    sandbox.admin.clear_requests()

    def ticked(contract, updated_at=None):
        return f"{contract['_id']}|{updated_at or contract['updatedAt']}"

    job = _preview(
        editor_client,
        organization_id,
        action="set-end",
        new_end_date="2026-03-01",
        contract=[
            ticked(good),
            ticked(deleted),
            ticked(early),
            ticked(changed, "2020-01-01T00:00:00.000Z"),
        ],
    )
    problems = dict(job.items.values_list("contract_id", "problem"))
    assert problems["BULK-GOOD"] == ""
    assert problems["BULK-DELETED"] == "The contract is soft-deleted."
    assert problems["BULK-EARLY"] == (
        "The new end date 2026-03-01 is before the start date 2026-06-01."
    )
    assert problems["BULK-CHANGED"] == "The contract changed in fabric since it was selected."

    price = _preview(
        editor_client,
        organization_id,
        action="set-price-list",
        new_price_list_id="999999",
        contract=[ticked(good)],
    )
    assert price.items.get().problem == "There is no price list #999999 in this account."
    expired = sandbox.admin.create_price_list(
        ACCOUNT_A,
        name="Old EUR",
        startDate="2020-01-01T00:00:00.000Z",
        endDate="2020-12-31T00:00:00.000Z",
    )
    old = _preview(
        editor_client,
        organization_id,
        action="set-price-list",
        new_price_list_id=str(expired["priceListId"]),
        contract=[ticked(good)],
    )
    assert old.items.get().problem == f"Price list #{expired['priceListId']} expired on 2020-12-31."

    csv = editor_client.get(reverse("contracts_ui:bulk-preview-csv", args=[ACCOUNT_A, job.pk]))
    body = b"".join(csv.streaming_content).decode()
    assert "BULK-DELETED" in body
    assert "The contract is soft-deleted." in body
    writes = [
        e
        for e in sandbox.admin.requests()
        if e["method"] in ("POST", "PUT", "PATCH", "DELETE") and not e["path"].startswith("/auth")
    ]
    assert writes == []


def test_a_viewer_cannot_prepare_apply_cancel_or_retry(viewer_client, console_world, sandbox):
    organization_id = console_world.fabric.organization_a["_id"]
    job = BulkJob.objects.create(
        account=console_world.account_a,
        organization_id=organization_id,
        action="set-status",
        parameters={"status": "ACTIVE"},
        created_by=console_world.editor_a,
    )
    from django_tasks_db.models import DBTaskResult

    for name, args in (
        ("bulk-preview", [ACCOUNT_A, organization_id]),
        ("bulk-apply", [ACCOUNT_A, job.pk]),
        ("bulk-cancel", [ACCOUNT_A, job.pk]),
        ("bulk-retry", [ACCOUNT_A, job.pk]),
    ):
        response = viewer_client.post(
            reverse(f"contracts_ui:{name}", args=args), {"action": "set-status", "status": "ACTIVE"}
        )
        assert response.status_code == 403, name
    assert DBTaskResult.objects.count() == 0
    job.refresh_from_db()
    assert job.state == BulkJobState.PREVIEWED
    assert (
        viewer_client.get(reverse("contracts_ui:bulk-job", args=[ACCOUNT_A, job.pk])).status_code
        == 200
    )
    assert viewer_client.get(reverse("contracts_ui:bulk-jobs", args=[ACCOUNT_A])).status_code == 200
