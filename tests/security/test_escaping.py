"""Hostile values stored in fabric are shown as text on every page and partial, never as markup."""

import json
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.access.test_access_matrix import MATRIX
from tests.security.conftest import (
    ATTRIBUTE_KEY,
    ATTRIBUTE_VALUE,
    BREAKOUT_TYPE,
    CONTRACT_ID,
    HOSTILE_MARKUP,
    HTMX,
    SCRIPT_NAME,
)


@pytest.fixture
def mallory(client, hostile_world):
    client.force_login(hostile_world.editor)
    return client


@pytest.fixture
def created_through_console(mallory, hostile_world) -> str:
    """Created through the console with hostile values, so the audit ledger holds them."""
    contract_id = f"<svg onload=alert(5)>{uuid.uuid4().hex[:8]}"
    url = reverse(
        "contracts_ui:contract-create",
        kwargs={
            "account_id": hostile_world.account.account_id,
            "organization_id": hostile_world.organization["_id"],
        },
    )
    response = mallory.post(
        url,
        {
            "contract_id": contract_id,
            "contract_type": BREAKOUT_TYPE,
            "status": "DRAFT",
            "start_date": "2030-01-01",
            "end_date": "2031-01-01",
            "additional_attributes": json.dumps({ATTRIBUTE_KEY: ATTRIBUTE_VALUE}),
            "submission": uuid.uuid4().hex,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return contract_id


def _hostile_urls(world) -> list[str]:
    """Every console URL that reads one account, pointed at the hostile account and contract."""
    as_matrix_world = SimpleNamespace(
        account_a=world.account,
        fabric=SimpleNamespace(organization_a=world.organization),
    )
    urls = []
    for name, (method, kwargs, _) in sorted(MATRIX.items()):
        if method != "get" or not name.startswith("contracts_ui:"):
            continue
        urls.append(reverse(name, kwargs=kwargs(as_matrix_world, world.contract)))
    account = {"account_id": world.account.account_id}
    organization = {**account, "organization_id": world.organization["_id"]}
    return [
        *urls,
        reverse("contracts_ui:account-list") + "?all=1",
        reverse("contracts_ui:contract-lookup", kwargs=account) + "?q=svg",
        reverse("contracts_ui:contract-lookup", kwargs=account) + "?q=%27%3E%3Csvg",
        reverse(
            "contracts_ui:contract-edit",
            kwargs={**organization, "contract_id": world.contract["_id"], "section": "details"},
        ),
    ]


@pytest.mark.slow
def test_hostile_values_are_text_on_every_page_and_partial(
    mallory, hostile_world, created_through_console
):
    unescaped = []
    for url in _hostile_urls(hostile_world):
        for headers in ({}, HTMX):
            response = mallory.get(url, headers=headers)
            assert response.status_code < 500, (url, response.status_code)
            if not response["Content-Type"].startswith("text/html"):
                continue  # CSV and Excel downloads: a browser does not render them as a page
            body = response.content.decode(errors="replace")
            unescaped += [(url, bool(headers), raw) for raw in HOSTILE_MARKUP if raw in body]
    assert not unescaped, unescaped


@pytest.mark.parametrize(
    ("url_name", "shown"),
    [
        ("contracts_ui:organization-list", [SCRIPT_NAME]),
        ("contracts_ui:contract-list", [SCRIPT_NAME, CONTRACT_ID, BREAKOUT_TYPE]),
        ("contracts_ui:contract-detail", [CONTRACT_ID, BREAKOUT_TYPE, ATTRIBUTE_KEY]),
        ("contracts_ui:audit-list", [BREAKOUT_TYPE, ATTRIBUTE_VALUE]),
    ],
)
def test_hostile_values_are_shown_escaped(
    mallory, hostile_world, created_through_console, url_name, shown
):
    """The values do appear, escaped, so the test above is not passing on an empty page."""
    from django.utils.html import escape

    kwargs = {
        "account_id": hostile_world.account.account_id,
        "organization_id": hostile_world.organization["_id"],
        "contract_id": hostile_world.contract["_id"],
    }
    url = reverse(url_name, kwargs={k: kwargs[k] for k in _url_kwargs(url_name)})
    body = mallory.get(url).content.decode()
    for value in shown:
        assert escape(value) in body, (url_name, value)


def _url_kwargs(url_name: str) -> tuple[str, ...]:
    if url_name in ("contracts_ui:organization-list", "contracts_ui:audit-list"):
        return ("account_id",)
    if url_name == "contracts_ui:contract-list":
        return ("account_id", "organization_id")
    return ("account_id", "organization_id", "contract_id")
