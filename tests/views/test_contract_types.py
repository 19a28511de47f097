"""The contract-type field suggests the types already in use (a <datalist>) and still takes new
text, in the inline edit and the create form."""

import re

import pytest
from django.urls import reverse

from tests.conftest import create_contract
from tests.views.test_edits import HTMX, edit_url, open_form, stored

LISTS = r"/contracts$"  # the account-wide list or an organization's


@pytest.fixture
def typed_contract(sandbox, console_world, cold_cache):
    """Contracts of the session's organization A with types of their own; the cache starts
    cold, or the suggestions an earlier test on this worker cached for A would be shown."""
    organization = console_world.fabric.organization_a["_id"]
    create_contract(sandbox, organization, contractType="FRAME-Ω <b>")
    return create_contract(
        sandbox,
        organization,
        contractType="TYPE-A",
        startDate="2026-01-01T00:00:00.000Z",
        endDate="2026-12-31T00:00:00.000Z",
    )


def _suggestions(page: str) -> list[str]:
    datalist = re.search(r'<datalist id="contract-types">(.*?)</datalist>', page, re.S)
    assert datalist, "no contract-type suggestions"
    return re.findall(r'<option value="([^"]*)">', datalist.group(1))


def test_the_edit_form_suggests_the_types_in_use_read_once_then_cached(
    editor_client, console_world, typed_contract, sandbox, cold_cache
):
    url = edit_url(console_world, typed_contract, "details")
    page = editor_client.get(url, headers=HTMX).content.decode()
    assert 'list="contract-types"' in page
    suggestions = _suggestions(page)
    assert "TYPE-A" in suggestions
    assert "FRAME-Ω &lt;b&gt;" in suggestions  # escaped like any text from fabric
    assert suggestions == sorted(suggestions, key=str.casefold)
    sandbox.admin.clear_requests()
    editor_client.get(url, headers=HTMX)
    assert sandbox.admin.request_count(method="GET", path=LISTS) == 0


def test_a_new_type_is_still_taken(editor_client, console_world, typed_contract, sandbox):
    url = edit_url(console_world, typed_contract, "details")
    data = open_form(editor_client, url) | {
        "contract_type": "BRAND-NEW",
        "additional_attributes": "{}",
    }
    response = editor_client.post(url, data, headers=HTMX)
    assert response.status_code == 200
    assert stored(sandbox, typed_contract)["contractType"] == "BRAND-NEW"


def test_the_create_form_suggests_them_too(editor_client, console_world, typed_contract):
    url = reverse(
        "contracts_ui:contract-create",
        kwargs={
            "account_id": console_world.account_a.account_id,
            "organization_id": typed_contract["partyId"],
        },
    )
    page = editor_client.get(url).content.decode()
    assert 'list="contract-types"' in page
    assert "TYPE-A" in _suggestions(page)


def test_fabric_failing_leaves_the_field_without_suggestions(
    editor_client, console_world, typed_contract, sandbox, cold_cache, settings
):
    settings.FABRIC_MAX_RETRIES = 0
    url = edit_url(console_world, typed_contract, "details")
    sandbox.admin.add_fault(path=LISTS, status=503)
    page = editor_client.get(url, headers=HTMX).content.decode()
    assert _suggestions(page) == []
    assert 'name="contract_type"' in page
