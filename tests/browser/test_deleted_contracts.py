"""Soft-deleted contracts are not lost: "Show deleted" lists them with Restore, and the
lookup finds them, marked."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_show_deleted_then_restore_and_the_lookup_finds_them(
    console, page, new_organization, check_accessibility
):
    organization = new_organization("Deleted", [{"status": "ACTIVE"}, {"status": "DRAFT"}])
    gone, kept = organization.contracts
    account_id = console.world.account_a.account_id
    console.sign_in(page, console.world.editor_a)
    page.goto(
        console.url(
            "contract-delete",
            account_id=account_id,
            organization_id=organization.id,
            contract_id=gone["_id"],
        )
    )
    page.get_by_role("button", name="Delete contract").click()
    expect(page.locator(".messages")).to_contain_text("deleted. It can be restored.")

    page.goto(console.url("contract-lookup", account_id=account_id) + f"?q={organization.token}")
    deleted = page.locator("[data-deleted-contract]")
    expect(deleted).to_have_count(1)
    expect(deleted).to_contain_text(gone["contractId"])
    expect(deleted.locator(".badge--deleted")).to_have_text("Deleted")
    expect(page.locator("#lookup-results .contracts tbody tr").first).to_contain_text(
        kept["contractId"]
    )

    page.goto(console.url("contract-list", account_id=account_id, organization_id=organization.id))
    rows = page.locator("#contract-browser table.contracts").first.locator("tbody tr")
    expect(rows).to_have_count(1)
    page.get_by_label("Show deleted").check()
    expect(deleted).to_have_count(1)
    expect(page).to_have_url(re.compile(r"deleted=on"))
    check_accessibility(page, "contract list with deleted contracts shown")

    deleted.get_by_role("button", name="Restore").click()
    expect(page.locator(".messages")).to_contain_text(f"Contract {gone['contractId']} restored.")
    page.goto(console.url("contract-list", account_id=account_id, organization_id=organization.id))
    expect(page.locator("#contract-browser tbody tr")).to_have_count(2)
