"""fabric failing while an account manager works: each failure in its own words, with the next
step that helps (Retry that repeats the request, Reload when a save's outcome is unknown), and a
slow save that says it is still waiting."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_account_manager import contract_path
from tests.conftest import fabric_headers

pytestmark = pytest.mark.browser

CONTRACTS = r"/contracts$"  # the stand-in's path of an organization's contract list


@pytest.fixture
def no_breaker(quick):
    """Quick timeouts, and no circuit breaker: each fault here must reach fabric."""
    quick.FABRIC_BREAKER_FAILURES = 0
    return quick


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        pytest.param({"hang_s": 2}, 503, "Timed out: fabric did not answer in time.", id="timeout"),
        pytest.param(
            {"status": 503}, 503, "fabric is unavailable (503): it is down or overloaded.", id="503"
        ),
        pytest.param(
            {"status": 429, "retry_after": 2},
            503,
            "Rate limited: fabric is receiving too many requests. Wait 2 seconds, then retry.",
            id="429",
        ),
    ],
)
def test_a_failed_read_says_what_happened_and_retry_repeats_it(
    console, page, new_organization, sandbox, no_breaker, page_problems, fault, status, words
):
    organization = new_organization("Retry", [{"status": "ACTIVE"}, {"status": "DRAFT"}])
    console.sign_in(page, console.world.editor_a)
    page.goto(
        console.url(
            "contract-list",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    browser = page.locator("#contract-browser")
    expect(browser.locator("tbody tr")).to_have_count(2)

    page_problems.expect_status(status)
    sandbox.admin.add_fault(method="GET", path=CONTRACTS, **fault)
    page.get_by_role("checkbox", name="Active", exact=True).check()
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)  # one box for one failure, and not in the header
    expect(alert).to_contain_text(words)
    expect(page.locator(".page-head").get_by_role("alert")).to_have_count(0)

    sandbox.admin.clear_faults()
    alert.get_by_role("link", name="Retry").click()
    expect(browser.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("alert")).to_have_count(0)
    # The retried request was the failed one: the filter it carried is applied and in the URL.
    expect(page).to_have_url(re.compile(r"status=ACTIVE"))


def _open_status_edit(console, page, organization) -> None:
    console.sign_in(page, console.world.editor_a)
    page.goto(
        console.url(
            "contract-detail",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
            contract_id=organization.contracts[0]["_id"],
        )
    )
    page.get_by_role("link", name="Edit status").click()
    page.get_by_role("radio", name="Active", exact=True).check()


def test_a_slow_save_says_it_is_waiting_and_cannot_be_sent_twice(
    console, page, new_organization, sandbox, settings
):
    settings.FABRIC_READ_TIMEOUT = 8
    organization = new_organization("Slow save", [{"status": "DRAFT"}])
    contract = organization.contracts[0]
    _open_status_edit(console, page, organization)
    # A status change is a PUT through the organization (contracts_ui.services).
    sandbox.admin.add_fault(method="PUT", path=contract["_id"], latency_ms=4000)

    save = page.get_by_role("button", name="Save")
    save.click()
    waiting = page.locator("#row-status [data-save-waiting]")
    expect(waiting).to_contain_text("Still saving: fabric has not answered yet.")
    expect(save).to_be_disabled()
    row = page.locator("#row-status")
    expect(row.get_by_role("status")).to_have_text("Saved")
    expect(waiting).to_have_count(0)

    stored = sandbox.call("GET", contract_path(contract), headers=fabric_headers(sandbox)).json
    assert stored["status"] == "ACTIVE"
    assert len(sandbox.admin.requests(method="PUT", path=contract["_id"])) == 1


def test_a_save_with_unknown_outcome_offers_reload(
    console, page, new_organization, sandbox, no_breaker, page_problems
):
    organization = new_organization("Unknown outcome", [{"status": "DRAFT"}])
    contract = organization.contracts[0]
    _open_status_edit(console, page, organization)
    page_problems.expect_status(503)
    sandbox.admin.add_fault(method="PUT", path=contract["_id"], status=504)
    page.get_by_role("button", name="Save").click()

    alert = page.locator("#row-status").get_by_role("alert")
    expect(alert).to_contain_text("it may or may not have been applied")
    expect(alert.get_by_role("button", name="Retry")).to_have_count(0)
    sandbox.admin.clear_faults()
    alert.get_by_role("link", name="Reload").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#row-status .badge")).to_have_text("Draft")
    expect(page.get_by_role("link", name="Edit status")).to_be_visible()
