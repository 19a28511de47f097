"""contracts_ui.selectors on their own against the stand-in: which fabric endpoint answers,
what the look-ups cost, and paging through every contract of a list."""

import dataclasses
import functools
from datetime import date

import pytest
from django.core.cache import cache

from contracts_ui import selectors, services
from contracts_ui.access import AccountAccess
from contracts_ui.audit import Actor
from contracts_ui.fabric.types import ContractQuery
from contracts_ui.models import AccountRole
from contracts_ui.snapshot import Snapshot
from tests.conftest import ACCOUNT_A, create_contract


def test_an_organizations_table_uses_its_list_and_a_search_the_account_wide_one(
    tenant, organization, sandbox
):
    mine = create_contract(sandbox, organization["_id"], contractId="C-SEL-0001")
    create_contract(sandbox, organization["_id"], contractId="C-SEL-0002")
    sandbox.admin.clear_requests()
    listed = selectors.organization_contracts(
        tenant, organization_id=organization["_id"], query=ContractQuery(), offset=0, limit=10
    )
    found = selectors.organization_contracts(
        tenant,
        organization_id=organization["_id"],
        query=ContractQuery(search="SEL-0001"),
        offset=0,
        limit=10,
    )
    assert listed.count == 2
    assert [c.id for c in found.items] == [mine["_id"]]
    paths = [call["path"] for call in sandbox.admin.requests(method="GET")]
    assert paths == [
        f"/data-customer/v1/organizations/{organization['_id']}/contracts",
        "/data-customer/v1/contracts",
    ]


def test_a_table_says_a_search_finds_whole_ids_only_where_the_account_list_is_missing(
    tenant, organization, sandbox, monkeypatch
):
    create_contract(sandbox, organization["_id"], contractId="C-WHOLE-0001")
    table = functools.partial(
        selectors.contract_table, organization_id=organization["_id"], offset=0, limit=10
    )
    without_list = dataclasses.replace(tenant, missing=frozenset({"contracts"}))

    assert table(without_list, query=ContractQuery(search="C-WHOLE-0001")).whole_ids_only
    assert not table(tenant, query=ContractQuery(search="C-WHOLE-0001")).whole_ids_only
    # Without a search there is nothing to say, so the table does not ask.
    monkeypatch.setattr(
        selectors, "account_list_missing", lambda tenant: pytest.fail("asked without a search")
    )
    plain = table(without_list, query=ContractQuery())
    assert not plain.whole_ids_only
    assert [row.contract.contract_id for row in plain.rows] == ["C-WHOLE-0001"]


def test_every_contract_fetches_each_page_of_100_once(tenant, organization, sandbox):
    sandbox.admin.bulk_contracts(ACCOUNT_A, organization["_id"], 205)
    fetch = selectors.organization_page_fetch(
        tenant, organization_id=organization["_id"], query=ContractQuery()
    )
    sandbox.admin.clear_requests()
    first = selectors.first_page(fetch)
    contracts = list(selectors.every_contract(fetch, tenant=tenant, first=first))
    assert first.count == 205
    assert len({c.id for c in contracts}) == 205
    assert sandbox.admin.request_count(method="GET") == 3

    sandbox.admin.clear_requests()
    capped = list(selectors.every_contract(fetch, tenant=tenant, first=first, max_rows=150))
    assert len(capped) == 150
    assert sandbox.admin.request_count(method="GET") == 1  # the second page only


def test_status_counts_are_one_call_per_status_then_cached(tenant, organization, sandbox):
    create_contract(sandbox, organization["_id"], status="ACTIVE")
    create_contract(sandbox, organization["_id"], status="ACTIVE")
    create_contract(sandbox, organization["_id"], status="DRAFT")
    cache.clear()
    sandbox.admin.clear_requests()
    counts = selectors.organization_status_counts(tenant, organization_id=organization["_id"])
    assert counts == {"ACTIVE": 2, "DRAFT": 1, "INACTIVE": 0}
    # Reads only: clearing the cache also dropped the bearer token, renewed by one POST.
    assert sandbox.admin.request_count(method="GET") == 3
    assert selectors.organization_status_counts(tenant, organization_id=organization["_id"]) == (
        counts
    )
    assert sandbox.admin.request_count(method="GET") == 3


def test_rows_name_their_price_list_through_one_cached_look_up(tenant, organization, sandbox):
    create_contract(sandbox, organization["_id"], priceListId=100000)
    create_contract(sandbox, organization["_id"], priceListId=100000)
    create_contract(sandbox, organization["_id"])
    page = selectors.organization_contracts(
        tenant, organization_id=organization["_id"], query=ContractQuery(), offset=0, limit=10
    )
    cache.clear()
    sandbox.admin.clear_requests()
    rows = selectors.contract_rows(tenant, page.items)
    names = sorted((row.price_list.name if row.price_list else "") for row in rows)
    assert names == ["", "Contract 2025 EUR", "Contract 2025 EUR"]
    assert sandbox.admin.request_count(method="GET") == 1


def test_organization_names_leave_out_what_fabric_cannot_name(tenant, organization):
    names = selectors.organization_names(
        tenant, organization_ids=[organization["_id"], "no-such-org", organization["_id"]], limit=5
    )
    assert names == {organization["_id"]: "Selector Supplies"}
    assert selectors.organization_names(tenant, organization_ids=["a", "b"], limit=0) == {}


def test_a_contracts_history_is_found_by_its_id_or_its_contract_id(
    tenant, organization, sandbox, console_world
):
    created = create_contract(sandbox, organization["_id"], contractId="C-SEL-HIST", status="DRAFT")
    contract = selectors.contract(
        tenant, organization_id=organization["_id"], contract_id=created["_id"]
    )
    services.contract_edit(
        actor=Actor(user=console_world.editor_a, username="alice", client_ip=None, user_agent=""),
        access=AccountAccess(account=console_world.account_a, role=AccountRole.EDITOR),
        organization_id=organization["_id"],
        contract_id=contract.id,
        section=services.EDIT_SECTIONS["dates"],
        seen=Snapshot.of(contract),
        values={"start_date": date(2026, 2, 1), "end_date": date(2027, 1, 1)},
    )
    by_contract = selectors.contract_history(ACCOUNT_A, selectors.LedgerRef.of(contract))
    assert [event.contract_ref for event in by_contract] == [contract.id]
    for url_value in (contract.id, "C-SEL-HIST"):
        assert selectors.contract_history(ACCOUNT_A, selectors.LedgerRef.from_url(url_value)) == (
            by_contract
        )


def test_an_organizations_parties_split_into_linked_and_linkable(
    tenant, organization, sandbox, console_world
):
    party = console_world.fabric.internal_party
    services.internal_party_link(
        actor=Actor(user=console_world.editor_a, username="alice", client_ip=None, user_agent=""),
        access=AccountAccess(account=console_world.account_a, role=AccountRole.EDITOR),
        organization_id=organization["_id"],
        internal_party_id=party["_id"],
    )
    parties = selectors.organization_parties(tenant, organization_id=organization["_id"])
    assert parties.organization.name == "Selector Supplies"
    assert [(link.internal_party_id, found.name) for link, found in parties.linked] == [
        (party["_id"], party["name"])
    ]
    assert party["_id"] not in {p.id for p in parties.unlinked}
    assert {p.id for p in parties.unlinked} | {party["_id"]} == {
        p.id for p in selectors.internal_parties(tenant)
    }
