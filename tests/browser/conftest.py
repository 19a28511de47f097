"""A real Chromium driving the console: fixtures for the browser suite.

The console runs in pytest-django's `live_server` (a thread of this test process, one per xdist
worker), so tests build users, grants and settings with the same ORM fixtures as the view tests
and the server sees them at once; the fabric stand-in is the suite's `sandbox` subprocess.
Chromium is Debian's (`/usr/bin/chromium`); Playwright never downloads a browser here.
"""

import asyncio
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from uuid import uuid4

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from tests.conftest import create_contract

# Debian's headless shell: the build of Chromium that Playwright itself runs for headless tests,
# the same engine without the desktop browser's window compositing, which took half of the
# suite's browser CPU (2026-12-02: 88 -> 39 CPU-seconds for the same 28 tests). Debian's full
# browser, when it is the only one installed, serves just as well.
CHROMIUMS = (Path("/usr/bin/chromium-headless-shell"), Path("/usr/bin/chromium"))
CHROMIUM = next((path for path in CHROMIUMS if path.exists()), CHROMIUMS[0])
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Date fields follow the browser's UI language, not the page's locale: pinned, so that
    # type_date knows the order of their parts (month, day, year).
    "--lang=en-US",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 10_000  # the longest any single browser step may take
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
CSP_REPORT = re.compile(r"Refused to|Content Security Policy")  # wording differs by version
# Chromium's and htmx's console lines for an HTTP error answer, and the status they name.
HTTP_ERROR = re.compile(
    r"Failed to load resource: the server responded with a status of (\d+)"
    r"|Response Status Error Code (\d+)"
)
# No htmx request, swap or settle under way and no finite CSS transition still running.
HTMX_AT_REST = """() =>
  !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')
  && document.getAnimations().every(a => a.effect.getTiming().iterations === Infinity)"""
# axe on the page as it is now: every rule of AXE_TAGS on the whole page except colour contrast,
# which runs only on the text whose look is not among `looks`. Contrast is most of axe's time
# (0.25 of 0.35 s on a 25-row table) and a page mostly repeats looks checked before: the same
# text style on the same boxes. A look is what decides the contrast of an element's text: its
# colour, size, weight and shadow, and each box behind it (background colour and image up to the
# first opaque one; opacity, filter and blending all the way up). Only looks that axe passed come
# back as `passed_looks`; one it could not decide (partly hidden, say) is checked again next time.
AXE_RUN = """async ({tags, looks}) => {
  const look = element => {
    const own = getComputedStyle(element);
    const parts = [own.color, own.fontSize, own.fontWeight, own.textShadow];
    let behind = true;
    for (let box = element; box; box = box.parentElement) {
      const style = getComputedStyle(box);
      parts.push(style.opacity, style.filter, style.mixBlendMode);
      if (behind) {
        parts.push(style.backgroundColor, style.backgroundImage);
        behind = !(style.backgroundImage === 'none' && style.backgroundColor.startsWith('rgb('));
      }
    }
    return parts.join('|');
  };
  const known = new Set(looks);
  const texts = new Set(document.querySelectorAll('input, select, textarea'));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.data.trim()) texts.add(node.parentElement);
  }
  const unchecked = [...texts].filter(element =>
    element.checkVisibility({visibilityProperty: true}) && !known.has(look(element)));
  const plain = result => result.violations.map(violation => ({
    id: violation.id, impact: violation.impact, help: violation.help,
    targets: violation.nodes.map(node => String(node.target))}));
  const rest = await axe.run(document, {runOnly: {type: 'tag', values: tags},
    rules: {'color-contrast': {enabled: false}}, resultTypes: ['violations']});
  if (!unchecked.length) return {violations: plain(rest), passed_looks: []};
  const contrast = await axe.run({include: unchecked},
    {runOnly: {type: 'rule', values: ['color-contrast']}, resultTypes: ['violations', 'passes'],
     elementRef: true});
  const passed = contrast.passes.flatMap(rule => rule.nodes.map(node => look(node.element)));
  return {violations: [...plain(rest), ...plain(contrast)], passed_looks: [...new Set(passed)]};
}"""
# Elements a nonce-based CSP without 'unsafe-inline' refuses (axe's own script is not one: it
# arrives through the DevTools protocol, not the DOM).
INLINE_CODE = """() => Array.from(document.querySelectorAll('script:not([src]), [style], style'))
  .map(e => e.outerHTML.slice(0, 120))"""
# Chromium's own CSP console line does not say which file broke the policy; this one does.
REPORT_CSP_VIOLATIONS = """document.addEventListener('securitypolicyviolation', event =>
  console.error(`CSP violation: ${event.violatedDirective} by ${event.sourceFile || 'the page'}`
                + `:${event.lineNumber}:${event.columnNumber} ${event.sample}`));"""

expect.set_options(timeout=WAIT_MS)


