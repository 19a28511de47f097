"""Each fabric account reaches fabric through its own API base URL and token URL."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts_ui import fabric
from contracts_ui.models import FabricAccount
from fabric_sandbox.testing import SandboxServer


@pytest.fixture(scope="module")
def second_sandbox():
    with SandboxServer() as server:
        yield server


def _merchant(server: SandboxServer, monkeypatch, *, account_id: str, client=None) -> dict:
    """An account with one organization in `server`; the same client may be reused elsewhere."""
    client_id, secret = client or (f"client-{account_id}", f"secret-{account_id}")
    server.admin.create_account(
        account=account_id, name="Merchant", client_id=client_id, client_secret=secret
    )
    organization = server.admin.create_organization(account_id, name=f"Org of {server.url}")
    variable = f"FABRIC_CONNECTION_SECRET_{uuid.uuid4().hex}"
    monkeypatch.setenv(variable, secret)
    return {"client_id": client_id, "secret_ref": f"env:{variable}", "organization": organization}


def _token_calls(server: SandboxServer) -> int:
    return server.admin.request_count(method="POST", path="/auth/v1/token$")


@pytest.mark.django_db
def test_two_accounts_on_two_stand_ins_with_their_own_token_urls_work_side_by_side(
    sandbox, second_sandbox, monkeypatch, settings
):
    # The environment's defaults lead nowhere: only the accounts' own URLs can work.
    settings.FABRIC_BASE_URL = settings.FABRIC_AUTH_URL = "http://127.0.0.1:9"
    accounts = []
    for server in (sandbox, second_sandbox):
        account_id = uuid.uuid4().hex[:24]
        merchant = _merchant(server, monkeypatch, account_id=account_id)
        record = FabricAccount.objects.create(
            account_id=account_id,
            name=f"Merchant on {server.url}",
            client_id=merchant["client_id"],
            client_secret_ref=merchant["secret_ref"],
            api_base_url=server.url,
            token_url=f"{server.url}/auth/v1/token",
        )
        accounts.append((server, record, merchant["organization"]))
    for server, _, _ in accounts:
        server.admin.clear_requests()

    for _ in range(2):
        for _, record, organization in accounts:
            page = fabric.list_organizations(record.tenant())
            assert [row.id for row in page.items] == [organization["_id"]]

    for server, _, _ in accounts:
        assert _token_calls(server) == 1
        assert server.admin.request_count(method="GET") == 2


@pytest.mark.django_db
def test_tokens_are_cached_per_token_url(sandbox, second_sandbox, monkeypatch):
    # The same account and client on two token endpoints: each needs its own token.
    account_id = uuid.uuid4().hex[:24]
    client = (f"shared-{account_id}", "shared-secret")
    tenants = []
    for server in (sandbox, second_sandbox):
        _merchant(server, monkeypatch, account_id=account_id, client=client)
        tenants.append(
            fabric.FabricTenant(
                account_id=account_id,
                client_id=client[0],
                client_secret=client[1],
                base_url=server.url,
                token_url=f"{server.url}/auth/v1/token",
            )
        )
        server.admin.clear_requests()

    for tenant in tenants:
        fabric.list_organizations(tenant)

    for server in (sandbox, second_sandbox):
        assert _token_calls(server) == 1
        assert [entry["status"] for entry in server.admin.requests(method="GET")] == [200]


@pytest.mark.django_db
def test_empty_urls_mean_the_environments(settings):
    settings.FABRIC_BASE_URL = "https://api.example.test"
    settings.FABRIC_AUTH_URL = "https://merchant.login.example.test/oauth2/aus1"
    account = FabricAccount(account_id="a" * 24, name="Env", client_id="c")

    assert account.effective_api_base_url == "https://api.example.test"
    assert account.effective_token_url == (
        "https://merchant.login.example.test/oauth2/aus1/v1/token"
    )


def _connection_account(**urls: str) -> FabricAccount:
    return FabricAccount(
        account_id="b" * 24,
        name="Live merchant",
        client_id="client",
        client_secret_ref="env:FABRIC_SECRET_LIVE",
        **urls,
    )


@pytest.mark.django_db
def test_https_is_required_when_debug_is_off(settings):
    settings.DEBUG = False
    account = _connection_account(
        api_base_url="http://live.copilot.fabric.example",
        token_url="http://acme.login.fabric.example/oauth2/aus1/v1/token",
    )

    with pytest.raises(ValidationError) as caught:
        account.full_clean()

    assert set(caught.value.message_dict) == {"api_base_url", "token_url"}


@pytest.mark.django_db
def test_https_urls_and_debugs_http_urls_are_accepted(settings):
    settings.DEBUG = False
    _connection_account(
        api_base_url="https://live.copilot.fabric.example",
        token_url="https://acme.login.fabric.example/oauth2/aus1/v1/token",
    ).full_clean()
    settings.DEBUG = True
    _connection_account(
        api_base_url="http://127.0.0.1:8100", token_url="http://127.0.0.1:8100/auth/v1/token"
    ).full_clean()


@pytest.mark.django_db
def test_the_admin_says_at_the_field_that_https_is_needed(client, django_user_model, settings):
    settings.DEBUG = False
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root-1"))
    form = {
        "account_id": "c" * 24,
        "name": "Live merchant",
        "client_id": "client",
        "client_secret_ref": "env:FABRIC_SECRET_LIVE",
        "api_base_url": "https://live.copilot.fabric.example",
        "token_url": "http://acme.login.fabric.example/oauth2/aus1/v1/token",
        "is_active": "on",
        "grants-TOTAL_FORMS": "0",
        "grants-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("admin:contracts_ui_fabricaccount_add"), form, secure=True)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "token_url": ["Must be an https:// URL when DEBUG is off."]
    }
    assert not FabricAccount.objects.filter(account_id="c" * 24).exists()
