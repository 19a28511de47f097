"""Seed 004: "Update organization contract", PUT /v1/organizations/{id}/contracts/{contractId}."""

from tests.conftest import ACCOUNT_A, CLIENT_A
from tests.sandbox.helpers import API, assert_declared_types, assert_same_shape, seed_headers
from tests.sandbox.seed_examples import (
    PATCH_CONTRACT,
    UPDATE_CONTRACT_FIELDS,
    UPDATE_CONTRACT_REQUEST,
)


def test_the_seed_request_answers_the_seed_fields(sandbox, fabric_world):
    headers = seed_headers(sandbox.token(*CLIENT_A), ACCOUNT_A)
    contracts = f"{API}/organizations/{fabric_world.organization_a['_id']}/contracts"
    created = sandbox.call(
        "POST",
        contracts,
        headers=headers,
        json={"startDate": "2021-01-01T00:00:00.000Z", "endDate": "2021-06-30T00:00:00.000Z"},
    ).json

    # Addressed by its contractId, which the seed's path parameter allows.
    response = sandbox.call(
        "PUT", f"{contracts}/{created['contractId']}", headers=headers, json=UPDATE_CONTRACT_REQUEST
    )

    assert response.status == 200, response.text
    updated = response.json
    assert_declared_types(updated, UPDATE_CONTRACT_FIELDS)
    assert_same_shape(updated["contractPriceList"], PATCH_CONTRACT["contractPriceList"])
    sent = {name: value for name, value in UPDATE_CONTRACT_REQUEST.items() if name != "priceListId"}
    assert {name: updated[name] for name in sent} == sent
    assert updated["contractPriceList"]["priceListId"] == 100000
    assert updated["_id"] == created["_id"]
    assert updated["updatedAt"] > created["updatedAt"]
    assert sandbox.call("DELETE", f"{contracts}/{created['_id']}", headers=headers).status == 200
