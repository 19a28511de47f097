"""Exports of an organization's contracts view as CSV and Excel: the header first, names and
typed cells, what the file is (About sheet, file name), paging, audit."""

import codecs
import csv
import io
import math
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from contracts_ui.models import AuditAction, AuditEvent, AuditOutcomeKind
from contracts_ui.spreadsheets import spreadsheet_cell
from contracts_ui.views.exports import COLUMNS
from tests.conftest import ACCOUNT_A, create_contract, fabric_headers

ORGANIZATION_LIST_PATH = r"/organizations/[0-9a-f]{24}/contracts$"
ACCOUNT_LIST_PATH = r"/v1/contracts$"


def _url(world, organization, file_format: str, **query) -> str:
    url = reverse(
        f"contracts_ui:contract-export-{file_format}",
        kwargs={"account_id": world.account_a.account_id, "organization_id": organization["_id"]},
    )
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def _csv_moment(value: str) -> str:
    """How the CSV writes a fabric timestamp: its UTC day at midnight, else day and time."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    if moment.time() == datetime.min.time():
        return moment.date().isoformat()
    return moment.replace(tzinfo=None).isoformat(" ", "seconds")


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
    statuses = (status,) if isinstance(status, str) else status
    rows = [
        row
        for row in _stand_in_contracts(sandbox, organization)
        if statuses is None or row["status"] in statuses
    ]
    # The stand-in breaks ties by _id in the sort's direction.
    rows.sort(key=lambda row: (row[sort], row["_id"]), reverse=order == "desc")
    return [row["_id"] for row in rows]


def _csv(response) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a CSV export: UTF-8 with a byte-order mark, the header first."""
    raw = b"".join(response.streaming_content)
    assert raw.startswith(codecs.BOM_UTF8)
    lines = list(csv.reader(io.StringIO(raw[len(codecs.BOM_UTF8) :].decode("utf-8"))))
    assert all(len(line) == len(lines[0]) for line in lines), "every row has every column"
    return lines[0], lines[1:]


def _xlsx(response) -> tuple[list[str], list[list], dict[str, str], object]:
    """(header, rows, About's lines, the data sheet) of an Excel export."""
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Contracts", "About"]
    sheet = workbook["Contracts"]
    lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    about = {
        row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True) if row and row[0]
    }
    return lines[0], lines[1:], about, sheet


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
    header, rows = _csv(response) if file_format == "csv" else _xlsx(response)[:2]
    assert tuple(header) == COLUMNS
    fabric_id = COLUMNS.index("fabric id")
    assert [row[fabric_id] for row in rows] == expected
    assert {row[COLUMNS.index("Status")] for row in rows} == {"ACTIVE"}
    assert len(rows) > 100, "the filtered view must span more than one fabric page"
    calls = sandbox.admin.request_count(method="GET", path=ORGANIZATION_LIST_PATH)
    assert calls == math.ceil(len(expected) / 100)
    # What the file is, in its name (CSV) or its About sheet (Excel).
    disposition = response["Content-Disposition"]
    assert re.search(
        rf'filename="contracts-export-partners-ag-status-active-sort-enddate-asc-'
        rf'\d{{8}}T\d{{6}}Z\.{file_format}"',
        disposition,
    ), disposition


def test_an_export_of_several_statuses_merges_their_lists_reading_each_row_once(
    viewer_client, console_world, export_organization, sandbox
):
    expected = _expected_ids(
        sandbox, export_organization, status=("ACTIVE", "INACTIVE"), sort="endDate", order="asc"
    )
    active = len(_expected_ids(sandbox, export_organization, status="ACTIVE"))
    sandbox.admin.clear_requests()
    response = viewer_client.get(
        _url(
            console_world,
            export_organization,
            "csv",
            status="ACTIVE&status=INACTIVE",
            sort="endDate",
            order="asc",
        )
    )
    assert response.status_code == 200
    _, rows = _csv(response)
    assert [row[COLUMNS.index("fabric id")] for row in rows] == expected
    assert {row[COLUMNS.index("Status")] for row in rows} == {"ACTIVE", "INACTIVE"}
    assert "-status-active-inactive-sort-enddate-asc-" in response["Content-Disposition"]
    # fabric's list takes one status: one walk per status, each page of it read once.
    calls = sandbox.admin.request_count(method="GET", path=ORGANIZATION_LIST_PATH)
    assert calls == math.ceil(active / 100) + math.ceil((len(expected) - active) / 100)


