"""An organization's contract table: filters, sort, paging, htmx, and what a page costs."""

import threading

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse

from tests.conftest import ACCOUNT_A, create_contract, fabric_headers, page_costs

LIST_PATH = r"/organizations/[0-9a-f]{24}/contracts$"
ORGANIZATION_LOOKUP_PATH = r"/organizations(/[0-9a-f]{24})?$"


@pytest.fixture(scope="session")
def small_organization(sandbox, fabric_world):
    """An organization of 10 contracts, one of them with a known contract id."""
    organization = sandbox.admin.create_organization(ACCOUNT_A, name="Small Org Ltd")
    sandbox.admin.bulk_contracts(ACCOUNT_A, organization["_id"], count=9)
    create_contract(
        sandbox,
        organization["_id"],
        contractId="C-SMALL-0001",
        status="INACTIVE",
        priceListId=100001,
        startDate="2025-03-01T00:00:00.000Z",
        endDate="2025-09-30T00:00:00.000Z",
    )
    return organization


@pytest.fixture(scope="session")
def large_organization(sandbox, fabric_world):
    """101 contracts: a full page of 100 rows and more behind it. What a page costs at 100,000
    contracts is measured by the benchmark (`make bench`, its scale and counts sections)."""
    organization = sandbox.admin.create_organization(ACCOUNT_A, name="Huge Distribution GmbH")
    sandbox.admin.bulk_contracts(ACCOUNT_A, organization["_id"], count=101)
    return organization


def _url(world, organization, **query):
    base = reverse(
        "contracts_ui:contract-list",
        kwargs={"account_id": world.account_a.account_id, "organization_id": organization["_id"]},
    )
    if not query:
        return base
    return base + "?" + "&".join(f"{key}={value}" for key, value in query.items())


def _last_list_query(sandbox) -> dict:
    calls = sandbox.admin.requests(method="GET", path=r"/contracts$")
    assert calls, "no contract list call reached fabric"
    from urllib.parse import parse_qs

    return {key: values[0] for key, values in parse_qs(calls[-1]["query"]).items()}


def test_it_shows_the_organizations_contracts(viewer_client, console_world, small_organization):
    response = viewer_client.get(_url(console_world, small_organization))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Small Org Ltd" in html
    assert "C-SMALL-0001" in html
    assert "Contract 2025 USD" in html  # the linked price list, named
    assert "1–10 of 10" in html


def test_filters_sort_and_paging_reach_fabric(
    viewer_client, console_world, small_organization, sandbox
):
    url = _url(
        console_world,
        small_organization,
        status="INACTIVE",
        start_from="2025-01-01",
        start_to="2025-12-31",
        end_from="2025-06-01",
        sort="endDate",
        order="asc",
        size=10,
        page=2,
    )
    response = viewer_client.get(url)
    assert response.status_code == 200
    assert _last_list_query(sandbox) == {
        "status": "INACTIVE",
        "startDateFrom": "2025-01-01",
        "startDateTo": "2025-12-31",
        "endDateFrom": "2025-06-01",
        "endDateTo": "9999-12-31",
        "sortBy": "endDate",
        "sortOrder": "asc",
        "offset": "10",
        "limit": "10",
    }


@pytest.mark.undocumented("a part of a contract id is found through GET /v1/contracts only")
def test_a_search_looks_up_contract_ids_inside_the_organization(
    viewer_client, console_world, small_organization, sandbox
):
    response = viewer_client.get(_url(console_world, small_organization, q="SMALL-0001"))
    assert response.status_code == 200
    assert "C-SMALL-0001" in response.content.decode()
    query = _last_list_query(sandbox)
    assert query["search"] == "SMALL-0001"
    assert query["filterField"] == "partyId"
    assert query["filterValue"] == small_organization["_id"]


def test_htmx_gets_only_the_table_with_the_same_rows(
    viewer_client, console_world, small_organization
):
    url = _url(console_world, small_organization, sort="contractId", order="asc")
    full = viewer_client.get(url).content.decode()
    partial = viewer_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full
    assert "<html" not in partial
    assert partial.lstrip().startswith('<section id="contract-browser"')
    assert partial.strip() in full


