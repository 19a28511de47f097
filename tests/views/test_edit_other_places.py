"""A saved edit brings, with its row, every other part of the contract page that shows the
changed data, as htmx out-of-band swaps."""

import re

import pytest

from tests.conftest import create_contract
from tests.views.test_edits import HTMX, edit_url, open_form, stored

OOB = re.compile(r'<(?:span|section) id="([\w-]+)"[^>]*hx-swap-oob="true"')


@pytest.fixture
def contract(sandbox, console_world):
    return create_contract(
        sandbox, console_world.fabric.organization_a["_id"], status="DRAFT", priceListId=100000
    )


def test_a_status_save_updates_the_header_badge_and_the_record(
    editor_client, console_world, contract, sandbox
):
    url = edit_url(console_world, contract, "status")
    response = editor_client.post(
        url, open_form(editor_client, url) | {"status": "ACTIVE"}, headers=HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert OOB.findall(body) == ["contract-head-badges", "contract-record"]
    badges = body[body.index('id="contract-head-badges"') :]
    assert "Active" in badges[: badges.index("</span>\n")]
    updated = stored(sandbox, contract)["updatedAt"]
    assert f"{updated[:10]} {updated[11:19]} UTC" in body


def test_a_price_list_save_also_updates_the_price_lists_card(
    editor_client, console_world, contract
):
    url = edit_url(console_world, contract, "price-list")
    data = open_form(editor_client, url) | {"price_list_id": "100001"}
    body = editor_client.post(url, data, headers=HTMX).content.decode()
    assert OOB.findall(body) == ["contract-head-badges", "contract-record", "contract-price-lists"]
    card = body[body.index('id="contract-price-lists"') :]
    assert "Contract 2025 USD" in card


def test_a_plain_post_gets_no_out_of_band_parts(editor_client, console_world, contract):
    url = edit_url(console_world, contract, "status")
    response = editor_client.post(url, open_form(editor_client, url) | {"status": "ACTIVE"})
    assert response.status_code == 302
