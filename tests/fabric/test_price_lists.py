"""Looking up price lists, one or a page's worth, through the cache."""

import pytest

from contracts_ui import fabric


def test_it_gets_one_price_list(tenant):
    price_list = fabric.get_price_list(tenant, price_list_id=100000)
    assert isinstance(price_list, fabric.PriceList)
    assert (price_list.price_list_id, price_list.name) == (100000, "Contract 2025 EUR")
    assert price_list.currency == "EUR"


def test_it_asks_the_offers_service(sandbox, tenant):
    fabric.get_price_list(tenant, price_list_id=100001)
    assert sandbox.admin.request_count(method="GET", path=r"^/api-offers/price-list/100001$") == 1


def test_an_unknown_price_list_is_not_found(tenant):
    with pytest.raises(fabric.FabricNotFound):
        fabric.get_price_list(tenant, price_list_id=999_999)


def test_many_are_fetched_once_and_unknown_ids_left_out(sandbox, tenant):
    ids = [100000, 100001, 999_999, 100000]
    first = fabric.get_price_lists(tenant, price_list_ids=ids)
    second = fabric.get_price_lists(tenant, price_list_ids=ids)
    assert set(first) == {100000, 100001}
    assert first[100001].currency == "USD"
    assert second == first
    assert sandbox.admin.request_count(method="GET", path="price-list/100000") == 1
    assert sandbox.admin.request_count(method="GET", path="price-list/100001") == 1


def test_a_single_lookup_fills_the_cache_for_many(sandbox, tenant):
    fabric.get_price_list(tenant, price_list_id=100000)
    assert set(fabric.get_price_lists(tenant, price_list_ids=[100000])) == {100000}
    assert sandbox.admin.request_count(method="GET", path="price-list/") == 1


def test_no_ids_means_no_call(sandbox, tenant):
    assert fabric.get_price_lists(tenant, price_list_ids=[]) == {}
    assert sandbox.admin.request_count(method="GET", path="price-list/") == 0
