"""A saved edit brings, with its row, every other part of the contract page that shows the
changed data, as htmx out-of-band swaps, and only those."""

import re

import pytest
from django.urls import reverse

from tests.conftest import create_contract
from tests.views.test_edits import HTMX, changed_during_the_write, edit_url, open_form, stored

OOB = re.compile(r'<(?:span|section|dd) id="([\w-]+)"[^>]*hx-swap-oob="true"')


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
    assert OOB.findall(body) == ["contract-head-badges", "contract-updated"]
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
    assert OOB.findall(body) == ["contract-updated", "contract-price-lists"]
    card = body[body.index('id="contract-price-lists"') :]
    assert "Contract 2025 USD" in card


def test_a_dates_save_brings_only_the_updated_time_and_stays_small(
    editor_client, console_world, contract, sandbox
):
    url = edit_url(console_world, contract, "dates")
    data = open_form(editor_client, url) | {"start_date": "2026-02-01", "end_date": "2031-12-31"}
    body = editor_client.post(url, data, headers=HTMX).content.decode()
    assert OOB.findall(body) == ["contract-updated"]
    updated = stored(sandbox, contract)["updatedAt"]
    assert f'data-updated hx-swap-oob="true">{updated[:10]} {updated[11:19]} UTC</dd>' in body
    # make bench holds the answer to a twentieth of its 23 KB contract page; here as a count.
    assert len(body.encode()) < 1024


def test_a_status_changed_during_a_dates_save_brings_the_badge_too(
    editor_client, console_world, contract, sandbox
):
    url = edit_url(console_world, contract, "dates")
    data = open_form(editor_client, url) | {"start_date": "2026-02-01", "end_date": "2031-12-31"}
    with changed_during_the_write(sandbox, contract, status="INACTIVE"):
        body = editor_client.post(url, data, headers=HTMX).content.decode()
    assert OOB.findall(body) == ["contract-head-badges", "contract-updated"]
    badges = body[body.index('id="contract-head-badges"') :]
    assert "Inactive" in badges[: badges.index("</span>\n")]


def test_a_price_list_changed_during_a_dates_save_brings_the_price_lists_card_too(
    editor_client, console_world, contract, sandbox
):
    url = edit_url(console_world, contract, "dates")
    data = open_form(editor_client, url) | {"start_date": "2026-02-01", "end_date": "2031-12-31"}
    with changed_during_the_write(sandbox, contract, priceListId=100001):
        body = editor_client.post(url, data, headers=HTMX).content.decode()
    assert OOB.findall(body) == ["contract-updated", "contract-price-lists"]
    card = body[body.index('id="contract-price-lists"') :]
    assert "Contract 2025 USD" in card


def test_a_plain_post_gets_no_out_of_band_parts(editor_client, console_world, contract):
    url = edit_url(console_world, contract, "status")
    response = editor_client.post(url, open_form(editor_client, url) | {"status": "ACTIVE"})
    assert response.status_code == 302


def test_a_contract_running_past_its_price_list_says_so(viewer_client, console_world, sandbox):
    account = console_world.account_a.account_id
    short = sandbox.admin.create_price_list(
        account, name="Short list", startDate="2026-01-01", endDate="2026-06-30T00:00:00.000Z"
    )
    contract = create_contract(
        sandbox,
        console_world.fabric.organization_a["_id"],
        endDate="2027-01-01T00:00:00.000Z",
        priceListId=short["priceListId"],
    )
    url = reverse(
        "contracts_ui:contract-detail",
        kwargs={
            "account_id": account,
            "organization_id": contract["partyId"],
            "contract_id": contract["_id"],
        },
    )
    body = viewer_client.get(url).content.decode()
    assert "runs past this price list's end date (2026-06-30)" in body
