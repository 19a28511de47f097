"""Every htmx exchange ends in something a person understands (issue 23).

Cases, for the inline edit and for the filters, paging, history panel and look-up alike:
(a) the session ended, (b) a login in another tab made the page's CSRF token stale, (c) the
network dropped the request, (d) a proxy answered with its own error page (or nothing), and (e)
a filter change after the session ended goes to the login page as a whole page. Typing is done
with the keyboard; the server side is tests/security/test_ended_sessions_and_stale_pages.py.
"""

import re
from dataclasses import dataclass
from importlib import import_module
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from tests.browser.conftest import HTMX_AT_REST

pytestmark = pytest.mark.browser

EDITOR = ("alice", "pw-alice-1")
PROXY_502 = (
    "<html><head><title>502 Bad Gateway</title></head><body>"
    "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)
UNREACHABLE = "Could not reach the console — check your connection and try again."
NO_ANSWER = "The console did not answer in time."
FROM_PROXY = "The console could not be reached (the server in front of it answered 502)."
NOT_FROM_CONSOLE = "The answer did not come from the console (status 200)."
STALE = "This page is out of date, so nothing was saved."
SESSION_ENDED = "Your session has ended."
RESTORED = "What you typed before is back in the form. Check it, then Save."
# Chromium's and htmx's console lines for a request that got no answer at all: expected here.
NO_ANSWER_LOGGED = re.compile(r"net::ERR_FAILED|htmx:sendError|htmx:timeout|htmx:afterRequest")


@pytest.fixture
def requests_may_fail(page, page_problems):
    """Lets the browser log the requests a test makes fail on purpose; anything else still fails."""
    yield
    page_problems.problems[:] = [
        problem for problem in page_problems.problems if not NO_ANSWER_LOGGED.search(problem)
    ]


def log_in_here(page, user: tuple[str, str] = EDITOR) -> None:
    """On the login page: type the name and the password and press Enter, as a person does."""
    page.get_by_label("Username").click()
    page.keyboard.type(user[0])
    page.keyboard.press("Tab")
    page.keyboard.type(user[1])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))


def type_over(field, text: str) -> None:
    field.click()
    field.press("ControlOrMeta+a")
    field.press_sequentially(text)


def announced(page):
    return expect(page.locator("#announcer"))


def ended_on_the_login_page(page, console, back_to: str, *, then: str = "") -> None:
    """The whole window is the login page (no page in a page), which will lead back to `back_to`
    (followed by a query matching `then`, if given)."""
    login = re.escape(f"{console.base_url}/login/?next={quote(back_to, safe='/')}")
    expect(page).to_have_url(re.compile(f"^{login}{then}$"))
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("button", name="Log in")).to_have_count(1)
    expect(page.locator("#contract-browser, #contract, #contract-history")).to_have_count(0)
    expect(page.locator(".messages")).to_contain_text(SESSION_ENDED)
    announced(page).to_contain_text(SESSION_ENDED)


@dataclass(frozen=True)
class Place:
    """One organization's contracts and one of its contracts, as URLs and paths."""

    list_url: str
    list_path: str
    contract_url: str
    contract_path: str
    lookup_url: str
    token: str


@pytest.fixture
def place(console, new_organization) -> Place:
    organization = new_organization(
        "Tailspin", [{"status": "ACTIVE", "contractType": "SUPPLY"}] * 12 + [{"status": "DRAFT"}]
    )
    account_id = console.world.account_a.account_id
    list_url = console.url("contract-list", account_id=account_id, organization_id=organization.id)
    contract_url = console.url(
        "contract-detail",
        account_id=account_id,
        organization_id=organization.id,
        contract_id=organization.contracts[0]["_id"],
    )
    base = len(console.base_url)
    return Place(
        list_url=list_url + "?size=10",
        list_path=list_url[base:],
        contract_url=contract_url,
        contract_path=contract_url[base:],
        lookup_url=console.url("contract-lookup", account_id=account_id),
        token=organization.token,
    )


