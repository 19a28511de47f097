"""The console on a fabric that answers only what its pages document (REFERENCE.md §7): the
account carries what fabric_doctor stores for such a fabric, so the console never asks the three
UNDOCUMENTED endpoints; account-wide reads go organization by organization, the internal-parties
page works without listing links, and a page says how many rows fabric sent could not be read."""

import csv
import io
from uuid import uuid4

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from contracts_ui.models import AccountGrant, AccountRole, AuditEvent, FabricAccount
from fabric_sandbox.testing import SandboxServer
from tests.conftest import DOCUMENTED_ONLY_CAPABILITIES, create_contract, fabric_headers
from tests.fabric.crafted import CraftedFabric, running


@pytest.fixture
def documented_account(console_world, cold_cache):
    account = console_world.account_a
    account.capabilities = DOCUMENTED_ONLY_CAPABILITIES
    account.save(update_fields=["capabilities"])
    return account


def _organization_count(sandbox) -> int:
    answer = sandbox.call(
        "GET", "/data-customer/v1/organizations?limit=1", headers=fabric_headers(sandbox)
    )
    return answer.json["query"]["count"]


def _lookup(client, account: FabricAccount, q: str) -> str:
    url = reverse("contracts_ui:contract-lookup", kwargs={"account_id": account.account_id})
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_the_lookup_reads_a_whole_contract_id_in_each_organization(
    viewer_client, documented_account, console_world, sandbox
):
    contract_id = f"WHOLE-{uuid4().hex[:8]}"
    create_contract(
        sandbox, console_world.fabric.other_organization_a["_id"], contractId=contract_id
    )
    sandbox.admin.clear_requests()

    html = _lookup(viewer_client, documented_account, contract_id)

    assert f">{contract_id}</a>" in html
    assert 'id="whole-ids-only"' in html
    assert sandbox.admin.undocumented_requests() == []
    reads = sandbox.admin.requests("GET", rf"/organizations/\w+/contracts/{contract_id}$")
    assert len(reads) == _organization_count(sandbox)


def test_a_part_of_a_contract_id_is_said_to_find_nothing_there(
    viewer_client, documented_account, console_world, sandbox
):
    contract_id = f"PART-{uuid4().hex[:8]}"
    create_contract(
        sandbox, console_world.fabric.other_organization_a["_id"], contractId=contract_id
    )

    html = _lookup(viewer_client, documented_account, contract_id[:-2])

    assert "No contract in this account has the id" in html
    assert 'id="whole-ids-only"' in html
    assert sandbox.admin.undocumented_requests() == []


def test_a_search_inside_an_organization_reads_that_contract_once(
    viewer_client, documented_account, console_world, sandbox
):
    organization = console_world.fabric.organization_a
    contract_id = f"INORG-{uuid4().hex[:8]}"
    create_contract(sandbox, organization["_id"], contractId=contract_id, status="ACTIVE")
    url = reverse(
        "contracts_ui:contract-list",
        kwargs={
            "account_id": documented_account.account_id,
            "organization_id": organization["_id"],
        },
    )
    viewer_client.get(url)  # the organization's name is cached, as on any second page
    sandbox.admin.clear_requests()

    found = viewer_client.get(url, {"q": contract_id, "status": "ACTIVE"}).content.decode()
    filtered_out = viewer_client.get(url, {"q": contract_id, "status": "DRAFT"}).content.decode()

    assert f">{contract_id}</a>" in found
    assert f">{contract_id}</a>" not in filtered_out
    assert "No contract matches these filters." in filtered_out
    assert sandbox.admin.request_count("GET", rf"/contracts/{contract_id}$") == 2
    assert sandbox.admin.undocumented_requests() == []


def test_the_export_of_a_search_works_without_the_account_wide_list(
    viewer_client, documented_account, console_world, sandbox
):
    organization = console_world.fabric.organization_a
    contract_id = f"EXPORTED-{uuid4().hex[:8]}"
    create_contract(sandbox, organization["_id"], contractId=contract_id)
    url = reverse(
        "contracts_ui:contract-export-csv",
        kwargs={
            "account_id": documented_account.account_id,
            "organization_id": organization["_id"],
        },
    )

    response = viewer_client.get(url, {"q": contract_id})

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2  # the header, then the one contract found
    assert rows[1][0] == contract_id
    assert sandbox.admin.undocumented_requests() == []


def _parties_url(account: FabricAccount, organization_id: str, name="internal-parties", **extra):
    kwargs = {"account_id": account.account_id, "organization_id": organization_id} | extra
    return reverse(f"contracts_ui:{name}", kwargs=kwargs)


