"""Organizations, internal parties, internal party links and price lists."""

import uuid

import pytest

from tests.sandbox.helpers import Tenant, assert_error

LINKS = "/internalParties-party/create"


@pytest.fixture(scope="module")
def directory(sandbox):
    """A tenant of its own with known organizations and internal parties."""
    tenant = Tenant.create(sandbox, "Directory Tenant")
    organizations = [
        tenant.organization(name="Northwind Traders", email="b@northwind.example"),
        tenant.organization(name="contoso builders", email="a@contoso.example", partyType="H"),
        tenant.organization(name="Fabrikam", email="c@fabrikam.example", isActive=False),
    ]
    parties = [
        sandbox.admin.create_internal_party(tenant.account, name=name, email=email)
        for name, email in (
            ("Key Accounts", "key@acme.example"),
            ("Inside Sales", "in@acme.example"),
        )
    ]
    return tenant, organizations, parties


def names(response):
    return [item["name"] for item in response.json["data"]]


def test_organizations_are_listed_newest_first(directory):
    tenant, _, _ = directory

    response = tenant.call("GET", "/organizations")

    assert response.json["query"] == {"offset": 0, "limit": 10, "count": 3}
    assert names(response) == ["Fabrikam", "contoso builders", "Northwind Traders"]


def test_an_organization_has_its_documented_fields(directory):
    tenant, organizations, _ = directory

    record = tenant.call("GET", f"/organizations/{organizations[0]['_id']}").json

    assert record == organizations[0]
    assert set(record) == {
        "_id", "name", "email", "partyType", "isActive", "parentPartyId",
        "additionalAttributes", "isDeleted", "createdAt", "updatedAt",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"sortBy": "name", "sortOrder": "asc"},
            ["contoso builders", "Fabrikam", "Northwind Traders"],
        ),
        (
            {"sortBy": "email", "sortOrder": "asc"},
            ["contoso builders", "Northwind Traders", "Fabrikam"],
        ),
        ({"name": "TRADERS"}, ["Northwind Traders"]),
        ({"isActive": "false"}, ["Fabrikam"]),
        ({"partyType": "H"}, ["contoso builders"]),
        ({"sortBy": "name", "sortOrder": "asc", "offset": 1, "limit": 1}, ["Fabrikam"]),
    ],
)
def test_organizations_filter_and_sort(directory, params, expected):
    tenant, _, _ = directory

    assert names(tenant.call("GET", "/organizations", params=params)) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"partyType": "X"}, "partyType"),
        ({"isActive": "1"}, "isActive"),
        ({"sortBy": "createdAt"}, "sortBy"),
        ({"limit": 500}, "limit"),
    ],
)
def test_organization_list_parameters_are_checked(directory, params, field):
    tenant, _, _ = directory

    response = tenant.call("GET", "/organizations", params=params)

    assert_error(response, 400, "VALIDATION_ERROR", field=field)


def test_an_unknown_organization_is_not_found(directory):
    tenant, _, _ = directory

    assert_error(tenant.call("GET", "/organizations/nope"), 404, "NOT_FOUND")


def test_internal_parties_are_listed(directory):
    tenant, _, parties = directory

    listed = tenant.call("GET", "/internal-parties", params={"sortBy": "name", "sortOrder": "asc"})
    searched = tenant.call("GET", "/internal-parties", params={"name": "key"})

    assert names(listed) == ["Inside Sales", "Key Accounts"]
    assert searched.json["data"] == [parties[0]]
    assert set(parties[0]) == {"_id", "name", "email", "isActive", "createdAt", "updatedAt"}


def test_internal_party_list_parameters_are_checked(directory):
    tenant, _, _ = directory

    response = tenant.call("GET", "/internal-parties", params={"sortBy": "isActive"})

    assert_error(response, 400, "VALIDATION_ERROR", field="sortBy")


def test_links_are_created_listed_and_removed(directory):
    tenant, organizations, parties = directory
    body = {"partyId": organizations[1]["_id"], "internalPartyId": parties[1]["_id"]}

    created = tenant.call("POST", LINKS, json=body)
    listed = tenant.call("GET", "/internalParties-party", params={"partyId": body["partyId"]})
    removed = tenant.call("DELETE", LINKS, json=body)
    after = tenant.call("GET", "/internalParties-party", params={"partyId": body["partyId"]})

    assert created.status == 200
    assert listed.json["data"] == [created.json]
    assert removed.json["_id"] == created.json["_id"]
    assert removed.json["isDeleted"] is True
    assert after.json["query"]["count"] == 0


def test_a_duplicate_link_is_a_conflict(directory):
    tenant, organizations, parties = directory
    body = {"partyId": organizations[2]["_id"], "internalPartyId": parties[0]["_id"]}
    assert tenant.call("POST", LINKS, json=body).status == 200

    response = tenant.call("POST", LINKS, json=body)

    assert_error(response, 409, "DUPLICATE_LINK")
    assert tenant.call("DELETE", LINKS, json=body).status == 200


def test_a_link_needs_a_known_party(directory):
    tenant, _, parties = directory
    body = {"partyId": "ffffffffffffffffffffffff", "internalPartyId": parties[0]["_id"]}

    assert_error(tenant.call("POST", LINKS, json=body), 404, "PARTY_NOT_FOUND")


def test_a_link_needs_a_known_internal_party(directory):
    tenant, organizations, _ = directory
    body = {"partyId": organizations[0]["_id"], "internalPartyId": "ffffffffffffffffffffffff"}

    assert_error(tenant.call("POST", LINKS, json=body), 404, "INTERNAL_PARTY_NOT_FOUND")


def test_removing_a_missing_link_is_not_found(directory):
    tenant, organizations, parties = directory
    body = {"partyId": organizations[0]["_id"], "internalPartyId": parties[1]["_id"]}

    assert_error(tenant.call("DELETE", LINKS, json=body), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"internalPartyId": "x"}, "partyId"),
        ({"partyId": "x"}, "internalPartyId"),
        ({"partyId": 1, "internalPartyId": "x"}, "partyId"),
        ({"partyId": "x", "internalPartyId": "y", "note": "z"}, "note"),
    ],
)
def test_a_link_body_is_checked(directory, body, field):
    tenant, _, _ = directory

    assert_error(tenant.call("POST", LINKS, json=body), 400, "VALIDATION_ERROR", field=field)


def test_a_price_list_is_read_by_its_id(sandbox, tenant):
    response = sandbox.call("GET", "/api-offers/price-list/100001", headers=tenant.headers())

    assert response.status == 200
    assert response.json["priceListId"] == 100001
    assert response.json["currency"] == "USD"
    assert set(response.json) == {
        "_id", "priceListId", "name", "isDefault", "currency", "startDate", "endDate",
        "deleted", "createdAt", "updatedAt",
    }  # fmt: skip


@pytest.mark.parametrize("price_list_id", ["424242", "abc"])
def test_an_unknown_price_list_is_not_found(sandbox, tenant, price_list_id):
    response = sandbox.call(
        "GET", f"/api-offers/price-list/{price_list_id}", headers=tenant.headers()
    )

    assert_error(response, 404, "PRICE_LIST_NOT_FOUND")


def test_the_control_api_refuses_bad_records(sandbox, tenant):
    response = sandbox.call(
        "POST",
        f"/_sandbox/accounts/{tenant.account}/organizations",
        json={"name": "", "colour": "red", "_id": uuid.uuid4().hex[:24]},
    )

    assert_error(response, 400, "VALIDATION_ERROR", field="name")
    assert "colour" in [error["field"] for error in response.json["errors"]]
