"""Tenants and fresh records for the fabric client's tests, all in the live stand-in."""

import uuid
from urllib.parse import parse_qsl

import pytest

from contracts_ui import fabric
from tests.conftest import ACCOUNT_A, ACCOUNT_B, CLIENT_A


@pytest.fixture(autouse=True)
def _cold_cache(cold_cache):
    """Each test starts without cached tokens or looked-up records."""


@pytest.fixture
def tenant(fabric_world) -> fabric.FabricTenant:
    return fabric.FabricTenant(
        account_id=ACCOUNT_A, client_id=CLIENT_A[0], client_secret=CLIENT_A[1]
    )


@pytest.fixture
def organization(sandbox, fabric_world) -> dict:
    """An organization of account A that only the current test uses."""
    return sandbox.admin.create_organization(
        ACCOUNT_A, name=f"Test Org {uuid.uuid4().hex[:8]}", email="orders@test-org.example"
    )


@pytest.fixture
def make_contract(tenant, organization):
    """Creates a contract in `organization` with a unique contractId; fields may be overridden."""

    def make(**fields) -> fabric.Contract:
        body = {
            "contractId": f"T-{uuid.uuid4().hex[:12]}",
            "startDate": "2025-01-01T00:00:00.000Z",
            "endDate": "2025-12-31T00:00:00.000Z",
            **fields,
        }
        return fabric.create_contract(tenant, organization_id=organization["_id"], body=body)

    return make


@pytest.fixture
def account_b_tenant_with_client_a(fabric_world) -> fabric.FabricTenant:
    """Account B's site context with account A's API client: fabric must refuse it."""
    return fabric.FabricTenant(
        account_id=ACCOUNT_B, client_id=CLIENT_A[0], client_secret=CLIENT_A[1]
    )


def logged_requests(sandbox, method: str, path: str) -> list[dict]:
    """The stand-in's log entries for this method and path regex, with the query parsed."""
    entries = sandbox.admin.requests(method=method, path=path)
    return [{**entry, "params": dict(parse_qsl(entry["query"] or ""))} for entry in entries]
