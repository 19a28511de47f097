"""GET one contract, soft delete, resurrect, and how `{contractId}` in a path is resolved."""

import uuid

from tests.sandbox.helpers import assert_error


def contract_path(contract, reference=None):
    return f"/organizations/{contract['partyId']}/contracts/{reference or contract['_id']}"


def test_a_contract_is_found_by_its_id(tenant, organization):
    contract = tenant.contract(organization["_id"])

    response = tenant.call("GET", contract_path(contract))

    assert response.status == 200
    assert response.json["_id"] == contract["_id"]
    assert response.json["party"]["name"] == organization["name"]


def test_a_contract_is_found_by_its_generated_contract_id(tenant, organization):
    contract = tenant.contract(organization["_id"])

    response = tenant.call("GET", contract_path(contract, str(contract["contractId"])))

    assert response.json["_id"] == contract["_id"]


def test_a_contract_is_found_by_a_sent_contract_id(tenant, organization):
    contract = tenant.contract(organization["_id"], contractId=f"C-NW-{uuid.uuid4().hex[:6]}")

    by_path = tenant.call("GET", contract_path(contract, contract["contractId"]))
    by_patch = tenant.call(
        "PATCH", f"/contracts/{contract['contractId']}", json={"status": "INACTIVE"}
    )

    assert by_path.json["_id"] == contract["_id"]
    assert by_patch.json["_id"] == contract["_id"]


def test_an_unknown_contract_is_not_found(tenant, organization):
    response = tenant.call("GET", f"/organizations/{organization['_id']}/contracts/nope")

    assert_error(response, 404, "NOT_FOUND")


def test_an_unknown_organization_is_not_found(tenant):
    response = tenant.call("GET", "/organizations/ffffffffffffffffffffffff/contracts/any")

    assert_error(response, 404, "NOT_FOUND")


def test_a_deleted_contract_is_hidden(tenant, organization):
    contract = tenant.contract(organization["_id"])

    deleted = tenant.call("DELETE", contract_path(contract))

    assert deleted.status == 200
    assert deleted.json["isDeleted"] is True
    assert deleted.json["updatedAt"] > contract["updatedAt"]
    assert_error(tenant.call("GET", contract_path(contract)), 404, "NOT_FOUND")
    listed = tenant.call("GET", f"/organizations/{organization['_id']}/contracts").json
    assert listed["query"]["count"] == 0
    everywhere = tenant.call(
        "GET", "/contracts", params={"filterField": "partyId", "filterValue": organization["_id"]}
    )
    assert everywhere.json["data"] == []


def test_a_deleted_contract_is_shown_with_include_deleted(tenant, organization):
    contract = tenant.contract(organization["_id"])
    tenant.call("DELETE", contract_path(contract))

    response = tenant.call("GET", contract_path(contract), params={"includeDeleted": "true"})

    assert response.status == 200
    assert response.json["isDeleted"] is True


def test_include_deleted_must_be_a_boolean(tenant, organization):
    contract = tenant.contract(organization["_id"])

    response = tenant.call("GET", contract_path(contract), params={"includeDeleted": "yes"})

    assert_error(response, 400, "VALIDATION_ERROR", field="includeDeleted")


def test_a_deleted_contract_cannot_be_updated_or_deleted_again(tenant, organization):
    contract = tenant.contract(organization["_id"])
    tenant.call("DELETE", contract_path(contract))

    assert_error(tenant.call("PUT", contract_path(contract), json={}), 404, "NOT_FOUND")
    patch = tenant.call("PATCH", f"/contracts/{contract['_id']}", json={"status": "ACTIVE"})
    assert_error(patch, 404, "NOT_FOUND")
    assert_error(tenant.call("DELETE", contract_path(contract)), 404, "NOT_FOUND")


def test_resurrect_undoes_a_soft_delete(tenant, organization):
    contract = tenant.contract(organization["_id"], priceListId=100000)
    tenant.call("DELETE", contract_path(contract))

    response = tenant.call("POST", contract_path(contract) + "/resurrect")

    assert response.status == 200
    assert response.json["isDeleted"] is False
    assert response.json["contractPriceList"]["priceListId"] == 100000
    assert tenant.call("GET", contract_path(contract)).status == 200


def test_a_deleted_contract_id_stays_taken(tenant, organization):
    contract = tenant.contract(organization["_id"], contractId=f"C-{uuid.uuid4().hex[:8]}")
    tenant.call("DELETE", contract_path(contract))

    response = tenant.call(
        "POST",
        f"/organizations/{organization['_id']}/contracts",
        json={
            "contractId": contract["contractId"],
            "startDate": "2025-01-01",
            "endDate": "2026-01-01",
        },
    )

    assert_error(response, 409, "DUPLICATE_CONTRACT_ID")


def test_resurrect_of_an_unknown_contract_is_not_found(tenant, organization):
    response = tenant.call("POST", f"/organizations/{organization['_id']}/contracts/nope/resurrect")

    assert_error(response, 404, "NOT_FOUND")
