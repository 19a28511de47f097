"""Parsing fabric's JSON into the client's records, using the seed pages' own examples."""

import base64
import pickle
from datetime import UTC, date, datetime

import pytest
from django.core.cache import cache

from contracts_ui import fabric

# GET /v1/organizations/{organizationId}/contracts/{contractId}, as seed 003 shows it.
SEED_CONTRACT = {
    "_id": "61604a30fdfacd0009816e44",
    "contractId": 201000000000013,
    "partyId": "61a77df3941da90009fd35db",
    "addressId": "6182ae91c67c61932b38c382",
    "accountId": "6182aeb6c67c61932b38c38b",
    "contractType": "TYPE-A",
    "status": "ACTIVE",
    "startDate": "2021-08-19T15:16:20.630Z",
    "endDate": "2021-12-20T15:16:20.630Z",
    "onContract": True,
    "promotionStacking": True,
    "additionalAttributes": {},
    "isDeleted": False,
    "createdAt": "2021-08-30T23:20:42.822Z",
    "updatedAt": "2021-08-30T23:20:42.822Z",
    "priceLists": [
        {
            "_id": "61c21377226c1c625a0d07ef",
            "contractId": "61c21377226c1c625a0d07ec",
            "priceListId": 100000,
            "createdAt": "2021-12-21T17:48:39.030Z",
            "updatedAt": "2021-12-21T17:48:39.030Z",
        }
    ],
    "party": {
        "parentPartyId": "61b121a51d949f0009142ada",
        "name": "PARTY P-1",
        "partyType": "O",
        "isActive": "O",
        "email": "email@address.com.br",
        "additionalAttributes": {},
    },
}


class TestContract:
    def test_it_parses_the_seed_get_example(self):
        contract = fabric.Contract.from_api(SEED_CONTRACT)
        assert contract.id == "61604a30fdfacd0009816e44"
        assert contract.contract_id == "201000000000013"
        assert contract.start_date == datetime(2021, 8, 19, 15, 16, 20, 630000, tzinfo=UTC)
        assert contract.on_contract is True
        assert contract.price_lists[0].contract_ref == "61c21377226c1c625a0d07ec"
        assert contract.price_list_id == 100000
        assert contract.party == fabric.Party(
            parent_party_id="61b121a51d949f0009142ada",
            name="PARTY P-1",
            party_type="O",
            is_active="O",
            email="email@address.com.br",
            additional_attributes={},
        )
        assert contract.raw == SEED_CONTRACT

    def test_it_reads_the_write_responses_single_price_list_link(self):
        data = {k: v for k, v in SEED_CONTRACT.items() if k not in ("priceLists", "party")}
        data["contractPriceList"] = {
            "_id": "61bcf8f0e30b090008c4cfd5",
            "contractId": "61bcf8f0e30b090008c4cfd2",
            "priceListId": 100001,
            "createdAt": "2021-08-30T23:20:42.822Z",
            "updatedAt": "2021-08-30T23:20:42.822Z",
        }
        contract = fabric.Contract.from_api(data)
        assert contract.price_list_id == 100001
        assert contract.party is None

    def test_it_tolerates_missing_optional_fields(self):
        contract = fabric.Contract.from_api({"_id": "abc", "contractId": "C-1"})
        assert contract.contract_id == "C-1"
        assert contract.start_date is None
        assert contract.price_lists == ()
        assert contract.price_list_id is None
        assert contract.additional_attributes == {}
        assert contract.address_id is None

    def test_the_current_price_list_is_the_most_recently_updated_link(self):
        older = {"priceListId": 1, "updatedAt": "2024-01-01T00:00:00.000Z"}
        newer = {"priceListId": 2, "updatedAt": "2024-06-01T00:00:00.000Z"}
        contract = fabric.Contract.from_api({"_id": "x", "priceLists": [newer, older]})
        assert contract.price_list_id == 2

    def test_editable_state_uses_fabric_names_and_formats(self):
        assert fabric.Contract.from_api(SEED_CONTRACT).editable_state() == {
            "startDate": "2021-08-19T15:16:20.630Z",
            "endDate": "2021-12-20T15:16:20.630Z",
            "status": "ACTIVE",
            "contractType": "TYPE-A",
            "priceListId": 100000,
            "onContract": True,
            "promotionStacking": True,
            "additionalAttributes": {},
        }

    def test_it_survives_the_cache_round_trip_and_can_be_hashed(self):
        contract = fabric.Contract.from_api(SEED_CONTRACT)
        cache.set("contract", contract)
        assert cache.get("contract") == contract
        assert hash(contract) == hash(fabric.Contract.from_api(dict(SEED_CONTRACT)))

    def test_a_record_without_an_id_is_refused(self):
        with pytest.raises(KeyError):
            fabric.Contract.from_api({"contractId": "C-1"})


