"""Seed 002: PATCH /v1/contracts/{contractId}, the seed's curl example against the stand-in."""

from tests.conftest import ACCOUNT_A, CLIENT_A
from tests.sandbox.helpers import API, assert_same_shape, seed_headers
from tests.sandbox.seed_examples import PATCH_CONTRACT, PATCH_CONTRACT_REQUEST


def test_the_seed_request_answers_the_seed_shape(sandbox, fabric_world):
    headers = seed_headers(sandbox.token(*CLIENT_A), ACCOUNT_A)
    organization_id = fabric_world.organization_a["_id"]
    contracts = f"{API}/organizations/{organization_id}/contracts"
    created = sandbox.call(
        "POST",
        contracts,
        headers=headers,
        json={"startDate": "2021-01-01T00:00:00.000Z", "endDate": "2021-06-30T00:00:00.000Z"},
    ).json
    # The seed's body; its partyId replaced by an organization that exists.
    body = PATCH_CONTRACT_REQUEST | {"partyId": organization_id}

    response = sandbox.call(
        "PATCH", f"{API}/contracts/{created['contractId']}", headers=headers, json=body
    )

    assert response.status == 200, response.text
    assert_same_shape(response.json, PATCH_CONTRACT)
    patched = response.json
    sent_fields = {name: value for name, value in body.items() if name != "priceListId"}
    assert {name: patched[name] for name in sent_fields} == sent_fields
    assert patched["contractPriceList"]["priceListId"] == 100000
    assert patched["contractPriceList"]["contractId"] == created["_id"]
    assert patched["updatedAt"] > created["updatedAt"]
    assert "priceLists" not in patched
    assert "party" not in patched
    assert sandbox.call("DELETE", f"{contracts}/{created['_id']}", headers=headers).status == 200