def open_list(page, place: Place) -> None:
    """Open the contract list and wait for it to be at rest: its status counts load after the
    page (hx-trigger="load"), and a session ended before they arrive sends the page to login."""
    page.goto(place.list_url)
    page.wait_for_function(HTMX_AT_REST)


def open_details_edit(page, place: Place, typed: str) -> None:
    """On the contract page, open the type-and-attributes edit and type a new contract type."""
    page.goto(place.contract_url)
    page.get_by_role("link", name="Edit type and attributes").click()
    type_over(page.get_by_label("Contract type"), typed)


def saved(page, typed: str) -> None:
    details = page.locator("#row-details")
    expect(details.get_by_role("status")).to_have_text("Saved")
    expect(details).to_contain_text(typed)


# (a) and (e): the session ended.


def test_an_edit_saved_after_the_session_ended_is_kept_through_the_login(
    console, page, place, check_accessibility
):
    console.sign_in(page, console.world.editor_a)
    open_details_edit(page, place, "FRAMEWORK-A")
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="Save").click()

    ended_on_the_login_page(page, console, place.contract_path)
    check_accessibility(page, "login page after the session ended during a save")
    log_in_here(page)

    expect(page).to_have_url(place.contract_url)
    expect(page.get_by_label("Contract type")).to_have_value("FRAMEWORK-A")
    expect(page.locator("#row-details")).to_contain_text(RESTORED)
    announced(page).to_have_text(RESTORED)
    check_accessibility(page, "contract page, typed values put back after the login")
    page.get_by_role("button", name="Save").click()
    saved(page, "FRAMEWORK-A")


def test_a_filter_typed_after_the_session_ended_takes_the_whole_page_to_login_and_back(
    console, page, place
):
    console.sign_in(page, console.world.editor_a)
    open_list(page, place)
    page.context.clear_cookies(name="sessionid")
    page.get_by_label("Contract id contains").click()
    page.keyboard.type("-1")

    ended_on_the_login_page(page, console, place.list_path, then=r"%3F.*q%3D-1.*")
    log_in_here(page)
    expect(page.get_by_label("Contract id contains")).to_have_value("-1")
    expect(page.locator(".pager__summary")).to_contain_text("1–4 of 4")


def test_paging_after_the_session_ended_goes_to_login_and_back_to_that_page(console, page, place):
    console.sign_in(page, console.world.editor_a)
    open_list(page, place)
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("link", name="Next →").click()

    ended_on_the_login_page(page, console, f"{place.list_path}?size=10&page=2")
    log_in_here(page)
    expect(page.locator(".pager__summary")).to_contain_text("11–13 of 13")


def test_the_history_panel_refreshed_after_the_session_ended_goes_to_login_and_back(
    console, page, place
):
    console.sign_in(page, console.world.editor_a)
    open_details_edit(page, place, "FRAMEWORK-H")

    def end_the_session_first(route):
        # Ended on the server, as by an idle timeout or a revoked grant, just before the refresh:
        # through the session engine, which also drops the shared cache's copy (cached_db).
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for key in Session.objects.values_list("session_key", flat=True):
            store(session_key=key).delete()
        route.continue_()

    page.route(re.compile(r"/history/$"), end_the_session_first)
    page.get_by_role("button", name="Save").click()

    ended_on_the_login_page(page, console, place.contract_path)
    page.unroute_all()
    log_in_here(page)
    expect(page).to_have_url(place.contract_url)
    expect(page.locator("#contract-history tbody tr")).to_have_count(1)
    expect(page.locator("#row-details")).to_contain_text("FRAMEWORK-H")


# (b): a login in another tab made the page's CSRF token stale.


def log_in_in_another_tab(console, page) -> None:
    other = page.context.new_page()
    other.goto(console.base_url + "/login/")
    log_in_here(other)
    other.close()