def test_internal_parties_link_and_unlink_without_listing_links(
    editor_client, documented_account, console_world, sandbox
):
    organization = sandbox.admin.create_organization(
        documented_account.account_id, name=f"Unlisted links {uuid4().hex[:6]}"
    )
    party = console_world.fabric.internal_party
    page_url = _parties_url(documented_account, organization["_id"])

    page = editor_client.get(page_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="links-unavailable"' in html
    assert "Not available for this fabric account." in html
    assert 'name="internal_party_id"' in html  # the link form, with every party to choose
    unlink_url = _parties_url(
        documented_account,
        organization["_id"],
        name="internal-party-unlink",
        internal_party_id=party["_id"],
    )
    assert unlink_url in html

    linked = editor_client.post(
        _parties_url(documented_account, organization["_id"], name="internal-party-link"),
        {"internal_party_id": party["_id"]},
    )
    unlinked = editor_client.post(unlink_url)

    assert (linked.status_code, unlinked.status_code) == (302, 302)
    assert sandbox.admin.request_count("POST", r"/internalParties-party/create$") == 1
    assert sandbox.admin.request_count("DELETE", r"/internalParties-party/create$") == 1
    events = AuditEvent.objects.filter(
        action__startswith="party.", organization_id=organization["_id"]
    )
    assert events.count() == 2
    assert sandbox.admin.undocumented_requests() == []


def test_internal_parties_that_cannot_be_listed_leave_the_page_standing(
    editor_client, console_world, sandbox, cold_cache
):
    organization = console_world.fabric.organization_a
    sandbox.admin.add_fault(method="GET", path=r"/v1/internal-parties$", status=500)

    response = editor_client.get(_parties_url(console_world.account_a, organization["_id"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert organization["name"] in html
    assert 'id="parties-unavailable"' in html
    assert "already linked" not in html


def test_a_page_says_how_many_rows_could_not_be_read(viewer_client, console_world, settings):
    token_path = "/oauth2/aus1/v1/token"
    readable = {"_id": "61a77df3941da90009fd35db", "name": "Readable Ltd"}
    crafted = CraftedFabric()
    crafted.answer("POST", token_path, json={"access_token": "t-1", "expires_in": 600})
    crafted.answer(
        "GET",
        "/data-customer/v1/organizations",
        json={
            "query": {"offset": 0, "limit": 25, "count": 3},
            "data": [readable, {"name": "no id"}, "not a record"],
        },
    )
    account = console_world.account_a
    with running(crafted):
        account.api_base_url, account.token_url = crafted.url, crafted.url + token_path
        account.save(update_fields=["api_base_url", "token_url"])
        url = reverse("contracts_ui:organization-list", kwargs={"account_id": account.account_id})
        response = viewer_client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Readable Ltd" in html
    assert "2 rows that fabric sent could not be read and are not shown." in html


@pytest.fixture(scope="module")
def documented_sandbox():
    with SandboxServer(documented_only=True) as server:
        yield server


def test_without_the_doctor_a_missing_account_wide_list_is_asked_once_then_remembered(
    client, db, documented_sandbox, monkeypatch, cold_cache
):
    account_id, secret = "d0c0000000000000000000a1", "secret-remembered"
    documented_sandbox.admin.create_account(
        account=account_id, name="Undoctored", client_id="undoctored", client_secret=secret
    )
    organization = documented_sandbox.admin.create_organization(account_id, name="Only One")
    headers = {
        "Authorization": f"Bearer {documented_sandbox.token('undoctored', secret)}",
        "x-site-context": documented_sandbox.site_context(account_id),
    }
    documented_sandbox.call(
        "POST",
        f"/data-customer/v1/organizations/{organization['_id']}/contracts",
        headers=headers,
        json={
            "contractId": "REMEMBERED-1",
            "status": "ACTIVE",
            "startDate": "2026-01-01T00:00:00.000Z",
            "endDate": "2027-01-01T00:00:00.000Z",
        },
    )
    monkeypatch.setenv("FABRIC_TEST_SECRET_UNDOCTORED", secret)
    account = FabricAccount.objects.create(
        account_id=account_id,
        name="Undoctored",
        client_id="undoctored",
        client_secret_ref="env:FABRIC_TEST_SECRET_UNDOCTORED",
        api_base_url=documented_sandbox.url,
        token_url=f"{documented_sandbox.url}/auth/v1/token",
    )
    user = get_user_model().objects.create_user("undoctored-viewer")
    AccountGrant.objects.create(account=account, user=user, role=AccountRole.VIEWER)
    client.force_login(user)

    first = _lookup(client, account, "REMEMBERED-1")
    second = _lookup(client, account, "REMEMBERED-1")
    radar = client.get(reverse("contracts_ui:expiry-radar", kwargs={"account_id": account_id}))

    assert ">REMEMBERED-1</a>" in first
    assert ">REMEMBERED-1</a>" in second
    assert radar.status_code == 200
    assert 'id="radar-by-organization"' in radar.content.decode()
    assert documented_sandbox.admin.request_count("GET", r"/v1/contracts$") == 1
