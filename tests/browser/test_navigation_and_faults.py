"""Back and Forward after htmx filter changes, and fabric going away and coming back."""

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

UNAVAILABLE = re.compile(r"fabric (is )?unavailable")


def open_contract_list(console, page, organization) -> None:
    console.sign_in(page, console.world.editor_a)
    page.goto(
        console.url(
            "contract-list",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )


def test_back_and_forward_restore_each_filtered_state(console, page, new_organization):
    organization = new_organization(
        "Adventure Works", [{"status": "ACTIVE"}] * 12 + [{"status": "DRAFT"}] * 3
    )
    open_contract_list(console, page, organization)
    rows = page.locator("#contract-browser tbody tr")
    summary = page.locator(".pager__summary")
    status = page.get_by_role("checkbox", name="Active", exact=True)
    size = page.get_by_role("combobox", name="Rows per page")

    size.select_option("10")
    expect(summary).to_contain_text("1–10 of 15")
    status.check()
    expect(summary).to_contain_text("1–10 of 12")
    page.get_by_role("link", name="Next →").click()
    expect(summary).to_contain_text("11–12 of 12")

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"page=2"))
    expect(summary).to_contain_text("1–10 of 12")
    expect(status).to_be_checked()
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"status=ACTIVE"))
    expect(summary).to_contain_text("1–10 of 15")
    expect(status).not_to_be_checked()
    expect(size).to_have_value("10")
    page.go_forward()
    expect(summary).to_contain_text("1–10 of 12")
    expect(status).to_be_checked()
    page.go_forward()
    expect(summary).to_contain_text("11–12 of 12")
    expect(rows).to_have_count(2)
    # The restored page is the whole page, not a fragment swapped into the body.
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.locator("#contract-browser")).to_have_count(1)


def test_fabric_unavailable_is_explained_and_the_page_recovers(
    console, page, new_organization, sandbox, settings, check_accessibility, page_problems
):
    # A short cool-down, so the recovery needs no half-minute wait (the breaker is unchanged).
    settings.FABRIC_BREAKER_COOLDOWN = 1
    organization = new_organization("Litware", [{"status": "ACTIVE"}, {"status": "DRAFT"}])
    open_contract_list(console, page, organization)
    rows = page.locator("#contract-browser tbody tr")
    expect(rows).to_have_count(2)

    page_problems.expect_status(503)
    sandbox.admin.add_fault(status=503)
    page.get_by_role("checkbox", name="Active", exact=True).check()
    alert = page.locator("#contract-browser").get_by_role("alert")
    expect(alert).to_contain_text(UNAVAILABLE)
    expect(page.get_by_role("checkbox", name="Active", exact=True)).to_be_enabled()
    check_accessibility(page, "contract list, fabric unavailable")

    page.reload()
    expect(page.get_by_role("alert")).to_contain_text(UNAVAILABLE)
    expect(page.get_by_role("banner")).to_be_visible()
    check_accessibility(page, "contract list page, fabric unavailable")

    sandbox.admin.clear_faults()
    time.sleep(settings.FABRIC_BREAKER_COOLDOWN + 0.2)  # let the breaker try fabric again
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(page.locator("#contract-browser").get_by_role("alert")).to_have_count(0)
    page.reload()
    expect(rows).to_have_count(1)
    expect(page.get_by_role("alert")).to_have_count(0)
