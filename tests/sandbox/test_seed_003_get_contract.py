"""Seed 003: GET /v1/organizations/{organizationId}/contracts/{contractId}, as the seed sends it."""

from tests.conftest import ACCOUNT_A, CLIENT_A
from tests.sandbox.helpers import API, assert_same_shape, seed_headers
from tests.sandbox.seed_examples import GET_CONTRACT


def test_the_seed_request_answers_the_seed_shape(sandbox, fabric_world):
    headers = seed_headers(sandbox.token(*CLIENT_A), ACCOUNT_A)
    organization = fabric_world.organization_a
    contracts = f"{API}/organizations/{organization['_id']}/contracts"
    created = sandbox.call(
        "POST",
        contracts,
        headers=headers,
        json={
            "startDate": "2021-08-19T15:16:20.630Z",
            "endDate": "2021-12-20T15:16:20.630Z",
            "contractType": "TYPE-A",
            "status": "ACTIVE",
            "priceListId": 100000,
        },
    ).json
    # The seed sends no Content-Type on this GET.
    get_headers = {name: value for name, value in headers.items() if name != "Content-Type"}

    response = sandbox.call("GET", f"{contracts}/{created['_id']}", headers=get_headers)

    assert response.status == 200, response.text
    assert_same_shape(response.json, GET_CONTRACT)
    found = response.json
    assert found["contractId"] == created["contractId"]
    assert [link["priceListId"] for link in found["priceLists"]] == [100000]
    assert found["priceLists"][0]["contractId"] == created["_id"]
    assert found["party"]["name"] == organization["name"]
    assert found["party"]["email"] == organization["email"]
    assert found["party"]["isActive"] == "true"
    assert "contractPriceList" not in found
    assert sandbox.call("DELETE", f"{contracts}/{created['_id']}", headers=headers).status == 200
