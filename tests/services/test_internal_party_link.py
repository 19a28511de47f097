"""services.internal_party_link on its own: a link and an unlink, each one ledger record."""

from contracts_ui import fabric, services
from contracts_ui.models import AuditAction, AuditEvent


def links_of(access, organization_id: str) -> list:
    return list(fabric.list_internal_party_links(access.tenant, party_id=organization_id))


def test_an_internal_party_is_linked_then_unlinked(actor, access, console_world, sandbox):
    account_id = console_world.account_a.account_id
    # An organization of this test alone: no link left by another test shows up in its list.
    organization_id = sandbox.admin.create_organization(account_id, name="Linking Ltd")["_id"]
    party = sandbox.admin.create_internal_party(
        account_id, name="Service Desk", email="desk@acme.example"
    )
    target = {
        "actor": actor,
        "access": access,
        "organization_id": organization_id,
        "internal_party_id": party["_id"],
    }
    link = services.internal_party_link(**target)
    assert (link.party_id, link.internal_party_id, link.is_deleted) == (
        organization_id,
        party["_id"],
        False,
    )
    assert [item.internal_party_id for item in links_of(access, organization_id)] == [party["_id"]]
    services.internal_party_link(**target, unlink=True)
    assert links_of(access, organization_id) == []
    linked, unlinked = AuditEvent.objects.order_by("id")
    assert linked.action == AuditAction.LINK_INTERNAL_PARTY
    assert unlinked.action == AuditAction.UNLINK_INTERNAL_PARTY
    assert linked.request_sent["body"] == {
        "partyId": organization_id,
        "internalPartyId": party["_id"],
    }
    assert unlinked.outcome.diff == {"linked": [True, False]}