def pytest_collection_modifyitems(items) -> None:
    """Each browser test starts Chromium and drives pages for 5 to 30 s: all are `slow`."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def _chromium_process() -> Iterator:
    """One headless Chromium for the whole session of a test process (about 0.6 s saved per
    test); each test still gets contexts of its own (`page`). A missing Chromium skips locally
    and fails in CI.

    Playwright's sync API marks its asyncio loop as running in this thread for as long as it
    lives (between its calls too), and Django's async-unsafe guard then refuses ORM calls: the
    mark is hidden whenever no browser test runs (`chromium` shows it for one test), so tests
    on the same xdist worker that drive no browser never see it.
    """
    if not CHROMIUM.exists():
        reason = "Chromium not found: apt-get install chromium-headless-shell (or chromium)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"{reason} (CI requires the browser suite)", pytrace=False)
        pytest.skip(reason)
    playwright = sync_playwright().start()
    loop = asyncio.get_running_loop()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        asyncio._set_running_loop(None)
        yield browser, loop
        asyncio._set_running_loop(loop)
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def chromium(
    console, _chromium_process, kept_tab: "KeptTab", monkeypatch: pytest.MonkeyPatch
) -> Iterator:
    """The session's Chromium, for one test; every context the test opened is closed after it
    (all but the kept tab's, see `page`).

    Set up after the console's database (via `console`), so it ends before the flush.
    """
    browser, loop = _chromium_process
    # While Playwright's loop is marked running, Django's async-unsafe guard would refuse the
    # test's ORM calls; no coroutine touches the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    asyncio._set_running_loop(loop)
    try:
        yield browser
        for context in browser.contexts:
            if context is not kept_tab.context:
                context.close()
    finally:
        # While the loop is marked running, asgiref's Local gives this thread's ORM calls their
        # own connections (per asyncio context): return them to the pool before the mark goes,
        # or one stays open and PostgreSQL refuses to drop the test database.
        connections.close_all()
        asyncio._set_running_loop(None)


@dataclass
class PageProblems:
    """Console errors, page errors and CSP refusals seen by one page, minus the expected ones."""

    expected_statuses: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def expect_status(self, *statuses: int) -> None:
        """Allow the browser's and htmx's console errors for these HTTP error answers."""
        self.expected_statuses.update(statuses)

    def on_console(self, message) -> None:
        text = message.text
        if message.type != "error" and not CSP_REPORT.search(text):
            return
        http_error = HTTP_ERROR.search(text)
        if http_error and int(http_error.group(1) or http_error.group(2)) in self.expected_statuses:
            return
        self.problems.append(f"console {message.type}: {text}")

    def on_page_error(self, error) -> None:
        self.problems.append(f"JavaScript error: {error}")


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


class KeptTab:
    """The laptop-sized tab a test process keeps for its tests' `page`, in a context of its own.

    A new context per test costs a new renderer process and cold caches: opening the contracts
    list took 0.46 CPU-s in a new context and 0.20 in the kept one (2026-12-02, 10 opens each).
    """

    def __init__(self) -> None:
        self.tab = None

    @property
    def context(self):
        return None if self.tab is None else self.tab.context

    def take(self, browser):
        if self.tab is None or self.tab.is_closed():
            context = browser.new_context(viewport=LAPTOP, locale="en-GB", timezone_id="UTC")
            context.set_default_timeout(WAIT_MS)
            context.set_default_navigation_timeout(WAIT_MS)
            context.add_init_script(REPORT_CSP_VIOLATIONS)
            self.tab = context.new_page()
        return self.tab

    def clear(self, console_url: str) -> None:
        """Leave nothing of a test for the next: its routes, its other tabs, its requests in
        flight (navigating away ends them), the console's session storage (console.js keeps
        typed drafts there), its cookies and a changed size."""
        tab = self.tab
        tab.unroute_all(behavior="ignoreErrors")
        for other in tab.context.pages:
            if other is not tab:
                other.close()
        tab.goto(console_url + reverse("health-live"))
        tab.evaluate("window.sessionStorage.clear(); window.localStorage.clear()")
        tab.context.clear_cookies()
        tab.set_viewport_size(LAPTOP)

    def discard(self) -> None:
        if self.tab is not None:
            self.tab.context.close()
        self.tab = None


@pytest.fixture(scope="session")
def kept_tab() -> KeptTab:
    return KeptTab()


TEST_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        item.stash[TEST_FAILED] = True
    return report


@pytest.fixture
def page(request, chromium, console, kept_tab: KeptTab, page_problems: PageProblems) -> Iterator:
    """A laptop-sized tab with no cookies, no storage and no routes; the test fails on any JS
    error or CSP refusal it logged.

    The tab is the test process's kept one (KeptTab), cleared after each test; after a test
    that failed, or a clearing that did, the next test gets a new one.
    """
    tab = kept_tab.take(chromium)
    tab.on("console", page_problems.on_console)
    tab.on("pageerror", page_problems.on_page_error)
    try:
        yield tab
    finally:
        tab.remove_listener("console", page_problems.on_console)
        tab.remove_listener("pageerror", page_problems.on_page_error)
        if request.node.stash.get(TEST_FAILED, False):
            kept_tab.discard()
        else:
            try:
                kept_tab.clear(console.base_url)
            except Exception:
                # Not the test's failure: what the tab held is dropped with it instead.
                kept_tab.discard()
    assert not page_problems.problems, "\n".join(page_problems.problems)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core as shipped by the axe-playwright-python package (only its script is used)."""
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text()


