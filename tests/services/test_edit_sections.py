"""The edit-section registry: one entry per part of the contract page, each naming its form,
its ledger action and whether only PATCH takes it; values go to fabric's names and formats."""

from datetime import date

import pytest

from contracts_ui import fabric, services
from contracts_ui.forms.edits import ContractEditForm
from contracts_ui.models import AuditAction
from contracts_ui.snapshot import Snapshot


def test_the_registry_names_each_section_once():
    assert list(services.EDIT_SECTIONS) == ["dates", "status", "price-list", "flags", "details"]
    for name, section in services.EDIT_SECTIONS.items():
        assert section.name == name
        assert issubclass(section.form, ContractEditForm)
        assert isinstance(section.action, AuditAction)
    assert [s.name for s in services.EDIT_SECTIONS.values() if s.needs_patch] == ["flags"]


def test_form_fields_and_fabric_fields_have_one_spelling():
    assert services.fabric_name("price_list_id") == "priceListId"
    assert services.fabric_name("additional_attributes") == "additionalAttributes"
    assert services.fabric_name("status") == "status"
    assert services.form_field_name("promotionStacking") == "promotion_stacking"
    assert services.form_field_name("contractId") == "contract_id"


def test_each_sections_fields_are_fields_of_a_contract(contract_a, fabric_world, console_world):
    contract = fabric.get_contract(
        console_world.account_a.tenant(),
        organization_id=contract_a["partyId"],
        contract_id=contract_a["_id"],
    )
    state = contract.editable_state()
    for section in services.EDIT_SECTIONS.values():
        values = section.values_of(state)
        assert values
        assert {services.fabric_name(name) for name in values} <= set(state)


def _snapshot(**state) -> Snapshot:
    return Snapshot(state=state, updated_at="2026-01-01T00:00:00.000Z")


def test_only_what_differs_from_what_was_seen_is_sent():
    dates = services.EDIT_SECTIONS["dates"]
    seen = _snapshot(startDate="2026-01-01T08:30:00.000Z", endDate="2026-12-31T00:00:00.000Z")
    assert dates.changes({"start_date": date(2026, 1, 1), "end_date": date(2027, 1, 1)}, seen) == {
        "endDate": "2027-01-01T00:00:00.000Z"
    }
    details = services.EDIT_SECTIONS["details"]
    seen = _snapshot(contractType="A", additionalAttributes={"region": "north"})
    values = {"contract_type": "A", "additional_attributes": {"region": "south"}}
    assert details.changes(values, seen) == {"additionalAttributes": {"region": "south"}}


def test_a_sections_form_shows_the_contract_and_signs_what_it_shows(
    contract_a, fabric_world, console_world
):
    contract = fabric.get_contract(
        console_world.account_a.tenant(),
        organization_id=contract_a["partyId"],
        contract_id=contract_a["_id"],
    )
    form = services.EDIT_SECTIONS["status"].form_for(contract, yours={"status": "INACTIVE"})
    assert form.initial["status"] == "INACTIVE"
    assert Snapshot.verify(form.initial["seen"]) == Snapshot.of(contract)
    assert form.initial["submission"]


@pytest.mark.parametrize(
    ("replacing", "written"),
    [
        ("2026-12-31T23:59:59.999Z", "2027-06-30T23:59:59.999Z"),
        ("2026-12-31T08:30:00+00:00", "2027-06-30T08:30:00.000Z"),
        # The form showed the text's own day: an offset's time of day could move it in UTC.
        ("2027-01-01T01:00:00+02:00", "2027-06-30T00:00:00.000Z"),
        ("2026-12-31T23:59:59", "2027-06-30T00:00:00.000Z"),
        (None, "2027-06-30T00:00:00.000Z"),
        ("", "2027-06-30T00:00:00.000Z"),
        ("not a date", "2027-06-30T00:00:00.000Z"),
    ],
)
def test_a_date_is_written_at_the_utc_time_of_day_of_the_moment_it_replaces(replacing, written):
    assert services.wire_value(date(2027, 6, 30), replacing) == written


def test_edge_days_keep_the_time_of_day_too():
    assert services.wire_value(date(1, 1, 1), "9999-12-31T23:59:59.999Z") == (
        "0001-01-01T23:59:59.999Z"
    )
