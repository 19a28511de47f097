"""services.contract_edit on its own against the stand-in: the section's values become fabric's
wire format, the snapshot guards against overwriting, the registry picks PUT or PATCH, and each
write is one ledger record."""

from datetime import date

import pytest

from contracts_ui import fabric, services
from contracts_ui.fabric.values import format_datetime
from contracts_ui.models import AuditAction, AuditEvent, AuditOutcomeKind
from contracts_ui.snapshot import Snapshot
from tests.conftest import create_contract, fabric_headers
from tests.services.meanwhile import changed_during_the_write


def read(access, contract: dict) -> fabric.Contract:
    return fabric.get_contract(
        access.tenant, organization_id=contract["partyId"], contract_id=contract["_id"]
    )


def edit(actor, access, contract: dict, section: str, values: dict, seen: Snapshot | None = None):
    return services.contract_edit(
        actor=actor,
        access=access,
        organization_id=contract["partyId"],
        contract_id=contract["_id"],
        section=services.EDIT_SECTIONS[section],
        seen=seen or Snapshot.of(read(access, contract)),
        values=values,
    )


def test_a_changed_date_keeps_its_time_of_day_and_one_left_alone_is_not_sent(
    actor, access, contract
):
    saved = edit(
        actor,
        access,
        contract,
        "dates",
        {"start_date": date(2026, 1, 1), "end_date": date(2027, 3, 31)},
    )
    assert format_datetime(saved.contract.end_date) == "2027-03-31T00:00:00.000Z"
    assert format_datetime(saved.contract.start_date) == "2026-01-01T08:30:00.000Z"
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.CHANGE_DATES
    assert event.request_sent == {
        "method": "PUT",
        "operation": "update_contract",
        "body": {"endDate": "2027-03-31T00:00:00.000Z"},
    }
    assert event.contract_ref == contract["_id"]
    assert event.contract_id == str(contract["contractId"])
    assert event.outcome.outcome == AuditOutcomeKind.SUCCEEDED


def test_a_date_moved_to_another_day_keeps_the_time_of_day_fabric_had(
    actor, access, sandbox, console_world
):
    """A contract that ends at the end of its last day (23:59:59.999) still does after its end
    date moves: midnight would end it almost a day early. A date with no time before it (none,
    or a new contract's) is midnight UTC."""
    contract = create_contract(
        sandbox,
        console_world.fabric.organization_a["_id"],
        startDate="2026-01-01T08:30:00.000Z",
        endDate="2026-12-31T23:59:59.999Z",
    )
    saved = edit(
        actor,
        access,
        contract,
        "dates",
        {"start_date": date(2026, 2, 1), "end_date": date(2027, 6, 30)},
    )
    assert format_datetime(saved.contract.start_date) == "2026-02-01T08:30:00.000Z"
    assert format_datetime(saved.contract.end_date) == "2027-06-30T23:59:59.999Z"
    assert AuditEvent.objects.get().request_sent["body"] == {
        "startDate": "2026-02-01T08:30:00.000Z",
        "endDate": "2027-06-30T23:59:59.999Z",
    }


def test_the_flags_go_through_patch(actor, access, contract, sandbox):
    sandbox.admin.clear_requests()
    saved = edit(
        actor, access, contract, "flags", {"on_contract": True, "promotion_stacking": False}
    )
    assert saved.contract.on_contract is True
    assert sandbox.admin.request_count(method="PATCH") == 1
    assert sandbox.admin.request_count(method="PUT") == 0
    assert AuditEvent.objects.get().request_sent["operation"] == "patch_contract"


def test_nothing_changed_is_no_write_and_no_record(actor, access, contract, sandbox):
    sandbox.admin.clear_requests()
    current = edit(actor, access, contract, "status", {"status": "DRAFT"})
    assert current.contract.status == "DRAFT"
    assert sandbox.admin.request_count(method="PUT") == 0
    assert AuditEvent.objects.count() == 0


def put_directly(sandbox, contract: dict, **fields) -> None:
    """A change made in fabric by someone else, outside the console."""
    path = f"/data-customer/v1/organizations/{contract['partyId']}/contracts/{contract['_id']}"
    assert sandbox.call("PUT", path, headers=fabric_headers(sandbox), json=fields).status == 200


def test_a_change_to_the_forms_fields_made_meanwhile_is_a_conflict_and_nothing_is_written(
    actor, access, contract, sandbox
):
    seen = Snapshot.of(read(access, contract))
    put_directly(sandbox, contract, contractType="SPOT")
    sandbox.admin.clear_requests()
    with pytest.raises(services.EditConflict) as raised:
        edit(actor, access, contract, "details", {"contract_type": "FRAMEWORK"}, seen=seen)
    changes = {change.field: change for change in raised.value.changes}
    assert set(changes) == {"contractType"}
    assert (changes["contractType"].seen, changes["contractType"].current) == ("TYPE-A", "SPOT")
    assert changes["contractType"].yours == "FRAMEWORK"
    assert raised.value.current.contract_type == "SPOT"
    assert sandbox.admin.request_count(method="PUT") == 0
    assert AuditEvent.objects.count() == 0


