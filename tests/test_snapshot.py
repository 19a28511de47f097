"""Snapshot: what the user saw of a contract, signed into the form and compared at save."""

import pytest
from django.core import signing

from contracts_ui.fabric.types import Contract
from contracts_ui.snapshot import FieldChange, Snapshot, StaleSnapshot


def _contract(**fields) -> Contract:
    data = {
        "_id": "64f0c0ffee0000000000aa01",
        "contractId": "C-1",
        "status": "DRAFT",
        "contractType": "Standard",
        "startDate": "2026-01-01T00:00:00.000Z",
        "endDate": "2026-12-31T00:00:00.000Z",
        "updatedAt": "2026-03-04T05:06:07.000Z",
    }
    return Contract.from_api(data | fields)


def test_a_signed_snapshot_comes_back_as_it_was():
    snapshot = Snapshot.of(_contract())
    assert snapshot.updated_at == "2026-03-04T05:06:07.000Z"
    assert snapshot.state["status"] == "DRAFT"
    assert Snapshot.verify(snapshot.sign()) == snapshot


@pytest.mark.parametrize(
    "signed",
    [
        "",
        "not-signed",
        signing.dumps({"status": "ACTIVE", "updatedAt": None}, salt="another purpose"),
    ],
    # Named, not by value: a signature carries the time, so each test process would differ.
    ids=["empty", "unsigned", "signed-for-another-purpose"],
)
def test_a_damaged_or_foreign_snapshot_is_refused(signed):
    with pytest.raises(StaleSnapshot):
        Snapshot.verify(signed)


def test_a_tampered_snapshot_is_refused():
    signed = Snapshot.of(_contract()).sign()
    with pytest.raises(StaleSnapshot):
        Snapshot.verify(signed.replace(signed[5], "A" if signed[5] != "A" else "B", 1))


def test_an_old_snapshot_is_refused(monkeypatch):
    signed = Snapshot.of(_contract()).sign()
    later = signing.time.time() + 25 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with pytest.raises(StaleSnapshot):
        Snapshot.verify(signed)


def test_only_the_fields_asked_about_that_fabric_holds_otherwise_have_moved():
    snapshot = Snapshot.of(_contract())
    theirs = _contract(contractType="Spot", updatedAt="2026-03-04T05:06:08.000Z")
    assert snapshot.moved(_contract(), ["status", "contractType"]) == []
    assert snapshot.moved(theirs, ["status"]) == []
    assert snapshot.moved(theirs, ["status", "contractType"]) == ["contractType"]


def test_the_differences_are_what_moved_and_what_the_user_changes():
    snapshot = Snapshot.of(_contract())
    theirs = _contract(contractType="Spot", updatedAt="2026-03-05T00:00:00.000Z")
    assert snapshot.differences(theirs, {"status": "ACTIVE"}) == [
        FieldChange("status", "DRAFT", "DRAFT", "ACTIVE"),
        FieldChange("contractType", "Standard", "Spot", None),
    ]
