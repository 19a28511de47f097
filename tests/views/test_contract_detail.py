"""One contract's page: every field, its party, its price lists, and soft-deleted contracts."""

from urllib.parse import parse_qs

from django.urls import reverse

from tests.conftest import create_contract, fabric_headers


def _url(world, contract, **query):
    url = reverse(
        "contracts_ui:contract-detail",
        kwargs={
            "account_id": world.account_a.account_id,
            "organization_id": contract["partyId"],
            "contract_id": contract["_id"],
        },
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_it_shows_every_field_the_party_and_the_price_list(
    viewer_client, console_world, contract_a
):
    html = viewer_client.get(_url(console_world, contract_a)).content.decode()
    assert str(contract_a["contractId"]) in html
    assert contract_a["_id"] in html
    assert "TYPE-A" in html
    assert "Northwind Traders" in html  # the embedded party
    assert "Contract 2025 EUR" in html
    assert "EUR" in html
    assert "#100000" in html


def test_a_soft_deleted_contract_shows_only_when_asked(viewer_client, console_world, sandbox):
    contract = create_contract(sandbox, console_world.fabric.organization_a["_id"])
    path = f"/data-customer/v1/organizations/{contract['partyId']}/contracts/{contract['_id']}"
    deleted = sandbox.call("DELETE", path, headers=fabric_headers(sandbox))
    assert deleted.status == 200

    hidden = viewer_client.get(_url(console_world, contract))
    assert hidden.status_code == 404
    assert "Look for it among soft-deleted contracts" in hidden.content.decode()

    shown = viewer_client.get(_url(console_world, contract, deleted=1))
    assert shown.status_code == 200
    assert "Deleted" in shown.content.decode()
    calls = sandbox.admin.requests(method="GET", path=contract["_id"] + "$")
    assert parse_qs(calls[-1]["query"]) == {"includeDeleted": ["true"]}


def test_an_unknown_contract_is_a_404_page(viewer_client, console_world):
    url = reverse(
        "contracts_ui:contract-detail",
        kwargs={
            "account_id": console_world.account_a.account_id,
            "organization_id": console_world.fabric.organization_a["_id"],
            "contract_id": "0" * 24,
        },
    )
    response = viewer_client.get(url)
    assert response.status_code == 404
    assert 'role="alert"' in response.content.decode()


def test_htmx_gets_only_the_contract_section(viewer_client, console_world, contract_a):
    response = viewer_client.get(_url(console_world, contract_a), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="contract"')
