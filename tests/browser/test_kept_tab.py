"""The suite's kept tab (`KeptTab`): what one test leaves in it never reaches the next."""

import pytest

from tests.browser.conftest import LAPTOP, PHONE, KeptTab

pytestmark = pytest.mark.browser


@pytest.fixture
def own_tab(chromium) -> KeptTab:
    """A KeptTab of this test's own, not the process's: what these tests leave in it (a route
    aborting every request) reaches no other test even when they fail. `chromium` closes it."""
    return KeptTab()


def test_clearing_leaves_no_cookie_storage_route_tab_or_size_of_the_test_before(
    console, chromium, own_tab
):
    tab = own_tab.take(chromium)
    console.sign_in(tab, console.world.editor_a)
    tab.goto(console.url("account-list"))
    tab.evaluate("sessionStorage.setItem('draft', 'typed'); localStorage.setItem('kept', 'yes')")
    tab.route("**/*", lambda route: route.abort())
    other = tab.context.new_page()
    tab.set_viewport_size(PHONE)

    own_tab.clear(console.base_url)

    assert own_tab.take(chromium) is tab, "the same tab, cleared, not a new one"
    assert other.is_closed()
    assert tab.context.cookies() == []
    assert tab.viewport_size == LAPTOP
    tab.goto(console.url("account-list"))  # would be aborted by the route left behind
    assert "/login/" in tab.url, "no session: the console asks for a login"
    # (htmx keeps the page's own path in session storage: only the test's items are looked for.)
    assert tab.evaluate("[sessionStorage.getItem('draft'), localStorage.getItem('kept')]") == [
        None,
        None,
    ]


def test_a_discarded_tab_is_replaced_by_a_new_one(chromium, own_tab):
    tab = own_tab.take(chromium)
    own_tab.discard()
    assert tab.is_closed()
    replacement = own_tab.take(chromium)
    assert replacement is not tab
    assert not replacement.is_closed()
