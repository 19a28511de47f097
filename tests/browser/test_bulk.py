"""An account manager changes many contracts at once: filter, select all matching, preview,
apply, and follow the job to its end while a real task worker applies it."""

from datetime import UTC, datetime, timedelta

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


def test_a_radar_bucket_is_selected_and_its_price_list_picked(
    console, page, new_organization, sandbox, check_accessibility, cold_cache
):
    """cold_cache: the new price list is not hidden behind a list cached by another test."""
    today = datetime.now(UTC).date()
    ending = {
        "status": "ACTIVE",
        "startDate": (today - timedelta(days=200)).isoformat(),
        "endDate": (today + timedelta(days=12)).isoformat(),
    }
    organization = new_organization("Radar renewals", [ending] * 3 + [{"status": "DRAFT"}])
    price_list = sandbox.admin.create_price_list(
        console.world.account_a.account_id,
        name=f"Renewal {organization.token} EUR",
        currency="EUR",
        startDate=f"{today.year}-01-01",
        endDate=f"{today.year + 2}-12-31T00:00:00.000Z",
    )
    page.goto(console.base_url + "/login/")
    page.get_by_label("Username").press_sequentially(EDITOR[0])
    page.get_by_label("Password").press_sequentially(EDITOR[1])
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    radar = console.url("expiry-radar", account_id=console.world.account_a.account_id)
    page.goto(f"{radar}?organization={organization.id}")

    page.get_by_role("link", name="Select these 3 contracts for a bulk change").click()
    selection = page.get_by_role("region", name="Select the contracts ending in 0–30 days")
    expect(selection.get_by_text("These 3 contracts are selected.")).to_be_visible()
    # Swapped in below the buckets, its own address pushed for Back and reload.
    expect(page.get_by_role("heading", name="Expiry radar", exact=True)).to_be_visible()
    page.wait_for_url("**/expiry-radar/0-30/bulk/**")
    check_accessibility(page, "radar bucket selected for a bulk change")

    page.get_by_role("combobox", name="Change").select_option("set-price-list")
    picker = page.get_by_role("combobox", name="Price list")
    picker.press_sequentially(f"renewal {organization.token}")
    option = page.get_by_role("option", name=price_list["name"])
    expect(option).to_contain_text("EUR")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(picker).to_have_value(str(price_list["priceListId"]))
    check_accessibility(page, "bulk form with the price-list picker")
    page.get_by_role("button", name="Preview the change").click()

    heading = f"Link price list #{price_list['priceListId']}"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    items = page.locator("table.bulk-items tbody tr")
    expect(items).to_have_count(3)
    expect(items.filter(has_text=f"→ {price_list['priceListId']}")).to_have_count(3)
    expect(page.get_by_text("the expiry radar's bucket: 0–30 days")).to_be_visible()
    check_accessibility(page, "bulk preview of a radar bucket")
