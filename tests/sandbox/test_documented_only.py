"""`serve --documented-only`: the stand-in answers only what fabric's public pages describe."""

import pytest

from fabric_sandbox.testing import SandboxServer
from tests.sandbox.helpers import Tenant

UNDOCUMENTED = [
    ("GET", "/organizations/{organization}"),
    ("GET", "/contracts"),
    ("GET", "/internalParties-party"),
]


@pytest.fixture(scope="module")
def documented_only():
    with SandboxServer(documented_only=True) as server:
        yield server


@pytest.fixture
def strict_tenant(documented_only) -> Tenant:
    return Tenant.create(documented_only, "Documented-only Tenant")


@pytest.mark.parametrize(("method", "path"), UNDOCUMENTED)
def test_an_undocumented_endpoint_answers_404_not_found(strict_tenant, method, path):
    organization = strict_tenant.organization(name="Northwind")

    path = path.format(organization=organization["_id"])

    response = strict_tenant.call(method, path)

    assert response.status == 404
    assert response.json == {
        "code": "NOT_FOUND",
        "message": f"No endpoint at /data-customer/v1{path}.",
    }


@pytest.mark.parametrize(("method", "path"), UNDOCUMENTED)
def test_the_same_endpoints_answer_in_the_default_mode(tenant, organization, method, path):
    response = tenant.call(method, path.format(organization=organization["_id"]))

    assert response.status == 200, response.text


def test_documented_endpoints_still_answer(strict_tenant):
    organization = strict_tenant.organization(name="Northwind")
    contracts = f"/organizations/{organization['_id']}/contracts"

    assert strict_tenant.call("GET", "/organizations").status == 200
    assert strict_tenant.call("GET", contracts).status == 200
    assert strict_tenant.call("GET", "/internal-parties").status == 200


def test_one_organization_is_read_through_the_documented_list(strict_tenant):
    wanted = strict_tenant.organization(name="Wanted")
    strict_tenant.organization(name="Other")

    response = strict_tenant.call("GET", "/organizations", params={"id": wanted["_id"]})

    assert response.status == 200
    assert [row["_id"] for row in response.json["data"]] == [wanted["_id"]]
    assert response.json["query"]["count"] == 1


def _contract(tenant: Tenant, organization: dict, contract_id: str) -> dict:
    response = tenant.call(
        "POST",
        f"/organizations/{organization['_id']}/contracts",
        json={
            "contractId": contract_id,
            "startDate": "2026-01-01T00:00:00.000Z",
            "endDate": "2027-01-01T00:00:00.000Z",
        },
    )
    assert response.status == 200, response.text
    return response.json


def test_patch_resolves_the_business_contract_id_only(strict_tenant):
    organization = strict_tenant.organization(name="Northwind")
    created = _contract(strict_tenant, organization, "C-DOC-0001")

    by_internal_id = strict_tenant.call(
        "PATCH", f"/contracts/{created['_id']}", json={"onContract": True}
    )
    by_business_id = strict_tenant.call(
        "PATCH", f"/contracts/{created['contractId']}", json={"onContract": True}
    )

    assert by_internal_id.status == 404
    assert by_internal_id.json["code"] == "NOT_FOUND"
    assert by_business_id.status == 200, by_business_id.text
    assert by_business_id.json["_id"] == created["_id"]
    assert by_business_id.json["onContract"] is True


def test_the_default_mode_patches_by_either_id(tenant, organization):
    created = _contract(tenant, organization, "C-ANY-0001")

    response = tenant.call("PATCH", f"/contracts/{created['_id']}", json={"onContract": True})

    assert response.status == 200, response.text


def test_the_request_log_marks_undocumented_calls(tenant, organization, sandbox):
    tenant.call("GET", "/contracts")
    tenant.call("GET", f"/organizations/{organization['_id']}/contracts")

    undocumented = sandbox.admin.undocumented_requests()

    assert [(entry["method"], entry["path"]) for entry in undocumented] == [
        ("GET", "/data-customer/v1/contracts")
    ]


def test_the_config_says_which_mode_runs(documented_only, sandbox):
    assert documented_only.admin.config()["documented_only"] is True
    assert sandbox.admin.config()["documented_only"] is False


def test_the_largest_page_size_is_a_run_time_setting(documented_only, strict_tenant):
    documented_only.admin.config(max_limit=50)
    try:
        refused = strict_tenant.call("GET", "/organizations", params={"limit": 51})
        accepted = strict_tenant.call("GET", "/organizations", params={"limit": 50})
    finally:
        documented_only.admin.config(max_limit=100)

    assert refused.status == 400
    assert refused.json["errors"] == [{"field": "limit", "message": "must be between 1 and 50"}]
    assert accepted.status == 200
