"""An account manager at work: find an organization's contracts, edit one, meet a conflict,
create, soft-delete and restore a contract, all in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from contracts_ui.models import AccountGrant, AccountRole
from tests.browser.conftest import type_date
from tests.conftest import fabric_headers

pytestmark = pytest.mark.browser

EDITOR = ("alice", "pw-alice-1")


def contract_path(contract: dict) -> str:
    """The stand-in's API path of a contract, for changes made behind the console's back."""
    return f"/data-customer/v1/organizations/{contract['partyId']}/contracts/{contract['_id']}"


def test_finds_filters_and_pages_an_organizations_contracts(
    console, page, new_organization, check_accessibility, screenshot
):
    statuses = ["ACTIVE"] * 12 + ["DRAFT"] * 3
    organization = new_organization(
        "Northwind", [{"status": status, "contractType": "FRAMEWORK"} for status in statuses]
    )
    # A second grant, so the account manager picks an account rather than landing in the only one.
    AccountGrant.objects.create(
        account=console.world.account_b, user=console.world.editor_a, role=AccountRole.VIEWER
    )
    console.log_in(page, *EDITOR)
    expect(page.get_by_role("heading", name="Your fabric accounts")).to_be_visible()
    check_accessibility(page, "account list")

    page.get_by_role("link", name="Acme Industrial").click()
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()
    check_accessibility(page, "organization list")
    page.get_by_label("Name contains").press_sequentially(organization.token)
    expect(page).to_have_url(re.compile(rf"name={organization.token}"))
    organizations = page.locator("#organization-browser tbody tr")
    expect(organizations).to_have_count(1)
    # The swap replaced the search box; the person typing there keeps the keyboard.
    expect(page.get_by_label("Name contains")).to_be_focused()
    check_accessibility(page, "organization list, searched")
    organizations.get_by_role("link", name=organization.name).click()

    expect(page.get_by_role("heading", name=organization.name)).to_be_visible()
    rows = page.locator("#contract-browser tbody tr")
    expect(rows).to_have_count(15)
    check_accessibility(page, "contract list")
    page.get_by_role("combobox", name="Rows per page").select_option("10")
    expect(rows).to_have_count(10)
    page.get_by_role("checkbox", name="Active", exact=True).check()
    expect(page).to_have_url(re.compile(r"status=ACTIVE"))
    expect(page.locator(".pager__summary")).to_contain_text("1–10 of 12")
    screenshot(page, "contract-browser")
    page.get_by_role("link", name="Next →").click()
    expect(rows).to_have_count(2)
    expect(page.locator(".pager__summary")).to_contain_text("11–12 of 12")
    expect(page).to_have_url(re.compile(r"page=2"))
    check_accessibility(page, "contract list, filtered, page 2")

    first = rows.first.get_by_role("link").first
    contract_id = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", name=f"Contract {contract_id}")).to_be_visible()
    check_accessibility(page, "contract page")


def test_edits_dates_status_and_price_list_and_sees_the_history(
    console, page, new_organization, check_accessibility, screenshot, page_problems
):
    organization = new_organization(
        "Contoso",
        [
            {
                "status": "DRAFT",
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
    dates = page.locator("#row-dates")

    page.get_by_role("link", name="Edit dates").click()
    start, end = page.get_by_label("Start date"), page.get_by_label("End date")
    expect(start).to_be_focused()
    screenshot(page, "contract-inline-edit")
    check_accessibility(page, "contract page, dates form open")

    # The browser refuses an end before the start without a round trip...
    type_date(start, "2026-06-01")
    type_date(end, "2026-05-01")
    page.get_by_role("button", name="Save").click()
    message = end.evaluate("input => input.validationMessage")
    assert message == "The end date must be after the start date."
    # ...and so does the server, for a browser that skips the check.
    page_problems.expect_status(422)
    dates.locator("form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Save").click()
    expect(dates.locator(".errorlist, .field-error")).to_contain_text(
        "The end date must be after the start date."
    )
    expect(page.get_by_label("End date")).to_be_focused()
    check_accessibility(page, "contract page, dates rejected")

    type_date(page.get_by_label("End date"), "2026-12-15")
    page.get_by_role("button", name="Save").click()
    expect(dates.get_by_role("status")).to_have_text("Saved")
    expect(dates).to_contain_text("2026-06-01 → 2026-12-15")
    expect(dates.get_by_role("link", name="Edit dates")).to_be_focused()

    page.get_by_role("link", name="Edit status").click()
    page.get_by_role("radio", name="Active", exact=True).check()
    page.get_by_role("button", name="Save").click()
    status = page.locator("#row-status")
    expect(status.get_by_role("status")).to_have_text("Saved")
    expect(status.locator(".badge")).to_have_text("Active")

    price_list = page.locator("#row-price-list")
    for entered, shown in (
        ("100000", "Contract 2025 EUR"),
        ("100001", "Contract 2025 USD"),
        ("", "none linked"),
    ):
        page.get_by_role("link", name="Edit price list").click()
        picker = page.get_by_role("combobox", name="Price list")
        picker.select_text()
        if entered:
            picker.press_sequentially(entered)
        else:
            picker.press("Delete")
        page.get_by_role("button", name="Save").click()
        expect(price_list.get_by_role("status")).to_have_text("Saved")
        expect(price_list).to_contain_text(shown)

    history = page.locator("#contract-history tbody tr")
    expect(history).to_have_count(5)
    expect(history.first).to_contain_text("Change price-list link")
    expect(page.locator("#contract-history")).to_contain_text("Change dates")
    check_accessibility(page, "contract page after edits, history shown")


def test_a_conflicting_change_is_shown_and_resolved(
    console, page, new_organization, sandbox, check_accessibility, page_problems
):
    organization = new_organization("Fabrikam", [{"status": "DRAFT", "contractType": "TYPE-A"}])
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
    page.get_by_role("link", name="Edit status").click()
    page.get_by_role("radio", name="Inactive", exact=True).check()

    theirs = sandbox.call(
        "PUT",
        contract_path(contract),
        headers=fabric_headers(sandbox),
        json={"status": "ACTIVE", "contractType": "SPOT"},
    )
    assert theirs.status == 200
    page_problems.expect_status(409)
    page.get_by_role("button", name="Save").click()

    row = page.locator("#row-status")
    expect(row.get_by_role("alert")).to_contain_text("Someone changed this contract")
    expect(row.locator(".conflict")).to_contain_text("SPOT")
    check_accessibility(page, "contract page, conflict shown")
    page.get_by_role("radio", name="Inactive", exact=True).check()
    page.get_by_role("button", name="Apply my change on top").click()
    expect(row.get_by_role("status")).to_have_text("Saved")
    expect(row.locator(".badge")).to_have_text("Inactive")

    stored = sandbox.call("GET", contract_path(contract), headers=fabric_headers(sandbox)).json
    assert (stored["status"], stored["contractType"]) == ("INACTIVE", "SPOT")


def test_creates_soft_deletes_and_restores_a_contract(
    console, page, new_organization, check_accessibility
):
    organization = new_organization("Wingtip")
    contract_id = f"{organization.token}-NEW"
    console.sign_in(page, console.world.editor_a)
    page.goto(
        console.url(
            "contract-list",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    expect(page.locator("#contract-browser .empty")).to_have_text(
        "No contract matches these filters."
    )
    check_accessibility(page, "contract list, empty")

    page.get_by_role("link", name="New contract").click()
    check_accessibility(page, "new contract form")
    page.get_by_label("Contract id").press_sequentially(contract_id)
    page.get_by_label("Contract type").press_sequentially("FRAMEWORK")
    page.get_by_role("combobox", name="Status").select_option("ACTIVE")
    type_date(page.get_by_label("Start date"), "2026-03-01")
    type_date(page.get_by_label("End date"), "2027-02-28")
    page.get_by_role("combobox", name="Price list").press_sequentially("100000")
    page.get_by_role("button", name="Create contract").click()
    expect(page.locator(".messages")).to_contain_text(f"Contract {contract_id} created.")
    expect(page.get_by_role("heading", name=f"Contract {contract_id}")).to_be_visible()

    page.get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("heading", name=f"Delete contract {contract_id}?")).to_be_visible()
    check_accessibility(page, "delete confirmation")
    page.get_by_role("button", name="Delete contract").click()
    expect(page.locator(".messages")).to_contain_text("deleted. It can be restored.")
    expect(page.locator(".page-head .badge--deleted")).to_have_text("Deleted")
    check_accessibility(page, "contract page, soft-deleted")

    page.get_by_role("link", name="Restore…").click()
    page.get_by_role("button", name="Restore contract").click()
    expect(page.locator(".messages")).to_contain_text(f"Contract {contract_id} restored.")
    expect(page.locator(".page-head .badge--deleted")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete…")).to_be_visible()
