"""Dates typed digit by digit, as people type them, in every place the console asks for one.

Chromium's date field holds a valid date after each digit of the year ("2" is year 0002): a
filter must not apply it mid-typing, and an edit form must not reset the field, or take the
keyboard from it, while it is typed.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import type_date
from tests.browser.test_account_manager import contract_path
from tests.conftest import fabric_headers

pytestmark = pytest.mark.browser


def test_date_filters_apply_once_the_date_is_typed(console, page, new_organization):
    organization = new_organization(
        "Typed filters",
        [
            {"status": "ACTIVE", "endDate": "2026-03-31T00:00:00.000Z"},
            {"status": "ACTIVE", "endDate": "2027-06-30T00:00:00.000Z"},
            {"status": "ACTIVE", "endDate": "2028-09-30T00:00:00.000Z"},
        ],
    )
    early, middle, late = (contract["contractId"] for contract in organization.contracts)
    console.sign_in(page, console.world.editor_a)
    page.goto(
        console.url(
            "contract-list",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    table = page.locator("#contract-browser table")
    expect(table.locator("tbody tr")).to_have_count(3)

    type_date(page.get_by_label("Ends from"), "2027-01-01")
    expect(page).to_have_url(re.compile(r"end_from=2027-01-01"))
    expect(table.locator("tbody tr")).to_have_count(2)
    # The field kept what was typed; no request ever carried a half-typed year.
    expect(page.get_by_label("Ends from")).to_have_value("2027-01-01")

    type_date(page.get_by_label("Ends until"), "2027-12-31")
    expect(page).to_have_url(re.compile(r"end_to=2027-12-31"))
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(middle)
    expect(table).not_to_contain_text(early)
    expect(table).not_to_contain_text(late)
    assert "end_from=0" not in page.url
    assert "end_to=0" not in page.url


def open_contract_of_2026(console, page, new_organization, label: str) -> dict:
    """The editor, logged in, on the page of a new contract running through 2026."""
    organization = new_organization(
        label,
        [
            {
                "status": "ACTIVE",
                "startDate": "2026-01-01T00:00:00.000Z",
                "endDate": "2026-12-31T00:00:00.000Z",
            }
        ],
    )
    contract = organization.contracts[0]
    console.sign_in(page, console.world.editor_a)
    page.goto(
        console.url(
            "contract-detail",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
            contract_id=contract["_id"],
        )
    )
    return contract


def test_inline_dates_edit_takes_typed_dates(console, page, new_organization, sandbox):
    contract = open_contract_of_2026(console, page, new_organization, "Typed edit")
    page.get_by_role("link", name="Edit dates").click()
    type_date(page.get_by_label("Start date"), "2026-02-15")
    type_date(page.get_by_label("End date"), "2027-08-31")
    expect(page.get_by_label("End date")).to_have_value("2027-08-31")
    page.get_by_role("button", name="Save").click()
    dates = page.locator("#row-dates")
    expect(dates.get_by_role("status")).to_have_text("Saved")
    expect(dates).to_contain_text("2026-02-15 → 2027-08-31")

    stored = sandbox.call("GET", contract_path(contract), headers=fabric_headers(sandbox)).json
    assert stored["startDate"].startswith("2026-02-15")
    assert stored["endDate"].startswith("2027-08-31")


def test_create_form_takes_typed_dates(console, page, new_organization, sandbox):
    organization = new_organization("Typed create")
    contract_id = f"{organization.token}-TYPED"
    console.sign_in(page, console.world.editor_a)
    page.goto(
        console.url(
            "contract-create",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    page.get_by_label("Contract id").press_sequentially(contract_id)
    type_date(page.get_by_label("Start date"), "2026-03-01")
    type_date(page.get_by_label("End date"), "2027-02-28")
    expect(page.get_by_label("Start date")).to_have_value("2026-03-01")
    expect(page.get_by_label("End date")).to_have_value("2027-02-28")
    page.get_by_role("button", name="Create contract").click()
    expect(page.locator(".messages")).to_contain_text(f"Contract {contract_id} created.")

    listed = sandbox.call(
        "GET",
        f"/data-customer/v1/organizations/{organization.id}/contracts",
        headers=fabric_headers(sandbox),
    ).json
    created = next(item for item in listed["data"] if item["contractId"] == contract_id)
    assert created["startDate"].startswith("2026-03-01")
    assert created["endDate"].startswith("2027-02-28")


# The page's state at the first moment its own code can see the swapped-in dates form (a
# MutationObserver's callback runs before any timer or keystroke waiting behind the swap).
WATCH_DATES_FORM = """() => { window.datesFormShown = new Promise(resolve => {
  new MutationObserver((records, observer) => {
    if (!document.querySelector('#row-dates form')) return;
    observer.disconnect();
    resolve({
      focused: document.activeElement.name || document.activeElement.tagName,
      settled: !document.querySelector('.htmx-added, .htmx-settling'),
    });
  }).observe(document.body, {childList: true, subtree: true});
}); }"""


def test_an_edit_form_is_ready_the_moment_it_appears(console, page, new_organization, sandbox):
    """A person may type into End date as soon as the form shows. Its focus moving to the first
    field later (htmx's settle timer runs late on a busy machine) took the keyboard mid-year:
    End date was left at year 0002, the browser refused the save and never sent it."""
    contract = open_contract_of_2026(console, page, new_organization, "Ready form")
    page.evaluate(WATCH_DATES_FORM)
    page.get_by_role("link", name="Edit dates").click()
    assert page.evaluate("window.datesFormShown") == {"focused": "start_date", "settled": True}

    type_date(page.get_by_label("End date"), "2027-09-30")
    page.get_by_role("button", name="Save").click()
    dates = page.locator("#row-dates")
    expect(dates.get_by_role("status")).to_have_text("Saved")
    expect(dates).to_contain_text("2026-01-01 → 2027-09-30")
    stored = sandbox.call("GET", contract_path(contract), headers=fabric_headers(sandbox)).json
    assert stored["endDate"].startswith("2027-09-30")
