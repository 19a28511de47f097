"""One contract's page: every field, its party, its price lists, and soft-deleted contracts."""

from urllib.parse import parse_qs

from django.urls import reverse

from contracts_ui import audit
from contracts_ui.models import AuditAction, AuditOutcomeKind
from tests.conftest import create_contract, fabric_headers, page_costs


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


def test_the_page_costs_one_fabric_call_and_queries_its_history_does_not_grow(
    viewer_client, console_world, contract_a, sandbox
):
    """The contract page shows its last audit events; 40 of them cost what none do."""
    before = page_costs(viewer_client, sandbox, _url(console_world, contract_a))
    actor = audit.Actor(
        user=console_world.editor_a, username="alice", client_ip="127.0.0.1", user_agent="test"
    )
    for number in range(40):
        event = audit.record_attempt(
            actor=actor,
            account_id=console_world.account_a.account_id,
            action=AuditAction.CHANGE_STATUS,
            summary=f"status change {number}",
            request_sent={"method": "PUT", "body": {"status": "ACTIVE"}},
            request_id=f"history-{number}",
            organization_id=contract_a["partyId"],
            contract_ref=contract_a["_id"],
            contract_id=str(contract_a["contractId"]),
        )
        audit.record_outcome(
            event, outcome=AuditOutcomeKind.SUCCEEDED, diff={"status": ["DRAFT", "ACTIVE"]}
        )
    after = page_costs(viewer_client, sandbox, _url(console_world, contract_a))
    assert before[0] == 1
    assert after == before
    html = viewer_client.get(_url(console_world, contract_a)).content.decode()
    assert html.count('<span class="badge badge--succeeded">') == 25  # the page's last 25
