"""An account manager changes many contracts at once: filter, select all matching, preview,
apply, and follow the job to its end while a real task worker applies it."""

import pytest
from playwright.sync_api import expect

from tests.bulk.conftest import Workers

pytestmark = pytest.mark.browser

EDITOR = ("alice", "pw-alice-1")


@pytest.fixture
def worker(sandbox, tmp_path, console):
    """One `manage.py db_worker` on the live server's database (transactional, as live_server)."""
    pool = Workers(sandbox, tmp_path, BULK_CONCURRENCY="4")
    yield pool
    pool.stop()


def test_extends_every_active_contract_of_a_filter(
    console, page, new_organization, check_accessibility, worker
):
    statuses = ["ACTIVE"] * 8 + ["DRAFT"] * 4
    organization = new_organization("Renewals", [{"status": status} for status in statuses])
    page.goto(console.base_url + "/login/")
    page.get_by_label("Username").press_sequentially(EDITOR[0])
    page.get_by_label("Password").press_sequentially(EDITOR[1])
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)

    page.goto(
        console.url(
            "contract-list",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
        )
    )
    rows = page.locator("#contract-browser tbody tr")
    expect(rows).to_have_count(12)
    page.get_by_role("checkbox", name="Active", exact=True).check()
    expect(rows).to_have_count(8)
    check_accessibility(page, "contract list with the bulk form")

    page.get_by_label("Select all 8 contracts matching this filter").check()
    page.get_by_role("combobox", name="Change").select_option("extend-end")
    page.get_by_label("Months").press_sequentially("12")
    page.get_by_role("button", name="Preview the change").click()

    expect(page.get_by_role("heading", name="Extend the end date by 12 months")).to_be_visible()
    items = page.locator("table.bulk-items tbody tr")
    expect(items).to_have_count(8)
    progress = page.get_by_role("region", name="Progress")
    expect(progress.get_by_text("Previewed, not applied")).to_be_visible()
    check_accessibility(page, "bulk preview")

    page.get_by_role("button", name="Apply to 8 contracts").click()
    expect(progress.get_by_text("Queued, waiting for a worker")).to_be_visible()
    check_accessibility(page, "bulk job queued")
    worker.start(1)
    # The page polls (htmx) until the job is over.
    expect(progress.get_by_text("Finished", exact=True)).to_be_visible(timeout=90_000)
    expect(progress.get_by_text("Done: 8")).to_be_visible()
    expect(page.locator('table.bulk-items tbody tr[data-outcome="done"]')).to_have_count(8)
    check_accessibility(page, "bulk job finished")

    page.get_by_role("link", name="All bulk jobs").click()
    expect(page.get_by_role("heading", name="Bulk jobs")).to_be_visible()
    check_accessibility(page, "bulk jobs")
