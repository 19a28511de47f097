"""Seed 001: POST /v1/organizations/{organizationId}/contracts with every body field it lists."""

import uuid

from tests.conftest import ACCOUNT_A, CLIENT_A
from tests.sandbox.helpers import API, assert_declared_types, assert_same_shape, seed_headers
from tests.sandbox.seed_examples import CREATE_CONTRACT_FIELDS, PATCH_CONTRACT


def test_the_seed_request_answers_the_declared_fields(sandbox, fabric_world):
    headers = seed_headers(sandbox.token(*CLIENT_A), ACCOUNT_A)
    organization_id = fabric_world.organization_a["_id"]
    body = {
        "endDate": "2021-12-20T15:16:20.630Z",
        "startDate": "2021-08-19T15:16:20.630Z",
        "additionalAttributes": {},
        # A string contractId, as the seed declares; it must come back as that string.
        "contractId": f"C-SEED-{uuid.uuid4().hex[:8]}",
        "contractType": "TYPE-A",
        "priceListId": 100000,
        "status": "ACTIVE",
    }
    contracts = f"{API}/organizations/{organization_id}/contracts"

    response = sandbox.call("POST", contracts, headers=headers, json=body)

    assert response.status == 200, response.text
    created = response.json
    assert_declared_types(created, CREATE_CONTRACT_FIELDS)
    # The link's own fields are shown by seed 002's example.
    assert_same_shape(created["contractPriceList"], PATCH_CONTRACT["contractPriceList"])
    assert created["contractId"] == body["contractId"]
    assert created["partyId"] == organization_id
    assert (created["startDate"], created["endDate"]) == (body["startDate"], body["endDate"])
    assert created["contractPriceList"]["contractId"] == created["_id"]
    assert created["contractPriceList"]["priceListId"] == 100000
    assert (created["onContract"], created["promotionStacking"]) == (False, False)
    assert "priceLists" not in created
    assert "party" not in created
    # Soft-deleted again, so organization A lists what the other tests made there.
    assert sandbox.call("DELETE", f"{contracts}/{created['_id']}", headers=headers).status == 200
