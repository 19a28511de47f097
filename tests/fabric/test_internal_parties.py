"""Internal parties and their links to organizations."""

import pytest

from contracts_ui import fabric


def test_it_lists_internal_parties_by_name(sandbox, tenant, fabric_world):
    page = fabric.list_internal_parties(tenant, name="Key Accounts")
    assert isinstance(page.items[0], fabric.InternalParty)
    assert fabric_world.internal_party["_id"] in [party.id for party in page.items]
    assert sandbox.admin.request_count(method="GET", path=r"/v1/internal-parties$") == 1


def test_it_links_lists_and_unlinks(tenant, organization, fabric_world):
    party_id, internal_party_id = organization["_id"], fabric_world.internal_party["_id"]
    link = fabric.link_internal_party(
        tenant, party_id=party_id, internal_party_id=internal_party_id
    )
    assert isinstance(link, fabric.InternalPartyLink)
    assert (link.party_id, link.internal_party_id, link.is_deleted) == (
        party_id,
        internal_party_id,
        False,
    )
    links = fabric.list_internal_party_links(tenant, party_id=party_id)
    assert [found.id for found in links] == [link.id]

    removed = fabric.unlink_internal_party(
        tenant, party_id=party_id, internal_party_id=internal_party_id
    )
    assert removed.id == link.id
    assert fabric.list_internal_party_links(tenant, party_id=party_id) == ()


def test_linking_twice_is_a_conflict(tenant, organization, fabric_world):
    ids = {"party_id": organization["_id"], "internal_party_id": fabric_world.internal_party["_id"]}
    fabric.link_internal_party(tenant, **ids)
    with pytest.raises(fabric.FabricConflict) as caught:
        fabric.link_internal_party(tenant, **ids)
    assert caught.value.status == 409


def test_linking_an_unknown_internal_party_is_not_found(tenant, organization):
    with pytest.raises(fabric.FabricNotFound):
        fabric.link_internal_party(tenant, party_id=organization["_id"], internal_party_id="0" * 24)
