"""Fixtures for the stand-in's own tests: tenants of their own in the session stand-in, so these
tests never change the shared world (accounts A and B) that the console's tests rely on."""

import uuid

import pytest

from tests.sandbox.helpers import Tenant


@pytest.fixture(autouse=True)
def _live_tokens(request):
    """Long-lived tenants get a fresh token for each test (a console test may expire every
    token), and the request log starts empty again afterwards."""
    tenants = []
    for name in ("tenant", "other_tenant", "directory"):
        if name in request.fixturenames:
            value = request.getfixturevalue(name)
            tenants.extend(value if isinstance(value, tuple) else [value])
    for item in tenants:
        if isinstance(item, Tenant):
            item.token = item.server.token(item.client_id, item.client_secret)
    if tenants:
        request.getfixturevalue("sandbox").admin.clear_requests()


@pytest.fixture(scope="session")
def tenant(sandbox) -> Tenant:
    """A tenant with price lists 100000 and 100001 and an internal party."""
    created = Tenant.create(sandbox, "Sandbox Test Tenant")
    sandbox.admin.create_price_list(created.account, priceListId=100000, name="EUR", currency="EUR")
    sandbox.admin.create_price_list(created.account, priceListId=100001, name="USD", currency="USD")
    return created


@pytest.fixture(scope="session")
def other_tenant(sandbox) -> Tenant:
    """A second tenant, for isolation tests."""
    return Tenant.create(sandbox, "Other Test Tenant")


@pytest.fixture
def organization(tenant) -> dict:
    """A fresh organization of `tenant`, used by one test only."""
    return tenant.organization(name=f"Org {uuid.uuid4().hex[:8]}")
