"""The client tolerates what a live fabric may answer and the stand-in does not: one test per
case, each against a crafted server (tests/fabric/crafted.py)."""

import pytest

from contracts_ui import fabric
from contracts_ui.fabric.errors import FabricBlocked
from contracts_ui.fabric.paging import learned_page_size
from tests.fabric.crafted import CraftedFabric, running

API = "/data-customer/v1"
TOKEN = "/oauth2/aus1/v1/token"
ORGANIZATION = "61a77df3941da90009fd35db"
CONTRACT = {
    "_id": "61604a30fdfacd0009816e44",
    "contractId": 201000000000013,
    "partyId": ORGANIZATION,
    "status": "ACTIVE",
    "startDate": "2021-08-19T15:16:20.630Z",
    "endDate": "2021-12-20T15:16:20.630Z",
    "updatedAt": "2021-08-30T23:20:42.822Z",
}
ONE_CONTRACT = f"{API}/organizations/{ORGANIZATION}/contracts/201000000000013"
GATEWAY_403 = b"<!DOCTYPE html><html><body><h1>403 Forbidden</h1>Request blocked.</body></html>"


@pytest.fixture
def crafted(settings):
    settings.FABRIC_MAX_RETRIES = 0
    crafted = CraftedFabric()
    crafted.answer("POST", TOKEN, json={"access_token": "t-1", "expires_in": 600})
    with running(crafted):
        yield crafted


def tenant_of(crafted: CraftedFabric, account: str = "a" * 24) -> fabric.FabricTenant:
    return fabric.FabricTenant(
        account_id=account,
        client_id="client",
        client_secret="secret",
        base_url=crafted.url,
        token_url=crafted.url + TOKEN,
    )


def envelope(rows: list, limit: int = 10) -> dict:
    return {"query": {"offset": 0, "limit": limit, "count": len(rows)}, "data": rows}


def test_a_write_answered_200_with_an_empty_body_is_confirmed_by_a_re_read(crafted):
    crafted.answer("PATCH", f"{API}/contracts/201000000000013", body=b"")
    crafted.answer("GET", ONE_CONTRACT, json=CONTRACT)

    patched = fabric.patch_contract(
        tenant_of(crafted),
        organization_id=ORGANIZATION,
        business_contract_id="201000000000013",
        changes={"status": "ACTIVE"},
    )

    assert patched.id == CONTRACT["_id"]
    assert len(crafted.calls("GET", ONE_CONTRACT)) == 1


def test_a_204_on_a_write_is_confirmed_by_a_re_read(crafted):
    crafted.answer("DELETE", ONE_CONTRACT, status=204)
    crafted.answer("GET", ONE_CONTRACT, json=CONTRACT | {"isDeleted": True})

    deleted = fabric.delete_contract(
        tenant_of(crafted), organization_id=ORGANIZATION, contract_id="201000000000013"
    )

    assert deleted.is_deleted is True
    (reread,) = crafted.calls("GET", ONE_CONTRACT)
    assert reread.params == {"includeDeleted": "true"}


def test_an_empty_answer_the_re_read_does_not_bear_out_stays_outcome_unknown(crafted):
    crafted.answer("PUT", ONE_CONTRACT, body=b"")
    crafted.answer("GET", ONE_CONTRACT, json=CONTRACT)

    with pytest.raises(fabric.FabricBadResponse) as caught:
        fabric.update_contract(
            tenant_of(crafted),
            organization_id=ORGANIZATION,
            contract_id="201000000000013",
            changes={"status": "INACTIVE"},
        )

    assert caught.value.outcome_unknown is True


def test_message_as_a_list_is_read_as_each_problem(crafted):
    problems = ["startDate must be a date", "endDate must be after startDate"]
    crafted.answer("PUT", ONE_CONTRACT, status=400, json={"statusCode": 400, "message": problems})

    with pytest.raises(fabric.FabricValidationError) as caught:
        fabric.update_contract(
            tenant_of(crafted),
            organization_id=ORGANIZATION,
            contract_id="201000000000013",
            changes={"startDate": "x"},
        )

    assert caught.value.non_field_errors == problems
    assert caught.value.user_message == f"fabric rejected the values sent: {' '.join(problems)}"


def test_errors_as_an_object_are_read_as_field_errors(crafted):
    errors = {
        "startDate": "must be before endDate",
        "status": ["must be ACTIVE, DRAFT or INACTIVE"],
    }
    crafted.answer(
        "PUT", ONE_CONTRACT, status=400, json={"message": "Invalid input", "errors": errors}
    )

    with pytest.raises(fabric.FabricValidationError) as caught:
        fabric.update_contract(
            tenant_of(crafted),
            organization_id=ORGANIZATION,
            contract_id="201000000000013",
            changes={"status": "NOPE"},
        )

    assert caught.value.field_errors == {
        "startDate": ["must be before endDate"],
        "status": ["must be ACTIVE, DRAFT or INACTIVE"],
    }


