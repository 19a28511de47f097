"""The account's audit page and its CSV export: who reads them, filters, paging, htmx, escaping."""

import codecs
import csv
import io
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts_ui.models import AuditAction, AuditEvent, AuditOutcomeKind
from contracts_ui.views.audit import EXPORT_COLUMNS
from tests.audit.conftest import record
from tests.conftest import ACCOUNT_B


def _page_url(world, **query) -> str:
    url = reverse("contracts_ui:audit-list", kwargs={"account_id": world.account_a.account_id})
    return _with_query(url, query)


def _export_url(world, **query) -> str:
    url = reverse("contracts_ui:audit-export", kwargs={"account_id": world.account_a.account_id})
    return _with_query(url, query)


def _with_query(url: str, query: dict) -> str:
    return f"{url}?{urlencode(query)}" if query else url


def _csv(response) -> tuple[list[str], list[dict[str, str]]]:
    """The header row and the rows as {column: value}; the file starts with a byte-order mark."""
    raw = b"".join(response.streaming_content)
    assert raw.startswith(codecs.BOM_UTF8)
    text = raw.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


@pytest.fixture
def mixed_ledger(console_world):
    """Five events of account A that differ in one filterable field each, and one of account B."""
    editor, viewer = console_world.editor_a, console_world.viewer_a
    return {
        "status": record(editor, summary="status change S1"),
        "dates": record(
            editor,
            action=AuditAction.CHANGE_DATES,
            summary="dates change S2",
            contract_ref="ref-2",
            contract_id="C-2",
        ),
        "rejected": record(
            viewer,
            outcome=AuditOutcomeKind.REJECTED,
            summary="rejected change S3",
            message="endDate must be after startDate",
            fabric_status=400,
        ),
        "pending": record(editor, outcome=None, summary="pending change S4"),
        "other_org": record(
            editor,
            organization_id=console_world.fabric.other_organization_a["_id"],
            summary="other org S5",
        ),
        "account_b": record(
            console_world.stranger, account_id=ACCOUNT_B, summary="account B change SB"
        ),
    }


def _summaries(response) -> set[str]:
    """The tags of the summaries of the events the page shows (one row per event)."""
    shown = re.findall(r'<tr id="audit-event-(\d+)">', response.content.decode())
    summaries = AuditEvent.objects.filter(pk__in=shown).values_list("summary", flat=True)
    return {
        tag for tag in ("S1", "S2", "S3", "S4", "S5", "SB") for s in summaries if s.endswith(tag)
    }


def test_a_viewer_reads_the_accounts_events_newest_first(
    viewer_client, console_world, mixed_ledger
):
    response = viewer_client.get(_page_url(console_world))
    assert response.status_code == 200
    html = response.content.decode()
    assert _summaries(response) == {"S1", "S2", "S3", "S4", "S5"}
    newest, oldest = mixed_ledger["other_org"], mixed_ledger["status"]
    assert html.index(f'id="audit-event-{newest.pk}"') < html.index(f'id="audit-event-{oldest.pk}"')
    assert "Outcome unknown (no answer recorded)" in html
    assert "endDate must be after startDate" in html
    assert "DRAFT" in html
    assert "ACTIVE" in html
    assert mixed_ledger["status"].request_id in html


def test_an_event_links_to_its_contract(viewer_client, console_world, mixed_ledger):
    contract_url = reverse(
        "contracts_ui:contract-detail",
        kwargs={
            "account_id": console_world.account_a.account_id,
            "organization_id": "org-1",
            "contract_id": "ref-2",
        },
    )
    assert f'href="{contract_url}"' in viewer_client.get(_page_url(console_world)).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user": "FION"}, {"S3"}),
        ({"organization": "Contoso B"}, {"S5"}),  # part of its name, any case
        ({"organization": "contoso builders"}, {"S5"}),
        ({"contract": "ref-2"}, {"S2"}),
        ({"contract": "C-2"}, {"S2"}),
        ({"action": AuditAction.CHANGE_DATES.value}, {"S2"}),
        ({"outcome": AuditOutcomeKind.REJECTED.value}, {"S3"}),
        ({"outcome": "pending"}, {"S4"}),
        ({"outcome": AuditOutcomeKind.SUCCEEDED.value}, {"S1", "S2", "S5"}),
    ],
)
def test_each_filter_narrows_the_rows(viewer_client, console_world, mixed_ledger, query, expected):
    response = viewer_client.get(_page_url(console_world, **query))
    assert response.status_code == 200
    assert _summaries(response) == expected


