"""Selecting contracts for a bulk change on the organization's table: editors only."""

from django.urls import reverse

from tests.conftest import ACCOUNT_A, create_contract


def _organization_with(sandbox, name: str, count: int) -> tuple[str, list[dict]]:
    """An organization of its own, holding `count` ACTIVE contracts: its table shows exactly
    these, whatever other tests added to the shared organizations before this one ran."""
    organization = sandbox.admin.create_organization(ACCOUNT_A, name=name)
    contracts = [
        create_contract(sandbox, organization["_id"], status="ACTIVE") for _ in range(count)
    ]
    return organization["_id"], contracts


def test_an_editor_ticks_rows_for_the_bulk_form_and_may_select_all_matching(
    editor_client, console_world, sandbox, settings
):
    # Two ACTIVE contracts, one more than the cap.
    organization_id, contracts = _organization_with(sandbox, "Selection Ltd", 2)
    settings.BULK_MAX_CONTRACTS = 1
    url = reverse("contracts_ui:contract-list", args=[ACCOUNT_A, organization_id])
    page = editor_client.get(url, {"status": "ACTIVE"}).content.decode()
    for contract in contracts:
        ticked = f"{contract['_id']}|{contract['updatedAt']}"
        assert f'name="contract" form="bulk-form" value="{ticked}"' in page
    assert 'id="bulk-form"' in page
    # The filter rides along for "select all matching", which is capped by the setting.
    assert '<input type="hidden" name="status" value="ACTIVE">' in page
    assert "Select all 1 of the 2 contracts matching this filter" in page
    # The price list is picked with the contract page's combobox; its id typed without JS.
    options = reverse("contracts_ui:price-list-options", args=[ACCOUNT_A])
    assert f'data-price-list-options="{options}"' in page
    assert 'name="new_price_list_id" id="id_bulk_price_list" data-price-list-picker' in page


def test_a_viewer_sees_the_table_without_checkboxes(viewer_client, console_world, sandbox):
    organization_id, [contract] = _organization_with(sandbox, "Read Only Ltd", 1)
    url = reverse("contracts_ui:contract-list", args=[ACCOUNT_A, organization_id])
    page = viewer_client.get(url).content.decode()
    assert str(contract["contractId"]) in page
    assert 'name="contract"' not in page
    assert "bulk-form" not in page


def test_a_preview_without_a_value_or_a_selection_says_what_is_missing(
    editor_client, console_world, contract_a
):
    url = reverse("contracts_ui:bulk-preview", args=[ACCOUNT_A, contract_a["partyId"]])
    response = editor_client.post(url, {"action": "extend-end"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Say by how many months." in page
    assert "Tick the contracts to change, or select all matching." in page
