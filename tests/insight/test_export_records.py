"""Each export's ledger record tells what became of the file: complete with its rows, or failed.
A cross-site request for an export is refused before anything is written; no export is cached."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from contracts_ui.models import AuditAction, AuditEvent, AuditOutcomeKind
from tests.insight.test_exports import ORGANIZATION_LIST_PATH


def _contracts_url(world, organization, file_format: str) -> str:
    return reverse(
        f"contracts_ui:contract-export-{file_format}",
        kwargs={"account_id": world.account_a.account_id, "organization_id": organization["_id"]},
    )


def _audit_url(world) -> str:
    return reverse("contracts_ui:audit-export", kwargs={"account_id": world.account_a.account_id})


def _only_export() -> AuditEvent:
    return AuditEvent.objects.select_related("outcome").get()


def test_a_csv_export_that_fabric_fails_midway_is_recorded_as_failed(
    viewer_client, console_world, export_organization, sandbox
):
    response = viewer_client.get(_contracts_url(console_world, export_organization, "csv"))
    # The first page came with the answer; every page after it fails.
    sandbox.admin.add_fault(path=ORGANIZATION_LIST_PATH, status=503)
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[-1].startswith("EXPORT INCOMPLETE,")
    outcome = _only_export().outcome
    assert outcome.outcome == AuditOutcomeKind.FAILED
    assert outcome.message.startswith("fabric failed midway")
    assert outcome.message.endswith("after 100 rows")


def test_an_excel_export_that_fails_to_be_written_is_recorded_as_failed(
    viewer_client, console_world, export_organization, monkeypatch
):
    save = Workbook.save

    def disk_full(self, filename):
        save(self, io.BytesIO())  # what openpyxl cleans up as it saves, cleaned up
        raise OSError("No space left on device")

    monkeypatch.setattr(Workbook, "save", disk_full)
    with pytest.raises(OSError, match="No space left"):
        viewer_client.get(_contracts_url(console_world, export_organization, "xlsx"))
    outcome = _only_export().outcome
    assert outcome.outcome == AuditOutcomeKind.FAILED
    assert outcome.message == "the console failed to write the file (OSError) after 250 rows"


def test_a_download_stopped_midway_is_recorded_as_failed(
    viewer_client, console_world, export_organization
):
    response = viewer_client.get(_contracts_url(console_world, export_organization, "csv"))
    next(response.streaming_content)
    # The server closes the stream when the client goes away. Closed through the test client's
    # own wrapper (the response's iterator), which keeps the test's database connection open.
    response._iterator.close()
    outcome = _only_export().outcome
    assert outcome.outcome == AuditOutcomeKind.FAILED
    assert outcome.message.startswith("the download stopped after")


def test_a_complete_audit_export_is_recorded_with_its_rows(viewer_client, console_world):
    first = viewer_client.get(_audit_url(console_world))
    assert b"".join(first.streaming_content).decode().count("\n") == 1  # the header only
    second = viewer_client.get(_audit_url(console_world))
    rows = b"".join(second.streaming_content).decode().splitlines()[1:]
    # The ledger as it stood when the export began: the first export, not the second.
    assert len(rows) == 1
    assert AuditAction.EXPORT_AUDIT.label in rows[0]
    earlier, latest = AuditEvent.objects.select_related("outcome").order_by("id")
    assert (earlier.outcome.message, latest.outcome.message) == ("0 rows written", "1 rows written")
    assert latest.action == AuditAction.EXPORT_AUDIT
    assert latest.outcome.outcome == AuditOutcomeKind.SUCCEEDED


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "audit"])
def test_a_cross_site_export_is_refused_and_writes_nothing(
    viewer_client, console_world, export_organization, file_format
):
    url = (
        _audit_url(console_world)
        if file_format == "audit"
        else _contracts_url(console_world, export_organization, file_format)
    )
    response = viewer_client.get(url, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert not AuditEvent.objects.exists()
    same_site = viewer_client.get(url, headers={"Sec-Fetch-Site": "same-origin"})
    assert same_site.status_code == 200
    assert "no-store" in same_site["Cache-Control"]
    b"".join(same_site.streaming_content)
    assert AuditEvent.objects.count() == 1
