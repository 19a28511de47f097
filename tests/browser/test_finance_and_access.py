"""Finance reads without edit controls and takes the audit log away as CSV; a user without a grant
never reaches the account."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from contracts_ui.models import AuditAction
from tests.audit.conftest import record

pytestmark = pytest.mark.browser

FINANCE = ("fiona", "pw-fiona-1")
NO_GRANT_ON_A = ("bob", "pw-bob-1")


def test_finance_browses_read_only_reads_the_audit_log_and_downloads_it(
    console, page, new_organization, check_accessibility, screenshot
):
    organization = new_organization("Tailspin", [{"status": "ACTIVE", "contractType": "SPOT"}])
    contract = organization.contracts[0]
    editor = console.world.editor_a
    for action, summary, diff in (
        (
            AuditAction.CHANGE_DATES,
            f"Change dates of contract {contract['contractId']}: endDate",
            {"endDate": ["2027-01-01", "2027-06-30"]},
        ),
        (
            AuditAction.CHANGE_STATUS,
            f"Change status of contract {contract['contractId']}: status",
            {"status": ["DRAFT", "ACTIVE"]},
        ),
    ):
        record(
            editor,
            action=action,
            summary=summary,
            diff=diff,
            organization_id=organization.id,
            contract_ref=contract["_id"],
            contract_id=contract["contractId"],
        )

    console.log_in(page, *FINANCE)
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()
    page.get_by_label("Name contains").press_sequentially(organization.token)
    # Wait for the search's own swap: a click before it lands on a table about to be replaced.
    expect(page).to_have_url(re.compile(rf"name={organization.token}"))
    page.get_by_role("link", name=organization.name).click()
    expect(page.get_by_role("heading", name=organization.name)).to_be_visible()
    expect(page.get_by_role("link", name="New contract")).to_have_count(0)
    page.get_by_role("link", name=contract["contractId"]).click()

    expect(page.get_by_role("heading", name=f"Contract {contract['contractId']}")).to_be_visible()
    expect(page.locator("[data-edit-link]")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete…")).to_have_count(0)
    expect(page.locator("#contract-history tbody tr")).to_have_count(2)
    check_accessibility(page, "contract page, read-only")

    page.get_by_role("navigation", name="Account").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    events = page.locator("#audit-log tbody tr")
    expect(events).to_have_count(2)
    check_accessibility(page, "audit log")
    screenshot(page, "audit-log")
    page.get_by_role("combobox", name="Action").select_option(AuditAction.CHANGE_STATUS.value)
    expect(page).to_have_url(re.compile(r"action=contract\.status"))
    expect(events).to_have_count(1)
    check_accessibility(page, "audit log, filtered")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    # UTF-8 with a byte-order mark, the header first (tests/audit/test_audit_pages.py).
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["Action"] for row in rows] == [AuditAction.CHANGE_STATUS.label]
    assert rows[0]["Contract id"] == contract["contractId"]


def test_a_user_without_a_grant_cannot_reach_the_account(
    console, page, check_accessibility, page_problems
):
    page_problems.expect_status(404)
    console.log_in(page, *NO_GRANT_ON_A)
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Globex Retail")
    expect(page.get_by_text("Acme Industrial")).to_have_count(0)

    answer = page.goto(
        console.url("organization-list", account_id=console.world.account_a.account_id)
    )
    assert answer.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text("Acme Industrial")).to_have_count(0)
    check_accessibility(page, "not found")
