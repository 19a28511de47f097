"""The connection doctor against the stand-in in both modes: the table it prints, what it stores
on the account, and how the stored capabilities change what the console asks fabric."""

import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from contracts_ui import fabric
from contracts_ui.fabric.errors import FabricNotSupported
from contracts_ui.models import AuditEvent, FabricAccount
from fabric_sandbox.testing import SandboxServer

EVERY_CHECK = [
    "token",
    "GET /v1/organizations",
    "largest page size",
    "GET /v1/organizations?id=",
    "GET /v1/organizations/{organizationId}",
    "GET /v1/organizations/{organizationId}/contracts",
    "contract fields",
    "GET /v1/organizations/{organizationId}/contracts/{contractId}",
    "date filter",
    "GET /v1/contracts",
    "GET /v1/internal-parties",
    "GET /v1/internalParties-party",
    "GET /api-offers/price-list/{priceListId}",
]
UNDOCUMENTED = {
    "GET /v1/organizations/{organizationId}",
    "GET /v1/contracts",
    "GET /v1/internalParties-party",
}


@pytest.fixture(scope="module")
def documented_only():
    with SandboxServer(documented_only=True) as server:
        yield server


def _account_in(server: SandboxServer, monkeypatch, name: str) -> FabricAccount:
    """A fresh tenant in `server` with an organization, a contract linked to a price list and an
    internal party, and the console's account record pointing at that server."""
    account_id = uuid.uuid4().hex[:24]
    client_id, secret = f"doctor-{account_id}", f"secret-{account_id}"
    admin = server.admin
    admin.create_account(account=account_id, name=name, client_id=client_id, client_secret=secret)
    organization = admin.create_organization(account_id, name="Northwind Traders")
    admin.create_price_list(account_id, priceListId=100000, name="EUR 2026", currency="EUR")
    admin.create_internal_party(account_id, name="Key Accounts North")
    token = server.token(client_id, secret)
    response = server.call(
        "POST",
        f"/data-customer/v1/organizations/{organization['_id']}/contracts",
        headers={
            "Authorization": f"Bearer {token}",
            "x-site-context": server.site_context(account_id),
        },
        json={
            "contractId": "C-DOCTOR-1",
            "status": "ACTIVE",
            "priceListId": 100000,
            "startDate": "2026-01-01",
            "endDate": "2027-01-01",
        },
    )
    assert response.status == 200, response.text
    variable = f"FABRIC_DOCTOR_SECRET_{account_id}"
    monkeypatch.setenv(variable, secret)
    return FabricAccount.objects.create(
        account_id=account_id,
        name=name,
        client_id=client_id,
        client_secret_ref=f"env:{variable}",
        api_base_url=server.url,
        token_url=f"{server.url}/auth/v1/token",
    )


def _results(output: str) -> dict[str, str]:
    """check → result, from the printed table (its header line and the account line left out)."""
    results = {}
    for line in output.splitlines():
        for check in [*EVERY_CHECK, "PATCH /v1/contracts/{contractId} (no-op)"]:
            rest = line.removeprefix(check)
            if rest != line and rest[:2] == "  ":
                results[check] = rest.split()[0]
    return results