def test_an_oauth_error_keeps_its_description(crafted):
    crafted.answers.clear()
    crafted.answer(
        "POST",
        TOKEN,
        status=401,
        json={"error": "invalid_client", "error_description": "Client authentication failed."},
    )

    with pytest.raises(fabric.FabricAuthError) as caught:
        fabric.list_organizations(tenant_of(crafted))

    assert caught.value.code == "invalid_client"
    assert caught.value.message == "Client authentication failed."
    assert "Client authentication failed." in caught.value.user_message


def test_a_gateways_html_403_is_not_shown_as_refused_credentials(crafted):
    crafted.answer(
        "GET", f"{API}/organizations", status=403, body=GATEWAY_403, content_type="text/html"
    )

    with pytest.raises(FabricBlocked) as caught:
        fabric.list_organizations(tenant_of(crafted))

    assert not isinstance(caught.value, fabric.FabricPermissionDenied | fabric.FabricAuthError)
    assert "gateway" in caught.value.user_message
    assert "credentials" not in caught.value.user_message


def test_a_gateways_html_403_on_the_token_endpoint_is_not_refused_credentials(crafted):
    crafted.answers.clear()
    crafted.answer("POST", TOKEN, status=403, body=GATEWAY_403, content_type="text/html")

    with pytest.raises(FabricBlocked):
        fabric.list_organizations(tenant_of(crafted))


def test_a_token_without_expires_in_is_cached_for_a_default_lifetime(crafted):
    crafted.answers.clear()
    crafted.answer("POST", TOKEN, json={"access_token": "t-1", "token_type": "Bearer"})
    crafted.answer("GET", f"{API}/organizations", json=envelope([]))
    tenant = tenant_of(crafted)

    fabric.list_organizations(tenant)
    fabric.list_organizations(tenant)

    assert len(crafted.calls("POST", TOKEN)) == 1
    assert len(crafted.calls("GET", f"{API}/organizations")) == 2


def test_a_malformed_row_is_skipped_and_counted(crafted):
    rows = [
        {"_id": "a" * 24, "name": "Readable"},
        {"name": "No id at all"},
        {"_id": "b" * 24, "name": "Also readable", "createdAt": "not a date"},
        {"_id": "c" * 24, "name": "Readable too"},
    ]
    crafted.answer("GET", f"{API}/organizations", json=envelope(rows))

    page = fabric.list_organizations(tenant_of(crafted))

    assert [organization.name for organization in page.items] == ["Readable", "Readable too"]
    assert page.unreadable == 2
    assert page.count == 4
    assert page.end_offset == 4


def test_a_refused_page_size_is_asked_again_smaller_and_remembered_per_account(crafted):
    refusal = {"code": "VALIDATION_ERROR", "message": "limit must be between 1 and 50"}
    path = f"{API}/organizations"
    crafted.answer("GET", path, status=400, json=refusal)
    crafted.answer("GET", path, json=envelope([], limit=50))
    tenant, other_account = tenant_of(crafted), tenant_of(crafted, account="b" * 24)

    first = fabric.list_organizations(tenant, limit=100)
    fabric.list_organizations(tenant, limit=100)
    fabric.list_organizations(other_account, limit=100)

    sent = [call.params["limit"] for call in crafted.calls("GET", path)]
    assert sent == ["100", "50", "50", "100"]
    assert first.limit == 50
    assert learned_page_size(tenant) == 50
    assert learned_page_size(other_account) is None


def test_a_page_size_refusal_naming_no_size_halves_the_size(crafted):
    path = f"{API}/organizations"
    crafted.answer("GET", path, status=400, json={"message": "Invalid limit"})
    crafted.answer("GET", path, status=400, json={"message": "Invalid limit"})
    crafted.answer("GET", path, json=envelope([], limit=25))

    fabric.list_organizations(tenant_of(crafted), limit=100)

    assert [call.params["limit"] for call in crafted.calls("GET", path)] == ["100", "50", "25"]


def test_json_the_fast_parser_refuses_is_read_as_before(crafted):
    # orjson refuses a lone surrogate escape; the stdlib's parser reads it, as it always did.
    crafted.answer("GET", ONE_CONTRACT, body=b'{"_id": "c-1", "contractType": "A\\ud800B"}')

    contract = fabric.get_contract(
        tenant_of(crafted), organization_id=ORGANIZATION, contract_id="201000000000013"
    )

    assert contract.contract_type == "A\ud800B"


def test_an_answer_no_parser_reads_is_a_bad_response(crafted):
    crafted.answer("GET", ONE_CONTRACT, body=b'{"_id": "c-1",')

    with pytest.raises(fabric.FabricBadResponse):
        fabric.get_contract(
            tenant_of(crafted), organization_id=ORGANIZATION, contract_id="201000000000013"
        )
