"""Finance and account managers' insight pages in a real browser: the contract timeline (with its
status-counts panel loaded by htmx), the expiry radar and its buckets, an Excel export opened,
and the audit log at laptop widths; checked with axe and photographed."""

import io
import re
from datetime import UTC, datetime, timedelta
from html import escape

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from contracts_ui.models import AuditAction, AuditOutcomeKind
from tests.audit.conftest import record
from tests.insight.conftest import busy_organization_specs

pytestmark = pytest.mark.browser

VIEWER = ("fiona", "pw-fiona-1")
# Elements inside `root` whose content is wider than their box: clipped, or scrolled sideways.
CLIPPED = """root => Array.from(document.querySelectorAll(root + ', ' + root + ' *'))
  .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth)
  .map(e => `${e.tagName}.${e.className} ${e.scrollWidth} > ${e.clientWidth}`)"""


def test_timeline_of_an_organization(
    console, page, new_organization, check_accessibility, screenshot
):
    organization = new_organization(
        "Timeline",
        [
            {"status": "ACTIVE", "startDate": "2025-01-01", "endDate": "2025-07-01"},
            {"status": "ACTIVE", "startDate": "2025-06-01", "endDate": "2025-12-31"},
            {"status": "DRAFT", "startDate": "2025-08-01", "endDate": "2026-02-01"},
            {"status": "ACTIVE", "startDate": "2026-03-01", "endDate": "9999-12-31"},
            {"status": "INACTIVE", "startDate": "2024-05-01", "endDate": "2025-03-01"},
        ],
    )
    console.sign_in(page, console.world.viewer_a)
    page.goto(
        console.url(
            "contract-list",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    # The htmx panel replaces its fallback link with the counts.
    expect(page.locator("#status-counts [data-status='total'] dd")).to_have_text("5")
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()
    page.get_by_role("link", name="Timeline").click()
    expect(
        page.get_by_role("heading", name=f"Contract timeline: {organization.name}")
    ).to_be_visible()
    expect(page.locator(".timeline-bars a")).to_have_count(5)
    expect(page.locator(".timeline-bar--open")).to_have_count(1)
    expect(page.locator("#timeline-overlaps li")).to_have_count(1)
    expect(page.locator("#timeline-gaps li")).to_have_count(1)
    check_accessibility(page, "contract timeline")
    # Bars run in start order: the first is the INACTIVE contract of 2024. Reached by keyboard.
    first_bar = page.locator(".timeline-bars a").first
    first_bar.focus()
    page.keyboard.press("Tab")
    expect(page.locator(".timeline-bars a").nth(1)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(first_bar).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/contracts/{organization.contracts[4]['_id']}/$"))


def test_a_busy_timeline_stays_short_and_every_bar_can_be_clicked(
    console, page, new_organization, check_accessibility, screenshot
):
    # 36 contracts, 189 overlapping pairs: the organization that made a 10,000 px page.
    organization = new_organization(
        "Busy",
        [
            {"status": status, "startDate": start, "endDate": end}
            for status, start, end in busy_organization_specs()
        ],
    )
    console.sign_in(page, console.world.viewer_a)
    page.goto(
        console.url(
            "contract-timeline",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    expect(page.get_by_role("heading", name="Overlapping active contracts (189)")).to_be_visible()
    expect(page.locator("#timeline-overlaps > ul > li")).to_have_count(5)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"the page is {height} px tall"
    # Nothing sits over a bar: the element at each bar's centre is that bar.
    bars = page.locator(".timeline-bar")
    expect(bars).to_have_count(36)
    hit = page.evaluate(
        """() => Array.from(document.querySelectorAll('.timeline-bar')).filter(bar => {
             bar.scrollIntoView({block: 'center'});
             const box = bar.getBoundingClientRect();
             const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
             return top === bar;
           }).length"""
    )
    assert hit == 36
    page.get_by_text("Show all 189 overlapping pairs").click()
    expect(page.locator("#timeline-overlaps li")).to_have_count(189)
    page.get_by_text("Show all 189 overlapping pairs").click()
    page.evaluate("document.querySelector('.timeline-wrap').scrollTop = 0; window.scrollTo(0, 0)")
    page.mouse.move(0, 0)  # no bar left in its hover state for the picture
    check_accessibility(page, "busy contract timeline")
    screenshot(page, "contract-timeline")


def test_expiry_radar_buckets_open_their_contracts(
    console, page, new_organization, check_accessibility, screenshot
):
    today = datetime.now(UTC).date()
    organization = new_organization(
        "Radar",
        [
            {
                "status": "ACTIVE",
                "startDate": (today - timedelta(days=300)).isoformat(),
                "endDate": (today + timedelta(days=days)).isoformat(),
            }
            for days in (-12, 0, 9, 27, 44, 75, 120)
        ],
    )
    console.log_in(page, *VIEWER)
    page.get_by_role("link", name="Expiry radar").click()
    expect(page.get_by_role("heading", name="Expiry radar", exact=True)).to_be_visible()
    expect(page.locator(".radar-bucket")).to_have_count(4)
    # Account A is shared with the whole suite, so only this organization's counts are certain;
    # tests/insight/test_radar.py checks exact buckets on an account of its own.
    # The organization list of the select holds the first 100 by name, and the shared account
    # has more by now: the radar is opened for this one as a bookmark would.
    page.goto(
        console.url("expiry-radar", account_id=console.world.account_a.account_id)
        + f"?organization={organization.id}"
    )
    expect(page.get_by_label("Organization")).to_have_value(organization.id)
    counts = page.locator(".radar-bucket__count")
    expect(counts).to_have_text(["3", "1", "1", "1"])
    expect(page.locator("#radar-expired tbody tr")).to_have_count(1)
    check_accessibility(page, "expiry radar of one organization")
    screenshot(page, "expiry-radar")
    page.locator("[data-bucket='0-30'] .radar-bucket__link").click()
    expect(page.get_by_role("heading", name=organization.name)).to_be_visible()
    expect(page.locator("#contract-browser tbody tr")).to_have_count(3)


def test_an_excel_export_opens_ready_to_sort(console, page, new_organization, screenshot):
    organization = new_organization(
        "Ledger Café",
        [
            {
                "status": status,
                "contractType": kind,
                "startDate": start,
                "endDate": end,
                "priceListId": 100000 if euro else 100001,
            }
            for status, kind, start, end, euro in (
                ("ACTIVE", "FRAMEWORK", "2025-01-01", "2026-12-31", True),
                ("ACTIVE", "SPOT", "2026-02-01", "2026-08-01", False),
                ("DRAFT", "FRAMEWORK", "2027-01-01", "2027-12-31", True),
                ("INACTIVE", "SPOT", "2024-01-01", "2024-12-31", False),
            )
        ],
    )
    console.sign_in(page, console.world.viewer_a)
    page.goto(
        console.url(
            "contract-list",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Export Excel").click()
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = workbook["Contracts"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["Contract id", "Organization"]
    assert sheet.freeze_panes == "A2"
    assert {row[1] for row in rows[1:]} == {organization.name}
    # The file as a spreadsheet shows it: the first rows as a table, the About sheet below. On a
    # blank page of its own, outside the console and its Content-Security-Policy.
    page.goto("about:blank")
    page.set_content(_spreadsheet_html(download.value.suggested_filename, sheet, workbook["About"]))
    screenshot(page, "export-excel")


def _cell(value) -> str:
    if isinstance(value, bool):
        return f'<td class="b">{str(value).upper()}</td>'
    if isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else str(value)
        return f'<td class="n">{text}</td>'
    if isinstance(value, int):
        return f'<td class="n">{value}</td>'
    return f"<td>{escape(str(value or ''))}</td>"


def _spreadsheet_html(filename: str, sheet, about) -> str:
    widths = [sheet.column_dimensions[chr(65 + i)].width for i in range(sheet.max_column)]
    columns = "".join(f'<col style="width:{w * 7}px">' for w in widths)
    head, *body = list(sheet.iter_rows(values_only=True))[:12]
    header = "".join(f"<th>{escape(label)} ▾</th>" for label in head)
    rows = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in body)
    about_rows = "".join(
        f"<tr><th>{escape(str(a or ''))}</th><td>{escape(str(b or ''))}</td></tr>"
        for a, b in about.iter_rows(values_only=True)
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
      body {{ font: 13px system-ui, sans-serif; margin: 16px; background: #f3f3f3; }}
      h1 {{ font-size: 15px; }} h2 {{ font-size: 13px; margin-top: 20px; }}
      .sheet {{ overflow: hidden; background: #fff; border: 1px solid #bbb; }}
      table {{ border-collapse: collapse; table-layout: fixed; }}
      th, td {{ border: 1px solid #d4d4d4; padding: 3px 6px; white-space: nowrap;
               overflow: hidden; text-overflow: ellipsis; }}
      thead th {{ background: #e6efe6; position: sticky; top: 0; text-align: left;
                 border-bottom: 2px solid #7a9a7a; }}
      td.n {{ text-align: right; }} td.b {{ text-align: center; }}
      .about th {{ text-align: left; background: #f7f7f7; }}
    </style></head><body>
      <h1>{escape(filename)} — sheet “{sheet.title}” (header frozen, filter on every column)</h1>
      <div class="sheet"><table><colgroup>{columns}</colgroup><thead><tr>{header}</tr></thead>
      <tbody>{rows}</tbody></table></div>
      <h2>Sheet “About”</h2><table class="about">{about_rows}</table>
    </body></html>"""


@pytest.mark.parametrize("width", [1024, 1440])
def test_the_audit_log_is_not_clipped_at_laptop_widths(
    console, page, new_organization, check_accessibility, screenshot, width
):
    organization = new_organization("Audit", [{"status": "ACTIVE"}])
    contract = organization.contracts[0]
    editor = console.world.editor_a
    common = {
        "organization_id": organization.id,
        "contract_ref": contract["_id"],
        "contract_id": contract["contractId"],
    }
    record(
        editor,
        action=AuditAction.CHANGE_DATES,
        summary=f"Change dates of contract {contract['contractId']}: endDate, startDate",
        diff={
            "endDate": ["2027-01-01T00:00:00.000Z", "2027-06-30T00:00:00.000Z"],
            "startDate": ["2026-01-01T00:00:00.000Z", "2026-02-01T08:30:00.000Z"],
        },
        **common,
    )
    record(
        editor,
        action=AuditAction.CHANGE_DETAILS,
        summary=f"Change attributes of contract {contract['contractId']}",
        diff={"additionalAttributes": [{"region": "north"}, {"region": "north-east-and-beyond"}]},
        **common,
    )
    record(
        editor,
        outcome=AuditOutcomeKind.UNKNOWN,
        fabric_status=None,
        diff={},
        message="ReadTimeout fabric PUT /v1/organizations/"
        + organization.id
        + "/contracts/"
        + contract["_id"]
        + " after 10.0 s (HTTPSConnectionPool read timed out)",
        **common,
    )
    page.set_viewport_size({"width": width, "height": 900})
    console.sign_in(page, console.world.viewer_a)
    page.goto(console.url("audit-list", account_id=console.world.account_a.account_id))
    expect(page.locator("#audit-log tbody tr")).to_have_count(3)
    page.get_by_text("Technical detail").click()
    expect(page.get_by_text("ReadTimeout fabric PUT")).to_be_visible()
    assert page.evaluate(CLIPPED, "#audit-log") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check_accessibility(page, f"audit log at {width} px")
    screenshot(page, f"audit-log-{width}")