def _doctor(*args: str) -> str:
    out = io.StringIO()
    call_command("fabric_doctor", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_against_the_default_stand_in_everything_works(sandbox, monkeypatch):
    account = _account_in(sandbox, monkeypatch, "Default Mode Merchant")

    output = _doctor(account.account_id)

    assert _results(output) == dict.fromkeys(EVERY_CHECK, "works")
    assert "100 accepted; 200 refused (HTTP 400: limit: must be between 1 and 100)" in output
    account.refresh_from_db()
    assert account.capabilities["max_page_size"] == 100
    assert account.capabilities["missing"] == []
    assert account.capabilities["date_filter_format"] == "date"


@pytest.mark.django_db
def test_against_the_documented_only_stand_in_the_undocumented_endpoints_are_missing(
    documented_only, monkeypatch
):
    account = _account_in(documented_only, monkeypatch, "Documented Merchant")

    output = _doctor(account.name)

    expected = {check: "missing" if check in UNDOCUMENTED else "works" for check in EVERY_CHECK}
    assert _results(output) == expected
    assert "HTTP 404: No endpoint at /data-customer/v1/contracts." in output
    account.refresh_from_db()
    assert account.capabilities["missing"] == ["contracts", "internal_party_links", "organization"]


@pytest.mark.django_db
def test_what_it_stores_changes_what_the_console_asks(documented_only, monkeypatch):
    account = _account_in(documented_only, monkeypatch, "Small Pages Merchant")
    organization_id = documented_only.admin.create_organization(account.account_id, name="Solo")[
        "_id"
    ]
    documented_only.admin.config(max_limit=25)
    try:
        _doctor(account.account_id)
        account.refresh_from_db()
        tenant = account.tenant()
        documented_only.admin.clear_requests()

        page = fabric.list_contracts(tenant, organization_id=organization_id, limit=100)
        organization = fabric.get_organization(tenant, organization_id=organization_id)
        with pytest.raises(FabricNotSupported):
            fabric.search_contracts(tenant, limit=100)
        with pytest.raises(FabricNotSupported):
            fabric.list_internal_party_links(tenant, party_id=organization_id)
    finally:
        documented_only.admin.config(max_limit=100)

    assert account.capabilities["max_page_size"] == 25
    assert page.limit == 25
    assert organization.name == "Solo"
    logged = documented_only.admin.requests(path="^/data-customer")
    assert [(entry["path"].rsplit("/", 1)[-1], entry["query"]) for entry in logged] == [
        ("contracts", "sortBy=updatedAt&sortOrder=desc&offset=0&limit=25"),
        (
            "organizations",
            f"sortBy=updatedAt&sortOrder=desc&id={organization_id}&offset=0&limit=10",
        ),
    ]
    assert documented_only.admin.undocumented_requests() == []


@pytest.mark.django_db
def test_the_no_op_write_patches_by_contract_id_and_is_audited(documented_only, monkeypatch):
    account = _account_in(documented_only, monkeypatch, "Write Check Merchant")

    output = _doctor(account.account_id, "--write", "C-DOCTOR-1")

    assert _results(output)["PATCH /v1/contracts/{contractId} (no-op)"] == "works"
    (patch,) = documented_only.admin.requests(method="PATCH")
    assert patch["path"] == "/data-customer/v1/contracts/C-DOCTOR-1"
    event = AuditEvent.objects.select_related("outcome").get(account_id=account.account_id)
    assert (event.username, event.contract_id, event.outcome.outcome) == (
        "fabric_doctor",
        "C-DOCTOR-1",
        "succeeded",
    )


@pytest.mark.django_db
def test_the_write_is_skipped_for_a_contract_the_account_does_not_have(sandbox, monkeypatch):
    account = _account_in(sandbox, monkeypatch, "Unknown Contract Merchant")
    sandbox.admin.clear_requests()

    output = _doctor(account.account_id, "--write", "C-NOWHERE")

    assert _results(output)["PATCH /v1/contracts/{contractId} (no-op)"] == "skipped"
    assert "no contract C-NOWHERE in the account's organizations" in output
    assert sandbox.admin.request_count(method="PATCH") == 0
    assert not AuditEvent.objects.filter(account_id=account.account_id).exists()


@pytest.mark.django_db
def test_a_failed_check_makes_the_command_fail_after_printing_it(sandbox, monkeypatch):
    account = _account_in(sandbox, monkeypatch, "Wrong Secret Merchant")
    monkeypatch.setenv(account.client_secret_ref.removeprefix("env:"), "not-the-secret")
    out = io.StringIO()

    with pytest.raises(CommandError, match="Wrong Secret Merchant"):
        call_command("fabric_doctor", account.account_id, stdout=out)

    assert _results(out.getvalue()) == {"token": "failed"}


@pytest.mark.django_db
def test_an_unknown_account_is_refused():
    with pytest.raises(CommandError, match="No fabric account 'nobody'"):
        _doctor("nobody")


@pytest.mark.django_db
def test_the_admin_action_checks_and_shows_the_table(
    client, django_user_model, sandbox, monkeypatch
):
    account = _account_in(sandbox, monkeypatch, "Admin Checked Merchant")
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root-1"))

    response = client.post(
        reverse("admin:contracts_ui_fabricaccount_changelist"),
        {"action": "check_fabric_connection", "_selected_action": [account.pk]},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Admin Checked Merchant" in page
    assert "<td>GET /v1/contracts</td><td>works</td>" in page
    account.refresh_from_db()
    assert account.capabilities["max_page_size"] == 100
