"""Quick filters on an organization's contract table, and status counts that lead to it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def ending_in(days: int) -> str:
    day = datetime.now(UTC).date() + timedelta(days=days)
    return f"{day.isoformat()}T00:00:00.000Z"


def test_presets_narrow_the_table_and_counts_lead_to_it(
    console, page, new_organization, check_accessibility
):
    specs = [
        {"status": "ACTIVE", "endDate": ending_in(10)},
        {"status": "DRAFT", "endDate": ending_in(20)},
        {"status": "ACTIVE", "endDate": ending_in(45)},
        {"status": "ACTIVE", "endDate": ending_in(120)},
        {"status": "ACTIVE", "endDate": ending_in(-5)},
    ]
    organization = new_organization(
        "Presets", [spec | {"startDate": "2020-01-01T00:00:00.000Z"} for spec in specs]
    )
    ids = [contract["contractId"] for contract in organization.contracts]
    console.sign_in(page, console.world.editor_a)
    page.goto(
        console.url(
            "contract-list",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    rows = page.locator("#contract-browser tbody tr")
    expect(rows).to_have_count(5)
    quick = page.get_by_role("navigation", name="Quick filters")

    quick.get_by_role("link", name="Ending in 30 days").click()
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"end_from=\d{4}-\d\d-\d\d&end_to=\d{4}"))
    expect(quick.get_by_role("link", name="Ending in 30 days")).to_have_attribute(
        "aria-current", "true"
    )
    check_accessibility(page, "contract list, preset applied")

    quick.get_by_role("link", name="Ending in 60 days").click()
    expect(rows).to_have_count(3)
    expect(page.locator("#contract-browser table")).not_to_contain_text(ids[3])

    quick.get_by_role("link", name="Past end date, still active").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(ids[4])
    expect(page.get_by_role("checkbox", name="Active", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Draft", exact=True)).not_to_be_checked()

    # The status counts in the header lead to the table filtered by that status.
    page.get_by_role("link", name="Active contracts", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?status=ACTIVE$"))
    expect(rows).to_have_count(4)
    expect(page.locator("#contract-browser table")).not_to_contain_text(ids[1])


def test_several_statuses_at_once_with_htmx_and_without_javascript(
    console, page, chromium, new_organization, check_accessibility
):
    organization = new_organization(
        "Statuses",
        [{"status": "ACTIVE"}, {"status": "DRAFT"}, {"status": "INACTIVE"}, {"status": "ACTIVE"}],
    )
    url = console.url(
        "contract-list",
        account_id=console.world.account_a.account_id,
        organization_id=organization.id,
    )
    console.sign_in(page, console.world.editor_a)
    page.goto(url)
    rows = page.locator("#contract-browser tbody tr")
    expect(rows).to_have_count(4)
    statuses = page.get_by_role("group", name="Status")
    statuses.get_by_role("checkbox", name="Active", exact=True).check()
    expect(rows).to_have_count(2)
    statuses.get_by_role("checkbox", name="Draft", exact=True).check()
    expect(rows).to_have_count(3)
    expect(page).to_have_url(re.compile(r"status=ACTIVE&status=DRAFT"))
    expect(page.locator("#contract-browser tbody")).not_to_contain_text("Inactive")
    check_accessibility(page, "contract list, two statuses")
    statuses.get_by_role("checkbox", name="Active", exact=True).uncheck()
    expect(rows).to_have_count(1)
    expect(page).not_to_have_url(re.compile(r"status=ACTIVE"))

    # The same form without JavaScript: ticked boxes and Apply.
    context = chromium.new_context(java_script_enabled=False, locale="en-GB", timezone_id="UTC")
    try:
        plain = context.new_page()
        console.sign_in(plain, console.world.editor_a)
        plain.goto(url)
        group = plain.get_by_role("group", name="Status")
        group.get_by_role("checkbox", name="Active", exact=True).check()
        group.get_by_role("checkbox", name="Inactive", exact=True).check()
        plain.get_by_role("button", name="Apply").click()
        expect(plain).to_have_url(re.compile(r"status=ACTIVE&status=INACTIVE"))
        expect(plain.locator("#contract-browser tbody tr")).to_have_count(3)
    finally:
        context.close()
