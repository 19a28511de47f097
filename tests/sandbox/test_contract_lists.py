"""Contract lists: the envelope, paging, sorting with a stable tie-break, and the filters."""

import uuid

import pytest

from tests.sandbox.helpers import assert_error


@pytest.fixture
def listed(tenant, organization):
    """An organization with 25 contracts: five start dates, five of each (ties on purpose)."""
    contracts = []
    for index in range(25):
        day = 1 + index % 5
        contracts.append(
            tenant.contract(
                organization["_id"],
                startDate=f"2025-01-0{day}T00:00:00.000Z",
                endDate=f"2025-0{1 + day}-15T00:00:00.000Z",
                status=("ACTIVE", "DRAFT", "INACTIVE")[index % 3],
                priceListId=100000 if index % 2 else None,
            )
        )
    return organization, contracts


def page(tenant, organization, **params):
    return tenant.call("GET", f"/organizations/{organization['_id']}/contracts", params=params)


def test_the_list_answers_the_envelope(tenant, listed):
    organization, _ = listed

    body = page(tenant, organization).json

    assert body["query"] == {"offset": 0, "limit": 10, "count": 25}
    assert len(body["data"]) == 10


def test_list_items_carry_price_lists_but_no_party(tenant, listed):
    organization, _ = listed

    items = page(tenant, organization, limit=100).json["data"]

    assert all("party" not in item and "contractPriceList" not in item for item in items)
    assert sorted(len(item["priceLists"]) for item in items) == [0] * 13 + [1] * 12


def test_pages_follow_the_sort_and_break_ties_by_id(tenant, listed):
    organization, contracts = listed
    expected = sorted(contracts, key=lambda c: (c["startDate"], c["_id"]), reverse=True)

    seen = []
    for offset in (0, 10, 20):
        body = page(tenant, organization, sortBy="startDate", offset=offset).json
        assert body["query"] == {"offset": offset, "limit": 10, "count": 25}
        seen += [item["_id"] for item in body["data"]]

    assert seen == [contract["_id"] for contract in expected]


def test_ascending_order_reverses_the_tie_break_too(tenant, listed):
    organization, contracts = listed
    expected = sorted(contracts, key=lambda c: (c["startDate"], c["_id"]))

    body = page(tenant, organization, sortBy="startDate", sortOrder="asc", limit=25).json

    assert [item["_id"] for item in body["data"]] == [contract["_id"] for contract in expected]


def test_the_default_order_is_most_recently_updated_first(tenant, listed):
    organization, contracts = listed
    tenant.call("PATCH", f"/contracts/{contracts[3]['_id']}", json={"contractType": "SPOT"})

    first = page(tenant, organization, limit=1).json["data"][0]

    assert first["_id"] == contracts[3]["_id"]


@pytest.mark.parametrize(
    "sort_by",
    [
        "contractId",
        "organizationName",
        "startDate",
        "endDate",
        "status",
        "priceListId",
        "updatedAt",
    ],
)
def test_every_documented_sort_field_is_accepted(tenant, listed, sort_by):
    organization, _ = listed

    for path in (f"/organizations/{organization['_id']}/contracts", "/contracts"):
        assert tenant.call("GET", path, params={"sortBy": sort_by}).status == 200


def test_an_offset_past_the_end_answers_an_empty_page(tenant, listed):
    organization, _ = listed

    body = page(tenant, organization, offset=100).json

    assert body["query"]["count"] == 25
    assert body["data"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "1.5"}, "offset"),
        ({"sortBy": "name"}, "sortBy"),
        ({"sortOrder": "up"}, "sortOrder"),
        ({"status": "EXPIRED"}, "status"),
        ({"startDateFrom": "2025-01-01"}, "startDateTo"),
        ({"startDateTo": "2025-01-01"}, "startDateFrom"),
        ({"endDateFrom": "2025-01-01"}, "endDateTo"),
        ({"endDateTo": "2025-01-01"}, "endDateFrom"),
        ({"startDateFrom": "yesterday", "startDateTo": "2025-01-01"}, "startDateFrom"),
        ({"endDateFrom": "2025-02-01", "endDateTo": "2025-01-01"}, "endDateFrom"),
    ],
)
def test_invalid_list_parameters_are_refused(tenant, organization, params, field):
    assert_error(page(tenant, organization, **params), 400, "VALIDATION_ERROR", field=field)
    assert_error(tenant.call("GET", "/contracts", params=params), 400, "VALIDATION_ERROR", field)


