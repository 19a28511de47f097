"""Faults seen from the console's pages: what the user sees, what the ledger holds, and how many
requests the stand-in received, for each kind of misbehaviour it can inject."""

import html
import re
import time
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import create_contract, fabric_headers

HTMX = {"HX-Request": "true"}
TOKEN_PATH = r"^/auth/v1/token$"


@pytest.fixture(autouse=True)
def _cold_and_quick(cold_cache, quick):
    """No cached token or look-up from another test, so request counts are exact; small
    timeouts, so a fault costs a test well under a second or two."""


@dataclass(frozen=True)
class Page:
    """A console answer as the user sees it."""

    status: int
    text: str  # the body with entities decoded, so messages compare as the user reads them
    seconds: float


@dataclass
class Console:
    """An editor's browser on one fresh contract of account A."""

    client: Client
    sandbox: object
    account_id: str
    contract: dict

    @property
    def contract_id(self) -> str:
        return self.contract["_id"]

    def url(self, name: str, **extra) -> str:
        kwargs = {
            "account_id": self.account_id,
            "organization_id": self.contract["partyId"],
            "contract_id": self.contract_id,
            **extra,
        }
        return reverse(f"contracts_ui:{name}", kwargs=kwargs)

    def get(self, url: str, **headers) -> Page:
        return self._page(lambda: self.client.get(url, headers=headers))

    def post(self, url: str, data: dict, **headers) -> Page:
        return self._page(lambda: self.client.post(url, data, headers=headers))

    def _page(self, call) -> Page:
        started = time.monotonic()
        response = call()
        seconds = time.monotonic() - started
        return Page(response.status_code, html.unescape(response.content.decode()), seconds)

    def contract_page(self) -> Page:
        return self.get(self.url("contract-detail"))

    def open_status_form(self) -> dict[str, str]:
        """GET the status form and return what a browser would send back, with a real change."""
        page = self.get(self.url("contract-edit", section="status"), **HTMX)
        assert page.status == 200, page.text
        fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page.text))
        fields.pop("csrfmiddlewaretoken", None)
        return fields | {"status": "ACTIVE"}

    def save_status(self, form: dict[str, str]) -> Page:
        return self.post(self.url("contract-edit", section="status"), form, **HTMX)

    def requests(self, method: str, path: str | None = None) -> list[dict]:
        """What the stand-in received for this method and path (default: this contract)."""
        return self.sandbox.admin.requests(method=method, path=path or self.contract_id)

    def count(self, method: str, path: str | None = None, *, expect: int | None = None) -> int:
        """How many such requests the stand-in logged. It logs a slow or hung request only when
        it ends, after the console gave up on it, so with `expect` this waits up to 3 s for it."""
        give_up = time.monotonic() + (3 if expect is not None else 0)
        while True:
            seen = len(self.requests(method, path))
            if expect is None or seen >= expect or time.monotonic() > give_up:
                return seen
            time.sleep(0.05)

    def stored_status(self) -> str:
        """The contract's status as the stand-in holds it now (read past the request log)."""
        response = self.sandbox.call(
            "GET",
            f"/data-customer/v1/organizations/{self.contract['partyId']}/contracts/"
            f"{self.contract_id}",
            params={"includeDeleted": "true"},
            headers=fabric_headers(self.sandbox),
        )
        return response.json["status"]


@pytest.fixture
def console(client, console_world, sandbox) -> Console:
    """An editor logged in, a fresh DRAFT contract without price list, an empty request log."""
    client.force_login(console_world.editor_a)
    contract = create_contract(
        sandbox, console_world.fabric.organization_a["_id"], contractType="TYPE-F", status="DRAFT"
    )
    sandbox.admin.clear_requests()
    return Console(client, sandbox, console_world.account_a.account_id, contract)
