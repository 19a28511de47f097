"""fabric.walk against the stand-in: pages fetched several at a time still give every row once,
in fabric's order, also when fabric cuts its page size in the middle of a walk."""

from contracts_ui import fabric
from contracts_ui.fabric.types import ContractQuery
from tests.conftest import ACCOUNT_A

BY_ID = ContractQuery(sort_by="contractId", sort_order="asc")


def _fetch(tenant, organization):
    return lambda offset, limit: fabric.list_contracts(
        tenant, organization_id=organization["_id"], query=BY_ID, offset=offset, limit=limit
    )


def _one_by_one(fetch, total: int) -> list[str]:
    return [c.id for offset in range(0, total, 100) for c in fetch(offset, 100).items]


def test_a_walk_gives_every_row_once_in_fabric_s_order(tenant, organization, sandbox, settings):
    settings.FABRIC_PAGE_CONCURRENCY = 4
    sandbox.admin.bulk_contracts(ACCOUNT_A, organization["_id"], 1_050, seed=3)
    fetch = _fetch(tenant, organization)
    expected = _one_by_one(fetch, 1_050)
    sandbox.admin.clear_requests()

    walked = [c.id for c in fabric.walk(tenant, fetch, first=fetch(0, 100))]

    assert walked == expected
    assert sandbox.admin.request_count(method="GET") == 11


def test_a_page_size_cut_midway_still_gives_every_row_once_in_order(
    tenant, organization, sandbox, settings
):
    settings.FABRIC_PAGE_CONCURRENCY = 3
    sandbox.admin.bulk_contracts(ACCOUNT_A, organization["_id"], 450, seed=5)
    fetch = _fetch(tenant, organization)
    expected = _one_by_one(fetch, 450)
    first = fetch(0, 100)
    # The walk planned pages of 100; fabric now refuses more than 40 a page, so each page comes
    # back short and the rest of its stretch is read before the next.
    sandbox.admin.config(max_limit=40)
    try:
        walked = [c.id for c in fabric.walk(tenant, fetch, first=first)]
    finally:
        sandbox.admin.config(max_limit=100)

    assert walked == expected
