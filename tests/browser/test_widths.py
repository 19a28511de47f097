"""The table, the contract page and the audit page at a phone's, a small laptop's and a wide
screen's width: nothing clipped, axe finds nothing serious, and below 700 px the table's
filters fold behind "Filters (n active)" so the contracts come first."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_look import STICKING_OUT

pytestmark = pytest.mark.browser

EDITOR = ("alice", "pw-alice-1")
WIDTHS = (390, 1024, 1440)


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
    console.log_in(page, *EDITOR)
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
            check_accessibility(page, state)
            screenshot(page, f"{name}-{width}")


def test_filters_fold_on_a_phone(console, page, new_organization):
    organization = new_organization("Fold", [{"status": "ACTIVE"}, {"status": "DRAFT"}])
    console.log_in(page, *EDITOR)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(
        console.url(
            "contract-list",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    status = page.get_by_role("combobox", name="Status")
    rows = page.locator("#contract-browser tbody tr")
    expect(rows.first).to_be_in_viewport()
    expect(status).to_be_hidden()

    page.get_by_text("Filters (0 active)").click()
    expect(status).to_be_visible()
    status.select_option("ACTIVE")
    expect(rows).to_have_count(1)
    # Opened by the person, the filters stay open across the table's swap, and count.
    expect(page.get_by_text("Filters (1 active)")).to_be_visible()
    expect(status).to_be_visible()

    page.set_viewport_size({"width": 1024, "height": 800})
    expect(page.get_by_text("Filters (1 active)")).to_be_hidden()
    expect(status).to_be_visible()
