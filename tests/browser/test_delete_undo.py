"""Deleting a contract can be taken back at once: Undo in the "deleted" confirmation."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_account_manager import contract_path
from tests.conftest import fabric_headers

pytestmark = pytest.mark.browser


def test_delete_then_undo_restores_the_contract(
    console, page, new_organization, sandbox, check_accessibility
):
    organization = new_organization("Undo", [{"status": "ACTIVE"}])
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
    page.get_by_role("link", name="Delete…").click()
    page.get_by_role("button", name="Delete contract").click()
    expect(page.locator(".messages")).to_contain_text("deleted. It can be restored.")
    expect(page.locator("#contract-head-badges .badge--deleted")).to_have_text("Deleted")
    check_accessibility(page, "contract page, just deleted, with Undo")
    path = contract_path(contract) + "?includeDeleted=true"
    assert sandbox.call("GET", path, headers=fabric_headers(sandbox)).json["isDeleted"] is True

    page.get_by_role("button", name="Undo").click()
    expect(page.locator(".messages")).to_contain_text(
        f"Contract {contract['contractId']} restored."
    )
    expect(page.locator("#contract-head-badges .badge--deleted")).to_have_count(0)
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)
    assert sandbox.call("GET", path, headers=fabric_headers(sandbox)).json["isDeleted"] is False
