"""Listing and naming organizations."""

import uuid

import pytest

from contracts_ui import fabric
from tests.conftest import ACCOUNT_A
from tests.fabric.conftest import logged_requests


@pytest.fixture
def two_organizations(sandbox, fabric_world):
    prefix = f"Orgs {uuid.uuid4().hex[:8]}"
    admin = sandbox.admin
    return prefix, [
        admin.create_organization(ACCOUNT_A, name=f"{prefix} Beta", email="b@example.com"),
        admin.create_organization(ACCOUNT_A, name=f"{prefix} Alpha", email="a@example.com"),
    ]


class TestListOrganizations:
    def test_it_filters_sorts_and_parses(self, sandbox, tenant, two_organizations):
        prefix, created = two_organizations
        page = fabric.list_organizations(tenant, name=prefix, sort_by="name", sort_order="asc")
        assert [o.name for o in page.items] == [f"{prefix} Alpha", f"{prefix} Beta"]
        assert page.count == 2
        assert isinstance(page.items[0], fabric.Organization)
        assert page.items[0].id == created[1]["_id"]
        assert page.items[0].created_at.tzinfo is not None
        (logged,) = logged_requests(sandbox, "GET", r"/v1/organizations$")
        assert logged["params"] == {
            "name": prefix,
            "sortBy": "name",
            "sortOrder": "asc",
            "offset": "0",
            "limit": "10",
        }

    def test_it_pages(self, tenant, two_organizations):
        prefix, _ = two_organizations
        page = fabric.list_organizations(
            tenant, name=prefix, sort_by="name", sort_order="asc", offset=1, limit=1
        )
        assert [o.name for o in page.items] == [f"{prefix} Beta"]
        assert (page.offset, page.limit, page.count) == (1, 1, 2)
        assert page.has_previous
        assert not page.has_next

    def test_it_sends_the_active_and_type_filters(self, sandbox, tenant):
        fabric.list_organizations(tenant, is_active=False, party_type="O")
        (logged,) = logged_requests(sandbox, "GET", r"/v1/organizations$")
        assert logged["params"]["isActive"] == "false"
        assert logged["params"]["partyType"] == "O"

    def test_a_page_size_over_the_maximum_is_asked_again_at_the_size_fabric_names(
        self, sandbox, tenant
    ):
        page = fabric.list_organizations(tenant, limit=fabric.MAX_PAGE_SIZE + 1)

        sent = [entry["params"]["limit"] for entry in logged_requests(sandbox, "GET", r"s$")]
        assert sent == [str(fabric.MAX_PAGE_SIZE + 1), str(fabric.MAX_PAGE_SIZE)]
        assert page.limit == fabric.MAX_PAGE_SIZE


class TestGetOrganization:
    def test_it_works(self, tenant, fabric_world):
        organization = fabric.get_organization(
            tenant, organization_id=fabric_world.organization_a["_id"]
        )
        assert organization.name == "Northwind Traders"
        assert organization.email == "buying@northwind.example"
        assert organization.is_active is True

    def test_it_is_looked_up_once_then_cached(self, sandbox, tenant, fabric_world):
        organization_id = fabric_world.organization_a["_id"]
        first = fabric.get_organization(tenant, organization_id=organization_id)
        second = fabric.get_organization(tenant, organization_id=organization_id)
        assert first == second
        assert sandbox.admin.request_count(method="GET", path=organization_id) == 1

    def test_zero_lookup_seconds_turns_caching_off(self, sandbox, tenant, fabric_world, settings):
        settings.FABRIC_LOOKUP_CACHE_SECONDS = 0
        organization_id = fabric_world.organization_a["_id"]
        fabric.get_organization(tenant, organization_id=organization_id)
        fabric.get_organization(tenant, organization_id=organization_id)
        assert sandbox.admin.request_count(method="GET", path=organization_id) == 2

    def test_an_unknown_organization_is_not_found(self, tenant):
        with pytest.raises(fabric.FabricNotFound) as caught:
            fabric.get_organization(tenant, organization_id="0" * 24)
        assert caught.value.status == 404

    def test_another_accounts_organization_is_not_found(self, tenant, fabric_world):
        with pytest.raises(fabric.FabricNotFound):
            fabric.get_organization(tenant, organization_id=fabric_world.organization_b["_id"])