def test_a_history_restore_gets_the_whole_page(viewer_client, console_world, small_organization):
    response = viewer_client.get(
        _url(console_world, small_organization),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_bad_filters_are_reported_at_their_field_without_calling_fabric(
    viewer_client, console_world, small_organization, sandbox
):
    sandbox.admin.clear_requests()
    response = viewer_client.get(
        _url(console_world, small_organization, start_from="2025-12-01", start_to="2025-01-01")
    )
    assert response.status_code == 200
    assert "Must be on or after the date before it." in response.content.decode()
    assert sandbox.admin.request_count(method="GET", path=LIST_PATH) == 0


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_fabric_unavailable_is_a_message_not_a_crash(
    viewer_client, console_world, small_organization, sandbox, settings, htmx
):
    """The contracts are read while the page is drawn (fabric.Ahead); their failure still
    gives one page (or part) showing it once, with the filters and no table."""
    settings.FABRIC_MAX_RETRIES = 0
    viewer_client.get(_url(console_world, small_organization))  # warm token and look-ups
    sandbox.admin.add_fault(path=LIST_PATH, status=503)
    headers = {"HX-Request": "true"} if htmx else {}
    response = viewer_client.get(_url(console_world, small_organization), headers=headers)
    assert response.status_code == 503
    html = response.content.decode()
    assert html.count('role="alert"') == 1
    assert html.count('id="contract-browser"') == 1
    assert html.count("<html") == (0 if htmx else 1)
    assert 'name="status"' in html
    assert "contract-row-" not in html
    assert "Export CSV" not in html


def test_the_organization_is_read_while_its_contracts_are(
    viewer_client, console_world, small_organization, sandbox, cold_cache
):
    """Neither read waits for the other: on a first visit both are at fabric at once."""
    sandbox.admin.add_fault(path=r"/organizations", latency_ms=300)
    sandbox.admin.clear_requests()
    response = viewer_client.get(_url(console_world, small_organization))
    assert response.status_code == 200
    assert "C-SMALL-0001" in response.content.decode()
    contracts = sandbox.admin.requests(method="GET", path=LIST_PATH)
    # GET /organizations/{id}, or where only documented endpoints answer, the list by id.
    lookups = sandbox.admin.requests(method="GET", path=ORGANIZATION_LOOKUP_PATH)
    assert len(contracts) == 1
    assert lookups
    # Whichever arrived second found the other still being served.
    assert max(entry["in_flight"] for entry in contracts + lookups) == 2


def test_a_page_whose_organization_fails_leaves_no_contracts_read_behind(
    viewer_client, console_world, small_organization, sandbox, cold_cache, settings
):
    """The contracts' read, started first, is not left running once the page gives up on it."""
    settings.FABRIC_MAX_RETRIES = 0
    sandbox.admin.add_fault(path=ORGANIZATION_LOOKUP_PATH, status=503)
    sandbox.admin.add_fault(path=LIST_PATH, latency_ms=300)
    sandbox.admin.clear_requests()
    response = viewer_client.get(_url(console_world, small_organization))
    assert response.status_code == 503
    assert "contract-row-" not in response.content.decode()
    # Answered (and so logged) before the page was: nothing of this request is in flight.
    assert sandbox.admin.in_flight() == 0
    assert sandbox.admin.request_count(method="GET", path=LIST_PATH) == 1


@pytest.mark.parametrize(
    "query",
    [{}, {"q": "C-SMALL-0001"}, {"status": "ACTIVE&status=INACTIVE"}],
    ids=["plain", "search", "statuses"],
)
def test_the_read_ahead_never_touches_the_database(
    viewer_client, console_world, small_organization, cold_cache, monkeypatch, query
):
    """Database connections belong to the request's thread (fabric/ahead.py)."""
    threads = []
    ensure_connection = BaseDatabaseWrapper.ensure_connection

    def recording(connection):
        threads.append(threading.current_thread().name)
        return ensure_connection(connection)

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", recording)
    response = viewer_client.get(_url(console_world, small_organization, **query))
    assert response.status_code == 200
    assert "contract-row-" in response.content.decode()
    assert threads, "the page made no query at all: the recording is not in place"
    assert not [name for name in threads if name.startswith("fabric-ahead")]


def test_a_page_costs_one_fabric_call_and_fixed_queries_whatever_the_size(
    viewer_client, console_world, small_organization, large_organization, sandbox
):
    small = page_costs(viewer_client, sandbox, _url(console_world, small_organization, size=10))
    large = page_costs(viewer_client, sandbox, _url(console_world, large_organization, size=100))
    assert small[0] == 1
    assert large == small


def _stand_in_ids(sandbox, organization, statuses, sort, order="asc") -> list[str]:
    """The organization's contract ids of those statuses, as the stand-in sorts them."""
    rows = []
    for offset in (0, 100):
        response = sandbox.call(
            "GET",
            f"/data-customer/v1/organizations/{organization['_id']}/contracts",
            headers=fabric_headers(sandbox),
            params={"offset": offset, "limit": 100, "sortBy": sort, "sortOrder": order},
        )
        rows += response.json["data"]
    assert len(rows) == response.json["query"]["count"] == 101
    return [row["contractId"] for row in rows if row["status"] in statuses]


def test_several_statuses_are_one_fabric_list_each_merged_in_order(
    viewer_client, console_world, large_organization, sandbox
):
    expected = _stand_in_ids(sandbox, large_organization, ("ACTIVE", "DRAFT"), "contractId")
    sandbox.admin.clear_requests()
    html = viewer_client.get(
        _url(
            console_world,
            large_organization,
            status="ACTIVE&status=DRAFT",
            sort="contractId",
            order="asc",
            size=10,
            page=2,
        )
    ).content.decode()
    calls = sandbox.admin.requests(method="GET", path=LIST_PATH)
    # fabric documents one `status` per list call: one list per status, each from its start.
    assert sorted(call["query"].split("status=")[1].split("&")[0] for call in calls) == [
        "ACTIVE",
        "DRAFT",
    ]
    assert all("limit=20" in call["query"] and "offset=0" in call["query"] for call in calls)
    shown = [contract_id for contract_id in expected if f">{contract_id}<" in html]
    assert shown == expected[10:20]
    assert f"11–20 of {len(expected)}" in html
    assert html.count('name="status" value="ACTIVE"') == 1
    assert 'value="ACTIVE" id="id_status_0" checked>' in html
    assert 'value="DRAFT" id="id_status_1" checked>' in html
    assert 'value="INACTIVE" id="id_status_2">' in html


@pytest.mark.parametrize("sort", ["endDate", "updatedAt", "status"])
def test_several_statuses_merge_in_descending_order_too(
    viewer_client, console_world, large_organization, sandbox, sort
):
    expected = _stand_in_ids(sandbox, large_organization, ("DRAFT", "INACTIVE"), sort, "desc")
    html = viewer_client.get(
        _url(
            console_world,
            large_organization,
            status="INACTIVE&status=DRAFT",
            sort=sort,
            order="desc",
            size=100,
        )
    ).content.decode()
    assert [contract_id for contract_id in expected if f">{contract_id}<" in html] == expected
    positions = [html.index(f">{contract_id}<") for contract_id in expected]
    assert positions == sorted(positions)


def test_every_status_ticked_is_no_status_filter(
    viewer_client, console_world, small_organization, sandbox
):
    viewer_client.get(
        _url(console_world, small_organization, status="ACTIVE&status=DRAFT&status=INACTIVE")
    )
    assert "status" not in _last_list_query(sandbox)
    assert (
        "1–10 of 10"
        in viewer_client.get(
            _url(console_world, small_organization, status="ACTIVE&status=DRAFT&status=INACTIVE")
        ).content.decode()
    )


def test_a_preset_keeps_working_beside_several_statuses(
    viewer_client, console_world, small_organization
):
    html = viewer_client.get(
        _url(console_world, small_organization, status="ACTIVE&status=DRAFT")
    ).content.decode()
    # A preset replaces the statuses ticked; the status counts' links name one status.
    assert "status=ACTIVE&amp;end_to=" in html
    assert 'aria-current="true"' not in html
    html = viewer_client.get(
        _url(console_world, small_organization, status="BOGUS&status=DRAFT")
    ).content.decode()
    assert "Select a valid choice. BOGUS is not one of the available choices." in html
