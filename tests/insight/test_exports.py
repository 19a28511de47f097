"""Exports of an organization's contracts view as CSV and Excel: rows, metadata, paging, audit."""

import csv
import io
import math
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from contracts_ui.models import AuditAction, AuditEvent, AuditOutcomeKind
from contracts_ui.spreadsheets import spreadsheet_cell
from tests.conftest import ACCOUNT_A, create_contract, fabric_headers

ORGANIZATION_LIST_PATH = r"/organizations/[0-9a-f]{24}/contracts$"
ACCOUNT_LIST_PATH = r"/v1/contracts$"


def _url(world, organization, file_format: str, **query) -> str:
    url = reverse(
        f"contracts_ui:contract-export-{file_format}",
        kwargs={"account_id": world.account_a.account_id, "organization_id": organization["_id"]},
    )
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def _stand_in_contracts(sandbox, organization) -> list[dict]:
    """Every contract of the organization, read straight from the stand-in."""
    rows, offset = [], 0
    while True:
        response = sandbox.call(
            "GET",
            f"/data-customer/v1/organizations/{organization['_id']}/contracts",
            headers=fabric_headers(sandbox),
            params={"offset": offset, "limit": 100},
        )
        rows += response.json["data"]
        offset += 100
        if offset >= response.json["query"]["count"]:
            return rows


def _expected_ids(sandbox, organization, *, status=None, sort="updatedAt", order="desc"):
    rows = [
        row for row in _stand_in_contracts(sandbox, organization) if status in (None, row["status"])
    ]
    # The stand-in breaks ties by _id in the sort's direction.
    rows.sort(key=lambda row: (row[sort], row["_id"]), reverse=order == "desc")
    return [row["_id"] for row in rows]


def _csv(response) -> tuple[dict[str, str], list[str], list[list[str]]]:
    """(metadata, header, rows) of a CSV export."""
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    blank = lines.index([])
    metadata = {line[0]: line[1] for line in lines[:blank]}
    return metadata, lines[blank + 1], lines[blank + 2 :]


def _xlsx(response) -> tuple[dict[str, str], list[str], list[list]]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Contracts"]
    lines = [
        [cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)
    ]
    blank = lines.index([])
    metadata = {line[0]: line[1] for line in lines[:blank]}
    return metadata, lines[blank + 1], lines[blank + 2 :]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_it_exports_every_row_of_a_filtered_view_fetching_each_page_once(
    viewer_client, console_world, export_organization, sandbox, file_format
):
    expected = _expected_ids(
        sandbox, export_organization, status="ACTIVE", sort="endDate", order="asc"
    )
    sandbox.admin.clear_requests()
    response = viewer_client.get(
        _url(
            console_world,
            export_organization,
            file_format,
            status="ACTIVE",
            sort="endDate",
            order="asc",
        )
    )
    assert response.status_code == 200
    metadata, header, rows = (_csv if file_format == "csv" else _xlsx)(response)
    assert header[:4] == ["_id", "contractId", "organizationId", "status"]
    assert [row[0] for row in rows] == expected
    assert {row[3] for row in rows} == {"ACTIVE"}
    assert len(rows) > 100, "the filtered view must span more than one fabric page"
    calls = sandbox.admin.request_count(method="GET", path=ORGANIZATION_LIST_PATH)
    assert calls == math.ceil(len(expected) / 100)
    assert metadata["Account"] == f"Acme Industrial ({console_world.account_a.account_id})"
    assert metadata["Organization"] == f"Export Partners AG ({export_organization['_id']})"
    assert metadata["Filters"] == "Status: ACTIVE"
    assert metadata["Sort"] == "End date, ascending"
    assert metadata["Rows"] == str(len(expected))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", metadata["Generated at (UTC)"])


def test_an_unfiltered_csv_matches_the_stand_in_field_by_field(
    editor_client, console_world, export_organization, sandbox
):
    stand_in = {row["_id"]: row for row in _stand_in_contracts(sandbox, export_organization)}
    sandbox.admin.clear_requests()
    response = editor_client.get(_url(console_world, export_organization, "csv"))
    _, header, rows = _csv(response)
    assert len(rows) == len(stand_in) == 250
    assert sandbox.admin.request_count(method="GET", path=ORGANIZATION_LIST_PATH) == 3
    assert [row[0] for row in rows] == _expected_ids(sandbox, export_organization)
    for row in rows:
        record, exported = stand_in[row[0]], dict(zip(header, row, strict=True))
        assert exported["status"] == record["status"]
        assert exported["organizationId"] == record["partyId"]
        assert exported["startDate"] == record["startDate"]
        assert exported["endDate"] == record["endDate"]
        assert exported["contractId"].lstrip("'") == str(record["contractId"])


