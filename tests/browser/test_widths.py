"""The table, the contract page and the audit page at a phone's, a small laptop's and a wide
screen's width: nothing clipped, axe finds nothing serious, and below 700 px the table's
filters fold behind "Filters (n active)" so the contracts come first."""

import pytest
from playwright.sync_api import expect

from contracts_ui.models import AuditAction, AuditOutcomeKind
from tests.audit.conftest import record
from tests.browser.test_look import STICKING_OUT

pytestmark = pytest.mark.browser

WIDTHS = (390, 1024, 1440)
# Content cut off where no scrolling shows it (the visually-hidden helper is cut by design).
CLIPPED = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => !e.closest('.visually-hidden'))
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .filter(e => { const s = getComputedStyle(e);
                 return ['hidden', 'clip'].includes(s.overflowX)
                   || s.textOverflow === 'ellipsis'; })
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.classList.value)"""
# Where the first row's contract id, status and end date sit: inside the window and inside
# the table's own box, without scrolling it.
KEY_CELLS = """() => {
  const wrap = document.querySelector('#contract-browser .table-wrap').getBoundingClientRect();
  const heads = [...document.querySelectorAll('#contract-browser thead th')];
  const row = document.querySelector('#contract-browser tbody tr');
  return ['Contract id', 'Status', 'End'].map(label => {
    const cell = row.children[heads.findIndex(h => h.textContent.trim().startsWith(label))];
    const box = cell.getBoundingClientRect();
    const right = Math.min(wrap.right, innerWidth);
    return [label, box.width > 0 && box.left >= wrap.left && box.right <= right];
  });
}"""
MINOR_SHOWN = """() => [...document.querySelectorAll('#contract-browser .col-minor')]
  .filter(e => e.getBoundingClientRect().width > 0).length"""


def test_pages_at_each_width(console, page, new_organization, check_accessibility, screenshot):
    organization = new_organization(
        "Widths",
        [
            {"status": "ACTIVE", "contractType": "FRAMEWORK", "priceListId": 100000},
            {"status": "DRAFT", "contractType": "SPOT"},
        ],
    )
    contract = organization.contracts[0]
    account_id = console.world.account_a.account_id
    # The audit page and the contract's history with rows: a change of dates and a refusal
    # with a long message, in an organization the page names.
    for outcome, diff, message in (
        (
            AuditOutcomeKind.SUCCEEDED,
            {"endDate": ["2026-12-31T00:00:00.000Z", "2027-12-31T00:00:00.000Z"]},
            "",
        ),
        (AuditOutcomeKind.REJECTED, {}, "endDate must be after startDate; " * 6),
    ):
        record(
            console.world.editor_a,
            action=AuditAction.CHANGE_DATES,
            outcome=outcome,
            organization_id=organization.id,
            contract_ref=contract["_id"],
            contract_id=contract["contractId"],
            diff=diff,
            message=message,
            fabric_status=200 if message == "" else 400,
        )
    console.sign_in(page, console.world.editor_a)
    pages = {
        "contract-table": console.url(
            "contract-list", account_id=account_id, organization_id=organization.id
        ),
        "contract-page": console.url(
            "contract-detail",
            account_id=account_id,
            organization_id=organization.id,
            contract_id=contract["_id"],
        ),
        "audit-page": console.url("audit-list", account_id=account_id),
    }
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in pages.items():
            page.goto(url)
            state = f"{name} at {width}px"
            assert page.evaluate(STICKING_OUT) == [], f"{state}: something sticks out"
            assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
            assert page.evaluate(CLIPPED) == [], f"{state}: something is cut off"
            if name == "audit-page":
                expect(page.locator(".audit--log")).to_contain_text(organization.name)
            if name == "contract-table":
                kept = [["Contract id", True], ["Status", True], ["End", True]]
                assert page.evaluate(KEY_CELLS) == kept, state
                # Below 700 px the lesser columns give way; from there up they are all shown.
                assert (page.evaluate(MINOR_SHOWN) == 0) is (width < 700), state
            check_accessibility(page, state)
            screenshot(page, f"{name}-{width}")


def test_filters_fold_on_a_phone(console, page, new_organization):
    organization = new_organization("Fold", [{"status": "ACTIVE"}, {"status": "DRAFT"}])
    console.sign_in(page, console.world.editor_a)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(
        console.url(
            "contract-list",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    status = page.get_by_role("checkbox", name="Active", exact=True)
    rows = page.locator("#contract-browser tbody tr")
    expect(rows.first).to_be_in_viewport()
    expect(status).to_be_hidden()

    page.get_by_text("Filters (0 active)").click()
    expect(status).to_be_visible()
    status.check()
    expect(rows).to_have_count(1)
    # Opened by the person, the filters stay open across the table's swap, and count.
    expect(page.get_by_text("Filters (1 active)")).to_be_visible()
    expect(status).to_be_visible()

    page.set_viewport_size({"width": 1024, "height": 800})
    expect(page.get_by_text("Filters (1 active)")).to_be_hidden()
    expect(status).to_be_visible()