def test_an_edit_saved_after_a_login_elsewhere_says_reload_and_keeps_what_was_typed(
    console, page, place, page_problems, check_accessibility
):
    page_problems.expect_status(403)
    console.sign_in(page, console.world.editor_a)
    open_details_edit(page, place, "FRAMEWORK-B")
    log_in_in_another_tab(console, page)
    page.get_by_role("button", name="Save").click()

    form = page.locator("#row-details form")
    expect(form.locator("[data-exchange-alert]")).to_contain_text(STALE)
    expect(page.get_by_label("Contract type")).to_have_value("FRAMEWORK-B")
    expect(page.get_by_role("button", name="Save")).to_be_enabled()
    expect(page.get_by_text(re.compile("CSRF|Forbidden"))).to_have_count(0)
    expect(page.get_by_role("banner")).to_have_count(1)
    announced(page).to_contain_text(STALE)
    check_accessibility(page, "contract page, stale page message in the form")

    form.get_by_role("link", name="Reload").click()
    expect(page.get_by_label("Contract type")).to_have_value("FRAMEWORK-B")
    expect(page.locator("#row-details")).to_contain_text(RESTORED)
    page.get_by_role("button", name="Save").click()
    saved(page, "FRAMEWORK-B")
    # The history panel refreshes after the save, in the reloaded page.
    expect(page.locator("#contract-history tbody tr")).to_have_count(1)


def test_a_plain_form_sent_after_a_login_elsewhere_gets_a_page_with_reload(
    console, page, place, page_problems, check_accessibility
):
    page_problems.expect_status(403)
    console.sign_in(page, console.world.editor_a)
    page.goto(place.contract_url)
    page.get_by_role("link", name="Delete…").click()
    confirm_url = page.url
    log_in_in_another_tab(console, page)
    page.get_by_role("button", name=re.compile("Delete")).click()

    expect(page.get_by_role("heading", name="This page is out of date")).to_be_visible()
    expect(page.get_by_text(re.compile("CSRF|Forbidden"))).to_have_count(0)
    announced(page).to_contain_text(STALE)
    check_accessibility(page, "stale page, whole page")
    page.get_by_role("link", name="Reload").click()
    expect(page).to_have_url(confirm_url)


@pytest.mark.parametrize("interaction", ["filters", "paging"])
def test_reading_goes_on_after_a_login_elsewhere(console, page, place, interaction):
    console.sign_in(page, console.world.editor_a)
    page.goto(place.list_url)
    log_in_in_another_tab(console, page)
    if interaction == "filters":
        page.get_by_role("checkbox", name="Draft", exact=True).check()
        expect(page.locator(".pager__summary")).to_contain_text("1–1 of 1")
    else:
        page.get_by_role("link", name="Next →").click()
        expect(page.locator(".pager__summary")).to_contain_text("11–13 of 13")
    expect(page.get_by_text(STALE)).to_have_count(0)


# (c) and (d): no answer, or an answer that is not the console's.


@dataclass(frozen=True)
class Interaction:
    """How a person starts one htmx exchange, which request that is, and how it ends well."""

    matches: object  # (method, url) -> bool: the request to fail
    start: object  # (page, place) -> None: open the page and do what a person does
    box_in: str  # the element the message must appear in
    done: object  # (page) -> None: expect the finished exchange


def _edit_start(page, place):
    open_details_edit(page, place, "FRAMEWORK-C")
    page.get_by_role("button", name="Save").click()


def _filter_start(page, place):
    page.goto(place.list_url)
    page.get_by_role("checkbox", name="Draft", exact=True).check()


def _paging_start(page, place):
    page.goto(place.list_url)
    page.get_by_role("link", name="Next →").click()


def _history_start(page, place):
    open_details_edit(page, place, "FRAMEWORK-C")
    page.get_by_role("button", name="Save").click()
    saved(page, "FRAMEWORK-C")


def _lookup_start(page, place):
    page.goto(place.lookup_url)
    page.get_by_label("Contract id").click()
    page.keyboard.type(place.token)