def test_the_status_filter(tenant, listed):
    organization, contracts = listed

    body = page(tenant, organization, status="DRAFT", limit=100).json

    expected = {c["_id"] for c in contracts if c["status"] == "DRAFT"}
    assert {item["_id"] for item in body["data"]} == expected
    assert body["query"]["count"] == len(expected)


def test_date_filters_are_inclusive(tenant, listed):
    organization, _ = listed

    body = page(
        tenant, organization, startDateFrom="2025-01-02", startDateTo="2025-01-03", limit=100
    ).json
    by_ends = page(
        tenant,
        organization,
        endDateFrom="2025-03-15T00:00:00.000Z",
        endDateTo="2025-03-15T00:00:00.000Z",
    ).json

    assert body["query"]["count"] == 10
    assert {item["startDate"][:10] for item in body["data"]} == {"2025-01-02", "2025-01-03"}
    assert by_ends["query"]["count"] == 5


def test_the_organization_list_is_not_found_for_an_unknown_organization(tenant):
    response = tenant.call("GET", "/organizations/ffffffffffffffffffffffff/contracts")

    assert_error(response, 404, "NOT_FOUND")


def test_search_matches_the_organization_name(tenant, listed):
    organization, _ = listed

    hit = page(tenant, organization, search=organization["name"][-4:].lower()).json
    miss = page(tenant, organization, search="no such party").json

    assert hit["query"]["count"] == 25
    assert miss["query"]["count"] == 0


def test_the_account_list_searches_names_and_contract_ids(tenant, organization):
    marker = uuid.uuid4().hex[:8]
    named = tenant.organization(name=f"Searchable {marker} GmbH")
    by_name = tenant.contract(named["_id"])
    by_id = tenant.contract(organization["_id"], contractId=f"C-{marker}-01")

    body = tenant.call("GET", "/contracts", params={"search": marker.upper()}).json

    assert {item["_id"] for item in body["data"]} == {by_name["_id"], by_id["_id"]}


def test_the_account_list_filters_by_field(tenant, listed):
    organization, _ = listed

    by_party = tenant.call(
        "GET", "/contracts", params={"filterField": "partyId", "filterValue": organization["_id"]}
    ).json
    by_price_list = tenant.call(
        "GET",
        "/contracts",
        params={
            "filterField": "priceListId",
            "filterValue": "100000",
            "search": organization["name"],
        },
    ).json

    assert by_party["query"]["count"] == 25
    assert by_price_list["query"]["count"] == 12


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"filterField": "status"}, "filterValue"),
        ({"filterValue": "ACTIVE"}, "filterField"),
        ({"filterField": "colour", "filterValue": "red"}, "filterField"),
        ({"filterField": "priceListId", "filterValue": "abc"}, "filterValue"),
    ],
)
def test_invalid_field_filters_are_refused(tenant, params, field):
    response = tenant.call("GET", "/contracts", params=params)

    assert_error(response, 400, "VALIDATION_ERROR", field=field)


def test_the_account_list_sorts_by_organization_name(tenant):
    marker = uuid.uuid4().hex[:8]
    zulu = tenant.organization(name=f"zulu {marker}")
    alpha = tenant.organization(name=f"Alpha {marker}")
    tenant.contract(zulu["_id"])
    tenant.contract(alpha["_id"])

    body = tenant.call(
        "GET",
        "/contracts",
        params={"search": marker, "sortBy": "organizationName", "sortOrder": "asc"},
    ).json

    assert [item["partyId"] for item in body["data"]] == [alpha["_id"], zulu["_id"]]


def test_bulk_contracts_page_like_the_others(sandbox, tenant, organization):
    created = sandbox.admin.bulk_contracts(tenant.account, organization["_id"], 500, seed=7)

    body = page(tenant, organization, offset=495).json

    assert created == {"organizationId": organization["_id"], "created": 500}
    assert body["query"]["count"] == 500
    assert len(body["data"]) == 5


def test_bulk_contracts_may_repeat_a_seed(sandbox, tenant, organization):
    sandbox.admin.bulk_contracts(tenant.account, organization["_id"], 30, seed=3)
    sandbox.admin.bulk_contracts(tenant.account, organization["_id"], 30, seed=3)

    assert page(tenant, organization).json["query"]["count"] == 60