@pytest.fixture(scope="session")
def checked_looks() -> set[str]:
    """The looks (AXE_RUN) whose colour contrast axe has passed in this test process."""
    return set()


@pytest.fixture
def check_accessibility(axe_source: str, checked_looks: set[str]):
    """Run axe in the page as it is now; fail on serious or critical WCAG 2 A/AA violations.

    Every rule runs on the whole page, colour contrast on the looks not passed before (AXE_RUN).
    It also fails on inline scripts and style attributes, which a strict CSP would refuse.
    The script goes in with `page.evaluate` (DevTools protocol), which a Content-Security-Policy
    does not govern, unlike an injected <script> tag; the page's own policy stays untouched.
    """

    def check(tab, state: str) -> None:
        tab.wait_for_function(HTMX_AT_REST)
        inline = tab.evaluate(INLINE_CODE)
        assert not inline, f"inline script or style on {state} (a strict CSP refuses it): {inline}"
        if not tab.evaluate("typeof window.axe !== 'undefined'"):
            tab.evaluate(axe_source)
        results = tab.evaluate(AXE_RUN, {"tags": AXE_TAGS, "looks": list(checked_looks)})
        blocking = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            + ", ".join(violation["targets"][:5])
            for violation in results["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
        ]
        checked_looks.update(results["passed_looks"])
        assert not blocking, f"axe on {state}:\n" + "\n".join(blocking)

    return check


@pytest.fixture
def screenshot():
    """Save a PNG under docs/screenshots/ when UPDATE_SCREENSHOTS=1, so runs keep the tree clean."""

    def save(tab, name: str) -> None:
        if os.environ.get("UPDATE_SCREENSHOTS") != "1":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # Playwright hides the caret and stops animations with injected styles, which the CSP
        # refuses (and the suite would report); the page is at rest here anyway.
        tab.wait_for_function(HTMX_AT_REST)
        tab.screenshot(path=SCREENSHOTS / f"{name}.png", caret="initial")

    return save


@dataclass(frozen=True)
class Console:
    """The running console: where it is and who may log in."""

    base_url: str
    world: object  # tests.conftest.ConsoleWorld

    def url(self, name: str, **kwargs: str) -> str:
        return self.base_url + reverse(f"contracts_ui:{name}", kwargs=kwargs or None)

    def log_in(self, tab, username: str, password: str) -> None:
        """Log in through the login form, as a person does."""
        tab.goto(self.base_url + reverse("login"))
        tab.get_by_label("Username").press_sequentially(username)
        tab.get_by_label("Password").press_sequentially(password)
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"^(?!.*/login/).*$"))

    def sign_in(self, tab, user) -> None:
        """Give the tab a session of `user`'s, as a browser that logged in earlier has: made on
        the server as the test client's force_login makes it. For tests about something after
        the login; those about logging in type it (`log_in`), and this saves them half a second
        each (the login page, the typing and the redirect)."""
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME]
        tab.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session.value,
                    "url": self.base_url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )


@pytest.fixture
def console(live_server, console_world) -> Console:
    """The console served for real, over the stand-in's session world and fresh users."""
    return Console(base_url=live_server.url, world=console_world)


@dataclass(frozen=True)
class Organization:
    """An organization made for one test, with a name and contract ids no other test uses."""

    id: str
    name: str
    token: str
    contracts: list[dict]


@pytest.fixture
def new_organization(sandbox, console):
    """Make an organization in account A with contracts built from `specs` (fields per contract)."""

    def make(label: str, specs: list[dict] = ()) -> Organization:
        token = uuid4().hex[:6]
        name = f"{label} {token}"
        organization = sandbox.admin.create_organization(
            console.world.account_a.account_id, name=name, email=f"{token}@example.com"
        )
        contracts = [
            create_contract(
                sandbox, organization["_id"], **{"contractId": f"{token}-{index:02d}"} | spec
            )
            for index, spec in enumerate(specs, start=1)
        ]
        return Organization(id=organization["_id"], name=name, token=token, contracts=contracts)

    return make


def type_date(field, iso_date: str) -> None:
    """Type a date into a date input digit by digit, as a person does (month, day, year: see
    CHROMIUM_ARGS), never setting its value at once: Chromium's date field holds a valid
    (wrong) date after each digit of the year, which is what a page must survive."""
    year, month, day = iso_date.split("-")
    field.focus()
    field.press_sequentially(month + day + year, delay=60)
