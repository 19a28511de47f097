"""Client-credentials tokens: cached, renewed before expiry and on a 401, refusals reported."""

import time

import pytest

from contracts_ui import fabric

TOKEN_PATH = r"^/auth/v1/token$"


def lookup(tenant) -> fabric.Page:
    return fabric.list_organizations(tenant, limit=1)


@pytest.fixture
def short_lived_tokens(sandbox):
    sandbox.admin.config(token_ttl=2)
    yield
    sandbox.admin.config(token_ttl=600)


def test_one_token_serves_many_calls(sandbox, tenant):
    lookup(tenant)
    lookup(tenant)
    assert sandbox.admin.request_count(method="POST", path=TOKEN_PATH) == 1
    assert sandbox.admin.request_count(method="GET", path="/v1/organizations") == 2


def test_obtain_token_always_asks_for_a_new_token(sandbox, tenant):
    assert fabric.obtain_token(tenant) != fabric.obtain_token(tenant)
    statuses = [r["status"] for r in sandbox.admin.requests(path=TOKEN_PATH)]
    assert statuses == [200, 200]


def test_a_token_is_renewed_before_it_expires(sandbox, tenant, short_lived_tokens):
    lookup(tenant)
    # A 2-second token is cached for half its life, so it is replaced before fabric expires it.
    time.sleep(1.1)
    lookup(tenant)
    assert sandbox.admin.request_count(method="POST", path=TOKEN_PATH) == 2
    statuses = [r["status"] for r in sandbox.admin.requests(path="/v1/organizations")]
    assert statuses == [200, 200]


def test_a_token_expired_by_fabric_is_renewed_once(sandbox, tenant):
    lookup(tenant)
    sandbox.admin.expire_tokens()
    lookup(tenant)
    assert sandbox.admin.request_count(method="POST", path=TOKEN_PATH) == 2
    statuses = [r["status"] for r in sandbox.admin.requests(path="/v1/organizations")]
    assert statuses == [200, 401, 200]


def test_a_write_refused_for_its_token_is_sent_again_after_renewal(sandbox, tenant, make_contract):
    contract = make_contract()
    sandbox.admin.expire_tokens()
    patched = fabric.patch_contract(
        tenant,
        organization_id=contract.party_id,
        business_contract_id=contract.contract_id,
        changes={"contractType": "TYPE-B"},
    )
    assert patched.contract_type == "TYPE-B"
    statuses = [r["status"] for r in sandbox.admin.requests(method="PATCH")]
    assert statuses == [401, 200]


def test_a_401_that_persists_after_renewal_is_an_auth_error(sandbox, tenant):
    sandbox.admin.add_fault(path="/v1/organizations", status=401)
    with pytest.raises(fabric.FabricAuthError) as caught:
        lookup(tenant)
    assert caught.value.status == 401
    assert sandbox.admin.request_count(method="GET", path="/v1/organizations") == 2
    assert sandbox.admin.request_count(method="POST", path=TOKEN_PATH) == 2


def test_a_wrong_secret_is_refused_by_the_token_endpoint(sandbox, tenant):
    wrong = fabric.FabricTenant(tenant.account_id, tenant.client_id, "not-the-secret")
    with pytest.raises(fabric.FabricAuthError) as caught:
        lookup(wrong)
    assert caught.value.user_message.startswith("fabric credentials rejected")
    assert "not-the-secret" not in str(caught.value)
    assert sandbox.admin.request_count(path="/v1/organizations") == 0


def test_a_cached_token_is_not_shared_with_a_wrong_secret(sandbox, tenant):
    lookup(tenant)
    wrong = fabric.FabricTenant(tenant.account_id, tenant.client_id, "not-the-secret")
    with pytest.raises(fabric.FabricAuthError):
        lookup(wrong)


def test_another_accounts_context_is_permission_denied(sandbox, account_b_tenant_with_client_a):
    with pytest.raises(fabric.FabricPermissionDenied) as caught:
        lookup(account_b_tenant_with_client_a)
    assert caught.value.status == 403
    assert sandbox.admin.request_count(method="GET", path="/v1/organizations") == 1
