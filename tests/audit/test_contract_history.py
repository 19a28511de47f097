"""One contract's history panel: its events only, newest first, and refusal without a grant."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from contracts_ui.audit import queries as audit_queries
from contracts_ui.models import AuditAction
from tests.audit.conftest import record
from tests.conftest import ACCOUNT_A, ACCOUNT_B


def _history_url(world, contract_id: str = "ref-1") -> str:
    return reverse(
        "contracts_ui:contract-history",
        kwargs={
            "account_id": world.account_a.account_id,
            "organization_id": "org-1",
            "contract_id": contract_id,
        },
    )


@pytest.fixture
def history(console_world):
    editor = console_world.editor_a
    return [
        record(editor, action=AuditAction.CREATE, contract_ref="", contract_id="C-1"),
        record(editor, summary="first edit", diff={"endDate": ["2026-01-01", "2027-01-01"]}),
        record(editor, contract_ref="ref-other", contract_id="C-other"),
        record(editor, account_id=ACCOUNT_B),
        record(editor, outcome=None, summary="second edit"),
    ]


def test_the_helper_matches_the_contract_by_ref_or_contract_id(history):
    events = audit_queries.contract_history_events(
        account_id=ACCOUNT_A, contract_ref="ref-1", contract_id="C-1"
    )
    assert events == [history[4], history[1], history[0]]
    assert events[1].changes == [audit_queries.FieldChange("endDate", "2026-01-01", "2027-01-01")]
    assert events[0].outcome_kind == audit_queries.PENDING


def test_the_helper_finds_the_create_event_through_the_ledgers_contract_id(history):
    events = audit_queries.contract_history_events(account_id=ACCOUNT_A, contract_ref="ref-1")
    assert events == [history[4], history[1], history[0]]


def test_the_helper_matches_a_created_contract_not_yet_edited_by_its_contract_id(console_world):
    created = record(
        console_world.editor_a, action=AuditAction.CREATE, contract_ref="", contract_id="C-new"
    )
    assert audit_queries.contract_history_events(
        account_id=ACCOUNT_A, contract_ref="ref-new", contract_id="C-new"
    ) == [created]
    assert audit_queries.contract_history_events(account_id=ACCOUNT_A, contract_ref="ref-new") == []


def test_the_helper_keeps_the_last_events_only(console_world):
    for _ in range(4):
        record(console_world.editor_a)
    assert (
        len(
            audit_queries.contract_history_events(
                account_id=ACCOUNT_A, contract_ref="ref-1", limit=3
            )
        )
        == 3
    )


def test_a_viewer_reads_the_history_page(client, console_world, history):
    client.force_login(console_world.viewer_a)
    response = client.get(_history_url(console_world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "2026-01-01" in html
    assert "2027-01-01" in html
    assert "Outcome unknown (no answer recorded)" in html
    assert "Create contract" in html


def test_htmx_gets_the_panel_that_refreshes_itself(client, console_world, history):
    client.force_login(console_world.editor_a)
    response = client.get(_history_url(console_world), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="contract-history"')
    assert f'hx-get="{_history_url(console_world)}"' in html
    assert 'hx-trigger="contract-changed from:body"' in html


def test_a_contract_without_history_says_so(client, console_world):
    client.force_login(console_world.viewer_a)
    response = client.get(_history_url(console_world, contract_id="never-touched"))
    assert "No change to this contract" in response.content.decode()


def test_a_user_without_a_grant_gets_404(client, console_world, history):
    client.force_login(console_world.stranger)
    assert client.get(_history_url(console_world)).status_code == 404


def test_the_panel_renders_inside_the_contract_page_from_its_context(console_world, history):
    html = render_to_string(
        "contracts_ui/contract_history.html#contract-history",
        {
            "history_events": audit_queries.contract_history_events(
                account_id=ACCOUNT_A, contract_ref="ref-1", contract_id="C-1"
            ),
            "account": console_world.account_a,
            "organization_id": "org-1",
            # The contract page's context names the URL's value `contract_id`, as this page does.
            "contract_id": "ref-1",
        },
    )
    assert f'hx-get="{_history_url(console_world)}"' in html
    assert "first edit" not in html
    assert "Create contract" in html


def test_the_history_page_names_its_organization_and_the_panel_asks_fabric_nothing(
    client, console_world, sandbox, cold_cache
):
    organization = console_world.fabric.organization_a
    record(console_world.editor_a, organization_id=organization["_id"])
    client.force_login(console_world.viewer_a)
    url = reverse(
        "contracts_ui:contract-history",
        kwargs={
            "account_id": console_world.account_a.account_id,
            "organization_id": organization["_id"],
            "contract_id": "ref-1",
        },
    )
    html = client.get(url).content.decode()
    assert f'>Northwind Traders</a> <span class="muted mono">{organization["_id"]}</span>' in html
    sandbox.admin.clear_requests()
    panel = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Northwind Traders" not in panel
    assert sandbox.admin.request_count(path=r"/v1/organizations") == 0
