"""The price-list picker: a price list is found by typing part of its name, in the edit and
the create form; expired and deleted lists are not offered."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import type_date
from tests.browser.test_account_manager import contract_path
from tests.conftest import fabric_headers

pytestmark = pytest.mark.browser

YEAR = datetime.now(UTC).year


@pytest.fixture
def price_lists(sandbox, console, cold_cache, new_organization):
    """Three price lists named after a token no other test uses: current, expired, deleted."""
    token = new_organization("Token").token
    account = console.world.account_a.account_id
    make = sandbox.admin.create_price_list
    return {
        "current": make(
            account,
            name=f"Wholesale {token} GBP",
            currency="GBP",
            startDate=f"{YEAR}-01-01",
            endDate=f"{YEAR + 3}-12-31T00:00:00.000Z",
        ),
        "expired": make(
            account,
            name=f"Wholesale {token} old",
            startDate="2020-01-01",
            endDate="2020-12-31T00:00:00.000Z",
        ),
        "deleted": make(account, name=f"Wholesale {token} gone", deleted=True),
        "token": token,
    }


def test_a_price_list_is_picked_by_typing_part_of_its_name(
    console, page, new_organization, sandbox, price_lists, check_accessibility
):
    organization = new_organization("Picker", [{"status": "ACTIVE"}])
    contract = organization.contracts[0]
    current = price_lists["current"]
    console.sign_in(page, console.world.editor_a)
    page.goto(
        console.url(
            "contract-detail",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
            contract_id=contract["_id"],
        )
    )
    page.get_by_role("link", name="Edit price list").click()
    picker = page.get_by_role("combobox", name="Price list")
    picker.press_sequentially(f"sale {price_lists['token']}")
    options = page.get_by_role("listbox", name="Price lists").get_by_role("option")
    expect(options).to_have_count(1)  # the expired and the deleted list are not offered
    expect(options.first).to_contain_text(current["name"])
    expect(options.first).to_contain_text("GBP")
    expect(options.first).to_contain_text(f"{YEAR}-01-01 → {YEAR + 3}-12-31")
    expect(picker).to_have_attribute("aria-expanded", "true")
    check_accessibility(page, "price-list picker open")

    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(picker).to_have_value(str(current["priceListId"]))
    expect(page.locator(".combobox__picked")).to_contain_text(current["name"])
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#row-price-list").get_by_role("status")).to_have_text("Saved")
    expect(page.locator("#contract-price-lists")).to_contain_text(current["name"])

    stored = sandbox.call("GET", contract_path(contract), headers=fabric_headers(sandbox)).json
    assert [link["priceListId"] for link in stored["priceLists"]] == [current["priceListId"]]


def test_the_create_form_picks_a_price_list_too(
    console, page, new_organization, sandbox, price_lists
):
    organization = new_organization("Picker create")
    contract_id = f"{organization.token}-PL"
    current = price_lists["current"]
    console.sign_in(page, console.world.editor_a)
    page.goto(
        console.url(
            "contract-create",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    page.get_by_label("Contract id").press_sequentially(contract_id)
    type_date(page.get_by_label("Start date"), f"{YEAR}-03-01")
    type_date(page.get_by_label("End date"), f"{YEAR + 1}-02-28")
    page.get_by_role("combobox", name="Price list").press_sequentially(price_lists["token"])
    option = page.get_by_role("option", name=current["name"])
    option.click()
    expect(page.get_by_role("combobox", name="Price list")).to_have_value(
        str(current["priceListId"])
    )
    page.get_by_role("button", name="Create contract").click()
    expect(page.locator(".messages")).to_contain_text(f"Contract {contract_id} created.")

    listed = sandbox.call(
        "GET",
        f"/data-customer/v1/organizations/{organization.id}/contracts",
        headers=fabric_headers(sandbox),
    ).json
    created = next(item for item in listed["data"] if item["contractId"] == contract_id)
    assert [link["priceListId"] for link in created["priceLists"]] == [current["priceListId"]]
