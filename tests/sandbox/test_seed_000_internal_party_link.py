"""Seed 000: POST /v1/internalParties-party/create, the seed's own request against the stand-in."""

from tests.conftest import ACCOUNT_A, CLIENT_A
from tests.sandbox.helpers import API, assert_same_shape, seed_headers
from tests.sandbox.seed_examples import INTERNAL_PARTY_LINK

PATH = API + "/internalParties-party/create"


def test_the_seed_request_answers_the_seed_shape(sandbox, fabric_world):
    headers = seed_headers(sandbox.token(*CLIENT_A), ACCOUNT_A)
    # The seed's ids, replaced by records of the shared world (account A).
    body = {
        "partyId": fabric_world.organization_a["_id"],
        "internalPartyId": fabric_world.internal_party["_id"],
    }
    # Leave the shared world as found: a link made by another test is removed, then restored.
    existed = sandbox.call("DELETE", PATH, headers=headers, json=body).status == 200

    response = sandbox.call("POST", PATH, headers=headers, json=body)

    assert response.status == 200, response.text
    assert_same_shape(response.json, INTERNAL_PARTY_LINK)
    assert response.json["partyId"] == body["partyId"]
    assert response.json["internalPartyId"] == body["internalPartyId"]
    assert response.json["isDeleted"] is False
    if not existed:
        assert sandbox.call("DELETE", PATH, headers=headers, json=body).status == 200
