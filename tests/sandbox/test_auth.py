"""Token endpoint, bearer tokens and x-site-context (REFERENCE.md §1, §5)."""

import base64

import pytest

from fabric_sandbox.testing import SandboxServer
from tests.sandbox.helpers import Tenant, assert_error

TOKEN = "/auth/v1/token"
FORM = b"grant_type=client_credentials&scope=s2s"


def basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {
        "Authorization": f"Basic {encoded}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def test_the_token_endpoint_issues_a_bearer_token(sandbox, tenant):
    response = sandbox.call(
        "POST", TOKEN, headers=basic(tenant.client_id, tenant.client_secret), data=FORM
    )

    assert response.status == 200
    assert response.json["token_type"] == "Bearer"
    assert response.json["expires_in"] == 600
    assert response.json["scope"] == "s2s"
    assert isinstance(response.json["access_token"], str)
    assert len(response.json["access_token"]) >= 32


def test_the_token_endpoint_refuses_a_wrong_secret(sandbox, tenant):
    response = sandbox.call("POST", TOKEN, headers=basic(tenant.client_id, "wrong"), data=FORM)

    assert_error(response, 401, "UNAUTHORIZED")


def test_the_token_endpoint_refuses_an_unknown_client(sandbox):
    response = sandbox.call("POST", TOKEN, headers=basic("nobody", "secret"), data=FORM)

    assert_error(response, 401, "UNAUTHORIZED")


def test_the_token_endpoint_requires_basic_credentials(sandbox):
    response = sandbox.call("POST", TOKEN, data=FORM)

    assert_error(response, 401, "UNAUTHORIZED")


def test_the_token_endpoint_requires_the_client_credentials_grant(sandbox, tenant):
    headers = basic(tenant.client_id, tenant.client_secret)

    response = sandbox.call("POST", TOKEN, headers=headers, data=b"grant_type=password")

    assert_error(response, 400, "UNSUPPORTED_GRANT_TYPE")


def test_it_requires_a_bearer_token(tenant):
    headers = {"x-site-context": tenant.server.site_context(tenant.account)}

    response = tenant.call("GET", "/organizations", headers=headers)

    assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers.get("WWW-Authenticate") == "Bearer"


def test_it_refuses_an_unknown_token(tenant):
    response = tenant.call(
        "GET", "/organizations", headers=tenant.headers(Authorization="Bearer not-a-token")
    )

    assert_error(response, 401, "UNAUTHORIZED")


def test_it_refuses_an_expired_token():
    # A server of its own: expiring tokens in the shared one would disturb other tests.
    with SandboxServer() as server:
        tenant = Tenant.create(server)
        assert tenant.call("GET", "/organizations").status == 200
        server.admin.expire_tokens()

        response = tenant.call("GET", "/organizations")

        assert_error(response, 401, "UNAUTHORIZED")
        assert "expired" in response.json["message"]


def test_the_token_lifetime_follows_the_config():
    with SandboxServer(token_ttl=30) as server:
        tenant = Tenant.create(server)
        first = server.call(
            "POST", TOKEN, headers=basic(tenant.client_id, tenant.client_secret), data=FORM
        )
        server.admin.config(token_ttl=5)
        second = server.call(
            "POST", TOKEN, headers=basic(tenant.client_id, tenant.client_secret), data=FORM
        )

    assert (first.json["expires_in"], second.json["expires_in"]) == (30, 5)


def test_it_refuses_a_token_of_another_account(tenant, other_tenant):
    headers = tenant.headers(Authorization=f"Bearer {other_tenant.token}")

    response = tenant.call("GET", "/organizations", headers=headers)

    assert_error(response, 403, "FORBIDDEN")


def test_it_requires_the_site_context(tenant):
    response = tenant.call(
        "GET", "/organizations", headers={"Authorization": f"Bearer {tenant.token}"}
    )

    assert_error(response, 400, "INVALID_SITE_CONTEXT")


@pytest.mark.parametrize(
    "context",
    [
        "account=6182aeb6c67c61932b38c38b",
        '"6182aeb6c67c61932b38c38b"',
        '{"channel": 12, "stage": "production"}',
        '{"account": "too-short"}',
        '{"account": 12345678901234567890123}',
    ],
)
def test_it_refuses_an_invalid_site_context(tenant, context):
    response = tenant.call(
        "GET", "/organizations", headers=tenant.headers(**{"x-site-context": context})
    )

    assert_error(response, 400, "INVALID_SITE_CONTEXT")


def test_the_site_context_may_carry_only_the_account(tenant):
    context = f'{{"account": "{tenant.account}"}}'

    response = tenant.call(
        "GET", "/organizations", headers=tenant.headers(**{"x-site-context": context})
    )

    assert response.status == 200


def test_the_price_list_endpoint_is_authenticated_too(sandbox, tenant):
    response = sandbox.call(
        "GET",
        "/api-offers/price-list/100000",
        headers={"x-site-context": sandbox.site_context(tenant.account)},
    )

    assert_error(response, 401, "UNAUTHORIZED")