def test_the_organization_filter_takes_an_id(viewer_client, console_world, mixed_ledger):
    other = console_world.fabric.other_organization_a["_id"]
    assert _summaries(viewer_client.get(_page_url(console_world, organization=other))) == {"S5"}


def test_a_name_several_organizations_share_filters_by_all_of_them(
    viewer_client, console_world, sandbox
):
    editor, fabric_world = console_world.editor_a, console_world.fabric
    record(editor, organization_id=fabric_world.organization_a["_id"], summary="Northwind S1")
    record(editor, organization_id=fabric_world.other_organization_a["_id"], summary="Contoso S2")
    record(editor, organization_id="org-unnamed", summary="no such organization S3")
    # "Northwind Traders" and "Contoso Builders" both have "ers" in their names.
    response = viewer_client.get(_page_url(console_world, organization="ERS"))
    assert _summaries(response) == {"S1", "S2"}
    names = sandbox.admin.requests(method="GET", path=r"/v1/organizations$")
    assert "name=ERS" in names[0]["query"]


def test_a_name_no_organization_has_is_an_error_at_the_field(
    viewer_client, console_world, mixed_ledger
):
    response = viewer_client.get(_page_url(console_world, organization="zz-no-such-name"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No organization of this account has “zz-no-such-name” in its name." in html
    assert 'id="id_organization_error"' in html
    assert _summaries(response) == set()
    export = viewer_client.get(_export_url(console_world, organization="zz-no-such-name"))
    assert export.status_code == 400
    assert "zz-no-such-name" in export.content.decode()


def test_a_name_fabric_refuses_to_search_is_an_error_at_the_field(
    viewer_client, console_world, mixed_ledger, sandbox
):
    sandbox.admin.add_fault(method="GET", path=r"/v1/organizations$", status=400)
    response = viewer_client.get(_page_url(console_world, organization="Contoso"))
    assert response.status_code == 200
    assert "fabric cannot search organization names for this." in response.content.decode()
    assert _summaries(response) == set()


def test_rows_name_their_organizations_in_one_batched_read(
    viewer_client, console_world, sandbox, cold_cache
):
    editor, fabric_world = console_world.editor_a, console_world.fabric
    for n in range(6):
        organization = (fabric_world.organization_a, fabric_world.other_organization_a)[n % 2]
        record(editor, organization_id=organization["_id"], summary=f"row {n}")
    record(editor, organization_id="0" * 24, summary="an organization fabric does not know")
    viewer_client.get(_page_url(console_world, user="nobody"))  # token and grants, no rows
    sandbox.admin.clear_requests()
    html = viewer_client.get(_page_url(console_world)).content.decode()
    organizations = sandbox.admin.requests(method="GET", path=r"/v1/organizations(/[^/]+)?$")
    # The account's organization list, 100 a page: never one call per row or per organization.
    pages = sandbox.admin.requests(method="GET", path=r"/v1/organizations$")
    assert organizations == pages
    assert 1 <= len(pages) <= 10
    assert html.count(">Northwind Traders</a>") == 3
    assert html.count(">Contoso Builders</a>") == 3
    assert (
        f'<span class="audit__ref muted mono">{fabric_world.organization_a["_id"]}</span>' in html
    )
    assert f'<span class="mono">{"0" * 24}</span>' in html  # unnamed: the id alone
    sandbox.admin.clear_requests()
    viewer_client.get(_page_url(console_world))
    assert sandbox.admin.request_count(method="GET", path=r"/v1/organizations") == 0


def test_the_date_range_is_inclusive_in_utc(viewer_client, console_world, mixed_ledger):
    today = timezone.now().date()
    everything = {"S1", "S2", "S3", "S4", "S5"}
    day = today.isoformat()
    assert _summaries(viewer_client.get(_page_url(console_world, date_from=day))) == everything
    assert _summaries(viewer_client.get(_page_url(console_world, date_to=day))) == everything
    tomorrow = (today + timedelta(days=1)).isoformat()
    yesterday = (today - timedelta(days=1)).isoformat()
    assert _summaries(viewer_client.get(_page_url(console_world, date_from=tomorrow))) == set()
    assert _summaries(viewer_client.get(_page_url(console_world, date_to=yesterday))) == set()


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "not-a-date"},
        {"action": "contract.explode"},
        {"outcome": "maybe"},
        {"date_from": "2026-02-01", "date_to": "2026-01-01"},
        {"user": "x" * 200},
    ],
)
def test_invalid_filters_are_field_errors(viewer_client, console_world, mixed_ledger, query):
    response = viewer_client.get(_page_url(console_world, **query))
    assert response.status_code == 200
    html = response.content.decode()
    assert "field--invalid" in html
    assert _summaries(response) == set()


