"""Selecting contracts for a bulk change on the organization's table: editors only."""

from django.urls import reverse

from tests.conftest import ACCOUNT_A, create_contract


def test_an_editor_ticks_rows_for_the_bulk_form_and_may_select_all_matching(
    editor_client, console_world, contract_a, sandbox, settings
):
    # Two ACTIVE contracts at least, one more than the cap.
    create_contract(sandbox, contract_a["partyId"], status="ACTIVE")
    settings.BULK_MAX_CONTRACTS = 1
    url = reverse("contracts_ui:contract-list", args=[ACCOUNT_A, contract_a["partyId"]])
    page = editor_client.get(url, {"status": "ACTIVE"}).content.decode()
    assert (
        f'name="contract" form="bulk-form" value="{contract_a["_id"]}|{contract_a["updatedAt"]}"'
        in page
    )
    assert 'id="bulk-form"' in page
    # The filter rides along for "select all matching", which is capped by the setting.
    assert '<input type="hidden" name="status" value="ACTIVE">' in page
    assert "Select all 1 of the" in page
    # The price list is picked with the contract page's combobox; its id typed without JS.
    options = reverse("contracts_ui:price-list-options", args=[ACCOUNT_A])
    assert f'data-price-list-options="{options}"' in page
    assert 'name="new_price_list_id" id="id_bulk_price_list" data-price-list-picker' in page


def test_a_viewer_sees_the_table_without_checkboxes(viewer_client, console_world, contract_a):
    url = reverse("contracts_ui:contract-list", args=[ACCOUNT_A, contract_a["partyId"]])
    page = viewer_client.get(url).content.decode()
    assert str(contract_a["contractId"]) in page
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
