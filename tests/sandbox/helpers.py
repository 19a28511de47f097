"""Helpers for the stand-in's own tests: a tenant that calls the API, and shape/error checks."""

import uuid
from dataclasses import dataclass
from typing import Any

from fabric_sandbox.testing import SandboxResponse, SandboxServer

API = "/data-customer/v1"


def new_account_id() -> str:
    """A fresh 24-hex account id, so each test module's data is its own."""
    return uuid.uuid4().hex[:24]


@dataclass
class Tenant:
    """One account of the stand-in with its API client and a live token."""

    server: SandboxServer
    account: str
    client_id: str
    client_secret: str
    token: str

    @classmethod
    def create(cls, server: SandboxServer, name: str = "Test Tenant") -> "Tenant":
        """A new account, its client and a token."""
        account = new_account_id()
        client_id, secret = f"client-{account}", f"secret-{account}"
        server.admin.create_account(
            account=account, name=name, client_id=client_id, client_secret=secret
        )
        return cls(server, account, client_id, secret, server.token(client_id, secret))

    def headers(self, **overrides: str) -> dict[str, str]:
        """What every fabric call carries: the bearer token and the site context."""
        headers = {
            "Authorization": f"Bearer {self.token}",
            "x-site-context": self.server.site_context(self.account),
        }
        return headers | overrides

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> SandboxResponse:
        """A call under `/data-customer/v1` with this tenant's headers."""
        return self.server.call(
            method, API + path, headers=headers or self.headers(), json=json, params=params
        )

    def organization(self, **fields: Any) -> dict[str, Any]:
        """A new organization of this tenant."""
        fields.setdefault("name", f"Org {uuid.uuid4().hex[:8]}")
        fields.setdefault("email", "orders@org.example")
        return self.server.admin.create_organization(self.account, **fields)

    def contract(self, organization_id: str, **body: Any) -> dict[str, Any]:
        """A new contract (dates default to 2025), asserting the create succeeded."""
        body.setdefault("startDate", "2025-01-01T00:00:00.000Z")
        body.setdefault("endDate", "2025-12-31T00:00:00.000Z")
        response = self.call("POST", f"/organizations/{organization_id}/contracts", json=body)
        assert response.status == 200, response.text
        return response.json


def assert_error(response: SandboxResponse, status: int, code: str, field: str | None = None):
    """The answer is a JSON error with this status and code (and names `field` when given)."""
    assert response.status == status, response.text
    assert response.headers.get("Content-Type") == "application/json"
    body = response.json
    assert body["code"] == code, body
    assert isinstance(body["message"], str)
    assert body["message"]
    if field is not None:
        assert field in [error["field"] for error in body["errors"]], body


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value (bool is not a number)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def assert_same_shape(actual: Any, example: Any, where: str = "response") -> None:
    """Every field of `example` is in `actual` with the same JSON type, nested objects and the
    items of lists included (each item compared with the example's first)."""
    assert json_type(actual) == json_type(example), f"{where}: {actual!r} vs {example!r}"
    if isinstance(example, dict):
        for name, value in example.items():
            assert name in actual, f"{where}.{name} is missing"
            assert_same_shape(actual[name], value, f"{where}.{name}")
    elif isinstance(example, list) and example:
        assert actual, f"{where} is empty; the example has items"
        for index, item in enumerate(actual):
            assert_same_shape(item, example[0], f"{where}[{index}]")


def assert_declared_types(actual: dict[str, Any], declared: dict[str, str]) -> None:
    """Every field a seed page lists under Response is present with its declared type."""
    for name, declared_type in declared.items():
        assert name in actual, f"{name} is missing"
        assert json_type(actual[name]) == declared_type, f"{name}: {actual[name]!r}"


def seed_headers(token: str, account: str) -> dict[str, str]:
    """The headers of the seeds' curl examples, with the x-site-context of their example
    (date, channel 12, stage production) naming `account`."""
    context = (
        f'{{"date": "2023-01-01T00:00:00.000Z", "channel": 12, "account": "{account}",'
        '"stage":"production"}'
    )
    return {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "x-site-context": context,
    }