def test_invalid_filters_make_the_export_a_bad_request(viewer_client, console_world):
    response = viewer_client.get(_export_url(console_world, date_from="not-a-date"))
    assert response.status_code == 400
    assert "date_from" in response.content.decode()


def test_pages_hold_fifty_events_and_a_page_past_the_end_shows_the_last(
    viewer_client, console_world
):
    events = [record(console_world.editor_a, summary=f"bulk change #{n:02d}") for n in range(60)]
    first = viewer_client.get(_page_url(console_world)).content.decode()
    assert "1–50 of 60" in first
    assert f'id="audit-event-{events[59].pk}"' in first
    assert f'id="audit-event-{events[9].pk}"' not in first
    beyond = viewer_client.get(_page_url(console_world, page=99)).content.decode()
    assert "51–60 of 60" in beyond
    assert f'id="audit-event-{events[0].pk}"' in beyond


def test_the_page_costs_the_same_queries_for_5_and_60_events(viewer_client, console_world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert viewer_client.get(_page_url(console_world)).status_code == 200
        return len(captured.captured_queries)

    for _ in range(5):
        record(console_world.editor_a)
    queries()  # the session's first request renews it, a write later requests do not repeat
    few = queries()
    for _ in range(55):
        record(console_world.editor_a)
    assert queries() == few


def test_the_page_counts_its_events_without_joining_their_outcomes(viewer_client, console_world):
    # A join in the count made it five times slower at 100,000 records; the rows keep theirs.
    record(console_world.editor_a)
    with CaptureQueriesContext(connection) as captured:
        assert viewer_client.get(_page_url(console_world)).status_code == 200
    ledger_queries = [q["sql"] for q in captured if "contracts_ui_auditevent" in q["sql"]]
    counts = [sql for sql in ledger_queries if "COUNT(" in sql.upper()]
    assert len(counts) == 1
    assert "JOIN" not in counts[0].upper()
    assert any(
        "JOIN" in sql.upper() and "contracts_ui_auditoutcome" in sql for sql in ledger_queries
    )


def test_htmx_gets_only_the_audit_log_partial(viewer_client, console_world, mixed_ledger):
    response = viewer_client.get(
        _page_url(console_world, user="fion"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="audit-log"')
    assert _summaries(response) == {"S3"}


def test_the_page_offers_the_csv_with_the_current_filters(
    viewer_client, console_world, mixed_ledger
):
    html = viewer_client.get(_page_url(console_world, outcome="rejected")).content.decode()
    assert f'href="{_export_url(console_world, outcome="rejected")}"' in html


def test_hostile_values_are_escaped(viewer_client, console_world):
    record(
        console_world.editor_a,
        username="<script>alert('user')</script>",
        summary="<script>alert('summary')</script>",
        diff={"contractType": ["<b>old</b>", "<script>alert('diff')</script>"]},
    )
    html = viewer_client.get(_page_url(console_world)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;user&#x27;)" in html
    assert "&lt;b&gt;old&lt;/b&gt;" in html


def test_a_viewer_downloads_one_csv_row_per_event(viewer_client, console_world, mixed_ledger):
    response = viewer_client.get(_export_url(console_world))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith(
        f'attachment; filename="audit-{console_world.account_a.account_id}-'
    )
    header, rows = _csv(response)
    assert header == list(EXPORT_COLUMNS)
    assert len(rows) == 5
    by_summary = {row["Summary"]: row for row in rows}
    rejected = by_summary["rejected change S3"]
    assert rejected["Outcome"] == "Rejected by fabric"
    assert rejected["Action"] == "Change status"
    assert rejected["fabric status"] == "400"
    assert rejected["Message"] == "endDate must be after startDate"
    assert rejected["Record hash"] == mixed_ledger["rejected"].record_hash
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rejected["Time (UTC)"])
    assert by_summary["status change S1"]["Changes"] == '{"status":["DRAFT","ACTIVE"]}'
    assert by_summary["pending change S4"]["Outcome"] == "Outcome unknown (no answer recorded)"
    assert by_summary["pending change S4"]["Completed (UTC)"] == ""


def test_the_csv_name_says_which_filters(viewer_client, console_world, mixed_ledger):
    response = viewer_client.get(_export_url(console_world, outcome="rejected", user="fi"))
    assert re.search(
        r'filename="audit-\w{24}-user-fi-outcome-rejected-\d{8}T\d{6}Z\.csv"',
        response["Content-Disposition"],
    )
    header, rows = _csv(response)
    assert header[0] == "Time (UTC)"
    assert [row["Summary"] for row in rows] == ["rejected change S3"]


def test_the_csv_follows_the_filters(viewer_client, console_world, mixed_ledger):
    _, rows = _csv(viewer_client.get(_export_url(console_world, outcome="pending")))
    assert [row["Summary"] for row in rows] == ["pending change S4"]


def test_formula_like_values_are_neutralised_in_the_csv(viewer_client, console_world):
    record(
        console_world.editor_a,
        username="@admin",
        summary='=HYPERLINK("http://evil.example","click")',
    )
    _, [row] = _csv(viewer_client.get(_export_url(console_world)))
    assert row["Summary"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["User"] == "'@admin"


@pytest.mark.parametrize("url_name", ["contracts_ui:audit-list", "contracts_ui:audit-export"])
def test_a_user_without_a_grant_gets_404(client, console_world, mixed_ledger, url_name):
    client.force_login(console_world.stranger)
    url = reverse(url_name, kwargs={"account_id": console_world.account_a.account_id})
    assert client.get(url).status_code == 404


def _row(html: str, event: AuditEvent) -> str:
    return re.search(rf'<tr id="audit-event-{event.pk}">.*?</tr>', html, re.DOTALL).group(0)


def test_changes_read_with_field_labels_and_readable_dates(viewer_client, console_world):
    event = record(
        console_world.editor_a,
        action=AuditAction.CHANGE_DATES,
        summary="Change dates of contract C-1: endDate, startDate",
        diff={
            "endDate": ["2027-01-01T00:00:00.000Z", "2027-06-30T12:30:00.000Z"],
            "startDate": [None, "2026-01-01T00:00:00.000Z"],
            "onContract": [False, True],
        },
    )
    row = _row(viewer_client.get(_page_url(console_world)).content.decode(), event)
    assert '<span class="diff__field">End date</span>' in row
    assert '<span class="diff__field">Start date</span>' in row
    assert '<span class="diff__field">On contract</span>' in row
    assert ">2027-01-01<" in row
    assert ">2027-06-30 12:30 UTC<" in row
    assert ">No<" in row
    assert ">Yes<" in row
    assert "T00:00:00" not in row
    assert "endDate" not in row


def test_each_action_is_named_once_per_row(viewer_client, console_world):
    event = record(console_world.editor_a, summary="Change status of contract C-1: status")
    export = record(
        console_world.viewer_a,
        action=AuditAction.EXPORT,
        summary="Export of 3 contracts of Northwind as csv",
        diff={},
        message="3 rows written",
        contract_ref="",
        contract_id="",
    )
    html = viewer_client.get(_page_url(console_world)).content.decode()
    edit_row = _row(html, event)
    assert edit_row.count("Change status") == 1
    # An event about no contract (an export) has its summary say what was done.
    export_row = _row(html, export)
    assert "Export of 3 contracts of Northwind as csv" in export_row
    assert "3 rows written" in export_row


def test_a_failure_reads_in_words_with_the_detail_behind_a_disclosure(viewer_client, console_world):
    technical = "ReadTimeout fabric PUT /v1/organizations/org-1/contracts/ref-1 after 10.0 s"
    event = record(
        console_world.editor_a,
        outcome=AuditOutcomeKind.FAILED,
        message=technical,
        fabric_status=None,
        diff={},
    )
    row = _row(viewer_client.get(_page_url(console_world)).content.decode(), event)
    words = re.search(r'<p class="audit__message">(.*?)</p>', row).group(1)
    assert words == "fabric was unavailable or did not answer; nothing was changed."
    detail = re.search(r"<details class=\"audit__detail\">(.*?)</details>", row, re.DOTALL)
    assert "<summary>Technical detail</summary>" in detail.group(1)
    assert technical in detail.group(1)
    assert technical not in row.replace(detail.group(0), "")
