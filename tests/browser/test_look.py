"""The look: a layout that holds at laptop and phone widths, progress shown on every htmx request,
and no inline script or style anywhere (a strict Content-Security-Policy forbids them)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

EDITOR = ("alice", "pw-alice-1")
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# What sticks out to the right of the window, outside the boxes meant to scroll sideways.
STICKING_OUT = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
               && !e.closest('.table-wrap, .timeline-wrap'))
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.classList.value)"""


def assert_fits_width(page, state: str) -> None:
    """The page never scrolls sideways; wide tables scroll inside their own box."""
    assert page.evaluate(STICKING_OUT) == [], f"{state} is wider than {PHONE['width']}px"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
def test_pages_fit_a_phone_width(console, page, new_organization, check_accessibility, screenshot):
    organization = new_organization(
        "Phone", [{"status": "ACTIVE", "contractType": "FRAMEWORK"}, {"status": "DRAFT"}]
    )
    contract = organization.contracts[0]
    account_id = console.world.account_a.account_id
    console.log_in(page, *EDITOR)
    page.set_viewport_size(PHONE)

    pages = {
        "organization list": console.url("organization-list", account_id=account_id),
        "contract list": console.url(
            "contract-list", account_id=account_id, organization_id=organization.id
        ),
        "audit log": console.url("audit-list", account_id=account_id),
    }
    for state, url in pages.items():
        page.goto(url)
        assert_fits_width(page, state)
        check_accessibility(page, f"{state} at 390px")
    screenshot(page, "audit-log-narrow")

    page.goto(
        console.url(
            "contract-detail",
            account_id=account_id,
            organization_id=organization.id,
            contract_id=contract["_id"],
        )
    )
    page.get_by_role("link", name="Edit type and attributes").click()
    expect(page.get_by_label("Contract type")).to_be_focused()
    assert_fits_width(page, "contract page with an open form")
    check_accessibility(page, "contract page, details form open, at 390px")
    screenshot(page, "contract-inline-edit-narrow")


@pytest.mark.browser
def test_every_htmx_request_shows_progress(console, page, new_organization, sandbox):
    organization = new_organization("Slow", [{"status": "ACTIVE"}, {"status": "DRAFT"}])
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
    sandbox.admin.add_fault(method="GET", path="/contracts", latency_ms=1500)

    page.get_by_role("checkbox", name="Draft", exact=True).check()
    expect(page.locator("html")).to_have_class(re.compile(r"\bis-loading\b"))
    expect(browser).to_have_attribute("aria-busy", "true")
    expect(browser.locator(".spinner")).to_be_visible()

    expect(browser.locator("tbody tr")).to_have_count(1)
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bis-loading\b"))
    expect(browser.locator(".spinner")).to_be_hidden()


def test_templates_have_no_inline_script_or_style():
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|<style", path.read_text())
    ]
    assert not offenders, "\n".join(offenders)
