"""Faults: reads are retried within the deadline, writes are sent once, failures are typed."""

import socket
import time

import pytest

from contracts_ui import fabric


def lookup(tenant):
    return fabric.list_organizations(tenant, limit=1)


def patch(tenant, contract):
    return fabric.patch_contract(
        tenant,
        organization_id=contract.party_id,
        business_contract_id=contract.contract_id,
        changes={"contractType": "TYPE-C"},
    )


@pytest.fixture
def contract(make_contract, sandbox):
    created = make_contract()
    sandbox.admin.clear_requests()
    return created


def count(sandbox, method):
    path = "/v1/organizations" if method == "GET" else "/v1/contracts/"
    return sandbox.admin.request_count(method=method, path=path)


class TestReadsAreRetried:
    def test_after_a_503(self, sandbox, tenant, quick):
        sandbox.admin.add_fault(method="GET", path="/v1/organizations", status=503, times=1)
        assert lookup(tenant).count >= 0
        assert count(sandbox, "GET") == 2

    def test_after_a_429_waiting_for_retry_after_up_to_the_cap(self, sandbox, tenant, quick):
        sandbox.admin.add_fault(
            method="GET", path="/v1/organizations", status=429, retry_after=1, times=1
        )
        started = time.monotonic()
        lookup(tenant)
        elapsed = time.monotonic() - started
        assert 0.3 <= elapsed < 0.9  # Retry-After 1 s, capped by FABRIC_RETRY_AFTER_CAP 0.3 s
        assert count(sandbox, "GET") == 2

    def test_after_a_dropped_connection(self, sandbox, tenant, quick):
        sandbox.admin.add_fault(method="GET", path="/v1/organizations", drop=True, times=1)
        lookup(tenant)
        assert count(sandbox, "GET") == 2

    def test_at_most_max_retries_times(self, sandbox, tenant, quick):
        sandbox.admin.add_fault(method="GET", path="/v1/organizations", status=429, retry_after=0)
        with pytest.raises(fabric.FabricRateLimited) as caught:
            lookup(tenant)
        assert caught.value.retry_after == 0
        assert count(sandbox, "GET") == 1 + quick.FABRIC_MAX_RETRIES

    def test_not_after_a_malformed_answer(self, sandbox, tenant, quick):
        sandbox.admin.add_fault(method="GET", path="/v1/organizations", malformed=True)
        with pytest.raises(fabric.FabricBadResponse) as caught:
            lookup(tenant)
        assert caught.value.status == 200
        assert count(sandbox, "GET") == 1

    def test_not_after_a_wrong_shaped_answer(self, sandbox, tenant):
        with pytest.raises(fabric.FabricBadResponse) as caught:
            fabric.fabric_request(
                tenant, "GET", "/v1/organizations", parse=fabric.Contract.from_api
            )
        assert "KeyError" in caught.value.message
        assert count(sandbox, "GET") == 1


class TestWritesAreSentOnce:
    def test_a_503_is_raised_as_not_applied(self, sandbox, tenant, contract, quick):
        sandbox.admin.add_fault(method="PATCH", status=503)
        with pytest.raises(fabric.FabricUnavailable) as caught:
            patch(tenant, contract)
        assert caught.value.outcome_unknown is False
        assert count(sandbox, "PATCH") == 1

    def test_a_502_leaves_the_outcome_unknown(self, sandbox, tenant, contract, quick):
        sandbox.admin.add_fault(method="PATCH", status=502)
        with pytest.raises(fabric.FabricUnavailable) as caught:
            patch(tenant, contract)
        assert caught.value.outcome_unknown is True
        assert count(sandbox, "PATCH") == 1

    def test_a_429_is_raised_with_its_retry_after(self, sandbox, tenant, contract, quick):
        sandbox.admin.add_fault(method="PATCH", status=429, retry_after=7)
        with pytest.raises(fabric.FabricRateLimited) as caught:
            patch(tenant, contract)
        assert caught.value.retry_after == 7
        assert count(sandbox, "PATCH") == 1

    def test_a_dropped_connection_leaves_the_outcome_unknown(
        self, sandbox, tenant, contract, quick
    ):
        sandbox.admin.add_fault(method="PATCH", drop=True)
        with pytest.raises(fabric.FabricUnavailable) as caught:
            patch(tenant, contract)
        assert caught.value.outcome_unknown is True
        assert count(sandbox, "PATCH") == 1

    def test_a_malformed_answer_leaves_the_outcome_unknown(self, sandbox, tenant, contract, quick):
        sandbox.admin.add_fault(method="PATCH", malformed=True)
        with pytest.raises(fabric.FabricBadResponse) as caught:
            patch(tenant, contract)
        assert caught.value.outcome_unknown is True


class TestTimeouts:
    def test_a_hang_ends_at_the_read_timeout(self, sandbox, tenant, quick):
        quick.FABRIC_MAX_RETRIES = 0
        sandbox.admin.add_fault(method="GET", path="/v1/organizations", hang_s=3)
        started = time.monotonic()
        with pytest.raises(fabric.FabricUnavailable):
            lookup(tenant)
        assert time.monotonic() - started < 2

    def test_a_hanging_write_leaves_the_outcome_unknown(self, sandbox, tenant, contract, quick):
        sandbox.admin.add_fault(method="PATCH", hang_s=3)
        with pytest.raises(fabric.FabricUnavailable) as caught:
            patch(tenant, contract)
        assert caught.value.outcome_unknown is True
        assert count(sandbox, "PATCH") == 1

    def test_the_deadline_cuts_a_long_read_timeout(self, sandbox, tenant, quick):
        quick.FABRIC_READ_TIMEOUT = 5
        quick.FABRIC_DEADLINE = 0.8
        sandbox.admin.add_fault(method="GET", path="/v1/organizations", hang_s=3)
        started = time.monotonic()
        with pytest.raises(fabric.FabricUnavailable):
            lookup(tenant)
        assert time.monotonic() - started < 1.5

    def test_the_deadline_stops_retries(self, sandbox, tenant, quick):
        quick.FABRIC_READ_TIMEOUT = 0.3
        quick.FABRIC_DEADLINE = 0.8
        quick.FABRIC_MAX_RETRIES = 10
        sandbox.admin.add_fault(method="GET", path="/v1/organizations", hang_s=3)
        started = time.monotonic()
        with pytest.raises(fabric.FabricUnavailable):
            lookup(tenant)
        assert time.monotonic() - started < 1.5
        assert 2 <= count(sandbox, "GET") <= 4

    def test_a_retry_after_beyond_the_deadline_is_not_awaited(self, sandbox, tenant, quick):
        quick.FABRIC_RETRY_AFTER_CAP = 10
        quick.FABRIC_DEADLINE = 1
        sandbox.admin.add_fault(method="GET", path="/v1/organizations", status=503, retry_after=5)
        started = time.monotonic()
        with pytest.raises(fabric.FabricUnavailable) as caught:
            lookup(tenant)
        assert time.monotonic() - started < 0.5
        assert caught.value.status == 503
        assert count(sandbox, "GET") == 1

    def test_a_refused_connection_is_unavailable_and_never_sent(
        self, tenant, contract, quick, settings
    ):
        fabric.obtain_token(tenant)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        settings.FABRIC_BASE_URL = f"http://127.0.0.1:{closed_port}"
        with pytest.raises(fabric.FabricUnavailable) as caught:
            patch(tenant, contract)
        assert caught.value.outcome_unknown is False
