"""Finance and account managers' insight pages in a real browser: the contract timeline (with its
status-counts panel loaded by htmx) and the expiry radar, checked with axe and photographed."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VIEWER = ("fiona", "pw-fiona-1")


def test_timeline_of_an_organization(
    console, page, new_organization, check_accessibility, screenshot
):
    organization = new_organization(
        "Timeline",
        [
            {"status": "ACTIVE", "startDate": "2025-01-01", "endDate": "2025-07-01"},
            {"status": "ACTIVE", "startDate": "2025-06-01", "endDate": "2025-12-31"},
            {"status": "DRAFT", "startDate": "2025-08-01", "endDate": "2026-02-01"},
            {"status": "ACTIVE", "startDate": "2026-03-01", "endDate": "2027-03-01"},
            {"status": "INACTIVE", "startDate": "2024-05-01", "endDate": "2025-03-01"},
        ],
    )
    console.log_in(page, *VIEWER)
    page.goto(
        console.url(
            "contract-list",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    # The htmx panel replaces its fallback link with the counts.
    expect(page.locator("#status-counts [data-status='total'] dd")).to_have_text("5")
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()
    page.get_by_role("link", name="Timeline").click()
    expect(
        page.get_by_role("heading", name=f"Contract timeline: {organization.name}")
    ).to_be_visible()
    expect(page.locator(".timeline-bars a")).to_have_count(5)
    expect(page.locator("#timeline-overlaps li")).to_have_count(1)
    expect(page.locator("#timeline-gaps li")).to_have_count(1)
    check_accessibility(page, "contract timeline")
    screenshot(page, "contract-timeline")
    page.locator(".timeline-bars a").first.click()
    # Bars run in start order: the first is the INACTIVE contract of 2024.
    expect(page).to_have_url(re.compile(rf"/contracts/{organization.contracts[4]['_id']}/$"))


def test_expiry_radar_of_the_account(
    console, page, new_organization, check_accessibility, screenshot
):
    today = datetime.now(UTC).date()
    new_organization(
        "Radar",
        [
            {
                "status": "ACTIVE",
                "startDate": (today - timedelta(days=300)).isoformat(),
                "endDate": (today + timedelta(days=days)).isoformat(),
            }
            for days in (-12, 0, 9, 27, 44, 75, 120)
        ],
    )
    console.log_in(page, *VIEWER)
    page.get_by_role("link", name="Expiry radar").click()
    expect(page.get_by_role("heading", name="Expiry radar", exact=True)).to_be_visible()
    expect(page.locator(".radar-bucket")).to_have_count(4)
    # Account A is shared with the whole suite, so only the presence of both lists is certain;
    # tests/insight/test_radar.py checks exact buckets on an account of its own.
    expect(page.locator("#radar-upcoming")).to_be_visible()
    expect(page.locator("#radar-expired")).to_be_visible()
    check_accessibility(page, "expiry radar")
    screenshot(page, "expiry-radar")
