"""The price-list picker's suggestions: current price lists matching part of a name or an id."""

import pytest
from django.urls import reverse

from contracts_ui import selectors


@pytest.fixture
def options_url(console_world) -> str:
    return reverse(
        "contracts_ui:price-list-options",
        kwargs={"account_id": console_world.account_a.account_id},
    )


def test_part_of_a_name_finds_the_price_list(viewer_client, options_url, cold_cache):
    response = viewer_client.get(options_url, {"q": "2025 us"})

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-value="100001"' in body
    assert "Contract 2025 USD" in body
    assert 'data-value="100000"' not in body


def test_part_of_an_id_finds_it_too(viewer_client, options_url, cold_cache):
    body = viewer_client.get(options_url, {"q": "0001"}).content.decode()
    assert 'data-value="100001"' in body


def test_typing_asks_fabric_once(viewer_client, options_url, cold_cache, sandbox):
    sandbox.admin.clear_requests()
    for typed in ("C", "Co", "Con"):
        assert viewer_client.get(options_url, {"q": typed}).status_code == 200
    assert len(sandbox.admin.requests(method="GET", path=r"^/api-offers/price-list$")) == 1


def test_nothing_matching_says_so(viewer_client, options_url, cold_cache):
    body = viewer_client.get(options_url, {"q": "no such list"}).content.decode()
    assert "No current price list matches." in body


def test_fabric_failing_says_to_type_an_id(viewer_client, options_url, cold_cache, sandbox, quick):
    sandbox.admin.add_fault(method="GET", path=r"^/api-offers/price-list$", status=503)
    try:
        body = viewer_client.get(options_url, {"q": "Con"}).content.decode()
    finally:
        sandbox.admin.clear_faults()
    assert "Price lists unavailable" in body
    assert "Type an id instead." in body


def test_expired_and_deleted_lists_are_not_offered(console_world, sandbox, cold_cache):
    tenant = console_world.account_a.tenant()
    account = console_world.account_a.account_id
    expired = sandbox.admin.create_price_list(
        account, name="Expired offer", startDate="2020-01-01", endDate="2020-06-30"
    )
    deleted = sandbox.admin.create_price_list(account, name="Deleted offer", deleted=True)
    offered = {price_list.price_list_id for price_list in selectors.offered_price_lists(tenant)}
    assert expired["priceListId"] not in offered
    assert deleted["priceListId"] not in offered
    assert 100001 in offered
