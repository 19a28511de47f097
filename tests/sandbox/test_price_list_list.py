"""GET /api-offers/price-list (REFERENCE.md §7): each documented parameter, and the by-name
lookup of GET /api-offers/price-list/{name}?filterBy=name."""

from datetime import UTC, datetime

import pytest

from tests.sandbox.helpers import Tenant, assert_error

LIST = "/api-offers/price-list"
YEAR = datetime.now(UTC).year


@pytest.fixture(scope="module")
def catalog(sandbox):
    """A tenant of its own with five price lists created oldest first (ids 500001…500005)."""
    tenant = Tenant.create(sandbox, "Price List Tenant")
    specs = [
        {"name": "Contract EUR", "currency": "EUR"},
        {"name": "base USD", "isDefault": True},
        {"name": "Archive 2020", "startDate": "2020-01-01", "endDate": "2020-12-31T23:59:59.999Z"},
        {"name": "Deleted list", "deleted": True},
        {"name": "Wholesale GBP", "currency": "GBP", "endDate": f"{YEAR + 2}-06-30T00:00:00.000Z"},
    ]
    for number, spec in enumerate(specs, start=500001):
        sandbox.admin.create_price_list(tenant.account, priceListId=number, **spec)
    return tenant


def get(sandbox, tenant, path=LIST, **params):
    return sandbox.call("GET", path, headers=tenant.headers(), params=params or None)


def ids(response) -> list[int]:
    return [item["priceListId"] for item in response.json["data"]]


def test_the_list_answers_its_envelope_newest_first_ten_at_a_time(sandbox, catalog):
    response = get(sandbox, catalog)

    assert response.status == 200
    assert response.json["query"] == {"offset": 0, "limit": 10, "count": 5}
    assert ids(response) == [500005, 500004, 500003, 500002, 500001]
    assert set(response.json["data"][0]) == {
        "_id", "priceListId", "name", "isDefault", "currency", "startDate", "endDate",
        "deleted", "createdAt", "updatedAt",
    }  # fmt: skip


def test_limit_and_offset_page_through_it(sandbox, catalog):
    first = get(sandbox, catalog, limit=2)
    second = get(sandbox, catalog, limit=2, offset=2)

    assert ids(first) == [500005, 500004]
    assert ids(second) == [500003, 500002]
    assert second.json["query"] == {"offset": 2, "limit": 2, "count": 5}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sortBy": "name", "sortOrder": "asc"}, [500003, 500002, 500001, 500004, 500005]),
        ({"sortBy": "name", "sortOrder": "desc"}, [500005, 500004, 500001, 500002, 500003]),
        ({"sortBy": "priceListId", "sortOrder": "asc"}, [500001, 500002, 500003, 500004, 500005]),
        ({"sortBy": "updatedAt", "sortOrder": "asc"}, [500001, 500002, 500003, 500004, 500005]),
    ],
    ids=["name-asc", "name-desc", "priceListId-asc", "updatedAt-asc"],
)
def test_sort_by_and_sort_order(sandbox, catalog, params, expected):
    assert ids(get(sandbox, catalog, **params)) == expected


def test_not_expired_leaves_out_lists_whose_end_date_has_passed(sandbox, catalog):
    response = get(sandbox, catalog, filter="not_expired")

    assert 500003 not in ids(response)
    assert response.json["query"]["count"] == 4


@pytest.mark.parametrize(
    ("value", "expected"), [("true", [500002]), ("false", [500005, 500004, 500003, 500001])]
)
def test_is_default(sandbox, catalog, value, expected):
    assert ids(get(sandbox, catalog, isDefault=value)) == expected


def test_deleted_lists_are_listed_marked_deleted(sandbox, catalog):
    deleted = [item for item in get(sandbox, catalog).json["data"] if item["deleted"]]
    assert [item["priceListId"] for item in deleted] == [500004]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"sortBy": "currency"}, "sortBy"),
        ({"sortOrder": "up"}, "sortOrder"),
        ({"filter": "expired"}, "filter"),
        ({"isDefault": "yes"}, "isDefault"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(sandbox, catalog, params, field):
    assert_error(get(sandbox, catalog, **params), 400, "VALIDATION_ERROR", field=field)


def test_a_price_list_is_found_by_its_exact_name(sandbox, catalog):
    response = get(sandbox, catalog, path=f"{LIST}/Wholesale%20GBP", filterBy="name")

    assert response.status == 200
    assert response.json["priceListId"] == 500005
    assert response.json["currency"] == "GBP"


def test_an_unknown_name_is_not_found(sandbox, catalog):
    response = get(sandbox, catalog, path=f"{LIST}/Wholesale", filterBy="name")
    assert_error(response, 404, "PRICE_LIST_NOT_FOUND")


def test_filter_by_takes_only_name(sandbox, catalog):
    response = get(sandbox, catalog, path=f"{LIST}/500001", filterBy="currency")
    assert_error(response, 400, "VALIDATION_ERROR", field="filterBy")


def test_other_tenants_lists_are_not_seen(sandbox, catalog):
    other = Tenant.create(sandbox, "Other Price List Tenant")
    assert get(sandbox, other).json["query"]["count"] == 0
    assert get(sandbox, other, path=f"{LIST}/500001").status == 404
