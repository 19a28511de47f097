"""Fixtures for the attacker's view: logged-in clients and an account full of hostile values.

The hostile values live in an account of their own (C), so no other test sees them.
"""

import os
from dataclasses import dataclass

import pytest
from django.test import Client

ACCOUNT_C = "c0ffee00c0ffee00c0ffee00"
CLIENT_C = ("console-test-c", "secret-c-for-tests-only")
SECRET_ENV_C = "FABRIC_TEST_SECRET_C"
HTMX = {"HX-Request": "true"}

# What an attacker would store in fabric, hoping the console renders it as markup.
SCRIPT_NAME = "<script>alert(1)</script>"
BREAKOUT_TYPE = '"><img src=x onerror=alert(1)>'
ATTRIBUTE_KEY = "<b onmouseover=alert(2)>key</b>"
ATTRIBUTE_VALUE = "</textarea><script>alert(3)</script>"
CONTRACT_ID = "'><svg onload=alert(4)>"
HOSTILE_MARKUP = (
    "<script>alert(",
    "<img src=x",
    "<b onmouseover",
    "</textarea><script",
    "<svg onload",
)


@pytest.fixture
def csrf_client(console_world) -> Client:
    """A client that, like a browser, must send the CSRF token (the default client skips it)."""
    return Client(enforce_csrf_checks=True)


@dataclass(frozen=True)
class HostileWorld:
    account: object  # the console's FabricAccount for C
    editor: object  # editor on C (and nothing else)
    organization: dict
    contract: dict


@pytest.fixture(scope="session")
def hostile_fabric(sandbox) -> tuple[dict, dict]:
    """Account C in the stand-in: an organization and a contract named to break out of HTML."""
    admin = sandbox.admin
    admin.create_account(
        account=ACCOUNT_C, name="Hostile Co", client_id=CLIENT_C[0], client_secret=CLIENT_C[1]
    )
    os.environ[SECRET_ENV_C] = CLIENT_C[1]
    organization = admin.create_organization(
        ACCOUNT_C, name=SCRIPT_NAME, email="evil@hostile.example"
    )
    admin.create_price_list(ACCOUNT_C, priceListId=100000, name=SCRIPT_NAME, currency="EUR")
    contract = create_hostile_contract(
        sandbox,
        organization["_id"],
        contractId=CONTRACT_ID,
        contractType=BREAKOUT_TYPE,
        status="ACTIVE",
        priceListId=100000,
        additionalAttributes={ATTRIBUTE_KEY: ATTRIBUTE_VALUE, "plain": BREAKOUT_TYPE},
    )
    return organization, contract


@pytest.fixture
def hostile_world(db, sandbox, hostile_fabric) -> HostileWorld:
    from django.contrib.auth import get_user_model

    from contracts_ui.models import AccountGrant, AccountRole, FabricAccount

    account = FabricAccount.objects.create(
        account_id=ACCOUNT_C,
        name="Hostile Co",
        client_id=CLIENT_C[0],
        client_secret_ref=f"env:{SECRET_ENV_C}",
    )
    editor = get_user_model().objects.create_user("mallory", password="pw-mallory-1")
    AccountGrant.objects.create(account=account, user=editor, role=AccountRole.EDITOR)
    organization, contract = hostile_fabric
    return HostileWorld(
        account=account, editor=editor, organization=organization, contract=contract
    )


def hostile_headers(sandbox) -> dict[str, str]:
    """Headers for a raw call to the stand-in as account C's API client."""
    return {
        "Authorization": f"Bearer {sandbox.token(*CLIENT_C)}",
        "x-site-context": sandbox.site_context(ACCOUNT_C),
    }


def create_hostile_contract(sandbox, organization_id: str, **fields) -> dict:
    """Create a contract in account C over the stand-in's API."""
    body = {"startDate": "2026-01-01T00:00:00.000Z", "endDate": "2099-01-01T00:00:00.000Z"}
    response = sandbox.call(
        "POST",
        f"/data-customer/v1/organizations/{organization_id}/contracts",
        headers=hostile_headers(sandbox),
        json={**body, **fields},
    )
    assert response.status == 200, response.text
    return response.json
