"""Data is partitioned by account: another account's records do not exist (404), lists skip them."""

import uuid

from tests.sandbox.helpers import assert_error


def test_an_organization_of_another_account_is_not_found(tenant, other_tenant, organization):
    response = other_tenant.call("GET", f"/organizations/{organization['_id']}")

    assert_error(response, 404, "NOT_FOUND")


def test_a_contract_of_another_account_is_not_found(tenant, other_tenant, organization):
    contract = tenant.contract(organization["_id"])
    path = f"/organizations/{organization['_id']}/contracts/{contract['_id']}"

    assert_error(other_tenant.call("GET", path), 404, "NOT_FOUND")
    assert_error(other_tenant.call("PUT", path, json={"status": "ACTIVE"}), 404, "NOT_FOUND")
    assert_error(other_tenant.call("DELETE", path), 404, "NOT_FOUND")
    patch = other_tenant.call("PATCH", f"/contracts/{contract['_id']}", json={"status": "ACTIVE"})
    assert_error(patch, 404, "NOT_FOUND")
    assert tenant.call("GET", path).json["status"] == "DRAFT"


def test_lists_show_only_the_callers_records(tenant, other_tenant, organization):
    contract = tenant.contract(organization["_id"])

    organizations = other_tenant.call("GET", "/organizations", params={"limit": 100}).json
    contracts = other_tenant.call("GET", "/contracts", params={"limit": 100}).json

    assert organization["_id"] not in [item["_id"] for item in organizations["data"]]
    assert contract["_id"] not in [item["_id"] for item in contracts["data"]]


def test_a_contract_cannot_be_created_in_another_accounts_organization(other_tenant, organization):
    response = other_tenant.call(
        "POST",
        f"/organizations/{organization['_id']}/contracts",
        json={"startDate": "2025-01-01", "endDate": "2025-12-31"},
    )

    assert_error(response, 404, "NOT_FOUND")


def test_price_lists_belong_to_their_account(tenant, other_tenant, organization):
    # priceListId 100000 exists in `tenant` only.
    assert (
        tenant.server.call("GET", "/api-offers/price-list/100000", headers=tenant.headers()).status
        == 200
    )
    response = other_tenant.server.call(
        "GET", "/api-offers/price-list/100000", headers=other_tenant.headers()
    )

    assert_error(response, 404, "PRICE_LIST_NOT_FOUND")


def test_the_same_contract_id_may_exist_in_two_accounts(tenant, other_tenant, organization):
    contract_id = f"C-SHARED-{uuid.uuid4().hex[:8]}"
    theirs = other_tenant.organization()
    tenant.contract(organization["_id"], contractId=contract_id)

    mine = other_tenant.contract(theirs["_id"], contractId=contract_id)

    assert mine["contractId"] == contract_id