def test_a_change_elsewhere_made_meanwhile_is_kept_and_the_save_goes_ahead(
    actor, access, contract, sandbox
):
    seen = Snapshot.of(read(access, contract))
    put_directly(sandbox, contract, contractType="SPOT")
    saved = edit(actor, access, contract, "status", {"status": "ACTIVE"}, seen=seen)
    assert (saved.contract.status, saved.contract.contract_type) == ("ACTIVE", "SPOT")
    # Made before the re-read, their change is no outside change: it is the state before.
    assert saved.outside_changes == ()
    outcome = AuditEvent.objects.get().outcome
    assert outcome.diff == {"status": ["DRAFT", "ACTIVE"]}
    assert outcome.message == ""


def test_an_unknown_price_list_is_refused_at_its_field_before_any_write(
    actor, access, contract, sandbox
):
    sandbox.admin.clear_requests()
    with pytest.raises(services.Rejected) as raised:
        edit(actor, access, contract, "price-list", {"price_list_id": 987654})
    assert raised.value.errors == {
        "price_list_id": ["There is no price list #987654 in this account."]
    }
    assert raised.value.status == 422
    assert sandbox.admin.request_count(method="PUT") == 0
    assert AuditEvent.objects.count() == 0


def test_a_known_price_list_is_linked(actor, access, contract):
    saved = edit(actor, access, contract, "price-list", {"price_list_id": 100000})
    assert saved.contract.price_list_id == 100000


def test_fabrics_refusal_is_recorded_and_given_back_at_the_fields(actor, access, contract, sandbox):
    seen = Snapshot.of(read(access, contract))
    sandbox.admin.add_fault(method="PUT", path=contract["_id"], status=400)
    with pytest.raises(services.Rejected) as raised:
        edit(actor, access, contract, "status", {"status": "ACTIVE"}, seen=seen)
    assert raised.value.status == 422
    assert all(m.startswith("fabric: ") for ms in raised.value.errors.values() for m in ms)
    assert AuditEvent.objects.get().outcome.outcome == AuditOutcomeKind.REJECTED


def test_the_tenant_is_resolved_once_per_save(actor, access, contract, monkeypatch):
    seen = Snapshot.of(read(access, contract))
    resolved = []
    account = access.account
    original = type(account).tenant
    monkeypatch.setattr(
        type(account), "tenant", lambda self: resolved.append(self) or original(self)
    )
    fresh = type(access)(account=account, role=access.role)
    edit(actor, fresh, contract, "price-list", {"price_list_id": 100001}, seen=seen)
    assert len(resolved) == 1


def test_a_change_made_outside_the_console_during_the_save_is_recorded_apart(
    actor, access, contract, sandbox
):
    seen = Snapshot.of(read(access, contract))
    with changed_during_the_write(sandbox, contract, contractType="SPOT", onContract=True):
        saved = edit(actor, access, contract, "status", {"status": "ACTIVE"}, seen=seen)
    assert saved.outside_changes == ("contractType", "onContract")
    assert saved.outside_change_message == (
        "changed outside the console during this save: fields contractType, onContract"
    )
    outcome = AuditEvent.objects.get().outcome
    assert outcome.outcome == AuditOutcomeKind.SUCCEEDED
    # The user is credited with what they sent; the rest is named as someone else's.
    assert outcome.diff == {"status": ["DRAFT", "ACTIVE"]}
    assert outcome.message == saved.outside_change_message
    assert outcome.state_after["contractType"] == "SPOT"


@pytest.mark.parametrize(
    ("section", "values", "changed"),
    [
        ("flags", {"on_contract": True, "promotion_stacking": False}, "onContract"),
        ("status", {"status": "ACTIVE"}, "status"),
    ],
    ids=["patch", "put"],
)
def test_fabrics_answer_alone_names_no_outside_change(
    actor, access, contract, sandbox, section, values, changed
):
    # Every editable field set, so an answer that drops or reshapes one would show here.
    put_directly(
        sandbox, contract, priceListId=100000, additionalAttributes={"region": "north", "tier": 2}
    )
    saved = edit(actor, access, contract, section, values)
    assert saved.outside_changes == ()
    outcome = AuditEvent.objects.get().outcome
    assert outcome.message == ""
    assert list(outcome.diff) == [changed]