def test_a_search_is_exported_through_the_account_wide_list(
    viewer_client, console_world, export_organization, sandbox
):
    sandbox.admin.clear_requests()
    response = viewer_client.get(_url(console_world, export_organization, "csv", q="SUM"))
    metadata, _, rows = _csv(response)
    assert [row[1] for row in rows] == ["'=SUM(1+1)-insight"]
    assert metadata["Filters"] == "Contract id contains: SUM"
    assert sandbox.admin.request_count(method="GET", path=ACCOUNT_LIST_PATH) == 1


def test_formula_like_cells_are_defused_in_excel(viewer_client, console_world, export_organization):
    response = viewer_client.get(_url(console_world, export_organization, "xlsx", q="SUM"))
    _, _, rows = _xlsx(response)
    assert rows[0][1] == "'=SUM(1+1)-insight"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_it_is_recorded_in_the_audit_ledger(
    viewer_client, console_world, export_organization, file_format
):
    response = viewer_client.get(_url(console_world, export_organization, file_format))
    b"".join(response.streaming_content)
    event = AuditEvent.objects.select_related("outcome").get()
    assert event.action == AuditAction.EXPORT
    assert event.username == "fiona"
    assert event.organization_id == export_organization["_id"]
    assert event.request_sent["format"] == file_format
    assert event.outcome.outcome == AuditOutcomeKind.SUCCEEDED
    assert event.outcome.message == "250 rows written"
    audit_page = viewer_client.get(
        reverse(
            "contracts_ui:audit-list", kwargs={"account_id": console_world.account_a.account_id}
        )
    )
    assert "Export contracts" in audit_page.content.decode()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_user_without_a_grant_cannot_export(
    client, console_world, export_organization, sandbox, file_format
):
    client.force_login(console_world.stranger)
    sandbox.admin.clear_requests()
    response = client.get(_url(console_world, export_organization, file_format))
    assert response.status_code == 404
    assert sandbox.admin.request_count(path=ORGANIZATION_LIST_PATH) == 0
    assert not AuditEvent.objects.exists()


def test_invalid_filters_are_a_400_without_a_file(
    viewer_client, console_world, export_organization
):
    response = viewer_client.get(_url(console_world, export_organization, "csv", status="NOPE"))
    assert response.status_code == 400
    assert "status" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_the_contracts_page_links_the_exports_of_its_own_view(
    viewer_client, console_world, export_organization
):
    page = reverse(
        "contracts_ui:contract-list",
        kwargs={
            "account_id": console_world.account_a.account_id,
            "organization_id": export_organization["_id"],
        },
    )
    html = viewer_client.get(page + "?status=ACTIVE&sort=endDate").content.decode()
    assert 'export.csv?status=ACTIVE&amp;sort=endDate"' in html
    assert 'export.xlsx?status=ACTIVE&amp;sort=endDate"' in html
    assert re.search(r"Export CSV <span class=\"muted\">\(\d+ rows\)</span>", html)


def test_fabric_down_is_a_503_without_a_file_or_an_audit_record(
    viewer_client, console_world, export_organization, sandbox
):
    sandbox.admin.add_fault(path=ORGANIZATION_LIST_PATH, status=503)
    response = viewer_client.get(_url(console_world, export_organization, "xlsx"))
    assert response.status_code == 503
    assert response.content.decode().startswith("fabric: ")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_control_characters_in_a_contract_do_not_break_its_export(
    viewer_client, console_world, sandbox, file_format
):
    # Regression: openpyxl refused the cell, so the organization's Excel export answered 500
    # for every user, after the ledger had recorded it as succeeded.
    organization = sandbox.admin.create_organization(ACCOUNT_A, name="Control Characters Ltd")
    create_contract(
        sandbox,
        organization["_id"],
        contractId=f"CTRL-\x00\x01\x1b-{file_format}",
        contractType="  =HYPERLINK(1)\x0b",
    )

    response = viewer_client.get(_url(console_world, organization, file_format))

    assert response.status_code == 200
    _, header, rows = _csv(response) if file_format == "csv" else _xlsx(response)
    row = dict(zip(header, rows[0], strict=False))
    assert row["contractId"] == f"CTRL-\ufffd\ufffd\ufffd-{file_format}"
    assert row["contractType"] == "'  =HYPERLINK(1)\ufffd"
    event = AuditEvent.objects.select_related("outcome").get()
    assert event.outcome.outcome == AuditOutcomeKind.SUCCEEDED


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("   =1+1", "'   =1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("\t@SUM(A1)", "'\t@SUM(A1)"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
        ("\u3000+1", "'\u3000+1"),
        ("-5", "'-5"),
        ("a\x00b\x1fc", "a\ufffdb\ufffdc"),
        ("plain = text", "plain = text"),
        (None, ""),
    ],
)
def test_a_cell_never_begins_a_formula_nor_holds_what_xlsx_refuses(value, cell):
    assert spreadsheet_cell(value) == cell