def test_the_excel_file_is_ready_for_sorting_and_filtering(
    viewer_client, console_world, export_organization, sandbox
):
    stand_in = {row["_id"]: row for row in _stand_in_contracts(sandbox, export_organization)}
    response = viewer_client.get(
        _url(console_world, export_organization, "xlsx", status="ACTIVE", sort="endDate")
    )
    header, rows, about, sheet = _xlsx(response)
    assert tuple(header) == COLUMNS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    column = {label: index for index, label in enumerate(COLUMNS)}
    for row in rows:
        record = stand_in[row[column["fabric id"]]]
        for label, field in (("Start date", "startDate"), ("End date", "endDate")):
            assert isinstance(row[column[label]], datetime)
            assert row[column[label]].date().isoformat() == record[field][:10]
        assert isinstance(row[column["Updated (UTC)"]], datetime)
        assert row[column["On contract"]] is record.get("onContract", False)
        assert row[column["Promotion stacking"]] is record.get("promotionStacking", False)
        assert row[column["Organization"]] == "Export Partners AG"
    widths = [sheet.column_dimensions[get_column_letter(i + 1)].width for i in range(len(COLUMNS))]
    assert widths[column["Organization"]] >= len("Export Partners AG")
    assert all(8 <= width <= 60 for width in widths)
    assert about["What"] == "Contracts of Export Partners AG"
    assert about["Filters"] == "Status: ACTIVE"
    assert about["Sort"] == "End date, descending"
    assert about["Account"] == f"Acme Industrial ({console_world.account_a.account_id})"
    assert about["Rows"] == str(len(rows))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", about["Generated at (UTC)"])
    assert about["Generated by"] == "fiona"


def test_names_columns_match_the_stand_in(
    viewer_client, console_world, export_organization, sandbox, fabric_world
):
    # Two contracts of their own organization, linked to the two price lists of the world.
    organization = sandbox.admin.create_organization(ACCOUNT_A, name="Zürich Métiers GmbH")
    for price_list in (fabric_world.price_list, fabric_world.other_price_list):
        create_contract(
            sandbox, organization["_id"], status="ACTIVE", priceListId=price_list["priceListId"]
        )
    create_contract(sandbox, organization["_id"], status="DRAFT")
    names = {
        fabric_world.price_list["priceListId"]: fabric_world.price_list["name"],
        fabric_world.other_price_list["priceListId"]: fabric_world.other_price_list["name"],
    }
    header, rows = _csv(viewer_client.get(_url(console_world, organization, "csv")))
    exported = [dict(zip(header, row, strict=True)) for row in rows]
    assert {row["Organization"] for row in exported} == {"Zürich Métiers GmbH"}
    assert {row["Organization id"] for row in exported} == {organization["_id"]}
    assert sorted((row["Price list id"], row["Price list"]) for row in exported) == sorted(
        [("", ""), *((str(key), name) for key, name in names.items())]
    )
    assert {row["On contract"] for row in exported} <= {"TRUE", "FALSE"}


def test_an_unfiltered_csv_matches_the_stand_in_field_by_field(
    editor_client, console_world, export_organization, sandbox
):
    stand_in = {row["_id"]: row for row in _stand_in_contracts(sandbox, export_organization)}
    sandbox.admin.clear_requests()
    response = editor_client.get(_url(console_world, export_organization, "csv"))
    header, rows = _csv(response)
    assert len(rows) == len(stand_in) == 250
    assert sandbox.admin.request_count(method="GET", path=ORGANIZATION_LIST_PATH) == 3
    exported = [dict(zip(header, row, strict=True)) for row in rows]
    assert [row["fabric id"] for row in exported] == _expected_ids(sandbox, export_organization)
    for row in exported:
        record = stand_in[row["fabric id"]]
        assert row["Status"] == record["status"]
        assert row["Organization id"] == record["partyId"]
        assert row["Organization"] == "Export Partners AG"
        assert row["Start date"] == _csv_moment(record["startDate"])
        assert row["End date"] == _csv_moment(record["endDate"])
        assert row["Contract id"].lstrip("'") == str(record["contractId"])


def test_a_search_is_exported_through_the_account_wide_list(
    viewer_client, console_world, export_organization, sandbox
):
    sandbox.admin.clear_requests()
    response = viewer_client.get(_url(console_world, export_organization, "csv", q="SUM"))
    _, rows = _csv(response)
    assert [row[0] for row in rows] == ["'=SUM(1+1)-insight"]
    assert "contract-id-contains-sum" in response["Content-Disposition"]
    assert sandbox.admin.request_count(method="GET", path=ACCOUNT_LIST_PATH) == 1


def test_formula_like_cells_are_defused_in_excel(viewer_client, console_world, export_organization):
    response = viewer_client.get(_url(console_world, export_organization, "xlsx", q="SUM"))
    _, rows, _, _ = _xlsx(response)
    assert rows[0][0] == "'=SUM(1+1)-insight"


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
    header, rows = _csv(response) if file_format == "csv" else _xlsx(response)[:2]
    row = dict(zip(header, rows[0], strict=True))
    assert row["Contract id"] == f"CTRL-\ufffd\ufffd\ufffd-{file_format}"
    assert row["Contract type"] == "'  =HYPERLINK(1)\ufffd"
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
