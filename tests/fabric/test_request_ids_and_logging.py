"""Request ids reach fabric and come back; log lines carry the facts and never a credential."""

import logging

import pytest

from contracts_ui import fabric
from contracts_ui.fabric.context import current_request_id


def logged_request_ids(sandbox) -> list[str]:
    return [r["request_id"] for r in sandbox.admin.requests(path="/v1/organizations")]


def test_a_given_request_id_is_sent_and_echoed(sandbox, tenant):
    with pytest.raises(fabric.FabricNotFound) as caught:
        fabric.patch_contract(
            tenant,
            organization_id="missing",
            business_contract_id="missing",
            changes={},
            request_id="given-request-id-1",
        )
    assert caught.value.request_id == "given-request-id-1"
    (logged,) = sandbox.admin.requests(path="/contracts/missing")
    assert logged["request_id"] == "given-request-id-1"


def test_the_console_requests_id_is_used_otherwise(sandbox, tenant):
    token = current_request_id.set("console-request-42")
    try:
        fabric.list_organizations(tenant)
    finally:
        current_request_id.reset(token)
    assert logged_request_ids(sandbox) == ["console-request-42"]


def test_without_either_each_call_gets_a_fresh_id(sandbox, tenant):
    fabric.list_organizations(tenant)
    fabric.list_organizations(tenant)
    first, second = logged_request_ids(sandbox)
    assert first != second
    assert len(first) == 32
    int(first, 16)


def test_retries_of_one_call_share_its_request_id(sandbox, tenant, quick):
    sandbox.admin.add_fault(method="GET", path="/v1/organizations", status=503, times=1)
    token = current_request_id.set("one-call-two-tries")
    try:
        fabric.list_organizations(tenant)
    finally:
        current_request_id.reset(token)
    assert logged_request_ids(sandbox) == ["one-call-two-tries", "one-call-two-tries"]


def test_each_attempt_is_logged_without_credentials(sandbox, tenant, caplog):
    with caplog.at_level(logging.INFO, logger="contracts_ui.fabric"):
        token = fabric.obtain_token(tenant)
        fabric.fabric_request(tenant, "GET", "/v1/organizations", request_id="logged-call-1")
    records = [r for r in caplog.records if r.name == "contracts_ui.fabric"]
    assert len(records) == 2
    call = records[-1]
    assert (call.fabric_method, call.fabric_path, call.fabric_status) == (
        "GET",
        "/v1/organizations",
        200,
    )
    assert (call.request_id, call.account_id, call.attempt) == (
        "logged-call-1",
        tenant.account_id,
        1,
    )
    assert isinstance(call.duration_ms, int)
    for record in records:
        everything = record.getMessage() + repr(vars(record))
        assert token not in everything
        assert tenant.client_secret not in everything
        assert "Bearer" not in everything


def test_a_failed_attempt_logs_the_exception_class(sandbox, tenant, quick, caplog):
    quick.FABRIC_MAX_RETRIES = 0
    sandbox.admin.add_fault(method="GET", path="/v1/organizations", drop=True)
    with (
        caplog.at_level(logging.INFO, logger="contracts_ui.fabric"),
        pytest.raises(fabric.FabricUnavailable),
    ):
        fabric.list_organizations(tenant)
    assert caplog.records[-1].fabric_status == "ConnectionError"
