"""fabric.Ahead against the stand-in: a read started before the page needs it runs beside the
thread that started it, which goes on once the request has left; its answer or its failure
comes where it is first used."""

import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from contracts_ui import fabric
from contracts_ui.fabric import ahead
from contracts_ui.fabric.types import ContractQuery
from tests.fabric.conftest import logged_requests

LIST_PATH = r"/organizations/[0-9a-f]{24}/contracts$"


def _held_list(tenant, organization, release: threading.Event):
    """A read of one page that, once fabric has answered, waits for `release`."""

    def read():
        page = fabric.list_contracts(
            tenant, organization_id=organization["_id"], query=ContractQuery(), offset=0, limit=5
        )
        assert release.wait(10), "the test never released the read"
        return SimpleNamespace(page=page, thread=threading.get_ident())

    return read


def test_the_read_runs_beside_the_caller_with_its_request_id(
    tenant, organization, make_contract, sandbox
):
    made = make_contract()
    release = threading.Event()
    token = fabric.current_request_id.set("ahead-request-id")
    try:
        started = fabric.Ahead(_held_list(tenant, organization, release))
    finally:
        fabric.current_request_id.reset(token)

    # The constructor came back while the read still waits: it runs on another thread.
    assert not release.is_set()
    release.set()
    answer = started.result()
    assert answer.thread != threading.get_ident()
    assert [c.id for c in answer.page.items] == [made.id]
    (logged,) = logged_requests(sandbox, "GET", LIST_PATH)
    assert logged["request_id"] == "ahead-request-id"


def test_lazy_answers_wait_only_where_they_are_first_used(tenant, organization, make_contract):
    made = make_contract()
    release = threading.Event()
    lazy = fabric.Ahead(_held_list(tenant, organization, release)).lazy("page", "thread")
    # Handed out while the read still waits; the first use waits for it.
    assert not release.is_set()
    release.set()
    assert [c.id for c in lazy["page"].items] == [made.id]
    assert lazy["thread"] != threading.get_ident()


def test_a_failed_read_raises_where_its_answer_is_first_used(tenant):
    started = fabric.Ahead(
        fabric.list_contracts,
        tenant,
        organization_id="0" * 24,
        query=ContractQuery(),
        offset=0,
        limit=5,
    )
    lazy = started.lazy("items")
    with pytest.raises(fabric.FabricNotFound):
        started.result()
    with pytest.raises(fabric.FabricNotFound):
        bool(lazy["items"])


def test_with_every_ahead_thread_busy_the_caller_reads_itself(
    tenant, organization, make_contract, monkeypatch
):
    made = make_contract()
    busy = ThreadPoolExecutor(max_workers=1)
    blocker = threading.Event()
    busy.submit(blocker.wait, 10)
    monkeypatch.setattr(ahead, "pool", lambda name: busy)
    release = threading.Event()
    release.set()
    try:
        answer = fabric.Ahead(_held_list(tenant, organization, release)).result()
    finally:
        blocker.set()
        busy.shutdown()
    assert answer.thread == threading.get_ident()
    assert [c.id for c in answer.page.items] == [made.id]
