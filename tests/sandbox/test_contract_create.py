"""POST /v1/organizations/{organizationId}/contracts: defaults and every rule of seed 001."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.sandbox.helpers import assert_error


def create(tenant, organization, **body):
    body.setdefault("startDate", "2025-01-01T00:00:00.000Z")
    body.setdefault("endDate", "2025-12-31T00:00:00.000Z")
    return tenant.call("POST", f"/organizations/{organization['_id']}/contracts", json=body)


def test_a_new_contract_is_a_draft(tenant, organization):
    contract = tenant.contract(organization["_id"])

    assert contract["status"] == "DRAFT"
    assert contract["onContract"] is False
    assert contract["promotionStacking"] is False
    assert contract["isDeleted"] is False
    assert contract["additionalAttributes"] == {}
    assert contract["accountId"] == tenant.account
    assert contract["createdAt"] == contract["updatedAt"]
    assert "contractPriceList" not in contract


def test_a_contract_id_is_generated_as_a_15_digit_number(tenant, organization):
    first = tenant.contract(organization["_id"])
    second = tenant.contract(organization["_id"])

    for contract in (first, second):
        assert type(contract["contractId"]) is int
        assert len(str(contract["contractId"])) == 15
    assert first["contractId"] != second["contractId"]


def test_a_sent_contract_id_stays_the_string_sent(tenant, organization):
    contract = tenant.contract(organization["_id"], contractId="0042")

    assert contract["contractId"] == "0042"


def test_dates_come_back_in_utc_with_milliseconds(tenant, organization):
    contract = tenant.contract(
        organization["_id"], startDate="2025-03-01", endDate="2025-09-30T12:00:00+02:00"
    )

    assert contract["startDate"] == "2025-03-01T00:00:00.000Z"
    assert contract["endDate"] == "2025-09-30T10:00:00.000Z"


def test_the_record_id_is_24_hex_characters(tenant, organization):
    contract = tenant.contract(organization["_id"])

    assert len(contract["_id"]) == 24
    int(contract["_id"], 16)


def test_it_requires_both_dates(tenant, organization):
    response = tenant.call(
        "POST", f"/organizations/{organization['_id']}/contracts", json={"status": "ACTIVE"}
    )

    assert_error(response, 400, "VALIDATION_ERROR", field="startDate")
    assert "endDate" in [error["field"] for error in response.json["errors"]]


@pytest.mark.parametrize("end", ["2025-01-01T00:00:00.000Z", "2024-12-31T00:00:00.000Z"])
def test_the_start_must_be_before_the_end(tenant, organization, end):
    response = create(tenant, organization, startDate="2025-01-01T00:00:00.000Z", endDate=end)

    assert_error(response, 400, "VALIDATION_ERROR", field="endDate")


@pytest.mark.parametrize("value", ["2025-13-01", "01/02/2025", "soon", 20250101, None])
def test_dates_must_be_iso_8601(tenant, organization, value):
    response = create(tenant, organization, startDate=value)

    assert_error(response, 400, "VALIDATION_ERROR", field="startDate")


@pytest.mark.parametrize("contract_id", ["X", "", 7, True, ["C-1"]])
def test_a_contract_id_needs_two_characters(tenant, organization, contract_id):
    response = create(tenant, organization, contractId=contract_id)

    assert_error(response, 400, "VALIDATION_ERROR", field="contractId")


def test_a_duplicate_contract_id_is_a_conflict(tenant, organization):
    contract_id = f"C-DUP-{uuid.uuid4().hex[:8]}"
    tenant.contract(organization["_id"], contractId=contract_id)
    elsewhere = tenant.organization()

    response = create(tenant, elsewhere, contractId=contract_id)

    assert_error(response, 409, "DUPLICATE_CONTRACT_ID")


@pytest.mark.parametrize("status", ["active", "PENDING", "", 1])
def test_the_status_must_be_in_the_enum(tenant, organization, status):
    response = create(tenant, organization, status=status)

    assert_error(response, 400, "VALIDATION_ERROR", field="status")


@pytest.mark.parametrize("price_list_id", ["100000", 100000.5, True, {"id": 100000}])
def test_the_price_list_id_must_be_an_integer(tenant, organization, price_list_id):
    response = create(tenant, organization, priceListId=price_list_id)

    assert_error(response, 400, "VALIDATION_ERROR", field="priceListId")


def test_the_price_list_must_exist(tenant, organization):
    response = create(tenant, organization, priceListId=999999)

    assert_error(response, 404, "PRICE_LIST_NOT_FOUND")


def test_a_price_list_id_creates_the_link(tenant, organization):
    contract = tenant.contract(organization["_id"], priceListId=100001)

    link = contract["contractPriceList"]
    assert link["priceListId"] == 100001
    assert link["contractId"] == contract["_id"]
    assert set(link) == {"_id", "contractId", "priceListId", "createdAt", "updatedAt"}


def test_additional_attributes_must_be_an_object(tenant, organization):
    response = create(tenant, organization, additionalAttributes=["region"])

    assert_error(response, 400, "VALIDATION_ERROR", field="additionalAttributes")


@pytest.mark.parametrize("name", ["onContract", "promotionStacking"])
def test_patch_only_flags_are_refused(tenant, organization, name):
    response = create(tenant, organization, **{name: True})

    assert_error(response, 400, "VALIDATION_ERROR", field=name)


def test_unknown_fields_are_refused(tenant, organization):
    response = create(tenant, organization, colour="blue")

    assert_error(response, 400, "VALIDATION_ERROR", field="colour")


def test_a_body_that_is_not_json_is_refused(tenant, organization):
    response = tenant.server.call(
        "POST",
        f"/data-customer/v1/organizations/{organization['_id']}/contracts",
        headers=tenant.headers(**{"Content-Type": "application/json"}),
        data=b'{"startDate": ',
    )

    assert_error(response, 400, "VALIDATION_ERROR")


def test_a_body_must_be_an_object(tenant, organization):
    response = tenant.call("POST", f"/organizations/{organization['_id']}/contracts", json=[1])

    assert_error(response, 400, "VALIDATION_ERROR")


def test_the_organization_must_exist(tenant):
    response = tenant.call(
        "POST",
        "/organizations/ffffffffffffffffffffffff/contracts",
        json={"startDate": "2025-01-01", "endDate": "2025-12-31"},
    )

    assert_error(response, 404, "NOT_FOUND")


def test_concurrent_creates_get_distinct_contract_ids(tenant, organization):
    with ThreadPoolExecutor(max_workers=8) as pool:
        created = list(pool.map(lambda _: tenant.contract(organization["_id"]), range(40)))

    listed = tenant.call(
        "GET", f"/organizations/{organization['_id']}/contracts", params={"limit": 100}
    ).json

    assert len({contract["contractId"] for contract in created}) == 40
    assert listed["query"]["count"] == 40
