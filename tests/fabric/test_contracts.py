"""Reading and writing contracts, each operation against the stand-in."""

import uuid
from datetime import UTC, date, datetime

import pytest

from contracts_ui import fabric
from tests.fabric.conftest import logged_requests


class TestCreate:
    def test_it_creates_with_a_price_list_link(self, make_contract, organization):
        contract = make_contract(priceListId=100000, status="ACTIVE", contractType="TYPE-A")
        assert isinstance(contract, fabric.Contract)
        assert contract.party_id == organization["_id"]
        assert (contract.status, contract.contract_type) == ("ACTIVE", "TYPE-A")
        assert contract.price_list_id == 100000
        assert contract.price_lists[0].contract_ref == contract.id
        assert contract.start_date == datetime(2025, 1, 1, tzinfo=UTC)
        assert contract.raw["_id"] == contract.id

    def test_fabric_defaults_the_status_and_generates_a_numeric_id(self, tenant, organization):
        contract = fabric.create_contract(
            tenant,
            organization_id=organization["_id"],
            body={"startDate": datetime(2025, 2, 1, tzinfo=UTC), "endDate": date(2025, 3, 1)},
        )
        assert contract.status == "DRAFT"
        assert contract.contract_id.isdigit()
        assert isinstance(contract.raw["contractId"], int)
        assert contract.end_date == datetime(2025, 3, 1, tzinfo=UTC)

    def test_a_start_after_the_end_names_the_field(self, make_contract):
        with pytest.raises(fabric.FabricValidationError) as caught:
            make_contract(startDate="2026-01-01T00:00:00.000Z")
        error = caught.value
        assert error.status == 400
        assert error.code == "VALIDATION_ERROR"
        assert set(error.field_errors) & {"startDate", "endDate"}

    def test_a_duplicate_contract_id_is_a_conflict(self, make_contract):
        contract = make_contract()
        with pytest.raises(fabric.FabricConflict) as caught:
            make_contract(contractId=contract.contract_id)
        assert caught.value.status == 409

    def test_an_unknown_price_list_is_not_found(self, make_contract):
        with pytest.raises(fabric.FabricNotFound) as caught:
            make_contract(priceListId=999_999)
        assert caught.value.code == "PRICE_LIST_NOT_FOUND"


class TestRead:
    def test_it_gets_by_id_or_contract_id_with_party_and_links(self, tenant, make_contract):
        created = make_contract(priceListId=100001)
        for key in (created.id, created.contract_id):
            contract = fabric.get_contract(
                tenant, organization_id=created.party_id, contract_id=key
            )
            assert contract.id == created.id
            assert contract.price_list_id == 100001
            assert contract.party.name.startswith("Test Org")

    def test_path_segments_are_quoted(self, tenant, make_contract):
        created = make_contract(contractId=f"A/B {uuid.uuid4().hex[:6]}?x")
        contract = fabric.get_contract(
            tenant, organization_id=created.party_id, contract_id=created.contract_id
        )
        assert contract.id == created.id

    def test_an_unknown_contract_is_not_found(self, tenant, organization):
        with pytest.raises(fabric.FabricNotFound):
            fabric.get_contract(tenant, organization_id=organization["_id"], contract_id="nope")

    def test_it_lists_filters_and_sorts_one_organizations_contracts(
        self, sandbox, tenant, organization, make_contract
    ):
        first = make_contract(status="ACTIVE", contractId=f"C2-{uuid.uuid4().hex[:6]}")
        second = make_contract(status="ACTIVE", contractId=f"C1-{uuid.uuid4().hex[:6]}")
        make_contract(status="DRAFT")
        query = fabric.ContractQuery(status="ACTIVE", sort_by="contractId", sort_order="asc")
        page = fabric.list_contracts(
            tenant, organization_id=organization["_id"], query=query, limit=5
        )
        assert [c.id for c in page.items] == [second.id, first.id]
        assert page.count == 2
        (logged,) = logged_requests(sandbox, "GET", f"/v1/organizations/{organization['_id']}/")
        assert logged["params"] == {
            "status": "ACTIVE",
            "sortBy": "contractId",
            "sortOrder": "asc",
            "offset": "0",
            "limit": "5",
        }

    def test_it_filters_by_date_range_and_pages(self, tenant, organization, make_contract):
        early = make_contract(startDate="2024-03-01T00:00:00.000Z")
        make_contract(startDate="2025-06-01T00:00:00.000Z")
        query = fabric.ContractQuery(
            start_date_from=date(2024, 1, 1), start_date_to=date(2024, 12, 31)
        )
        page = fabric.list_contracts(tenant, organization_id=organization["_id"], query=query)
        assert [c.id for c in page.items] == [early.id]
        everything = fabric.list_contracts(
            tenant, organization_id=organization["_id"], offset=1, limit=1
        )
        assert (everything.count, len(everything.items), everything.has_previous) == (2, 1, True)

    def test_it_searches_the_account_by_contract_id(self, sandbox, tenant, make_contract):
        contract = make_contract()
        page = fabric.search_contracts(
            tenant, query=fabric.ContractQuery(search=contract.contract_id)
        )
        assert [c.id for c in page.items] == [contract.id]
        (logged,) = logged_requests(sandbox, "GET", r"/v1/contracts$")
        assert logged["params"]["search"] == contract.contract_id

    def test_it_filters_the_account_by_a_field(self, tenant, organization, make_contract):
        contract = make_contract()
        page = fabric.search_contracts(
            tenant, filter_field="partyId", filter_value=organization["_id"]
        )
        assert [c.id for c in page.items] == [contract.id]


class TestWrite:
    def test_put_changes_and_unlinks_the_price_list(self, tenant, make_contract):
        contract = make_contract(priceListId=100000)
        updated = fabric.update_contract(
            tenant,
            organization_id=contract.party_id,
            contract_id=contract.id,
            changes={"status": "INACTIVE", "endDate": "2026-06-30T00:00:00.000Z"},
        )
        assert updated.status == "INACTIVE"
        assert updated.end_date == datetime(2026, 6, 30, tzinfo=UTC)
        assert updated.price_list_id == 100000
        unlinked = fabric.update_contract(
            tenant,
            organization_id=contract.party_id,
            contract_id=contract.id,
            changes={"priceListId": None},
        )
        assert unlinked.price_list_id is None

    def test_patch_sets_the_catalog_flags(self, sandbox, tenant, make_contract):
        contract = make_contract()
        patched = fabric.patch_contract(
            tenant,
            organization_id=contract.party_id,
            business_contract_id=contract.contract_id,
            changes={"onContract": True, "promotionStacking": True, "priceListId": 100001},
        )
        assert (patched.on_contract, patched.promotion_stacking) == (True, True)
        assert patched.price_list_id == 100001
        assert patched.editable_state()["priceListId"] == 100001
        assert sandbox.admin.request_count(method="PATCH", path="/v1/contracts/") == 1

    def test_delete_hides_the_contract_and_restore_brings_it_back(self, tenant, make_contract):
        contract = make_contract()
        ids = {"organization_id": contract.party_id, "contract_id": contract.id}
        deleted = fabric.delete_contract(tenant, **ids)
        assert deleted.is_deleted is True
        with pytest.raises(fabric.FabricNotFound):
            fabric.get_contract(tenant, **ids)
        assert fabric.get_contract(tenant, include_deleted=True, **ids).is_deleted is True
        restored = fabric.restore_contract(tenant, **ids)
        assert restored.is_deleted is False
        assert fabric.get_contract(tenant, **ids).id == contract.id
