"""Keyboard-only use: tab order, a visible focus ring, Enter to save, Escape to cancel, focus
placed sensibly after every swap, and status changes announced to screen readers."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import type_date

pytestmark = pytest.mark.browser

EDITOR = ("alice", "pw-alice-1")
MAX_TABS = 60

FOCUSED = r"""() => {
  const element = document.activeElement;
  if (element === document.body) return null;
  const style = getComputedStyle(element);
  const label = element.labels && element.labels[0];
  const name = (element.getAttribute('aria-label') || (label && label.innerText)
                || element.innerText || element.value || '').replace(/\s+/g, ' ').trim();
  return {name, visibleRing: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
}"""


def tab_until(page, name: str) -> list[str]:
    """Press Tab until the element named `name` has focus; answer the names passed on the way."""
    passed = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:  # Tab left the page for the browser's own controls
            continue
        assert focused["visibleRing"], f"no visible focus ring on {focused['name']!r}"
        passed.append(focused["name"])
        if focused["name"] == name:
            return passed
    raise AssertionError(f"{name!r} not reached in {MAX_TABS} tabs; passed {passed}")


def tab_to_field(page, name: str) -> None:
    """Tab to a form field; a date input takes one Tab per part (day, month, year)."""
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == name:
            return
    raise AssertionError(f"Tab did not reach the field {name!r}")


def test_keyboard_only_log_in_edit_save_and_cancel(console, page, new_organization):
    organization = new_organization(
        "Keyboard",
        [
            {
                "status": "DRAFT",
                "startDate": "2026-02-01T00:00:00.000Z",
                "endDate": "2026-11-30T00:00:00.000Z",
            }
        ],
    )
    contract = organization.contracts[0]
    page.goto(console.base_url + "/login/")
    expect(page.get_by_label("Username")).to_be_focused()  # the login form starts there
    page.keyboard.type(EDITOR[0])
    page.keyboard.press("Tab")
    page.keyboard.type(EDITOR[1])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()

    page.goto(
        console.url(
            "contract-detail",
            account_id=console.world.account_a.account_id,
            organization_id=organization.id,
            contract_id=contract["_id"],
        )
    )
    passed = tab_until(page, "Edit dates")
    # Page order: skip link (shown when focused), top bar, then the contract's rows from the top.
    assert passed[0] == "Skip to content"
    assert passed.index("Audit log") < passed.index("Edit status") < passed.index("Edit dates")

    page.keyboard.press("Enter")
    start = page.get_by_label("Start date")
    expect(start).to_be_focused()
    tab_to_field(page, "end_date")
    end = page.get_by_label("End date")
    type_date(end, "2026-12-20")
    page.keyboard.press("Enter")

    dates = page.locator("#row-dates")
    expect(dates.get_by_role("status")).to_have_text("Saved")
    expect(dates).to_contain_text("2026-02-01 → 2026-12-20")
    edit_dates = dates.get_by_role("link", name="Edit dates")
    expect(edit_dates).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Saved")

    page.keyboard.press("Enter")
    expect(start).to_be_focused()
    tab_to_field(page, "end_date")
    type_date(end, "2027-01-31")
    page.keyboard.press("Escape")
    expect(dates.locator("form")).to_have_count(0)
    expect(dates).to_contain_text("2026-02-01 → 2026-12-20")
    expect(edit_dates).to_be_focused()
