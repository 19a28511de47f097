"""PUT /v1/organizations/{id}/contracts/{contractId} (seed 004) and PATCH /v1/contracts/{id}
(seed 002): partial updates and their rules."""

import uuid

import pytest

from tests.sandbox.helpers import assert_error


@pytest.fixture
def contract(tenant, organization):
    return tenant.contract(
        organization["_id"],
        startDate="2025-01-01T00:00:00.000Z",
        endDate="2025-12-31T00:00:00.000Z",
    )


def put(tenant, contract, **body):
    path = f"/organizations/{contract['partyId']}/contracts/{contract['_id']}"
    return tenant.call("PUT", path, json=body)


def patch(tenant, contract, **body):
    return tenant.call("PATCH", f"/contracts/{contract['_id']}", json=body)


def test_put_changes_only_the_fields_sent(tenant, contract):
    response = put(tenant, contract, status="ACTIVE", additionalAttributes={"region": "EMEA"})

    assert response.status == 200
    updated = response.json
    assert updated["status"] == "ACTIVE"
    assert updated["additionalAttributes"] == {"region": "EMEA"}
    assert updated["startDate"] == contract["startDate"]
    assert updated["contractId"] == contract["contractId"]
    assert updated["createdAt"] == contract["createdAt"]


def test_put_refuses_the_patch_only_flags(tenant, contract):
    response = put(tenant, contract, onContract=True)

    assert_error(response, 400, "VALIDATION_ERROR", field="onContract")
    assert "PATCH" in response.json["errors"][0]["message"]


def test_patch_sets_the_flags(tenant, contract):
    response = patch(tenant, contract, onContract=True, promotionStacking=True)

    assert (response.json["onContract"], response.json["promotionStacking"]) == (True, True)


@pytest.mark.parametrize("method", [put, patch])
def test_a_new_start_must_stay_before_the_stored_end(tenant, contract, method):
    response = method(tenant, contract, startDate="2026-01-01T00:00:00.000Z")

    assert_error(response, 400, "VALIDATION_ERROR", field="startDate")


@pytest.mark.parametrize("method", [put, patch])
def test_a_new_end_must_stay_after_the_stored_start(tenant, contract, method):
    response = method(tenant, contract, endDate="2025-01-01T00:00:00.000Z")

    assert_error(response, 400, "VALIDATION_ERROR", field="endDate")


def test_both_dates_may_move_together(tenant, contract):
    response = put(tenant, contract, startDate="2027-01-01", endDate="2027-06-30")

    assert response.status == 200
    assert response.json["startDate"] == "2027-01-01T00:00:00.000Z"


@pytest.mark.parametrize("method", [put, patch])
def test_a_duplicate_contract_id_is_a_conflict(tenant, organization, contract, method):
    taken = tenant.contract(organization["_id"], contractId=f"C-{uuid.uuid4().hex[:8]}")

    response = method(tenant, contract, contractId=taken["contractId"])

    assert_error(response, 409, "DUPLICATE_CONTRACT_ID")


def test_a_contract_may_keep_its_own_contract_id(tenant, organization):
    contract = tenant.contract(organization["_id"], contractId=f"C-{uuid.uuid4().hex[:8]}")

    response = put(tenant, contract, contractId=contract["contractId"])

    assert response.status == 200


@pytest.mark.parametrize("method", [put, patch])
def test_a_short_contract_id_is_refused(tenant, contract, method):
    assert_error(method(tenant, contract, contractId="Z"), 400, "VALIDATION_ERROR", "contractId")


@pytest.mark.parametrize("method", [put, patch])
def test_the_status_must_be_in_the_enum(tenant, contract, method):
    assert_error(method(tenant, contract, status="DONE"), 400, "VALIDATION_ERROR", "status")


@pytest.mark.parametrize("method", [put, patch])
def test_the_price_list_id_must_be_an_integer(tenant, contract, method):
    response = method(tenant, contract, priceListId="100000")

    assert_error(response, 400, "VALIDATION_ERROR", field="priceListId")


@pytest.mark.parametrize("method", [put, patch])
def test_the_price_list_must_exist(tenant, contract, method):
    assert_error(method(tenant, contract, priceListId=424242), 404, "PRICE_LIST_NOT_FOUND")


def test_one_price_list_link_at_a_time(tenant, contract):
    first = put(tenant, contract, priceListId=100000).json["contractPriceList"]
    again = put(tenant, contract, status="ACTIVE").json["contractPriceList"]
    second = patch(tenant, contract, priceListId=100001).json["contractPriceList"]

    assert again == first
    assert second["priceListId"] == 100001
    assert second["_id"] != first["_id"]
    path = f"/organizations/{contract['partyId']}/contracts/{contract['_id']}"
    assert [link["priceListId"] for link in tenant.call("GET", path).json["priceLists"]] == [100001]


@pytest.mark.parametrize("method", [put, patch])
def test_a_null_price_list_id_removes_the_link(tenant, contract, method):
    put(tenant, contract, priceListId=100000)

    response = method(tenant, contract, priceListId=None)

    assert response.status == 200
    assert "contractPriceList" not in response.json
    path = f"/organizations/{contract['partyId']}/contracts/{contract['_id']}"
    assert tenant.call("GET", path).json["priceLists"] == []


def test_patch_moves_a_contract_to_another_organization(tenant, contract):
    target = tenant.organization()

    response = patch(tenant, contract, partyId=target["_id"], addressId="6182ae91c67c61932b38c382")

    assert response.json["partyId"] == target["_id"]
    assert response.json["addressId"] == "6182ae91c67c61932b38c382"
    moved = tenant.call("GET", f"/organizations/{target['_id']}/contracts/{contract['_id']}")
    assert moved.status == 200


def test_patch_needs_an_existing_organization(tenant, contract, other_tenant):
    foreign = other_tenant.organization()

    response = patch(tenant, contract, partyId=foreign["_id"])

    assert_error(response, 404, "PARTY_NOT_FOUND")


@pytest.mark.parametrize("method", [put, patch])
def test_unknown_fields_are_refused(tenant, contract, method):
    assert_error(method(tenant, contract, colour="red"), 400, "VALIDATION_ERROR", "colour")


def test_put_refuses_patch_only_identity_fields(tenant, contract):
    assert_error(put(tenant, contract, partyId="x" * 24), 400, "VALIDATION_ERROR", "partyId")


def test_updated_at_moves_forward_on_every_write(tenant, contract):
    stamps = [contract["updatedAt"]]
    for index in range(5):
        stamps.append(patch(tenant, contract, contractType=f"T{index}").json["updatedAt"])

    assert stamps == sorted(set(stamps))
    assert all(len(stamp) == len("2025-01-01T00:00:00.000Z") for stamp in stamps)


def test_put_needs_the_contract_in_that_organization(tenant, contract):
    elsewhere = tenant.organization()

    response = tenant.call(
        "PUT", f"/organizations/{elsewhere['_id']}/contracts/{contract['_id']}", json={}
    )

    assert_error(response, 404, "NOT_FOUND")


def test_patch_of_an_unknown_contract_is_not_found(tenant):
    assert_error(tenant.call("PATCH", "/contracts/nope-000", json={}), 404, "NOT_FOUND")