class TestOtherRecords:
    def test_organization_dates_are_aware_utc(self):
        organization = fabric.Organization.from_api(
            {"_id": "o1", "name": "N", "isActive": False, "createdAt": "2024-05-01T10:00:00+02:00"}
        )
        assert organization.created_at == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
        assert organization.updated_at is None
        assert organization.is_active is False

    def test_price_list_id_is_an_integer(self):
        price_list = fabric.PriceList.from_api({"_id": "p", "priceListId": "100000", "name": "EU"})
        assert price_list.price_list_id == 100000
        assert price_list.deleted is False

    def test_internal_party_link_parses_seed_000(self):
        link = fabric.InternalPartyLink.from_api(
            {
                "_id": "l1",
                "partyId": "612d205f3535d7000890492h",
                "internalPartyId": "612d205f3535d7000890492h",
                "isDeleted": False,
                "createdAt": "2021-08-30T23:20:42.822Z",
                "updatedAt": "2021-08-30T23:20:42.822Z",
            }
        )
        assert link.party_id == "612d205f3535d7000890492h"
        assert link.created_at == datetime(2021, 8, 30, 23, 20, 42, 822000, tzinfo=UTC)


class TestPage:
    def page(self, offset, limit, count, items):
        return fabric.Page.from_api(
            {"query": {"offset": offset, "limit": limit, "count": count}, "data": items},
            lambda row: row["n"],
        )

    def test_a_middle_page_links_both_ways(self):
        page = self.page(10, 10, 25, [{"n": i} for i in range(10)])
        assert page.items == tuple(range(10))
        assert (page.has_previous, page.previous_offset) == (True, 0)
        assert (page.has_next, page.next_offset) == (True, 20)
        assert (page.first_number, page.last_number) == (11, 20)

    def test_the_last_page_has_no_next(self):
        page = self.page(20, 10, 25, [{"n": i} for i in range(5)])
        assert (page.has_next, page.next_offset) == (False, None)
        assert page.last_number == 25

    def test_an_empty_page_numbers_from_zero(self):
        page = self.page(0, 10, 0, [])
        assert (page.first_number, page.last_number) == (0, 0)
        assert not page.has_previous
        assert not page.has_next

    def test_a_body_without_data_is_refused(self):
        with pytest.raises(TypeError):
            fabric.Page.from_api({"query": {}}, dict)


class TestTenantAndQuery:
    def test_site_context_is_compact_json_with_only_what_is_set(self):
        tenant = fabric.FabricTenant("a" * 24, "client", "secret")
        assert tenant.site_context() == '{"account":"' + "a" * 24 + '"}'
        scoped = fabric.FabricTenant("a" * 24, "client", "secret", stage="production", channel=12)
        assert scoped.site_context() == (
            '{"account":"' + "a" * 24 + '","stage":"production","channel":12}'
        )

    def test_the_secret_is_not_in_the_repr(self):
        assert "s3cr3t" not in repr(fabric.FabricTenant("a" * 24, "client", "s3cr3t"))

    def test_contract_query_sends_only_set_values(self):
        query = fabric.ContractQuery(
            status="ACTIVE", start_date_from=date(2025, 1, 1), start_date_to=date(2025, 3, 31)
        )
        assert query.to_params() == {
            "status": "ACTIVE",
            "startDateFrom": "2025-01-01",
            "startDateTo": "2025-03-31",
            "sortBy": "updatedAt",
            "sortOrder": "desc",
        }


