"""An export walks its pages several at a time (contracts_ui/fabric/walks.py): no more in flight
at the stand-in than the account may have, rows still in fabric's order, a 429 burst slowing
the walk without ending it, and a walk past its deadline ending the file with a clear message
and a failed ledger record. Counts and order only: the stand-in's request log says how many
requests it was serving when each arrived."""

import csv
import io
import logging
import time
from urllib.parse import parse_qsl

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from contracts_ui.models import AuditEvent, AuditOutcomeKind
from tests.conftest import ACCOUNT_A, fabric_headers
from tests.insight.test_exports import ORGANIZATION_LIST_PATH

CONTRACTS = 1_000  # ten pages of 100


@pytest.fixture(scope="session")
def walk_organization(sandbox, fabric_world):
    organization = sandbox.admin.create_organization(ACCOUNT_A, name="Walk Wholesale BV")
    sandbox.admin.bulk_contracts(ACCOUNT_A, organization["_id"], count=CONTRACTS, seed=11)
    return organization


@pytest.fixture(autouse=True)
def _drained(sandbox):
    """Pages a stopped walk still had in flight end at the stand-in before the next test reads
    its request log (bounded: their latency is a fraction of a second)."""
    yield
    sandbox.admin.clear_faults()
    for _ in range(200):
        if sandbox.admin.in_flight() == 0:
            break
        time.sleep(0.05)
    assert sandbox.admin.in_flight() == 0


def _url(world, organization, file_format: str = "csv") -> str:
    return reverse(
        f"contracts_ui:contract-export-{file_format}",
        kwargs={"account_id": world.account_a.account_id, "organization_id": organization["_id"]},
    )


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))[1:]


def _fabric_order(sandbox, pages: list[dict]) -> list[str]:
    """The contract ids of the pages the console asked for, asked again one after another."""
    contract_ids = []
    for entry in sorted(pages, key=lambda entry: int(dict(parse_qsl(entry["query"]))["offset"])):
        answer = sandbox.call(
            "GET",
            entry["path"],
            headers=fabric_headers(sandbox),
            params=dict(parse_qsl(entry["query"])),
        )
        contract_ids += [str(contract["contractId"]) for contract in answer.json["data"]]
    return contract_ids


def _export_record() -> AuditEvent:
    return AuditEvent.objects.select_related("outcome").get()


def test_an_export_has_no_more_pages_in_flight_than_configured_and_keeps_fabric_s_order(
    viewer_client, console_world, walk_organization, sandbox, settings
):
    settings.FABRIC_PAGE_CONCURRENCY = 3
    url = _url(console_world, walk_organization)
    # A first export caches the token and the look-ups, so the second makes list calls only.
    assert len(_rows(viewer_client.get(url))) == CONTRACTS
    sandbox.admin.clear_requests()
    # Each page takes a while at the stand-in, so pages asked for together overlap there.
    sandbox.admin.add_fault(path=ORGANIZATION_LIST_PATH, latency_ms=40)
    rows = _rows(viewer_client.get(url))
    sandbox.admin.clear_faults()
    calls = sandbox.admin.requests()
    pages = [entry for entry in calls if entry["path"].endswith("/contracts")]
    assert len(pages) == len(calls) == CONTRACTS // 100
    most_at_once = max(entry["in_flight"] for entry in calls)
    assert 2 <= most_at_once <= 3
    assert [row[0] for row in rows] == _fabric_order(sandbox, pages)


def test_a_429_burst_slows_the_walk_and_it_still_completes(
    viewer_client, console_world, walk_organization, sandbox, settings, caplog
):
    settings.FABRIC_PAGE_CONCURRENCY = 4
    settings.FABRIC_RETRY_AFTER_CAP = 0.2
    response = viewer_client.get(_url(console_world, walk_organization))
    # The first page came with the answer; the next nine answers are 429s: more than one page's
    # retries, so the walk itself must wait and ask again.
    sandbox.admin.add_fault(path=ORGANIZATION_LIST_PATH, status=429, retry_after=1, times=9)
    with caplog.at_level(logging.WARNING, logger="contracts_ui.fabric"):
        rows = _rows(response)
    assert len(rows) == CONTRACTS
    assert len({row[-1] for row in rows}) == CONTRACTS  # each fabric id once
    refused = sandbox.admin.requests(path=ORGANIZATION_LIST_PATH)
    assert [entry["status"] for entry in refused].count(429) == 9
    assert f"fabric rate-limited account {ACCOUNT_A}" in caplog.text
    outcome = _export_record().outcome
    assert outcome.outcome == AuditOutcomeKind.SUCCEEDED
    assert outcome.message == f"{CONTRACTS} rows written"


def test_an_export_past_its_walk_deadline_ends_with_a_clear_message_and_a_failed_record(
    viewer_client, console_world, walk_organization, sandbox, settings
):
    settings.FABRIC_PAGE_CONCURRENCY = 2
    settings.FABRIC_WALK_DEADLINE_SECONDS = 0.5
    response = viewer_client.get(_url(console_world, walk_organization))
    # Nine more pages, two at a time, 250 ms each: the walk needs over a second, twice its time.
    sandbox.admin.add_fault(path=ORGANIZATION_LIST_PATH, latency_ms=250)
    text = b"".join(response.streaming_content).decode()
    last = text.splitlines()[-1]
    assert last.startswith("EXPORT INCOMPLETE,")
    assert "took longer than the 0.5 seconds the console allows for one long read" in last
    assert "of 1,000 rows had arrived" in last
    outcome = _export_record().outcome
    assert outcome.outcome == AuditOutcomeKind.FAILED
    assert outcome.message.startswith(
        "fabric failed midway (the 0.5-second deadline of a long read passed after "
    )


def test_an_excel_export_past_its_walk_deadline_says_so_in_its_last_row_and_fails_its_record(
    viewer_client, console_world, walk_organization, sandbox, settings
):
    settings.FABRIC_PAGE_CONCURRENCY = 2
    settings.FABRIC_WALK_DEADLINE_SECONDS = 0.5
    # The workbook is written before it is sent, so the walk runs inside the request: the
    # first page (before the walk's clock starts) and the nine after it take 250 ms each.
    sandbox.admin.add_fault(path=ORGANIZATION_LIST_PATH, latency_ms=250)
    response = viewer_client.get(_url(console_world, walk_organization, "xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    last = list(workbook["Contracts"].iter_rows(values_only=True))[-1]
    assert last[0] == "EXPORT INCOMPLETE"
    assert "took longer than the 0.5 seconds the console allows" in last[1]
    outcome = _export_record().outcome
    assert outcome.outcome == AuditOutcomeKind.FAILED
    assert outcome.message.startswith("fabric failed midway (the 0.5-second deadline")
