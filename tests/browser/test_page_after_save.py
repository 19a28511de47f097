"""After any save, every place on the contract page that shows the changed data is current:
the header's badges, the Price lists card and the Record card's updated time are swapped in
with the saved row (htmx out-of-band), so the page never contradicts itself."""

from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import type_date
from tests.browser.test_account_manager import contract_path
from tests.conftest import fabric_headers

pytestmark = pytest.mark.browser


def stored(sandbox, contract: dict) -> dict:
    return sandbox.call("GET", contract_path(contract), headers=fabric_headers(sandbox)).json


def expect_record_current(page, sandbox, contract: dict) -> dict:
    """The Record card shows the updated time fabric stored for the save just made."""
    now = stored(sandbox, contract)
    updated = datetime.fromisoformat(now["updatedAt"].replace("Z", "+00:00"))
    expect(page.locator("#contract-record [data-updated]")).to_have_text(
        updated.strftime("%Y-%m-%d %H:%M:%S UTC")
    )
    return now


def save_and_wait(page, row_id: str) -> None:
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#{row_id}").get_by_role("status")).to_have_text("Saved")


def test_every_place_is_current_after_each_edit_type(
    console, page, new_organization, sandbox, check_accessibility
):
    organization = new_organization(
        "Current page", [{"status": "DRAFT", "contractType": "SPOT", "priceListId": 100000}]
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
    head = page.locator("#contract-head-badges")
    card = page.locator("#contract-price-lists")
    expect(head).to_have_text("Draft")
    expect(card).to_contain_text("Contract 2025 EUR")

    # Status: the header's badge follows the row.
    page.get_by_role("link", name="Edit status").click()
    page.get_by_role("radio", name="Active", exact=True).check()
    save_and_wait(page, "row-status")
    expect(head).to_have_text("Active")
    assert expect_record_current(page, sandbox, contract)["status"] == "ACTIVE"

    # Dates.
    page.get_by_role("link", name="Edit dates").click()
    type_date(page.get_by_label("End date"), "2027-09-30")
    save_and_wait(page, "row-dates")
    assert expect_record_current(page, sandbox, contract)["endDate"].startswith("2027-09-30")

    # Price list: the Price lists card lists the new link, by name.
    page.get_by_role("link", name="Edit price list").click()
    field = page.get_by_role("combobox", name="Price list")
    field.select_text()
    field.press_sequentially("100001")
    save_and_wait(page, "row-price-list")
    expect(card).to_contain_text("Contract 2025 USD")
    expect(card).not_to_contain_text("Contract 2025 EUR")
    links = expect_record_current(page, sandbox, contract)["priceLists"]
    assert [link["priceListId"] for link in links] == [100001]

    # Flags.
    page.get_by_role("link", name="Edit flags").click()
    page.get_by_label("Promotion stacking").click()
    save_and_wait(page, "row-flags")
    expect_record_current(page, sandbox, contract)

    # Type and attributes.
    page.get_by_role("link", name="Edit type and attributes").click()
    contract_type = page.get_by_label("Contract type")
    contract_type.select_text()
    contract_type.press_sequentially("FRAMEWORK")
    save_and_wait(page, "row-details")
    assert expect_record_current(page, sandbox, contract)["contractType"] == "FRAMEWORK"
    expect(head).to_have_text("Active")
    check_accessibility(page, "contract page after every kind of save")