# An Organization and a PriceList as the shared cache holds them (pickled, as Django's Redis cache
# stores values), written by the release before slots came to the contract's records.
KEPT_ORGANIZATION = base64.b64decode(
    "gAWVXQEAAAAAAACMGWNvbnRyYWN0c191aS5mYWJyaWMudHlwZXOUjAxPcmdhbml6YXRpb26Uk5QpgZR9lCiMAmlklIwY"
    "YTFhMWExYTFhMWExYTFhMWExYTFhMWExlIwEbmFtZZSMEU5vcnRod2luZCBUcmFkZXJzlIwFZW1haWyUjBhidXlpbmdA"
    "bm9ydGh3aW5kLmV4YW1wbGWUjApwYXJ0eV90eXBllIwAlIwJaXNfYWN0aXZllIiMD3BhcmVudF9wYXJ0eV9pZJROjBVh"
    "ZGRpdGlvbmFsX2F0dHJpYnV0ZXOUfZSMCmlzX2RlbGV0ZWSUiYwKY3JlYXRlZF9hdJROjAp1cGRhdGVkX2F0lIwIZGF0"
    "ZXRpbWWUjAhkYXRldGltZZSTlEMKB+oLHgkPAAAAAJRoFIwIdGltZXpvbmWUk5RoFIwJdGltZWRlbHRhlJOUSwBLAEsA"
    "h5RSlIWUUpSGlFKUdWIu"
)
KEPT_PRICE_LIST = base64.b64decode(
    "gAWVTAEAAAAAAACMGWNvbnRyYWN0c191aS5mYWJyaWMudHlwZXOUjAlQcmljZUxpc3SUk5QpgZR9lCiMAmlklIwYYjJi"
    "MmIyYjJiMmIyYjJiMmIyYjJiMmIylIwNcHJpY2VfbGlzdF9pZJRKoIYBAIwEbmFtZZSMEUNvbnRyYWN0IDIwMjUgRVVS"
    "lIwKaXNfZGVmYXVsdJSJjAhjdXJyZW5jeZSMA0VVUpSMCnN0YXJ0X2RhdGWUjAhkYXRldGltZZSMCGRhdGV0aW1llJOU"
    "QwoH6QEBAAAAAAAAlGgOjAh0aW1lem9uZZSTlGgOjAl0aW1lZGVsdGGUk5RLAEsASwCHlFKUhZRSlIaUUpSMCGVuZF9k"
    "YXRllGgQQwoH6wwfAAAAAAAAlGgZhpRSlIwHZGVsZXRlZJSJjApjcmVhdGVkX2F0lE6MCnVwZGF0ZWRfYXSUTnViLg=="
)


def test_records_an_older_release_kept_in_the_shared_cache_read_back_the_same():
    """During a rolling deploy both releases read each other's cached records: a change to an
    Organization's or PriceList's pickled layout (slots, say) would read these back wrong,
    silently (each field set to a field's name), not fail."""
    assert pickle.loads(KEPT_ORGANIZATION) == fabric.Organization.from_api(  # noqa: S301
        {
            "_id": "a1" * 12,
            "name": "Northwind Traders",
            "email": "buying@northwind.example",
            "isActive": True,
            "updatedAt": "2026-11-30T09:15:00.000Z",
        }
    )
    assert pickle.loads(KEPT_PRICE_LIST) == fabric.PriceList.from_api(  # noqa: S301
        {
            "_id": "b2" * 12,
            "priceListId": 100000,
            "name": "Contract 2025 EUR",
            "currency": "EUR",
            "isDefault": False,
            "startDate": "2025-01-01T00:00:00.000Z",
            "endDate": "2027-12-31T00:00:00.000Z",
        }
    )


def test_a_contract_survives_a_pickle_round_trip():
    contract = fabric.Contract.from_api(SEED_CONTRACT)
    assert pickle.loads(pickle.dumps(contract)) == contract  # noqa: S301
