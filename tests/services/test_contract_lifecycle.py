"""services.contract_create, contract_delete and contract_restore on their own against the
stand-in: Python values become fabric's create body, refusals come back at the fields, and each
write is one ledger record."""

from datetime import date

import pytest

from contracts_ui import services
from contracts_ui.models import AuditAction, AuditEvent, AuditOutcomeKind
from tests.conftest import create_contract


def create(actor, access, organization_id: str, **values):
    base = {
        "contract_id": "",
        "contract_type": "",
        "status": "DRAFT",
        "start_date": date(2026, 6, 1),
        "end_date": date(2026, 12, 1),
        "price_list_id": None,
        "additional_attributes": {},
    }
    return services.contract_create(
        actor=actor, access=access, organization_id=organization_id, values=base | values
    )


def test_a_contract_is_created_from_python_values(actor, access, console_world):
    organization_id = console_world.fabric.organization_a["_id"]
    created = create(
        actor,
        access,
        organization_id,
        contract_id="C-SVC-0001",
        price_list_id=100000,
        additional_attributes={"region": "north"},
    )
    assert created.contract_id == "C-SVC-0001"
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.CREATE
    assert event.contract_id == "C-SVC-0001"
    # Empty fields are left out, so fabric applies its own defaults.
    assert event.request_sent["body"] == {
        "contractId": "C-SVC-0001",
        "status": "DRAFT",
        "startDate": "2026-06-01T00:00:00.000Z",
        "endDate": "2026-12-01T00:00:00.000Z",
        "priceListId": 100000,
        "additionalAttributes": {"region": "north"},
    }


def test_fabric_generates_the_id_when_none_is_given(actor, access, console_world):
    created = create(actor, access, console_world.fabric.organization_a["_id"])
    assert created.contract_id
    assert "contractId" not in AuditEvent.objects.get().request_sent["body"]


def test_a_duplicate_id_is_refused_at_its_field_with_409(actor, access, console_world, sandbox):
    organization_id = console_world.fabric.organization_a["_id"]
    create_contract(sandbox, organization_id, contractId="C-SVC-DUP1")
    with pytest.raises(services.Rejected) as raised:
        create(actor, access, organization_id, contract_id="C-SVC-DUP1")
    assert raised.value.status == 409
    assert list(raised.value.errors) == ["contract_id"]
    assert AuditEvent.objects.get().outcome.outcome == AuditOutcomeKind.REJECTED


def test_an_unknown_price_list_is_refused_before_any_write(actor, access, console_world, sandbox):
    sandbox.admin.clear_requests()
    with pytest.raises(services.Rejected) as raised:
        create(actor, access, console_world.fabric.organization_a["_id"], price_list_id=987654)
    assert list(raised.value.errors) == ["price_list_id"]
    assert sandbox.admin.request_count(method="POST", path=r"/contracts$") == 0
    assert AuditEvent.objects.count() == 0


def test_a_contract_is_deleted_and_restored(actor, access, contract):
    target = {
        "actor": actor,
        "access": access,
        "organization_id": contract["partyId"],
        "contract_id": contract["_id"],
    }
    assert services.contract_delete(**target).is_deleted is True
    assert services.contract_restore(**target).is_deleted is False
    delete, restore = AuditEvent.objects.order_by("id")
    assert (delete.action, restore.action) == (AuditAction.DELETE, AuditAction.RESTORE)
    assert delete.request_sent == {
        "method": "DELETE",
        "operation": "delete_contract",
        "body": None,
    }
    assert delete.outcome.diff == {"isDeleted": [False, True]}
    assert restore.contract_ref == contract["_id"]
