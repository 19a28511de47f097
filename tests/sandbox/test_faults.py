"""Fault injection and the request log (README.md, control API)."""

import http.client
import time

import pytest

from tests.sandbox.helpers import assert_error

ORGANIZATIONS = r"/v1/organizations$"


def test_latency_delays_the_answer(sandbox, tenant):
    sandbox.admin.add_fault(path=ORGANIZATIONS, latency_ms=300)

    started = time.monotonic()
    response = tenant.call("GET", "/organizations")

    assert response.status == 200
    assert time.monotonic() - started >= 0.3


def test_a_status_fault_answers_json_with_retry_after(sandbox, tenant):
    sandbox.admin.add_fault(method="GET", path=ORGANIZATIONS, status=429, retry_after=7)

    response = tenant.call("GET", "/organizations")

    assert_error(response, 429, "RATE_LIMITED")
    assert response.headers.get("Retry-After") == "7"


@pytest.mark.parametrize(("status", "code"), [(500, "INTERNAL"), (503, "SERVICE_UNAVAILABLE")])
def test_server_error_faults_have_their_codes(sandbox, tenant, status, code):
    sandbox.admin.add_fault(path=ORGANIZATIONS, status=status)

    assert_error(tenant.call("GET", "/organizations"), status, code)


def test_times_limits_a_fault(sandbox, tenant):
    sandbox.admin.add_fault(path=ORGANIZATIONS, status=503, times=1)

    statuses = [tenant.call("GET", "/organizations").status for _ in range(3)]

    assert statuses == [503, 200, 200]


def test_a_fault_matches_its_method_only(sandbox, tenant, organization):
    sandbox.admin.add_fault(method="POST", status=500)

    assert tenant.call("GET", "/organizations").status == 200
    assert (
        tenant.call("POST", f"/organizations/{organization['_id']}/contracts", json={}).status
        == 500
    )


def test_faults_apply_to_the_token_endpoint(sandbox, tenant):
    sandbox.admin.add_fault(path="^/auth/", status=503, times=1)

    with pytest.raises(RuntimeError, match="503"):
        sandbox.token(tenant.client_id, tenant.client_secret)
    assert sandbox.token(tenant.client_id, tenant.client_secret)


def test_faults_never_touch_the_control_api(sandbox):
    sandbox.admin.add_fault(status=500)

    assert sandbox.call("GET", "/_sandbox/health").json == {"status": "ok"}


def test_hang_waits_then_closes_without_an_answer(sandbox, tenant):
    sandbox.admin.add_fault(path=ORGANIZATIONS, hang_s=0.5)

    started = time.monotonic()
    with pytest.raises(http.client.RemoteDisconnected):
        tenant.call("GET", "/organizations")

    assert time.monotonic() - started >= 0.5
    (logged,) = sandbox.admin.requests(path=ORGANIZATIONS)
    assert logged["status"] is None


def test_drop_closes_the_connection_at_once(sandbox, tenant):
    sandbox.admin.add_fault(path=ORGANIZATIONS, drop=True, times=1)

    with pytest.raises(http.client.RemoteDisconnected):
        tenant.call("GET", "/organizations")

    assert tenant.call("GET", "/organizations").status == 200
    statuses = [entry["status"] for entry in sandbox.admin.requests(path=ORGANIZATIONS)]
    assert statuses == [None, 200]


def test_malformed_answers_200_with_broken_json(sandbox, tenant):
    sandbox.admin.add_fault(path=ORGANIZATIONS, malformed=True)

    response = tenant.call("GET", "/organizations")

    assert response.status == 200
    assert response.headers.get("Content-Type") == "application/json"
    assert response.text.startswith("{")
    assert response.json is None


def test_clearing_faults_restores_normal_answers(sandbox, tenant):
    sandbox.admin.add_fault(status=500)

    sandbox.admin.clear_faults()

    assert tenant.call("GET", "/organizations").status == 200


@pytest.mark.parametrize(
    "rule", [{"status": 99}, {"times": 0}, {"path": "("}, {"drop": "yes"}, {"colour": 1}]
)
def test_a_bad_rule_is_refused(sandbox, rule):
    response = sandbox.call("POST", "/_sandbox/faults", json=rule)

    assert_error(response, 400, "VALIDATION_ERROR")


def test_requests_are_logged_and_counted(sandbox, tenant, organization):
    contracts = f"/organizations/{organization['_id']}/contracts"
    tenant.call("GET", "/organizations", params={"limit": 5})
    tenant.call("GET", contracts)
    tenant.call("GET", "/organizations/nope")
    tenant.call("POST", contracts, json={})

    get_organizations = sandbox.admin.requests(method="GET", path=ORGANIZATIONS)

    assert sandbox.admin.request_count() == 4
    assert sandbox.admin.request_count(method="get") == 3
    assert sandbox.admin.request_count(path="/contracts$") == 2
    assert sandbox.admin.request_count(method="POST", path="/contracts$") == 1
    (entry,) = get_organizations
    assert entry["path"] == "/data-customer/v1/organizations"
    assert entry["query"] == "limit=5"
    assert entry["status"] == 200
    assert entry["account"] == tenant.account
    assert len(entry["request_id"]) >= 16
    assert entry["at"].endswith("Z")
    assert [e["status"] for e in sandbox.admin.requests(path="/nope$")] == [404]


def test_the_log_is_cleared(sandbox, tenant):
    tenant.call("GET", "/organizations")

    sandbox.admin.clear_requests()

    assert sandbox.admin.requests() == []
