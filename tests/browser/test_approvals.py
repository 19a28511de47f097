"""Four eyes in a real browser: alice proposes deactivating a contract with a reason; carol,
another editor of the account, approves it from her pending approvals; fabric then holds the
contract INACTIVE and its history names both of them and the reason."""

import pytest
from playwright.sync_api import expect

from tests.approvals.conftest import approvers  # noqa: F401 (a fixture this module uses)
from tests.conftest import fabric_headers

pytestmark = pytest.mark.browser

REASON = "Customer closed its account in November"


def log_in(page, console, username: str, password: str) -> None:
    page.goto(console.base_url + "/login/")
    page.get_by_label("Username").press_sequentially(username)
    page.get_by_label("Password").press_sequentially(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_a_deactivation_is_proposed_then_approved_by_another_editor(
    console,
    page,
    new_organization,
    sandbox,
    check_accessibility,
    screenshot,
    approvers,  # noqa: F811
):
    organization = new_organization("Tailspin", [{"status": "ACTIVE", "contractType": "FRAME"}])
    contract = organization.contracts[0]
    contract_url = console.url(
        "contract-detail",
        account_id=console.world.account_a.account_id,
        organization_id=organization.id,
        contract_id=contract["_id"],
    )

    log_in(page, console, "alice", "pw-alice-1")
    page.goto(contract_url)
    page.get_by_role("link", name="Edit status").click()
    page.get_by_role("radio", name="Inactive", exact=True).check()
    page.get_by_label("Reason for the approver").press_sequentially(REASON)
    check_accessibility(page, "status form asking for a reason")
    page.get_by_role("button", name="Save").click()
    row = page.locator("#row-status")
    expect(row.get_by_role("status")).to_contain_text("Proposed for approval")
    expect(row.locator(".badge")).to_have_text("Active")
    expect(page.locator("[data-open-proposal]")).to_contain_text(REASON)
    check_accessibility(page, "contract page with its proposal waiting")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: "/login/" in url)

    log_in(page, console, "carol", "pw-carol-1")
    page.goto(contract_url)
    pending = page.get_by_role("link", name="Pending approvals 1")
    expect(pending).to_be_visible()
    pending.click()
    expect(page.get_by_role("heading", name="Pending approvals", exact=True)).to_be_visible()
    expect(page.locator("table.proposals").first).to_contain_text(REASON)
    screenshot(page, "approvals-pending")
    check_accessibility(page, "pending approvals")

    page.locator("table.proposals").first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Proposal")).to_contain_text(contract["contractId"])
    page.get_by_label("Comment").press_sequentially("Confirmed with the customer")
    screenshot(page, "approval-proposal")
    check_accessibility(page, "a proposal, decision form")
    page.get_by_role("button", name="Approve and apply").click()
    expect(page.get_by_role("status").first).to_contain_text("approved and applied")
    expect(page.locator(".badge--proposal-approved")).to_have_text("Approved and applied")
    check_accessibility(page, "a proposal, approved")

    path = f"/data-customer/v1/organizations/{organization.id}/contracts/{contract['_id']}"
    stored = sandbox.call("GET", path, headers=fabric_headers(sandbox)).json
    assert stored["status"] == "INACTIVE"

    page.goto(contract_url)
    history = page.locator("#contract-history")
    expect(history.locator("tbody tr")).to_have_count(3)
    expect(history).to_contain_text(f"Reason: {REASON}")
    rows = history.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("carol")  # the write
    expect(rows.nth(0)).to_contain_text("Change status")
    expect(rows.nth(1)).to_contain_text("carol")  # the decision
    expect(rows.nth(1)).to_contain_text("Approve a proposed change")
    expect(rows.nth(1)).to_contain_text("by alice")
    expect(rows.nth(2)).to_contain_text("alice")  # the proposal, with the reason
    expect(rows.nth(2)).to_contain_text("Propose a change for approval")
    expect(page.locator("[data-open-proposal]")).to_have_count(0)
    check_accessibility(page, "contract page, history of the approved change")
