"""Six contracts tables opened at the same moment (an account manager's tabs), through one
console process.

Each table's page is read ahead (contracts_ui/fabric/ahead.py) on the process's ahead pool,
made smaller here (FABRIC_POOL_SIZE=2) than the process's request threads (4), so some reads
run on the pool and the rest, finding it busy, in their request's own thread. Every tab must
get its own organization's rows, and fabric every request's own id.
"""

import re
import threading
import uuid

import pytest
from django.urls import reverse

from tests.conftest import ACCOUNT_A, create_contract
from tests.production.browser import Answer, Browser
from tests.production.services import (
    ALICE_AND_ADMIN_SEED,
    sqlite_console_env,
    started_console,
)

pytestmark = pytest.mark.slow

TABS = 6
LIST_PATH = r"/organizations/[0-9a-f]{24}/contracts$"
_ROW = re.compile(r'id="contract-row-([^"]+)"')


def test_tables_opened_at_once_each_show_their_own_rows(tmp_path, sandbox, fabric_world):
    organizations = []
    for number in range(TABS):
        organization = sandbox.admin.create_organization(
            ACCOUNT_A, name=f"At Once {number} {uuid.uuid4().hex[:6]}"
        )
        made = {
            create_contract(sandbox, organization["_id"], contractId=f"AT-ONCE-{number}-{n}")["_id"]
            for n in range(3)
        }
        organizations.append((organization["_id"], made))
    env = sqlite_console_env(tmp_path, sandbox, FABRIC_POOL_SIZE="2")
    with started_console(env, tmp_path / "gunicorn.log", ALICE_AND_ADMIN_SEED) as console:
        logged_in = Browser()
        assert logged_in.log_in(console.url, "alice", "pw-alice-long-enough-1").status == 302
        # One session, as a browser's tabs share it; each tab its own connection.
        browsers = [Browser() for _ in range(TABS)]
        for browser in browsers:
            browser.cookies.update(logged_in.cookies)
        # Slow enough at fabric that every tab's read is still there when the last arrives.
        sandbox.admin.add_fault(path=LIST_PATH, latency_ms=400)
        sandbox.admin.clear_requests()
        at_once = threading.Barrier(TABS)
        answers: list[Answer | None] = [None] * TABS

        def open_table(number: int) -> None:
            organization_id = organizations[number][0]
            url = console.url + reverse(
                "contracts_ui:contract-list",
                kwargs={"account_id": ACCOUNT_A, "organization_id": organization_id},
            )
            at_once.wait(timeout=30)
            answers[number] = browsers[number].get(url, timeout=60)

        threads = [threading.Thread(target=open_table, args=(n,)) for n in range(TABS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)

    for number, answer in enumerate(answers):
        assert answer is not None, number
        assert answer.status == 200, (number, answer.body[:500])
        assert set(_ROW.findall(answer.body)) == organizations[number][1], number
    calls = sandbox.admin.requests(method="GET", path=LIST_PATH)
    assert len(calls) == TABS
    assert len({call["request_id"] for call in calls}) == TABS
    # More tabs at once than ahead threads, and several of them at fabric together.
    assert max(call["in_flight"] for call in calls) >= 3