INTERACTIONS = {
    "edit": Interaction(
        matches=lambda method, url: method == "POST" and "/edit/details/" in url,
        start=_edit_start,
        box_in="#row-details form",
        done=lambda page: saved(page, "FRAMEWORK-C"),
    ),
    "filters": Interaction(
        matches=lambda method, url: "status=DRAFT" in url,
        start=_filter_start,
        box_in="#contract-browser form.filters",
        done=lambda page: expect(page.locator(".pager__summary")).to_contain_text("1–1 of 1"),
    ),
    "paging": Interaction(
        matches=lambda method, url: "page=2" in url,
        start=_paging_start,
        box_in="#contract-browser",
        done=lambda page: expect(page.locator(".pager__summary")).to_contain_text("11–13 of 13"),
    ),
    "history": Interaction(
        matches=lambda method, url: url.endswith("/history/"),
        start=_history_start,
        box_in="#contract-history",
        done=lambda page: expect(page.locator("#contract-history tbody tr")).to_have_count(1),
    ),
    "lookup": Interaction(
        matches=lambda method, url: "/contracts/?q=" in url,
        start=_lookup_start,
        box_in="#lookup-results, form[role=search]",
        done=lambda page: expect(page.locator("#lookup-results .pager__summary")).to_contain_text(
            "of 13"
        ),
    ),
}

FAILURES = {
    "network": (lambda route: route.abort(), UNREACHABLE, ()),
    "proxy-502": (
        lambda route: route.fulfill(status=502, content_type="text/html", body=PROXY_502),
        FROM_PROXY,
        (502,),
    ),
    "empty-answer": (
        lambda route: route.fulfill(status=200, content_type="text/html", body=""),
        NOT_FROM_CONSOLE,
        (),
    ),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
@pytest.mark.parametrize("name", sorted(INTERACTIONS))
def test_an_exchange_without_the_consoles_answer_shows_a_message_and_retry_works(
    console, page, place, page_problems, requests_may_fail, check_accessibility, name, failure
):
    interaction = INTERACTIONS[name]
    fail, message, statuses = FAILURES[failure]
    page_problems.expect_status(*statuses)
    console.sign_in(page, console.world.editor_a)
    failed = []

    def fail_once(route):
        request = route.request
        if (
            not failed
            and request.headers.get("hx-request")
            and interaction.matches(request.method, request.url)
        ):
            failed.append(request.url)
            fail(route)
        else:
            route.fallback()

    page.route("**/*", fail_once)
    interaction.start(page, place)

    box = page.locator(interaction.box_in).locator("[data-exchange-alert]")
    expect(box).to_contain_text(message)
    assert failed, "the exchange under test was never sent"
    expect(page.get_by_text(re.compile("Bad Gateway|nginx"))).to_have_count(0)
    expect(page.get_by_role("banner")).to_have_count(1)
    announced(page).to_contain_text(message)
    if name == "edit":
        expect(page.get_by_label("Contract type")).to_have_value("FRAMEWORK-C")
        expect(page.get_by_role("button", name="Save")).to_be_enabled()
    check_accessibility(page, f"{name}: {failure} message")

    box.get_by_role("button", name="Retry").click()
    interaction.done(page)
    expect(page.locator("[data-exchange-alert]")).to_have_count(0)


def test_a_save_that_gets_no_answer_in_time_says_so_and_retry_works(
    console, page, place, requests_may_fail, check_accessibility
):
    console.sign_in(page, console.world.editor_a)
    held = []

    def hold_the_first_save(route):
        if not held and route.request.method == "POST":
            held.append(route)  # never answered: the browser gives up at htmx's timeout
        else:
            route.fallback()

    page.route(re.compile(r"/edit/details/$"), hold_the_first_save)
    open_details_edit(page, place, "FRAMEWORK-C")
    # The configured 35 s would make a slow test; the same setting, shortened for this page.
    page.evaluate("htmx.config.timeout = 1500")
    page.get_by_role("button", name="Save").click()

    box = page.locator("#row-details form [data-exchange-alert]")
    expect(box).to_contain_text(NO_ANSWER)
    announced(page).to_contain_text(NO_ANSWER)
    expect(page.get_by_role("button", name="Save")).to_be_enabled()
    expect(page.get_by_label("Contract type")).to_have_value("FRAMEWORK-C")
    check_accessibility(page, "edit: no answer in time")
    box.get_by_role("button", name="Retry").click()
    saved(page, "FRAMEWORK-C")
